"""Core text -> Slack text and Block Kit."""

from __future__ import annotations

import asyncio

from adapters.slack import render
from adapters.slack.chat import ChannelPacer
from bot.domain import Button, ButtonStyle, Form, FormField, UserRef


def test_escaping_turns_markup_into_text() -> None:
    assert render.escape("<!channel> & <@U1> > x") == "&lt;!channel&gt; &amp; &lt;@U1&gt; &gt; x"


def test_only_intended_mentions_are_markup() -> None:
    ana = UserRef("T1", "UANA", "ana")
    forged = UserRef("T1", "!channel", "x")  # not a user id: never rendered as markup
    assert (
        render.message_text("your turn <!here>", [ana, forged]) == "<@UANA> your turn &lt;!here&gt;"
    )


def test_long_text_splits_at_lines_and_never_inside_an_entity() -> None:
    text = render.escape("a" * 2998 + "&&&&" + "b" * 10)
    pieces = render.chunks(text)
    assert "".join(pieces) == text
    assert all(len(p) <= render.SECTION_LIMIT for p in pieces)
    assert all(not p.endswith(("&", "&a", "&am", "&amp")) for p in pieces)
    lines = render.chunks("x" * 2000 + "\n" + "y" * 2000)
    assert lines == ["x" * 2000, "y" * 2000]


def test_blocks_are_verbatim_sections_then_buttons() -> None:
    blocks = render.blocks(
        "hi @here", [Button("answer:1", "Answer"), Button("skip", "Skip", ButtonStyle.secondary)]
    )
    assert blocks[0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "hi @here", "verbatim": True},
    }
    answer, skip = blocks[1]["elements"]
    assert (answer["action_id"], answer["style"]) == ("answer:1", "primary") and "style" not in skip


def test_a_form_is_a_modal_within_slacks_limits() -> None:
    field = FormField("answer", "Your answer", placeholder="p" * 300)
    form = Form("answer:3", "A title far longer than Slack allows", (field,))
    view = render.modal(form, '{"c":"C1"}')
    assert view["callback_id"] == "answer:3" and len(view["title"]["text"]) <= 24
    [block] = view["blocks"]
    assert block["block_id"] == "answer" and block["element"]["multiline"] is True
    assert (
        block["element"]["max_length"] == 3000
        and len(block["element"]["placeholder"]["text"]) <= 150
    )


def test_command_names_read_as_slack_sub_commands() -> None:
    names = {"setup", "help", "post-now", "prep"}
    text = "Run /setup here (try /help setup). /post-now, /prep set; not /setups or https://x/help."
    assert render.slash_names(text, names) == (
        "Run /studybot setup here (try /studybot help setup). /studybot post-now, /studybot prep set; "
        "not /setups or https://x/help."
    )


async def test_the_pacer_spaces_posts_in_one_channel_but_not_across_channels() -> None:
    now = [100.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    pacer = ChannelPacer(1.0, clock=lambda: now[0], sleep=sleep)
    for channel in ("C1", "C1", "C2", "C1"):
        async with pacer.turn(channel):
            now[0] += 0.25  # the post itself takes a moment
    # A second apart from the end of the previous post into C1; C2 went straight out.
    assert waits == [1.0, 0.75]


async def test_the_pacer_keeps_arrival_order_under_concurrency() -> None:
    pacer = ChannelPacer(0.0)
    order: list[int] = []

    async def post(n: int) -> None:
        async with pacer.turn("C1"):
            await asyncio.sleep(0)
            order.append(n)

    await asyncio.gather(*(post(n) for n in range(5)))
    assert order == [0, 1, 2, 3, 4]


def test_long_prose_splits_between_paragraphs_then_words_losing_nothing() -> None:
    paragraphs = ["Part 1. " + "lorem ipsum " * 200, "Part 2. " + "dolor sit " * 100]
    pieces = render.chunks("\n\n".join(paragraphs))
    assert pieces[-1] == paragraphs[1] and all(len(p) <= render.SECTION_LIMIT for p in pieces)
    assert " ".join(pieces).split() == " ".join(paragraphs).split()
    prose = "lorem ipsum dolor sit " * 250  # one paragraph, 5,500 characters
    words = render.chunks(prose)
    assert len(words) == 2 and "".join(words) == prose
    assert " ".join(words).split() == prose.split()  # no word cut in two
