"""A channel subscribes from Slack: signed slash commands to `recbot serve` (waitress) with the
Slack stand-in and the CSS simulator; the digest lands in the channel with its metadata."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.digest.schedule import Kind, Schedule
from bot.digest.store import DigestStore
from tests.support.served import serve_env
from tests.support.serving import FORM, ServedBot, slash_body
from tests.support.slack_api import SlackStandIn
from tests.support.slack_history import HISTORY_SCOPES, enable_history

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServedBot, SlackStandIn, str]]:
    enable_history()
    url = f"sqlite:///{tmp_path}/recbot.sqlite3"
    with SlackStandIn(scopes=HISTORY_SCOPES) as slack, Simulator(count=100) as sim:
        slack.add_user("UKIM", tz="Asia/Kathmandu")
        env = serve_env(slack, sim, url, tmp_path)
        bot = ServedBot(env, tmp_path / "serve.log").start()
        try:
            yield bot, slack, url
        finally:
            bot.stop()


def slash(bot: ServedBot, slack: SlackStandIn, text: str, name: str) -> str:
    body = slash_body(text, user="UKIM", channel="CDIGEST", response_url=slack.response_url(name))
    assert bot.post(body, FORM).status == 200
    [call] = slack.wait_for("response_url", where=lambda c: c.path == f"/response/{name}")
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


def test_subscribe_list_post_now_and_off_from_slack(
    served: tuple[ServedBot, SlackStandIn, str],
) -> None:
    bot, slack, url = served
    said = slash(bot, slack, "digest daily 9am livetest", "sub")
    assert "Subscribed" in said
    assert "Asia/Kathmandu" in said  # the asker's zone, from users.info
    engine = open_engine(url)
    migrate(engine)
    (sub,) = DigestStore(engine).subscriptions_of("T0RECBOT", "CDIGEST")
    engine.dispose()
    assert sub.schedule == Schedule(Kind.DAILY, time(9, 0), "Asia/Kathmandu")
    assert (sub.request_text, sub.creator_id) == ("livetest", "UKIM")

    assert f"#{sub.id}" in slash(bot, slack, "digest list", "list")
    assert "Posted digest" in slash(bot, slack, f"digest now {sub.id}", "now")
    (post,) = slack.ok_calls("chat.postMessage")
    assert post.channel == "CDIGEST"
    assert post.params["metadata"]["event_payload"]["subscription_id"] == sub.id
    assert post.params["blocks"][0]["text"]["text"].startswith("Daily digest")

    refused = slash(bot, slack, "digest daily 09:00 livetest yesterday", "bad")
    assert "chooses its own window" in refused
    assert "is off" in slash(bot, slack, f"digest off {sub.id}", "off")
    assert "No digests here yet" in slash(bot, slack, "digest list", "list2")
