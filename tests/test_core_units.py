"""Small pure parts: command lines, option values, mention defanging, local slots."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.commands import CommandError, parse_command_line
from bot.text import ZWSP, clean, defang, shorten
from bot.timing import BadValue, local_slot, parse_weekdays, parse_zone


def test_command_lines_parse_paths_and_quoted_options() -> None:
    assert parse_command_line('/prep set date:2026-12-20 note:"two words"') == (
        ("prep", "set"),
        {"date": "2026-12-20", "note": "two words"},
    )
    assert parse_command_line("/setup time:09:00") == (("setup",), {"time": "09:00"})
    with pytest.raises(CommandError, match="close your quotes"):
        parse_command_line('/setup note:"open')
    with pytest.raises(CommandError, match="key:value"):
        parse_command_line("/setup time:09:00 stray")


def test_defang_keeps_the_text_readable_and_inert() -> None:
    text = defang("@everyone @Here <@1> <@!2> <@&3> <!channel> <!subteam^S1> mail me@here.com")
    assert (
        text.replace(ZWSP, "")
        == "@everyone @Here <@1> <@!2> <@&3> <!channel> <!subteam^S1> mail me@here.com"
    )
    for ping in ("@everyone", "@Here", "<@1>", "<@!2>", "<@&3>", "<!channel>", "<!subteam"):
        assert ping not in text


def test_clean_and_shorten() -> None:
    assert clean("a\x00b\udc80") == "a\u2400b\ufffd"
    assert shorten("one two three", 100) == "one two three"
    short = shorten("word " * 1000, 50)
    assert len(short) < 80 and short.endswith("characters)")


def test_weekday_words_ranges_and_errors() -> None:
    assert parse_weekdays("mon-fri") == ("mon", "tue", "wed", "thu", "fri")
    assert parse_weekdays("fri-mon") == ("mon", "fri", "sat", "sun")
    assert parse_weekdays("daily") == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert parse_weekdays("Monday,Wednesday") == ("mon", "wed")
    with pytest.raises(BadValue, match="not a weekday"):
        parse_weekdays("mon,funday")


def test_zones() -> None:
    assert parse_zone("Europe/London") == "Europe/London"
    with pytest.raises(BadValue, match="did you mean Europe/London"):
        parse_zone("london")


def test_a_nonexistent_local_time_moves_to_the_next_valid_minute() -> None:
    # New York springs forward at 02:00 on 8 March 2026: 02:30 does not exist that day.
    assert local_slot(date(2026, 3, 8), "02:30", "America/New_York") == datetime(
        2026, 3, 8, 7, 0, tzinfo=UTC
    )
    # It falls back on 1 November: 01:30 happens twice; the first is 05:30 UTC.
    assert local_slot(date(2026, 11, 1), "01:30", "America/New_York") == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )
    # Lord Howe shifts by 30 minutes, at 02:00 on 4 October 2026: 02:15 does not exist.
    assert local_slot(date(2026, 10, 4), "02:15", "Australia/Lord_Howe") == datetime(
        2026, 10, 3, 15, 30, tzinfo=UTC
    )
