"""Redis unreachable: event de-dup falls back to the process's own memory, so one replica
never answers a retried event twice, and /metrics says the fallback is in use (real wire:
`recbot serve` with RECBOT_REDIS_URL pointing at a port nobody listens on)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.css.simulator import Simulator
from tests.support.serving import JSON, ServedBot, event_body, free_port, http
from tests.support.slack_api import SlackStandIn
from tests.support.world import bot_env


@pytest.fixture(scope="module")
def served_without_redis(
    slack_api: SlackStandIn, css: Simulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedBot]:
    tmp = tmp_path_factory.mktemp("served-dead-redis")
    dead = f"redis://127.0.0.1:{free_port()}/0"
    env = bot_env(slack_api, css.url, tmp, RECBOT_REDIS_URL=dead)
    bot = ServedBot(env, tmp / "serve.log").start()
    yield bot
    bot.stop()


def metric(served: ServedBot, name: str) -> float:
    for line in http(f"{served.url}/metrics").body.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in /metrics")


def test_a_retried_event_is_answered_once_while_redis_is_down(
    served_without_redis: ServedBot, slack_api: SlackStandIn
) -> None:
    served = served_without_redis
    event = {
        "type": "app_mention",
        "user": "UBOB",
        "text": "<@UBOTRECBOT> help",
        "ts": "1700000500.000100",
        "channel": "CDEADREDIS",
        "event_ts": "1700000500.000100",
    }
    body = event_body(event, event_id="EvDeadRedis1")
    mentions_before = served.acks("mention")
    first = served.post(body, JSON)
    retry = served.post(
        body, JSON, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert (first.status, retry.status) == (200, 200)
    assert served.acks("mention") == mentions_before + 1
    # A later event in the same channel is answered; by then the retry would have been too.
    sentinel = dict(event, ts="1700000501.000100", text="<@UBOTRECBOT> help")
    served.post(event_body(sentinel, event_id="EvDeadRedis2"), JSON)
    slack_api.wait_for("chat.postMessage", count=2, where=lambda c: c.channel == "CDEADREDIS")
    posted = [c for c in slack_api.calls("chat.postMessage") if c.channel == "CDEADREDIS"]
    assert len(posted) == 2


def test_metrics_show_that_de_dup_is_process_local(served_without_redis: ServedBot) -> None:
    served = served_without_redis
    event = {
        "type": "app_mention",
        "user": "UBOB",
        "text": "<@UBOTRECBOT> help",
        "ts": "1700000600.000100",
        "channel": "CDEADREDIS2",
        "event_ts": "1700000600.000100",
    }
    served.post(event_body(event, event_id="EvDeadRedis3"), JSON)
    assert metric(served, "recbot_event_dedup_shared") == 0
    assert metric(served, "recbot_event_dedup_fallbacks_total") >= 1
