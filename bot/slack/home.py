"""App Home: publish the user's view (digests, short help, examples) on every visit."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import App, BoltContext

from bot.obs.metrics import ANSWER_LATENCY, REQUESTS
from bot.slack.parts import BotParts, acked

APP_HOME_OPENED = "app_home_opened"
HOME_EVENTS = (APP_HOME_OPENED,)


def register(app: App, parts: BotParts) -> None:
    @app.event(APP_HOME_OPENED)
    def on_home_opened(event: dict[str, Any], context: BoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        started = acked("home", context)
        user = str(event.get("user", ""))

        def publish() -> None:
            ok = parts.delivery.publish_home(user, parts.conversation.home(user))
            REQUESTS.labels(surface="home", outcome="ok" if ok else "error").inc()
            ANSWER_LATENCY.labels(surface="home").observe(time.monotonic() - started)

        parts.pool.submit(publish)
