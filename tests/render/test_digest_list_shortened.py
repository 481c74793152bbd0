"""`digest list` never cuts an entry mid-word: long requests are visibly shortened at a word
boundary, every digest is listed (or counted as not shown), and Slack's limits hold."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.render import SlackMessage, check_message
from bot.render.digest_replies import DigestLine, render_digest_list

NEXT = datetime(2026, 7, 28, 9, 0, tzinfo=UTC)
WORDS = "livetest camera-north domain:a.push.example app:live stream-with-a-long-name"


def long_line(number: int, words: int = 60) -> DigestLine:
    request = " ".join(WORDS.split()[i % 5] for i in range(words))
    return DigestLine(number, "daily 09:00 UTC", "CBUSY", request, NEXT)


def block_text(message: SlackMessage) -> str:
    return "\n".join(block["text"]["text"] for block in message.blocks)


def test_twenty_long_entries_are_all_listed_and_none_is_cut_mid_word() -> None:
    lines = [long_line(n) for n in range(1, 21)]
    message = render_digest_list(lines)
    assert check_message(message) == []
    shown = block_text(message)
    for n in range(1, 21):
        assert f"*#{n}*" in shown
    for entry in re.findall(r"\*#\d+\* [^\n]*", shown):
        request = entry.split(": ", 1)[1].rsplit(" · next", 1)[0]
        assert request.endswith("…"), entry
        words = request.removesuffix("…").split()
        assert all(word in WORDS.split() for word in words), entry


def test_a_short_request_is_shown_whole() -> None:
    line = DigestLine(7, "daily 09:00 UTC", "CBUSY", "livetest", NEXT)
    shown = block_text(render_digest_list([line]))
    assert ": livetest · next" in shown
    assert "…" not in shown


def test_more_entries_than_fit_are_counted_not_dropped() -> None:
    lines = [long_line(n) for n in range(1, 121)]
    message = render_digest_list(lines)
    assert check_message(message) == []
    shown = block_text(message)
    listed = len(re.findall(r"\*#\d+\*", shown))
    assert listed < 120
    assert f"{120 - listed} more digests are not shown" in shown
