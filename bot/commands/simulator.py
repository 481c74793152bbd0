"""`recbot simulator`: serve the CSS DescribeRecordTask simulator on loopback until stopped.

The first line of standard output is the URL; made-up keys follow when none are configured.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from types import FrameType

from bot.config import load_settings
from bot.css.dataset import load_tasks
from bot.css.simulator import Faults, Simulator


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--tasks", metavar="FILE", help="JSON list of RecordTask objects")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated tasks")
    parser.add_argument(
        "--count",
        type=int,
        default=None,
        help="generate this many random tasks instead of a realistic account's schedule",
    )
    parser.add_argument("--page-size", type=int, default=20, help="tasks per page")
    parser.add_argument(
        "--rate-limit", type=float, default=20.0, help="requests per second (0: no limit)"
    )
    parser.add_argument(
        "--error-rate", type=float, default=0.0, help="share of calls failing with InternalError"
    )


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    secret_id = settings.tencentcloud_secret_id
    secret_key = settings.tencentcloud_secret_key
    simulator = Simulator(
        tasks=load_tasks(args.tasks) if args.tasks else None,
        seed=args.seed,
        count=args.count,
        secret_id=secret_id.get_secret_value() if secret_id else None,
        secret_key=secret_key.get_secret_value() if secret_key else None,
        port=args.port,
        page_size=args.page_size,
        rate_limit=args.rate_limit or None,
        faults=Faults(error_rate=args.error_rate),
    )
    stop = threading.Event()

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    with simulator:
        print(simulator.url, flush=True)
        if secret_id is None or secret_key is None:
            # Made up for this run only; they open nothing but this simulator.
            print(f"TENCENTCLOUD_SECRET_ID={simulator.secret_id}", flush=True)
            print(f"TENCENTCLOUD_SECRET_KEY={simulator.secret_key}", flush=True)
        print(
            f"serving {len(simulator.tasks)} simulated tasks; Ctrl-C or SIGTERM stops",
            file=sys.stderr,
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0
