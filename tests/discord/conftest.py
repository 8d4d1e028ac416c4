from tests.discord.fixtures import fake, guild, make_world, world  # noqa: F401
