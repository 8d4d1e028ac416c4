"""The /story commands, the story form and its buttons.

A story is written in one form (five fields: Discord's modals hold five inputs), stored
before it is acknowledged, then reviewed like a behavioral answer; the review is kept with
the story and replaced when the story is edited. Stories are their author's alone: every
read and write names the member, and a button pressed by anyone else is refused.
"""

from __future__ import annotations

import dataclasses
import logging
import re

from bot.commands import CommandContext, CommandError, CommandRegistry, CommandSpec, Option
from bot.commands import OptionType as T
from bot.content import Pack
from bot.content.schema import Kind, Question
from bot.domain import Button, ButtonStyle, Form, FormField, InteractionRef, Reply, Review
from bot.events import ButtonPressed, FormSubmitted
from bot.features.drills.flow import home
from bot.features.review import render_review
from bot.features.stories import buttons
from bot.features.stories.coverage import coverage, render_map, resolve_principles
from bot.review.models import ReviewRequest
from bot.review.rubric import review_now
from bot.services import Services
from bot.storage.story_store import Story, StoryDraft, mean_score
from bot.text import clean, defang, quote, shorten

log = logging.getLogger(__name__)

NEW = "story-new"
EDIT = "story-edit"
SAVE = "story-save"
DELETE = "story-delete"
SHOW = "story-show"
TITLE_MAX = 200
NOT_YOURS = "No story #{id} of yours. /story list shows your stories."


# -- the form ---------------------------------------------------------------------------


def story_form(target: str, prefill: dict[str, str] | None = None) -> Form:
    """`target` is "new" or a story id; `prefill` fills the fields (edit, Save as story)."""
    v = prefill or {}
    return Form(
        custom_id=f"{SAVE}:{target}",
        title="Your STAR story" if target == "new" else f"Edit story #{target}",
        fields=(
            FormField("title", "Title", long=False, max_length=TITLE_MAX,
                      placeholder="The checkout outage I owned", value=v.get("title", "")),
            FormField("principles", "Principles: 1 to 3, comma-separated", long=False,
                      max_length=400, placeholder="Ownership, Dive Deep",
                      value=v.get("principles", "")),
            FormField("situation", "Situation and task",
                      placeholder="Situation: where, when, what was at stake. Task: what you owned.",
                      value=v.get("situation", "")),
            FormField("action", "Action: what you did", placeholder="I …",
                      value=v.get("action", "")),
            FormField("result", "Result, with numbers",
                      placeholder="Errors fell from 3% to 0.2% in six weeks …",
                      value=v.get("result", "")),
        ),
    )  # fmt: skip


def prefill_of(pack: Pack, story: Story) -> dict[str, str]:
    return {
        "title": story.title,
        "principles": ", ".join(_name(pack, p) for p in story.principles),
        "situation": story.situation,
        "action": story.action,
        "result": story.result,
    }


# A STAR label at the start of a line, or after a sentence: "... weekly. Task: I owned ..."
_PART = re.compile(
    r"(?im)(?:^\W*|(?<=[.!?]\s))(situation|task|action|actions|result|results)\s*[:\-–—]\s*"
)


def split_star(text: str) -> dict[str, str]:
    """An answer written with STAR labels, cut into the form's fields; unlabelled text all
    goes to the first field for the member to cut up."""
    marks = list(_PART.finditer(text))
    if not marks:
        return {"situation": text.strip()}
    parts: dict[str, list[str]] = {}
    head = text[: marks[0].start()].strip()
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.end() : end].strip()
        word = m.group(1).lower().rstrip("s")
        field = {"situation": "situation", "task": "situation", "action": "action"}.get(
            word, "result"
        )
        label = "Task: " if word == "task" else ""
        parts.setdefault(field, []).append(label + body)
    if head:
        parts.setdefault("situation", []).insert(0, head)
    return {k: "\n".join(v) for k, v in parts.items()}


def _name(pack: Pack, principle_id: str) -> str:
    p = pack.principle(principle_id)
    return p.name if p else principle_id


# -- reviewing a story ------------------------------------------------------------------


def story_question(pack: Pack, principle_ids: tuple[str, ...]) -> Question:
    """A behavioral question for the story's first principle, asking for all of them."""
    first = pack.principle(principle_ids[0])
    name = first.name if first else principle_ids[0]
    return Question(
        id=f"story-{principle_ids[0]}",
        kind=Kind.behavioral,
        prompt=f"Tell me about a time you showed {name}.",
        phases=[pack.info.phases[0].id],
        principles=list(principle_ids),
    )


def story_text(draft: StoryDraft | Story) -> str:
    return f"Situation: {draft.situation}\n\nAction: {draft.action}\n\nResult: {draft.result}"


async def review_story(svc: Services, pack: Pack, story: Story) -> Review:
    question = story_question(pack, story.principles)
    principles = tuple(p for pid in story.principles if (p := pack.principle(pid)))
    request = ReviewRequest(question, story_text(story), principles, tuple(pack.info.principles))
    try:
        review = await svc.reviewer.review(request)
    except Exception:  # a reviewer should not raise; if one does, the rubric still answers
        log.exception("reviewer raised", extra={"reviewer": svc.reviewer.name})
        review = dataclasses.replace(review_now(request), note="The AI reviewer failed.")
    await svc.stories.set_review(story.tenant, story.user_id, story.id, review, story.updated_at)
    return review


def render_story(pack: Pack, story: Story) -> str:
    names = ", ".join(_name(pack, p) for p in story.principles)
    strength = f" · strength {story.score:.1f}/4" if story.score is not None else ""
    lines = [
        f"📖 Story #{story.id}: {defang(story.title)}",
        f"Principles: {names}{strength}",
        f"Situation and task: {defang(story.situation)}",
        f"Action: {defang(story.action)}",
        f"Result: {defang(story.result)}",
    ]
    if story.review is not None:
        lines += [
            "",
            render_review(story.review, story_question(pack, story.principles), author=None),
        ]
    return "\n".join(lines)


def _story_buttons(story_id: int) -> tuple[Button, ...]:
    return (
        Button(f"{EDIT}:{story_id}", "Edit", ButtonStyle.secondary),
        Button(f"{DELETE}:{story_id}", "Delete", ButtonStyle.danger),
    )


# -- saving -----------------------------------------------------------------------------


def _checked(pack: Pack, values: dict[str, str]) -> StoryDraft:
    """The form's values as a draft, or ValueError naming what is wrong."""
    text = {k: clean(values.get(k, "")).strip() for k in ("title", "situation", "action", "result")}
    empty = [k for k, v in text.items() if not v]
    if empty:
        raise ValueError(f"These parts were empty: {', '.join(empty)}. Every part is needed.")
    principles = resolve_principles(pack, clean(values.get("principles", "")))
    return StoryDraft(
        title=shorten(text["title"], TITLE_MAX),
        principles=principles,
        situation=text["situation"],
        action=text["action"],
        result=text["result"],
    )


def _echo(values: dict[str, str]) -> str:
    """What the member wrote, so a refused form loses nothing."""
    parts = [
        f"{label}:\n{quote(values[k], 1500)}"
        for k, label in (
            ("title", "Title"),
            ("principles", "Principles"),
            ("situation", "Situation and task"),
            ("action", "Action"),
            ("result", "Result"),
        )
        if values.get(k, "").strip()
    ]
    return "\n".join(parts)


async def on_form(svc: Services, event: FormSubmitted) -> bool:
    kind, _, target = event.custom_id.partition(":")
    if kind != SAVE:
        return False
    it = event.interaction
    user = it.user
    values = dict(event.values)
    try:
        pack, _settings = await home(svc, it)
        draft = _checked(pack, values)
    except (ValueError, CommandError) as err:
        await svc.chat.respond(
            it,
            Reply(
                f"Nothing was saved. {err}\nYour text, so it is not lost:\n{_echo(values)}",
                buttons=(Button(f"{NEW}:", "Try again"),) if target == "new" else (),
            ),
        )
        return True
    now = svc.clock.now()
    if target == "new":
        sid = await svc.stories.add(
            tenant=user.tenant,
            user_id=user.user_id,
            user_name=user.name,
            pack_id=pack.id,
            draft=draft,
            now=now,
        )
        said = f"✅ Story #{sid} saved. Reviewing it now…"
    elif target.isdigit() and await svc.stories.update(
        user.tenant, user.user_id, int(target), draft, now
    ):
        sid = int(target)
        said = f"✅ Story #{sid} updated. Reviewing it again…"
    else:
        await svc.chat.respond(
            it,
            Reply(
                NOT_YOURS.format(id=target) + f"\nYour text, so it is not lost:\n{_echo(values)}"
            ),
        )
        return True
    await svc.chat.respond(it, Reply(said))
    story = await svc.stories.get(user.tenant, user.user_id, sid)
    if story is None:
        return True  # deleted meanwhile
    review = await review_story(svc, pack, story)
    text = render_review(review, story_question(pack, story.principles), author=None)
    await svc.chat.respond(
        it,
        Reply(
            f"{text}\n💪 Story strength {mean_score(review):.1f}/4. /story map shows your coverage.",
            buttons=_story_buttons(sid),
        ),
    )
    return True


# -- buttons ----------------------------------------------------------------------------


async def on_button(svc: Services, event: ButtonPressed) -> bool:
    kind, _, arg = event.custom_id.partition(":")
    it = event.interaction
    if kind == NEW:
        await _open(svc, it, story_form("new"))
    elif kind == EDIT:
        await _edit(svc, it, arg)
    elif kind == DELETE:
        await _delete(svc, it, arg)
    elif kind == f"{DELETE}-yes":
        await _delete_confirmed(svc, it, arg)
    elif kind == buttons.FROM_DRILL:
        await _from_drill(svc, it, arg)
    elif kind == buttons.FROM_ANSWER:
        await _from_answer(svc, it, arg)
    else:
        return False
    return True


async def _open(svc: Services, it: InteractionRef, form: Form) -> None:
    if svc.chat.capabilities.modals:
        await svc.chat.open_form(it, form)
    else:
        await svc.chat.respond(it, Reply("This chat cannot open forms; stories need them."))


async def _own(svc: Services, it: InteractionRef, arg: str) -> Story | None:
    user = it.user
    story = await svc.stories.get(user.tenant, user.user_id, int(arg)) if arg.isdigit() else None
    if story is None:
        await svc.chat.respond(it, Reply(NOT_YOURS.format(id=arg)))
    return story


async def _edit(svc: Services, it: InteractionRef, arg: str) -> None:
    story = await _own(svc, it, arg)
    if story is None:
        return
    pack = svc.pack(story.pack_id)
    if pack is None:
        await svc.chat.respond(it, Reply("This story's pack is gone, so it cannot be edited."))
        return
    await _open(svc, it, story_form(str(story.id), prefill_of(pack, story)))


async def _delete(svc: Services, it: InteractionRef, arg: str) -> None:
    story = await _own(svc, it, arg)
    if story is None:
        return
    await svc.chat.respond(
        it,
        Reply(
            f"Delete story #{story.id} “{defang(story.title)}” for good?",
            buttons=(Button(f"{DELETE}-yes:{story.id}", "Delete for good", ButtonStyle.danger),),
        ),
    )


async def _delete_confirmed(svc: Services, it: InteractionRef, arg: str) -> None:
    user = it.user
    if arg.isdigit() and await svc.stories.delete(user.tenant, user.user_id, int(arg)):
        await svc.chat.respond(it, Reply(f"🗑️ Story #{arg} deleted."))
    else:
        await svc.chat.respond(it, Reply(NOT_YOURS.format(id=arg)))


async def _from_drill(svc: Services, it: InteractionRef, arg: str) -> None:
    session = await svc.drills.session(it.user.tenant, int(arg)) if arg.isdigit() else None
    if session is None or session.user_id != it.user.user_id or not session.answer:
        await svc.chat.respond(it, Reply("That answer is not yours or no longer exists."))
        return
    await _prefilled(svc, it, session.pack_id, session.question_id, session.answer)


async def _from_answer(svc: Services, it: InteractionRef, arg: str) -> None:
    tenant = it.user.tenant
    answer = await svc.reviews.get_answer(tenant, int(arg)) if arg.isdigit() else None
    post = await svc.store.get_post(tenant, answer.post_id) if answer else None
    channel = await svc.store.get_channel(post.channel) if post else None
    if answer is None or answer.user_id != it.user.user_id or post is None or channel is None:
        await svc.chat.respond(it, Reply("That answer is not yours or no longer exists."))
        return
    await _prefilled(svc, it, channel.pack_id, post.question_id or "", answer.text)


async def _prefilled(
    svc: Services, it: InteractionRef, pack_id: str, question_id: str, text: str
) -> None:
    pack = svc.pack(pack_id)
    q = pack.question(question_id) if pack else None
    if pack is None or q is None:
        await svc.chat.respond(it, Reply("That question is no longer in the pack."))
        return
    prefill = split_star(text)
    prefill["title"] = shorten(q.prompt, 90)
    prefill["principles"] = ", ".join(_name(pack, p) for p in q.principles[:3])
    await _open(svc, it, story_form("new", prefill))


# -- the commands -----------------------------------------------------------------------


def register(reg: CommandRegistry, svc: Services) -> None:
    async def add_cmd(ctx: CommandContext) -> Reply:
        pack, _settings = await home(svc, ctx.interaction)
        names = ", ".join(p.name for p in pack.info.principles)
        return Reply(
            "📝 Press Write story to open the form: a title, the principles it shows (one to "
            f"three of: {names}), then Situation and task, Action, and Result with numbers.",
            buttons=(Button(f"{NEW}:", "Write story"),),
        )

    async def list_cmd(ctx: CommandContext) -> Reply:
        user = ctx.interaction.user
        mine = await svc.stories.of_member(user.tenant, user.user_id)
        if not mine:
            return Reply("No stories yet. /story add writes your first.")
        lines = [f"📚 Your stories ({len(mine)}):"]
        for s in mine:
            pack = svc.pack(s.pack_id)
            names = ", ".join(_name(pack, p) if pack else p for p in s.principles)
            strength = f" · {s.score:.1f}/4" if s.score is not None else " · not reviewed yet"
            lines.append(f"#{s.id} {defang(s.title)} · {names}{strength}")
        lines.append("/story show id:<n> shows one.")
        return Reply("\n".join(lines))

    async def show_cmd(ctx: CommandContext) -> Reply:
        user = ctx.interaction.user
        sid = ctx.options["id"]
        story = await svc.stories.get(user.tenant, user.user_id, sid)
        pack = svc.pack(story.pack_id) if story else None
        if story is None or pack is None:
            raise CommandError(NOT_YOURS.format(id=sid))
        return Reply(render_story(pack, story), buttons=_story_buttons(story.id))

    async def edit_cmd(ctx: CommandContext) -> Reply:
        user = ctx.interaction.user
        sid = ctx.options["id"]
        if await svc.stories.get(user.tenant, user.user_id, sid) is None:
            raise CommandError(NOT_YOURS.format(id=sid))
        return Reply(
            f"Press Edit to change story #{sid}; it is reviewed again when you save.",
            buttons=(Button(f"{EDIT}:{sid}", "Edit"),),
        )

    async def delete_cmd(ctx: CommandContext) -> Reply:
        user = ctx.interaction.user
        sid = ctx.options["id"]
        story = await svc.stories.get(user.tenant, user.user_id, sid)
        if story is None:
            raise CommandError(NOT_YOURS.format(id=sid))
        return Reply(
            f"Delete story #{sid} “{defang(story.title)}” for good?",
            buttons=(Button(f"{DELETE}-yes:{sid}", "Delete for good", ButtonStyle.danger),),
        )

    async def map_cmd(ctx: CommandContext) -> Reply:
        pack, _settings = await home(svc, ctx.interaction)
        user = ctx.interaction.user
        mine = await svc.stories.of_member(user.tenant, user.user_id)
        return Reply(render_map(coverage(pack, mine), len(mine)))

    story_id = Option("id", T.integer, "the story's number (see /story list)", required=True)
    reg.add(
        CommandSpec(("story", "add"), "Write a STAR story for your story bank (private)."), add_cmd
    )
    reg.add(
        CommandSpec(("story", "list"), "Your stories, with their principles and strength."),
        list_cmd,
    )
    reg.add(
        CommandSpec(("story", "show"), "One of your stories with its review.", (story_id,)),
        show_cmd,
    )
    reg.add(
        CommandSpec(("story", "edit"), "Change a story; it is reviewed again.", (story_id,)),
        edit_cmd,
    )
    reg.add(
        CommandSpec(("story", "delete"), "Delete one of your stories.", (story_id,)), delete_cmd
    )
    reg.add(
        CommandSpec(("story", "map"), "Your Leadership Principle coverage: counts, strength, gaps."),
        map_cmd,
    )  # fmt: skip
    reg.default_sub("story", "list")
