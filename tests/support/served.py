"""The environment of a `recbot serve` process in digest tests: Slack stand-in, CSS simulator,
the given database, JSON logs, nothing from the caller's environment."""

from __future__ import annotations

from pathlib import Path

from bot.css.simulator import Simulator
from tests.support.serving import BOT_TOKEN, SIGNING_SECRET, clean_env
from tests.support.slack_api import SlackStandIn


def serve_env(
    slack: SlackStandIn, sim: Simulator, database_url: str, tmp: Path, **extra: str
) -> dict[str, str]:
    return clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.base_url,
        TENCENTCLOUD_SECRET_ID=sim.secret_id,
        TENCENTCLOUD_SECRET_KEY=sim.secret_key,
        RECBOT_CSS_ENDPOINT=sim.url,
        RECBOT_DATABASE_URL=database_url,
        RECBOT_LOG_FORMAT="json",
        HOME=str(tmp),
        **extra,
    )
