"""Core text, buttons and forms -> what the Slack Web API takes. Pure functions.

The core writes plain text. Slack reads `&`, `<` and `>` as markup (`<!channel>` pings the
channel, `<@U1>` a user), so every character of core text is escaped and the only markup
the bot ever sends is the mentions the core asked for on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from bot.domain import Button, ButtonStyle, Form, UserRef

# A section block's text may hold 3,000 characters; a message, 40,000 but Slack advises 4,000.
SECTION_LIMIT = 3000
TITLE_LIMIT = 24  # a modal's title
LABEL_LIMIT = 75  # a button's text
INPUT_LIMIT = 3000  # a plain_text_input's max_length
PLACEHOLDER_LIMIT = 150
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


def escape(text: str) -> str:
    """The three characters Slack wants escaped; everything else shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message_text(text: str, mentions: Sequence[UserRef] = ()) -> str:
    """Escaped text, led by real mentions of the users the core pings on purpose."""
    pings = " ".join(f"<@{u.user_id}>" for u in mentions if _USER_ID.match(u.user_id))
    body = escape(text)
    return f"{pings} {body}" if pings else body


def chunks(escaped: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split escaped text into pieces of at most `limit`: at a paragraph break where there is
    one, else a line break, else between words, and never inside an entity like `&amp;`.
    A cut between words keeps the space with the next piece, so nothing is lost."""
    out: list[str] = []
    rest = escaped
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
            amp = rest.rfind("&", max(0, cut - 4), cut)
            if amp > 0 and ";" not in rest[amp:cut]:
                cut = amp
        out.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        out.append(rest)
    return out


def button(b: Button) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": b.custom_id,
        "value": b.custom_id,
        "text": {"type": "plain_text", "text": b.label[:LABEL_LIMIT], "emoji": True},
    }
    if b.style is not ButtonStyle.secondary:  # Slack's default look is the secondary one
        element["style"] = b.style.value
    return element


def blocks(escaped: str, buttons: Sequence[Button]) -> list[dict[str, Any]]:
    """Block Kit for a message with buttons: its text in sections, then the buttons.

    `verbatim` stops Slack from turning words like @here into mentions on its own.
    """
    out: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece, "verbatim": True}}
        for piece in chunks(escaped)
    ]
    if buttons:
        out.append({"type": "actions", "elements": [button(b) for b in buttons[:25]]})
    return out


def modal(form: Form, private_metadata: str) -> dict[str, Any]:
    """A form as a modal view; each field an input block whose block_id is the field's name."""
    inputs: list[dict[str, Any]] = []
    for f in form.fields:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": f.name,
            "multiline": f.long,
            "max_length": min(f.max_length, INPUT_LIMIT),
        }
        if f.value:  # an edit form shows what is there now
            element["initial_value"] = f.value[: min(f.max_length, INPUT_LIMIT)]
        if f.placeholder:
            element["placeholder"] = {
                "type": "plain_text",
                "text": f.placeholder[:PLACEHOLDER_LIMIT],
            }
        inputs.append(
            {
                "type": "input",
                "block_id": f.name,
                "optional": not f.required,
                "label": {"type": "plain_text", "text": f.label[:2000]},
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": form.custom_id,
        "title": {"type": "plain_text", "text": form.title[:TITLE_LIMIT]},
        "submit": {"type": "plain_text", "text": "Submit"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": private_metadata,
        "blocks": inputs,
    }


def slash_names(text: str, names: Collection[str], root: str = "/studybot") -> str:
    """The core names its commands `/setup`; on Slack they are `/studybot setup`."""
    if not names:
        return text
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w/&;])/({alternatives})(?![\w-])")
    return pattern.sub(lambda m: f"{root} {m.group(1)}", text)
