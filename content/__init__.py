"""The built-in content packs, installed as the package `studybot_packs` (see setup.py).

Each folder here is one pack; `bot.content.builtin_root()` finds them through
importlib.resources, in an editable checkout and in an installed wheel alike."""
