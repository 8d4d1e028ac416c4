"""F10: a member deletes all their data, in this server or workspace only."""

from __future__ import annotations

from bot.commands import (
    CommandContext,
    CommandError,
    CommandRegistry,
    CommandSpec,
    Option,
    OptionType,
)
from bot.domain import Reply
from bot.services import Services
from bot.storage.mock_store import MockStore


def register(reg: CommandRegistry, svc: Services) -> None:
    async def forget_me(ctx: CommandContext) -> Reply:
        if ctx.options.get("confirm") != "yes":
            raise CommandError(
                "This deletes every answer you gave here, the peer reviews you wrote, your "
                "drills, stories, scores, your mock rounds and your interview date, for good. Run /forget-me confirm:yes to go ahead."
            )
        user = ctx.interaction.user
        counts = await svc.store.forget_member(user.tenant, user.user_id)
        counts["drill records"] = await svc.drills.forget(user.tenant, user.user_id)
        counts["mock round records"] = await MockStore(svc.store.engine).forget(
            user.tenant, user.user_id
        )
        counts["stories"] = await svc.stories.forget(user.tenant, user.user_id)
        counts["leaderboard entries"] = await svc.progress.forget(user.tenant, user.user_id)
        done = ", ".join(f"{kind}: {n}" for kind, n in counts.items())
        return Reply(f"Deleted. {done}. Nothing of yours is left here.")

    reg.add(
        CommandSpec(
            ("forget-me",),
            "Delete all your data here (answers, reviews, drills, stories, mock rounds, dates).",
            (Option("confirm", OptionType.string, "yes, to delete for good", choices=("yes",)),),
        ),
        forget_me,
    )
