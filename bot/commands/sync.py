"""`recbot sync [--backfill]`: bring the index up to date from the terminal, then exit.

Without --backfill: list what is missing, refresh the hot part, and reconcile what is due.
With it: only what is missing (the first start). A rich progress bar shows on stderr.
Exit codes: 0 done (or another replica holds the sync lease), 1 the API failed, 2 config.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from bot.errors import ApiError, RecbotError
from bot.index.store import Run
from bot.index.sync import Kind, Progress, Syncer, horizon, hot_start

PREFIX = "recbot sync: "


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backfill",
        action="store_true",
        help="only list what the index is missing of the 90 days and 7 ahead",
    )


class _Busy(Exception):
    def __init__(self, holder: str | None) -> None:
        super().__init__(holder)
        self.holder = holder


def sync_once(
    syncer: Syncer,
    *,
    backfill_only: bool,
    on_progress: Callable[[str, Progress], None] | None = None,
) -> int:
    """Work until nothing is due; returns the API calls spent. The lease is renewed before
    each step (and each backfill step); another replica holding it stops this one."""
    calls = 0
    hot_done = False
    while True:
        if not syncer.take_lease():
            raise _Busy(syncer.lease_holder())
        now = syncer.lister.server_clock()
        run: Run | None
        if syncer.missing(now):
            before = calls

            def show(progress: Progress, before: int = before) -> None:
                if on_progress is not None:
                    on_progress(
                        "backfill",
                        Progress(progress.covered_s, progress.total_s, before + progress.calls),
                    )

            calls += syncer.backfill(on_step=show)
            continue
        if backfill_only:
            return calls
        if not hot_done:
            run = syncer.sync_range(Kind.HOT, hot_start(now), horizon(now))
            hot_done = True
        else:
            run = syncer.reconcile_step(now)
        if run is None:
            return calls
        calls += run.calls
        if on_progress is not None:
            done = syncer.progress(now)
            on_progress(run.kind, Progress(done.covered_s, done.total_s, calls))


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    from bot.config import load_settings
    from bot.obs.log import configure_logging
    from bot.wiring import index_syncer, open_stores, task_source

    settings = load_settings()
    configure_logging(settings)
    console = Console(stderr=True, highlight=False)
    stores = open_stores(settings)
    store = stores.index
    started = time.monotonic()
    try:
        with task_source(settings) as live:
            if live.simulated:
                console.print(
                    f"{PREFIX}no Tencent Cloud credentials: syncing the built-in CSS simulator"
                )
            syncer = index_syncer(settings, store, live)
            first = syncer.progress(live.server_clock())
            bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%  {task.fields[calls]} API calls"),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            )
            with bar:
                task = bar.add_task(
                    "index", total=int(first.total_s), completed=int(first.covered_s), calls=0
                )

                def show(kind: str, progress: Progress) -> None:
                    bar.update(
                        task,
                        completed=int(progress.covered_s),
                        calls=progress.calls,
                        description=kind,
                    )

                try:
                    spent = sync_once(syncer, backfill_only=args.backfill, on_progress=show)
                finally:
                    syncer.release()
            count = store.task_count(syncer.account)
    except _Busy as busy:
        console.print(f"{PREFIX}{busy.holder or 'another replica'} is syncing the index now")
        return 0
    except ApiError as error:
        print(f"{PREFIX}{error.user_message}", file=sys.stderr)
        return 1
    except RecbotError as error:
        print(f"{PREFIX}{error.user_message}", file=sys.stderr)
        return 2
    finally:
        stores.close()
    elapsed = time.monotonic() - started
    console.print(f"{PREFIX}index up to date: {count} tasks, {spent} API calls, {elapsed:.1f} s")
    return 0
