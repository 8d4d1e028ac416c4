"""Making user text safe to store and to echo."""

from __future__ import annotations

import re

ZWSP = "\u200b"
# @everyone / @here / @channel (Discord and plain text), and the bracketed mention forms of
# Discord (<@id>, <@!id>, <@&role>) and Slack (<@U1>, <!here>, <!subteam^S1>).
_BROADCAST = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_BRACKETED = re.compile(r"<([@!])")
_SURROGATE = re.compile("[\ud800-\udfff]")


def defang(text: str) -> str:
    """Text that shows the same but pings nobody when the bot echoes it."""
    text = _BROADCAST.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)
    return _BRACKETED.sub(lambda m: f"<{ZWSP}{m.group(1)}", text)


def clean(text: str) -> str:
    """Text that any database stores: NUL becomes a visible ␀ and lone surrogates become
    U+FFFD, so nothing a member writes makes a write fail and nothing else is changed."""
    # A Python str holds code points, so any surrogate in it is a lone one.
    return _SURROGATE.sub("\ufffd", text.replace("\x00", "\u2400"))


def shorten(text: str, limit: int = 280) -> str:
    """At most `limit` characters, cut at a word, saying how much was left out."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return f"{cut}… (+{len(text) - len(cut):,} characters)"


def quote(text: str, limit: int = 280) -> str:
    """A defanged, shortened block quote of user text."""
    return "> " + defang(shorten(text, limit))


def words(text: str) -> int:
    return len(text.split())


def split_message(text: str, limit: int) -> list[str]:
    """A text too long for one message, as several: cut at paragraph breaks, else line
    breaks, else spaces, and only as a last resort inside a word. Joined back, the parts
    are the text (parts that are only whitespace are dropped: platforms refuse them)."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = limit
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at > 0:
                cut = at + len(sep)
                break
        parts.append(rest[:cut])
        rest = rest[cut:]
    parts.append(rest)
    return [part for part in parts if part.strip()] or [text]
