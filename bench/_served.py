"""What bench/slack.py and bench/slow_clients.py both measure against: a real `recbot serve`
(waitress, HTTP mode) with the loopback Slack stand-in and the CSS simulator, in a temporary
folder with its own SQLite database. Not a bench itself (bench/run.py skips `_` modules)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.css.simulator import Simulator  # noqa: E402
from tests.support.served import serve_env  # noqa: E402
from tests.support.serving import ServedBot  # noqa: E402
from tests.support.slack_api import SlackStandIn  # noqa: E402

SECRET_ID = "AKIDbench0123456789"
SECRET_KEY = "bench-key-0123456789"


@contextmanager
def served_bot() -> Iterator[tuple[SlackStandIn, ServedBot]]:
    """The started bot and the Slack stand-in it posts to; stopped on leaving."""
    with (
        SlackStandIn() as slack,
        Simulator(secret_id=SECRET_ID, secret_key=SECRET_KEY) as css,
        tempfile.TemporaryDirectory() as tmp,
    ):
        url = f"sqlite:///{tmp}/recbot.sqlite3"
        env = serve_env(slack, css, url, Path(tmp), RECBOT_LOG_LEVEL="WARNING")
        bot = ServedBot(env, Path(tmp) / "serve.log").start()
        try:
            yield slack, bot
        finally:
            bot.stop()
