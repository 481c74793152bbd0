"""One "replica" for the shared-limit test: many distinct questions as fast as it may ask.

Run as `python -m tests.support.hammer N`; settings come from the environment (the CSS
simulator's endpoint and keys, RECBOT_REDIS_URL). Prints one line per answer or error.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from bot.config import load_settings
from bot.errors import RecbotError
from bot.filters import Filters
from bot.timephrase.window import Grain, Window
from bot.wiring import open_shared_source


def main(count: int) -> int:
    now = datetime.now(UTC)
    failures = 0
    with open_shared_source(load_settings()) as source:
        for i in range(count):
            # A different day each time, so the (shared) cache cannot answer.
            end = now - timedelta(days=i, hours=int(sys.argv[2]) if len(sys.argv) > 2 else 0)
            window = Window(end - timedelta(hours=6), end, Grain.HOUR, f"q{i}")
            try:
                result = source.fetch_tasks(window, Filters(), now)
                print(f"ok {len(result.tasks)} {result.stats.api_calls}", flush=True)
            except RecbotError as error:
                failures += 1
                print(f"error {error.user_message}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1])))
