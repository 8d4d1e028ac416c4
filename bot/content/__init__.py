"""Content packs: the schema, the loader and the lookups the features use."""

from bot.content.loader import Pack, PackError, builtin_root, load_pack, load_packs

__all__ = ["Pack", "PackError", "builtin_root", "load_pack", "load_packs"]
