"""`digest now` never starves questions, and is throttled per channel and per person: signed
slash commands to a real `recbot serve`, a slow Slack for posts, order proven by the stand-in's
record of calls (not by wall-clock times)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.digest.schedule import Kind, Schedule
from bot.digest.store import DigestStore, NewSubscription
from tests.support.served import serve_env
from tests.support.serving import FORM, ServedBot, slash_body
from tests.support.slack_api import SlackCall, SlackStandIn
from tests.support.slack_history import HISTORY_SCOPES, enable_history

pytestmark = pytest.mark.slow

TEAM = "T0RECBOT"
CHANNELS = [f"CNOW{i:02d}" for i in range(20)]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServedBot, SlackStandIn, list[int]]]:
    enable_history()
    url = f"sqlite:///{tmp_path}/recbot.sqlite3"
    engine = open_engine(url)
    migrate(engine)
    store = DigestStore(engine)
    schedule = Schedule(Kind.DAILY, time(9, 0), "UTC")
    ids = [
        store.add_subscription(
            NewSubscription(TEAM, channel, f"U{channel}", schedule, ""), datetime.now(UTC)
        ).id
        for channel in CHANNELS
    ]
    engine.dispose()
    with SlackStandIn(scopes=HISTORY_SCOPES) as slack, Simulator(count=100) as sim:
        bot = ServedBot(serve_env(slack, sim, url, tmp_path), tmp_path / "serve.log").start()
        try:
            yield bot, slack, ids
        finally:
            bot.stop()


def slash(
    bot: ServedBot, slack: SlackStandIn, text: str, user: str, channel: str, name: str
) -> None:
    body = slash_body(text, user=user, channel=channel, response_url=slack.response_url(name))
    assert bot.post(body, FORM).status == 200


def said(slack: SlackStandIn, name: str) -> str:
    [call] = slack.wait_for(
        "response_url", where=lambda c: c.path == f"/response/{name}", timeout=30
    )
    return json.dumps(call.params.get("text"))


def is_digest_post(call: SlackCall) -> bool:
    return call.method == "chat.postMessage" and str(call.channel).startswith("CNOW")


def test_twenty_digest_now_do_not_delay_an_unrelated_question(
    served: tuple[ServedBot, SlackStandIn, list[int]],
) -> None:
    bot, slack, ids = served
    slack.delay("chat.postMessage", 1.0)  # a slow Slack: each digest post takes a second
    for channel, sub_id in zip(CHANNELS, ids, strict=True):
        slash(bot, slack, f"digest now {sub_id}", f"U{channel}", channel, f"now-{channel}")
    acks_before = bot.acks("slash")
    slash(bot, slack, "livetest last 2 days", "UASKER", "CQUESTION", "question")
    assert bot.acks("slash") == acks_before + 1  # acknowledged at once
    slack.wait_for("response_url", where=lambda c: c.path == "/response/question", timeout=30)
    calls = slack.calls()
    answered_at = next(i for i, c in enumerate(calls) if c.path == "/response/question")
    posted_before = sum(1 for c in calls[:answered_at] if is_digest_post(c))
    # With digests on the answer workers, the question waited for 13 of the 20 posts.
    assert posted_before < 10, posted_before
    # Every digest is still posted.
    slack.wait_for("chat.postMessage", count=20, where=is_digest_post, timeout=60)


def test_digest_now_is_throttled_per_channel_and_per_person(
    served: tuple[ServedBot, SlackStandIn, list[int]],
) -> None:
    bot, slack, ids = served
    slash(bot, slack, f"digest now {ids[0]}", "UONE", CHANNELS[0], "first")
    assert "on its way" in said(slack, "first")
    slash(bot, slack, f"digest now {ids[0]}", "UTWO", CHANNELS[0], "again")
    assert "was asked for less than" in said(slack, "again")
    for n, (channel, sub_id) in enumerate(zip(CHANNELS[1:], ids[1:], strict=False)):
        slash(bot, slack, f"digest now {sub_id}", "UBUSY", channel, f"busy{n}")
        if "You asked for" in said(slack, f"busy{n}"):
            break
    else:
        raise AssertionError("one person was never throttled")
    assert n > 0
