"""The known world of the Slack tests: tasks around now, the access policy, and the environment
`recbot serve` runs with (Slack stand-in, CSS simulator, access file, a private database)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from bot.css.simulator import Simulator
from bot.tasks import RecordTask
from tests.support.serving import BOT_TOKEN, SIGNING_SECRET, ServedBot, clean_env
from tests.support.slack_api import SlackStandIn

SIM_ID = "AKIDslacktests0123456789"
SIM_KEY = "slack-tests-secret-key-0123456789"

# The access policy every served test runs under.
ACCESS_TOML = """
channels = ["CMAIN", "CSCOPED", "CSHARE", "CEXPORT", "CCHART", "CNOUPLOAD", "CRATE", "CTHREAD",
            "CRETRY", "CSEC", "CNEXT", "CMAIN_GONE"]
users = ["UALICE", "UBOB"]
usergroups = ["SOPS"]
[scopes.CSCOPED]
domains = ["a.push.example"]
# With scopes, DMs and other channels need a default scope (else they are refused): this
# one covers every domain of the known tasks.
[default_scope]
domains = ["a.push.example", "other.push.example"]
"""

A_DOMAIN = "a.push.example"
OTHER_DOMAIN = "other.push.example"
PING_STREAM = "<!channel>"


def known_tasks(now: datetime) -> list[RecordTask]:
    """Tasks around the real now (the served process reads the machine's clock)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    tasks: list[RecordTask] = []

    def add(task_id: str, domain: str, stream: str, start: datetime, hours: float) -> None:
        tasks.append(
            RecordTask(
                task_id, domain, "live", stream, start, start + timedelta(hours=hours), 0, None
            )
        )

    for i in range(30):  # more than a page (25) and the export threshold
        add(f"bulk-{i:02d}", A_DOMAIN, "bulk", hour - timedelta(hours=40 - i), 0.5)
    add("cam1-now", A_DOMAIN, "cam1", hour - timedelta(hours=1), 3)
    add("cam1-old", A_DOMAIN, "cam1", hour - timedelta(hours=20), 2)
    add("secret-1", OTHER_DOMAIN, "secret-cam", hour - timedelta(hours=5), 2)
    add("ping-1", A_DOMAIN, PING_STREAM, hour - timedelta(hours=3), 1)
    return tasks


def bot_env(slack: SlackStandIn, css_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    access = tmp / "access.toml"
    access.write_text(ACCESS_TOML)
    return clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.base_url,
        TENCENTCLOUD_SECRET_ID=SIM_ID,
        TENCENTCLOUD_SECRET_KEY=SIM_KEY,
        RECBOT_CSS_ENDPOINT=css_url,
        RECBOT_ACCESS_FILE=str(access),
        RECBOT_DATABASE_URL=f"sqlite:///{tmp / 'recbot.sqlite3'}",
        RECBOT_LOG_FORMAT="json",
        HOME=str(tmp),
        **extra,
    )


@contextmanager
def serving_world(
    slack: SlackStandIn, tasks: Sequence[RecordTask], tmp: Path, **extra: str
) -> Iterator[ServedBot]:
    """`recbot serve` over a CSS simulator of `tasks`, its database and log in `tmp`."""
    with Simulator(list(tasks), secret_id=SIM_ID, secret_key=SIM_KEY) as css:
        bot = ServedBot(bot_env(slack, css.url, tmp, **extra), tmp / "serve.log").start(timeout=90)
        try:
            yield bot
        finally:
            bot.stop()
