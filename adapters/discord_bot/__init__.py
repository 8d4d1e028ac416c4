"""The Discord adapter (discord.py 2.7).

Named `discord_bot`, not `discord`: `adapters.discord` would work for absolute imports, but a
script run from inside `adapters/` (sys.path[0] = adapters/) would then import this package
as `discord` and shadow the library, and every `import discord` next to `adapters.discord`
would read ambiguously. `discord_bot` can never be mistaken for the library.

mapping.py  pure functions: discord.py objects -> core events, core values -> Discord payload parts
chat.py     DiscordChat, the ChatPort (REST sends, interaction answers inside the 3-second deadline)
commands.py the core's CommandSpecs rendered as app commands
client.py   the discord.Client subclass: setup_hook, tree, persistent buttons, listeners
runner.py   start-up used by `studybot run`; invite.py the invite link
"""
