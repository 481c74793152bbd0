"""One replica's index sync loop, as a process of its own (for the multi-replica test).

python -m tests.index.replica NAME     (settings from the environment)
"""

from __future__ import annotations

import signal
import sys
import threading
from datetime import timedelta

from bot.config import load_settings
from bot.index.sync import Syncer, SyncLoop, SyncPolicy
from bot.wiring import open_stores, task_source


def main(name: str) -> None:
    settings = load_settings()
    store = open_stores(settings).index
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with task_source(settings) as live:
        policy = SyncPolicy(
            hot_every=timedelta(seconds=1),
            reconcile_every=timedelta(days=1),
            lease=timedelta(seconds=settings.recbot_index_lease_s),
        )
        loop = SyncLoop(Syncer(store, live, policy, holder=name), tick_s=0.1).start()
        print("ready", flush=True)
        stop.wait()
        loop.stop()


if __name__ == "__main__":
    main(sys.argv[1])
