"""Building the index's pieces from the settings: for `recbot ask`, `recbot sync`, `recbot
serve` (a sync loop beside the bot) and doctor. The live source is always the caller's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect

from bot.db.database import migrate, open_engine
from bot.index.source import Freshness, IndexSource
from bot.index.status import index_status
from bot.index.store import IndexStore
from bot.index.sync import Syncer, SyncLoop, SyncPolicy

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.css.query import CssSource
    from bot.source import TaskSource

SYNC_TICK_S = 2.0


def sync_policy(settings: Settings) -> SyncPolicy:
    return SyncPolicy(
        hot_every=timedelta(seconds=settings.recbot_index_hot_s),
        reconcile_every=timedelta(seconds=settings.recbot_index_reconcile_s),
        lease=timedelta(seconds=settings.recbot_index_lease_s),
    )


def freshness(settings: Settings) -> Freshness:
    return Freshness(
        max_age=timedelta(seconds=settings.recbot_index_max_age_s),
        now_age=timedelta(seconds=settings.recbot_index_now_age_s),
        settled_age=2 * timedelta(seconds=settings.recbot_index_reconcile_s),
    )


def open_index_store(settings: Settings) -> IndexStore:
    """The index store, its schema migrated (serve, sync)."""
    engine = open_engine(settings.recbot_database_url)
    migrate(engine)
    return IndexStore(engine)


def existing_index_store(settings: Settings) -> IndexStore | None:
    """The index store if a synced index exists already, else None: `recbot ask` reads an
    index but never creates a database in the working directory just to find it empty."""
    engine = open_engine(settings.recbot_database_url)
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and (
        not database or database == ":memory:" or not Path(database).exists()
    ):
        engine.dispose()
        return None
    try:
        present = inspect(engine).has_table("index_ranges")
    except Exception:  # an unreachable database: answer live, doctor reports it
        present = False
    if not present:
        engine.dispose()
        return None
    return IndexStore(engine)


@contextmanager
def answer_source(
    settings: Settings, live: CssSource, *, live_only: bool = False
) -> Iterator[TaskSource]:
    """The source `recbot ask` answers from: the index when there is one (and `--live` was
    not asked for), else `live`. Closing it leaves `live` open (its owner closes it)."""
    store = None
    if settings.recbot_index and not live_only and not live.simulated:
        store = existing_index_store(settings)
    if store is None:
        yield live
        return
    try:
        syncer = Syncer(store, live, sync_policy(settings))
        yield IndexSource(store, live, freshness(settings), syncer=syncer)
    finally:
        store.engine.dispose()


@dataclass
class RunningIndex:
    """The index beside a serving bot: the source to answer from and the sync loop."""

    source: IndexSource
    loop: SyncLoop

    def stop(self) -> None:
        self.loop.stop()
        self.source.store.engine.dispose()


def start_index(settings: Settings, live: CssSource) -> RunningIndex | None:
    """Start the sync loop (one syncer across replicas: the lease) and return the source that
    answers from the index; None when RECBOT_INDEX is off, or when the built-in simulator
    answers (it makes its data again every hour: nothing to keep)."""
    if not settings.recbot_index or live.simulated:
        return None
    from bot.obs.metrics import set_index_gauges

    store = open_index_store(settings)
    syncer = Syncer(store, live, sync_policy(settings))

    source = IndexSource(store, live, freshness(settings), syncer=syncer)

    def tick() -> None:
        source.warm()
        now = live.server_clock()
        status = index_status(store, syncer.account, now, syncer.wall_clock())
        set_index_gauges(status.gauges())

    loop = SyncLoop(syncer, SYNC_TICK_S, on_tick=tick).start()
    return RunningIndex(source, loop)
