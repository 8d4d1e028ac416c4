"""The /drill commands and the drill's buttons and form.

A drill is a row (`drill_sessions`) before it is a message: the question is recorded as
served, then shown privately with Answer and Skip; the answer is stored on the row before
it is acknowledged; the review is stored on the row and applied to the member's FSRS card,
then sent back privately with the outline (only now) and the next drill a press away.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from bot.commands import CommandContext, CommandError, CommandRegistry, CommandSpec, Option
from bot.commands import OptionType as T
from bot.content import Pack
from bot.content.schema import Kind, Phase
from bot.domain import (
    Button,
    ButtonStyle,
    Destination,
    Form,
    FormField,
    InteractionRef,
    Outgoing,
    Reply,
    Review,
    UserRef,
)
from bot.events import ButtonPressed, FormSubmitted
from bot.features.drills import srs
from bot.features.drills.pick import DRILLABLE, Filters, Pick, choose, drillable, tags, weakness
from bot.features.review import render_review, request_for
from bot.features.stories import buttons as story_buttons
from bot.review.models import ReviewRequest
from bot.review.rubric import review_now
from bot.services import Services
from bot.storage.activity import Tick
from bot.storage.drill_store import DrillSession
from bot.storage.records import ChannelSettings
from bot.text import clean, quote, shorten, words
from bot.timing import local_date, local_slot

log = logging.getLogger(__name__)

ANSWER = "drill-answer"
SKIP = "drill-skip"
OUTLINE = "drill-outline"
NEXT = "drill-next"

NO_PACK = (
    "No study channel is set up here yet, so there is no question pack to drill from. "
    "An admin can run /setup in the study channel (see /help setup); then run /drill again."
)
RESUME_EVERY = timedelta(minutes=5)
RATING_WORDS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


# -- where a member drills from ---------------------------------------------------------


async def home(svc: Services, interaction: InteractionRef) -> tuple[Pack, ChannelSettings]:
    """The pack (and channel settings) a member's drills use: the channel they ran the
    command in when it is set up, else their tenant's first study channel."""
    settings = None
    if interaction.channel is not None:
        settings = await svc.store.get_channel(interaction.channel)
    if settings is None:
        mine = await svc.store.channels_of(interaction.user.tenant)
        settings = mine[0] if mine else None
    pack = svc.pack(settings.pack_id) if settings else None
    if settings is None or pack is None:
        raise CommandError(NO_PACK)
    return pack, settings


async def member_zone(svc: Services, tenant: str, user_id: str, settings: ChannelSettings) -> str:
    reminder = await svc.drills.reminder(tenant, user_id)
    return reminder.timezone if reminder else settings.timezone


async def member_phase(
    svc: Services, pack: Pack, settings: ChannelSettings, user_id: str, zone: str
) -> Phase | None:
    today = local_date(svc.clock.now(), zone)
    prep = await svc.store.get_prep(settings.channel.tenant, user_id)
    target = prep.interview_date if prep else settings.cohort_date
    return pack.phase_for((target - today).days) if target else None


def day_start(now: datetime, zone: str) -> datetime:
    return local_slot(local_date(now, zone), "00:00", zone)


# -- serving a drill --------------------------------------------------------------------


def check_filters(pack: Pack, options: dict[str, Any]) -> Filters:
    """The /drill options, checked against the pack: an unknown topic or principle gets
    the list of valid ones."""
    topic = options.get("topic")
    if topic is not None:
        topic = str(topic).strip().lower().replace(" ", "-")
        known = topics_of(pack)
        if topic not in known:
            raise CommandError(
                f"topic: {topic!r} is not a topic of this pack. Topics: {', '.join(known)}."
            )
    principle = options.get("principle")
    if principle is not None:
        wanted = str(principle).strip().lower()
        found = next(
            (
                p
                for p in pack.info.principles
                if wanted in (p.id, p.name.lower()) or wanted.replace(" ", "-") == p.id
            ),
            None,
        )
        if found is None:
            names = ", ".join(p.id for p in pack.info.principles)
            raise CommandError(f"principle: {principle!r} is not one of this pack's: {names}.")
        principle = found.id
    return Filters(
        topic=topic,
        principle=principle,
        kind=options.get("kind"),
        difficulty=options.get("difficulty"),
        due_only=bool(options.get("due")),
    )


def topics_of(pack: Pack) -> list[str]:
    return sorted({t for q in pack.questions if q.kind in DRILLABLE for t in q.topics})


async def serve(
    svc: Services,
    interaction: InteractionRef,
    pack: Pack,
    settings: ChannelSettings,
    filters: Filters,
) -> Reply:
    user = interaction.user
    now = svc.clock.now()
    zone = await member_zone(svc, user.tenant, user.user_id, settings)
    candidates = drillable(pack, filters)
    if not candidates:
        raise CommandError(
            f"No question of this pack fits {filters.describe()}. Try fewer options."
        )
    cards = await svc.drills.cards(user.tenant, user.user_id, pack.id)
    served = await svc.drills.served_since(user.tenant, user.user_id, day_start(now, zone))
    picked = choose(
        pack,
        candidates,
        cards,
        served_today={s.question_id for s in served},
        phase=await member_phase(svc, pack, settings, user.user_id, zone),
        now=now,
        due_only=filters.due_only,
        salt=f"{user.tenant}/{user.user_id}",
    )
    if picked is None:
        return Reply(_nothing_left(filters, cards, now))
    sid = await svc.drills.open_session(
        tenant=user.tenant,
        user_id=user.user_id,
        user_name=user.name,
        pack_id=pack.id,
        question_id=picked.question.id,
        channel_id=interaction.channel.channel_id if interaction.channel else None,
        filters=filters.as_dict(),
        now=now,
    )
    return Reply(
        render_drill(picked, now),
        buttons=(
            Button(f"{ANSWER}:{sid}", "Answer"),
            Button(f"{SKIP}:{sid}", "Skip", ButtonStyle.secondary),
        ),
    )


def _nothing_left(filters: Filters, cards: list[Any], now: datetime) -> str:
    if filters.due_only:
        upcoming = min((c.due for c in cards if c.due > now), default=None)
        when = f" The next one is due {_when(upcoming, now)}." if upcoming else ""
        return f"🎉 Nothing is due right now.{when} Run /drill without due:yes for a new question."
    return (
        "You have had every question that fits these options today. "
        "Try other options, or come back tomorrow."
    )


def render_drill(p: Pick, now: datetime) -> str:
    q = p.question
    labels = ", ".join(tags(q)) or q.kind.value
    if p.why == "due" and p.card is not None and p.card.last_review is not None:
        why = f"due again (last answered {_ago(p.card.last_review, now)})"
    elif p.why == "early" and p.card is not None:
        why = f"early: not due until {_when(p.card.due, now)}"
    else:
        why = "new to you"
    return (
        f"🎯 Drill · {labels} · {q.difficulty.value} · {why}\n\n{q.prompt}\n\n"
        "Press Answer to reply privately, or Skip for another question."
    )


def _ago(then: datetime, now: datetime) -> str:
    days = (now - then).days
    return "today" if days < 1 else "yesterday" if days == 1 else f"{days} days ago"


def _when(then: datetime, now: datetime) -> str:
    days = (then - now).total_seconds() / 86400
    if days <= 1:
        return "within a day"
    return f"in {round(days)} days ({then:%a %d %b})"


# -- buttons and the form ---------------------------------------------------------------


async def _own_session(svc: Services, interaction: InteractionRef, arg: str) -> DrillSession | None:
    """The drill a button names, if it is this member's; tells them plainly otherwise."""
    session = await svc.drills.session(interaction.user.tenant, int(arg)) if arg.isdigit() else None
    if session is None or session.user_id != interaction.user.user_id:
        await svc.chat.respond(
            interaction,
            Reply("That drill is not yours or no longer exists. Run /drill for one of your own."),
        )
        return None
    return session


def answer_form(session_id: int) -> Form:
    return Form(
        custom_id=f"{ANSWER}:{session_id}",
        title="Your drill answer",
        fields=(FormField("answer", "Your answer", placeholder="Approach, trade-offs… or STAR"),),
    )


async def on_button(svc: Services, event: ButtonPressed) -> bool:
    kind, _, arg = event.custom_id.partition(":")
    if kind not in (ANSWER, SKIP, OUTLINE, NEXT):
        return False
    it = event.interaction
    session = await _own_session(svc, it, arg)
    if session is None:
        return True
    if kind == ANSWER:
        if session.status != "open":
            await svc.chat.respond(it, Reply(_closed(session)))
        elif svc.chat.capabilities.modals:
            await svc.chat.open_form(it, answer_form(session.id))
        else:
            await svc.chat.respond(it, Reply("This chat cannot open forms; drills need them."))
    elif kind == SKIP:
        if not await svc.drills.skip(session.tenant, session.id):
            await svc.chat.respond(it, Reply(_closed(session)))
            return True
        await svc.chat.respond(it, await _again(svc, it, session))
    elif kind == OUTLINE:
        await svc.chat.respond(it, Reply(_outline(svc, session)))
    else:
        await svc.chat.respond(it, await _again(svc, it, session))
    return True


def _closed(session: DrillSession) -> str:
    if session.status == "answered":
        return "You answered this drill already. Run /drill for the next one."
    return "You skipped this drill. Run /drill for another."


async def _again(svc: Services, it: InteractionRef, session: DrillSession) -> Reply:
    """Another drill with the same options (Skip and Next drill)."""
    try:
        pack, settings = await home(svc, it)
        return await serve(svc, it, pack, settings, Filters.from_dict(session.filters))
    except CommandError as err:
        return Reply(str(err))


def _outline(svc: Services, session: DrillSession) -> str:
    if session.status != "answered":
        return "The model answer's outline opens once you have answered: press Answer first."
    pack = svc.pack(session.pack_id)
    q = pack.question(session.question_id) if pack else None
    if q is None or not q.model_answer:
        return "This question has no outline in the pack."
    lines = [f"📝 Outline for “{shorten(q.prompt, 80)}”", *(f"• {b}" for b in q.model_answer)]
    return "\n".join(lines)


async def on_form(svc: Services, event: FormSubmitted) -> bool:
    kind, _, arg = event.custom_id.partition(":")
    if kind != ANSWER:
        return False
    it = event.interaction
    text = clean(event.values.get("answer", ""))
    session = await _own_session(svc, it, arg)
    if session is None:
        if text.strip():
            await svc.chat.respond(it, Reply(f"Your text, so it is not lost:\n{quote(text, 1500)}"))
        return True
    if not text.strip():
        await svc.chat.respond(
            it, Reply("The answer was empty, so nothing was saved. Press Answer to try again.")
        )
        return True
    if not await svc.drills.answer(session.tenant, session.id, text, svc.clock.now()):
        await svc.chat.respond(
            it, Reply(f"{_closed(session)} Your text, so it is not lost:\n{quote(text, 1500)}")
        )
        return True
    await svc.chat.respond(
        it, Reply(f"✅ Drill answer saved ({words(text):,} words). Reviewing it now…")
    )
    reply = await review_answer(svc, dataclasses.replace(session, answer=text, status="answered"))
    if reply is not None:
        await svc.chat.respond(it, reply)
    return True


async def review_answer(svc: Services, session: DrillSession) -> Reply | None:
    """Review a stored drill answer, schedule its card, and say what comes next."""
    request = request_for(svc, session.pack_id, session.question_id, session.answer or "")
    if request is None:
        return Reply("This question is no longer in the pack, so it cannot be reviewed.")
    review = await _review(svc, request)
    now = svc.clock.now()
    card = await srs.record_review(
        svc.drills,
        tenant=session.tenant,
        user_id=session.user_id,
        question_id=session.question_id,
        pack_id=session.pack_id,
        review=review,
        source="drill",
        now=now,
    )
    rating = srs.rating_for(srs.mean_score(review))
    await svc.drills.set_review(
        session.tenant,
        session.id,
        {"reviewer": review.reviewer, "scores": review.scores, "rating": int(rating)},
    )
    text = render_review(review, request.question, author=None)
    text += (
        f"\n🗓️ Rated {RATING_WORDS[int(rating)]}: this question comes back {_when(card.due, now)}."
    )
    return Reply(
        text,
        buttons=(
            Button(f"{OUTLINE}:{session.id}", "Show outline", ButtonStyle.secondary),
            Button(f"{NEXT}:{session.id}", "Next drill"),
        )
        + (
            (story_buttons.save_drill(session.id),)
            if request.question.kind == Kind.behavioral
            else ()
        ),
    )


async def _review(svc: Services, request: ReviewRequest) -> Review:
    try:
        return await svc.reviewer.review(request)
    except Exception:  # a reviewer should not raise; if one does, the rubric still answers
        log.exception("reviewer raised", extra={"reviewer": svc.reviewer.name})
        return dataclasses.replace(review_now(request), note="The AI reviewer failed.")


async def resume_reviews(svc: Services, tick: Tick | None = None) -> None:
    """Drill answers whose review died with its process get it now, by direct message.
    Looked for every few minutes, past the lease, so an answer under review elsewhere is
    left alone."""
    now = svc.clock.now()
    last = svc.memo.drill_resume_at
    if last is not None and now - last < RESUME_EVERY:
        return
    svc.memo.drill_resume_at = now
    if tick is not None and not (await tick.activity()).drills_unreviewed:
        return
    for session in await svc.drills.unreviewed(svc.clock.now() - svc.tuning.lease):
        if not svc.tuning.owns_tenant(session.tenant):
            continue
        reply = await review_answer(svc, session)
        if reply is not None:
            user = UserRef(session.tenant, session.user_id, session.user_name)
            await svc.chat.send(Destination.to_user(user), Outgoing(reply.text))


# -- /drill due and /drill stats --------------------------------------------------------


async def due_summary(svc: Services, it: InteractionRef) -> Reply:
    pack, settings = await home(svc, it)
    user = it.user
    now = svc.clock.now()
    zone = await member_zone(svc, user.tenant, user.user_id, settings)
    end = day_start(now, zone) + timedelta(days=1)
    live = {q.id: q for q in drillable(pack, Filters())}
    cards = [
        c
        for c in await svc.drills.cards(user.tenant, user.user_id, pack.id)
        if c.question_id in live
    ]
    due = [c for c in cards if c.due < end]
    if not due:
        upcoming = min((c.due for c in cards), default=None)
        tail = f" The next is due {_when(upcoming, now)}." if upcoming else ""
        return Reply(f"🎉 Nothing is due today ({len(cards)} card(s) learned).{tail}")
    per_tag = Counter(t for c in due for t in tags(live[c.question_id]))
    overdue = sum(c.due <= now for c in due)
    listing = ", ".join(f"{_label(pack, t)} {n}" for t, n in per_tag.most_common(8))
    return Reply(
        f"📚 {len(due)} drill(s) due today, {overdue} of them now: {listing}.\n"
        "Run /drill due:yes to take them, most overdue first."
    )


def _label(pack: Pack, tag: str) -> str:
    principle = pack.principle(tag)
    return principle.name if principle else tag


async def stats(svc: Services, it: InteractionRef) -> Reply:
    pack, _settings = await home(svc, it)
    user = it.user
    now = svc.clock.now()
    live = {q.id: q for q in drillable(pack, Filters())}
    cards = [
        c
        for c in await svc.drills.cards(user.tenant, user.user_id, pack.id)
        if c.question_id in live
    ]
    if not cards:
        return Reply("No drills yet. Run /drill for your first question.")
    weak = weakness(pack, cards)
    ranked = sorted(weak.items(), key=lambda kv: (kv[1], kv[0]))
    counts = Counter(t for c in cards for t in tags(live[c.question_id]))
    lines = [
        f"📈 Your drills: {len(cards)} card(s) learned, "
        f"{sum(c.due <= now for c in cards)} due now, "
        f"{sum(c.lapses for c in cards)} lapse(s), {sum(c.reps for c in cards)} review(s).",
        "Weakest: " + _tag_scores(pack, ranked[:3], counts),
    ]
    if len(ranked) > 3:
        lines.append("Strongest: " + _tag_scores(pack, ranked[-3:][::-1], counts))
    return Reply("\n".join(lines))


def _tag_scores(pack: Pack, items: list[tuple[str, float]], counts: Counter[str]) -> str:
    return ", ".join(f"{_label(pack, t)} {s:.1f}/4 ({counts[t]} card(s))" for t, s in items)


# -- the commands -----------------------------------------------------------------------


def register(reg: CommandRegistry, svc: Services) -> None:
    topics = sorted({t for p in svc.packs.values() for t in topics_of(p)})
    principles = sorted({pr.id for p in svc.packs.values() for pr in p.info.principles})

    async def next_cmd(ctx: CommandContext) -> Reply:
        pack, settings = await home(svc, ctx.interaction)
        filters = check_filters(pack, dict(ctx.options))
        return await serve(svc, ctx.interaction, pack, settings, filters)

    async def due_cmd(ctx: CommandContext) -> Reply:
        return await due_summary(svc, ctx.interaction)

    async def stats_cmd(ctx: CommandContext) -> Reply:
        return await stats(svc, ctx.interaction)

    async def remind_cmd(ctx: CommandContext) -> Reply:
        user = ctx.interaction.user
        if ctx.options.get("off"):
            gone = await svc.drills.drop_reminder(user.tenant, user.user_id)
            return Reply("Drill reminders are off." if gone else "You had no drill reminder.")
        when = ctx.options.get("time")
        if when is None:
            r = await svc.drills.reminder(user.tenant, user.user_id)
            if r is None:
                raise CommandError("Give a time, e.g. /drill remind time:08:30 (or off:yes).")
            return Reply(
                f"Your drill reminder: {r.remind_at} {r.timezone}, on days with drills due."
            )
        _pack, settings = await home(svc, ctx.interaction)
        zone = ctx.options.get("zone") or settings.timezone
        await svc.drills.set_reminder(user.tenant, user.user_id, user.name, when, zone)
        return Reply(
            f"⏰ I will message you privately at {when} {zone} on days when drills are due "
            "(never when nothing is). /drill remind off:yes stops it."
        )

    reg.add(
        CommandSpec(
            ("drill", "next"),
            "A private practice question, reviewed at once and scheduled by spaced repetition.",
            (
                Option("topic", T.string, "only this topic", suggestions=tuple(topics)),
                Option("principle", T.string, "only this Leadership Principle", suggestions=tuple(principles)),
                Option("kind", T.string, "technical or behavioral", choices=("technical", "behavioral")),
                Option("difficulty", T.string, "easy, medium or hard", choices=("easy", "medium", "hard")),
                Option("due", T.boolean, "yes: only questions due for review"),
            ),
        ),
        next_cmd,
    )  # fmt: skip
    reg.add(CommandSpec(("drill", "due"), "How many drills are due today, by topic."), due_cmd)
    reg.add(
        CommandSpec(("drill", "stats"), "Your drills: learned, due, lapses, weakest topics."),
        stats_cmd,
    )
    reg.add(
        CommandSpec(
            ("drill", "remind"),
            "A private message at your time on days when drills are due.",
            (
                Option("time", T.time, "HH:MM, your local time"),
                Option("zone", T.timezone, "your IANA time zone (default: the channel's)"),
                Option("off", T.boolean, "yes: stop the reminders"),
            ),
        ),
        remind_cmd,
    )
    reg.default_sub("drill", "next")
