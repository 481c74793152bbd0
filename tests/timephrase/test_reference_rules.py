"""Every example of docs/time-phrases.md's rules table, with the expected window written by hand
from the document (reference now: Tue 2013-02-12 04:30, UTC), independent of the corpus."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import ParseError
from bot.timephrase import parse_phrase

NOW = datetime(2013, 2, 12, 4, 30, tzinfo=UTC)
OPEN = None


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2013) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


DOC_EXAMPLES = [
    ("yesterday", at(2, 11), at(2, 12)),
    ("the day before yesterday", at(2, 10), at(2, 11)),
    ("earlier today", at(2, 12), NOW),
    ("monday", at(2, 11), at(2, 12)),
    ("tuesday", at(2, 12), at(2, 13)),
    ("last monday", at(2, 11), at(2, 12)),
    ("next wednesday", at(2, 20), at(2, 21)),
    ("wednesday of next week", at(2, 20), at(2, 21)),
    ("last week", at(2, 4), at(2, 11)),
    ("this week", at(2, 11), at(2, 18)),
    ("last 3 days", at(2, 9, 4, 30), NOW),
    ("next 6 hours", NOW, at(2, 12, 10, 30)),
    ("upcoming 6 hours", NOW, at(2, 12, 10, 30)),
    ("past week", at(2, 5, 4, 30), NOW),
    ("past 24h", at(2, 11, 4, 30), NOW),
    ("90 days", at(11, 14, 4, 30, year=2012), NOW),
    ("this week so far", at(2, 11), NOW),
    ("yesterday afternoon", at(2, 11, 12), at(2, 11, 19)),
    ("early morning", at(2, 12), at(2, 12, 9)),
    ("lunch", at(2, 12, 12), at(2, 12, 14)),
    ("last night", at(2, 11, 18), at(2, 12)),
    ("this weekend", at(2, 15, 18), at(2, 18)),
    ("this past weekend", at(2, 8, 18), at(2, 11)),
    ("at 3am", at(2, 12, 3), at(2, 12, 4)),
    ("3pm", at(2, 12, 15), at(2, 12, 16)),
    ("15:30", at(2, 12, 15, 30), at(2, 12, 15, 31)),
    ("Feb 8", at(2, 8), at(2, 9)),
    ("3 days ago", at(2, 9), at(2, 10)),
    ("in 3 days", at(2, 15), at(2, 16)),
    ("in 2 hours", at(2, 12, 6, 30), at(2, 12, 6, 31)),
    ("3 hours ago", at(2, 12, 1, 30), at(2, 12, 1, 31)),
    ("Jul 13-15", at(7, 13), at(7, 16)),
    ("from Jul 26 to Jul 27", at(7, 26), at(7, 28)),
    ("9:30-11:00", at(2, 12, 9, 30), at(2, 12, 11)),
    ("3-4pm", at(2, 12, 15), at(2, 12, 16)),
    ("Jul 26 10:00 to 12:00", at(7, 26, 10), at(7, 26, 12)),
    ("monday 9am for 3 hours", at(2, 11, 9), at(2, 11, 12)),
    ("since 3pm", at(2, 11, 15), NOW),
    ("since friday", at(2, 8), NOW),
    ("from monday", at(2, 11), NOW),
    ("from tomorrow", at(2, 13), OPEN),
    ("after 2 pm", at(2, 12, 14), OPEN),
    ("after monday", at(2, 12), NOW),
    ("until friday", OPEN, at(2, 8)),
    ("through friday", OPEN, at(2, 9)),
    ("through 2pm", OPEN, at(2, 12, 14)),
    ("by monday", NOW, at(2, 18)),
    ("by the end of next month", NOW, at(4, 1)),
    ("by EOD", NOW, at(2, 13)),
    ("all week", at(2, 11), at(2, 18)),
    ("rest of the week", NOW, at(2, 18)),
    ("2013-02-12T13:30:00+09:00", NOW, at(2, 12, 4, 30).replace(second=1)),
    ("1360643400..1360650000", NOW, datetime.fromtimestamp(1360650000, UTC)),
    ("4pm CET", at(2, 12, 15), at(2, 12, 16)),
    ("10:00 UTC", at(2, 12, 10), at(2, 12, 10, 1)),
]


@pytest.mark.parametrize(("phrase", "start", "end"), DOC_EXAMPLES, ids=[r[0] for r in DOC_EXAMPLES])
def test_rules_table_example(phrase: str, start: datetime | None, end: datetime | None) -> None:
    window = parse_phrase(phrase, NOW, UTC)
    assert (window.start, window.end) == (start, end)


REJECTS = [
    "",
    "x" * 501,
    "asdf",
    "laughing out loud",
    "25",
    "3 30",
    "two three",
    "next blursday",
    "the 35th of Smarch",
    "2013-02-30",
    "25:61",
    "yesterday tomorrow",
    "between tomorrow and yesterday",
    "1360650000..1360643400",
    "last 0 days",
]


@pytest.mark.parametrize("phrase", REJECTS)
def test_reject_rules(phrase: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_phrase(phrase, NOW, UTC)
    assert "yesterday" in caught.value.user_message  # examples that work


def test_description_names_the_zone_and_open_ends() -> None:
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    assert (
        parse_phrase("yesterday", NOW, tokyo).description
        == "yesterday, Feb 11 00:00 → Feb 12 00:00 JST"
    )
    assert (
        parse_phrase("from tomorrow", NOW, UTC).description
        == "from tomorrow, since Feb 13 00:00 UTC"
    )
    assert (
        parse_phrase("until friday", NOW, UTC).description == "until friday, until Feb 8 00:00 UTC"
    )
    kathmandu = ZoneInfo("Asia/Kathmandu")
    assert parse_phrase("today", NOW, kathmandu).description.endswith("UTC+05:45")
