"""Slack-native surfaces against `recbot serve` (gunicorn) on loopback: how soon views.open is
called after a global shortcut's request, and how fast the stream picker's options come back
(from the recent-names cache, after its first fill).

    .venv/bin/python bench/native.py       # prints the figures
    .venv/bin/python bench/run.py native   # the same rows in the bench table
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.css.simulator import Simulator  # noqa: E402
from bot.slack.catalog import ASK_SHORTCUT  # noqa: E402
from tests.support.native_payloads import block_suggestion_body, global_shortcut_body  # noqa: E402
from tests.support.serving import FORM, ServedBot  # noqa: E402
from tests.support.slack_api import SlackStandIn  # noqa: E402
from tests.support.world import SIM_ID, SIM_KEY, bot_env, known_tasks  # noqa: E402

OPENS = 60
SUGGESTIONS = 200
OPEN_P99_TARGET_MS = 300.0
OPTIONS_P99_TARGET_MS = 100.0


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure() -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        SlackStandIn() as slack,
        Simulator(known_tasks(datetime.now(UTC)), secret_id=SIM_ID, secret_key=SIM_KEY) as css,
    ):
        slack.add_user("UALICE", tz="Asia/Tokyo")
        bot = ServedBot(bot_env(slack, css.url, Path(tmp)), Path(tmp) / "serve.log").start()
        try:
            opens: list[float] = []
            view: dict[str, object] = {}
            for _ in range(OPENS):
                trigger = slack.new_trigger()
                body = global_shortcut_body(
                    ASK_SHORTCUT.callback_id, user="UALICE", trigger_id=trigger
                )
                sent = time.monotonic()
                bot.post(body, FORM)
                [call] = slack.wait_for(
                    "views.open", where=lambda c, t=trigger: c.params.get("trigger_id") == t
                )
                opens.append((call.at - sent) * 1000)
                view = call.response["view"]
            suggest = block_suggestion_body(
                view, user="UALICE", action_id="ask.stream", block_id="stream", value="cam"
            )
            bot.post(suggest, FORM)  # the first fill of the recent-names cache (one CSS query)
            options: list[float] = []
            found = 0
            for _ in range(SUGGESTIONS):
                result = bot.post(suggest, FORM)
                options.append(result.elapsed_s * 1000)
                found = len(json.loads(result.body)["options"])
        finally:
            bot.stop()
    return {
        "open_p50": _percentile(opens, 50),
        "open_p99": _percentile(opens, 99),
        "options_p50": _percentile(options, 50),
        "options_p99": _percentile(options, 99),
        "options_found": float(found),
    }


def run() -> list[tuple[str, str, str, bool]]:
    m = measure()
    return [
        (
            f"shortcut → views.open p99 ({OPENS} opens)",
            f"≤ {OPEN_P99_TARGET_MS:.0f} ms",
            f"{m['open_p99']:.1f} ms (p50 {m['open_p50']:.1f})",
            m["open_p99"] <= OPEN_P99_TARGET_MS,
        ),
        (
            f"stream picker options p99 ({SUGGESTIONS} requests, cached)",
            f"≤ {OPTIONS_P99_TARGET_MS:.0f} ms",
            f"{m['options_p99']:.1f} ms (p50 {m['options_p50']:.1f}, "
            f"{m['options_found']:.0f} options)",
            m["options_p99"] <= OPTIONS_P99_TARGET_MS and m["options_found"] > 0,
        ),
    ]


if __name__ == "__main__":
    for figure, target, measured, passed in run():
        print(f"{'✓' if passed else '✗'} {figure}: {measured} (target {target})")
