"""The composition root: builds the core from its parts and routes events to features."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.commands import (
    CommandContext,
    CommandError,
    CommandRegistry,
    CommandSpec,
    Option,
    OptionType,
)
from bot.domain import DeliveryRefused, Reply
from bot.events import (
    ButtonPressed,
    CommandInvoked,
    Event,
    FormSubmitted,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
)
from bot.features import (
    admin,
    answers,
    backfill,
    daily,
    notices,
    peer_review,
    privacy,
    review,
    timeline,
)
from bot.features.drills import flow as drills
from bot.features.drills import reminders as drill_reminders
from bot.features.mock import flow as mock
from bot.features.mock import timers as mock_timers
from bot.features.progress import flow as progress
from bot.features.stories import coverage as story_coverage
from bot.features.stories import flow as stories
from bot.logs import about
from bot.services import Services
from bot.storage.activity import Tick, upcoming

log = logging.getLogger(__name__)


class StudyBot:
    """The chat-agnostic bot. Adapters feed it events; a scheduler calls `run_due`."""

    def __init__(self, services: Services, *, default_pack: str) -> None:
        self.svc = services
        self._tick: Tick | None = None  # the last run_due's view of what is due
        self.commands = CommandRegistry()
        admin.register(self.commands, services, default_pack)
        timeline.register(self.commands, services)
        privacy.register(self.commands, services)
        review.register(self.commands, services)
        drills.register(self.commands, services)
        mock.register(self.commands, services)
        stories.register(self.commands, services)
        progress.register(self.commands, services)
        self.commands.add(
            CommandSpec(
                ("help",),
                "List the commands, or explain one.",
                (Option("command", OptionType.string, "a command name, e.g. setup"),),
            ),
            self._help,
        )

    async def handle(self, event: Event) -> None:
        interaction = getattr(event, "interaction", None)
        channel = getattr(event, "channel", None) or getattr(interaction, "channel", None)
        with about(channel):
            await self._handle(event, interaction)

    async def _handle(self, event: Event, interaction: object) -> None:
        try:
            await self._route(event)
        except DeliveryRefused as refused:
            # The platform refused a send for good: say what is missing, not "went wrong".
            log.warning("a send was refused: %s", refused, extra={"event": type(event).__name__})
            await self._tell(event, notices.explain(refused))
        except Exception:
            log.exception("event failed", extra={"event": type(event).__name__})
            await self._tell(
                event,
                "Something went wrong on our side; anything you wrote was kept. Please try again.",
            )

    async def _tell(self, event: Event, text: str) -> None:
        """Answer the interaction behind `event`, if any; a failure here is only logged."""
        interaction = getattr(event, "interaction", None)
        if interaction is None:
            return
        try:
            await self.svc.chat.respond(interaction, Reply(text))
        except Exception as err:
            log.warning("could not answer the interaction: %s", err)

    async def _route(self, event: Event) -> None:
        match event:
            case CommandInvoked():
                await self._command(event)
            case MessagePosted():
                await answers.on_thread_message(self.svc, event)
            case MessageEdited():
                await answers.on_thread_edit(self.svc, event)
            case MessageDeleted():
                await answers.on_thread_delete(self.svc, event)
            case ButtonPressed():
                kind, _, arg = event.custom_id.partition(":")
                if (
                    await drills.on_button(self.svc, event)
                    or await mock.on_button(self.svc, event)
                    or await stories.on_button(self.svc, event)
                ):
                    pass
                elif kind == daily.ANSWER_BUTTON and arg.isdigit():
                    await answers.on_answer_button(self.svc, event, int(arg))
                elif kind == peer_review.SCORE:
                    await peer_review.on_score(self.svc, event, arg)
                elif kind == peer_review.FINISH:
                    await peer_review.on_finish_button(self.svc, event, arg)
                elif kind == review.SHOW_REVIEW:
                    await review.on_show_review(self.svc, event, arg)
                elif kind == peer_review.SHOW_FEEDBACK:
                    await peer_review.on_show_feedback(self.svc, event, arg)
                elif kind == peer_review.SHOW_ASSIGNMENTS:
                    await peer_review.on_show_assignments(self.svc, event, arg)
            case FormSubmitted():
                kind, _, arg = event.custom_id.partition(":")
                if (
                    await drills.on_form(self.svc, event)
                    or await mock.on_form(self.svc, event)
                    or await stories.on_form(self.svc, event)
                ):
                    pass
                elif kind == daily.ANSWER_BUTTON and arg.isdigit():
                    await answers.on_answer_form(self.svc, event, int(arg))
                elif kind == peer_review.FINISH:
                    await peer_review.on_finish_form(self.svc, event, arg)

    async def _command(self, event: CommandInvoked) -> None:
        try:
            raw = dict(event.options)
            spec = self.commands.resolve(event.path, raw)
            user = event.interaction.user
            if spec.admin and not user.is_admin:
                raise CommandError(
                    f"/{spec.name} is for admins only (Discord: "
                    "Manage Server; Slack: workspace admins "
                    "or the configured list)."
                )
            options = self.commands.coerce(spec, raw)
            reply = await self.commands.handlers[spec.path](
                CommandContext(event.interaction, spec, options)
            )
        except CommandError as err:
            reply = Reply(str(err))
        await self.svc.chat.respond(event.interaction, reply)

    async def _help(self, ctx: CommandContext) -> Reply:
        name = str(ctx.options.get("command", "")).strip().lstrip("/")
        if name:
            specs = [s for s in self.commands.all() if s.name == name or s.path[0] == name]
            if not specs:
                raise CommandError(f"There is no command /{name}. Try /help for the list.")
            lines = []
            for s in specs:
                lines.append(f"{s.usage()}{'  (admin)' if s.admin else ''}\n  {s.help}")
                lines += [f"  {o.name}: {o.help}{_values(o)}" for o in s.options]
            return Reply("\n".join(lines))
        lines = ["Commands:"]
        for s in self.commands.all():
            lines.append(f"/{s.name}: {s.help}{' (admin)' if s.admin else ''}")
        for group, sub in self.commands.defaults.items():
            lines.append(f"/{group[0]} on its own runs /{' '.join(sub)}.")
        lines.append(
            "Answer the daily question by replying in its thread. /help <command> for details."
        )
        return Reply("\n".join(lines))

    async def run_due(self) -> None:
        """Everything due now. One probe says which features have anything in flight (see
        bot/storage/activity.py); the others are not asked, which spares a tick most of its
        queries. It is probed again whenever this process wrote since."""
        svc = self.svc
        tick = self._tick = Tick(svc.store, svc.clock.now, svc.tuning.lease)
        await daily.run_due(svc, tick)
        if (await tick.activity()).peer:
            await peer_review.run_due(svc)
        if (await tick.activity()).reminders:
            await drill_reminders.run_due(svc)
        await drills.resume_reviews(svc, tick)
        if (await tick.activity()).mock:
            await mock_timers.run_due(svc)
        if (await tick.activity()).stale_reviews:
            await review.resume_reviews(svc)
        await story_coverage.run_due(svc, tick)

    async def next_due(self, after: datetime) -> datetime | None:
        """When there is next something to do, strictly after `after`: the database's due
        times in one query, the channels' slots, and the features whose due times are
        worked out row by row when they have any rows."""
        soon = await upcoming(self.svc.store.engine, after)
        # Right after a run_due at the same instant (a simulated clock's step), the
        # channels that tick read still hold unless this process wrote since.
        tick = (
            self._tick
            if self._tick is not None and self._tick.still(after, soon.channels)
            else None
        )
        times = [soon.first, await daily.next_slot_due(self.svc, after, tick)]
        if soon.reminders:
            times.append(await drill_reminders.next_due(self.svc, after))
        if soon.rounds:
            times.append(await mock_timers.next_due(self.svc, after))
        return min((t for t in times if t is not None), default=None)

    async def backfill(self, owns: Callable[[str], bool] | None = None) -> backfill.Backfilled:
        """At start-up, and after a reconnect that may have lost events: store the replies,
        edits and deletes made in open question threads while the bot was not listening."""
        return await backfill.run(self.svc, owns)

    async def idle(self) -> None:
        """Wait for background work (AI reviews) to finish: tests, the console, shutdown."""
        await self.svc.tasks.drain()


def _values(o: Option) -> str:
    """The values an option takes, listed in /help (Discord also offers them as it types)."""
    if o.choices:
        return f" ({', '.join(o.choices)})"
    if o.suggestions:
        return f"; one of: {', '.join(o.suggestions)}"
    return ""
