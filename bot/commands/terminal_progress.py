"""A progress bar on stderr for a long live question in `recbot ask`, when stderr is a TTY."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bot.css.progress import Listener, QueryProgress, Throttled


@contextmanager
def terminal_progress(*, enabled: bool = True) -> Iterator[Listener]:
    """A listener drawing a transient rich bar once the question will take over ~3 s."""
    if not enabled or not sys.stderr.isatty():
        yield lambda _progress: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} calls"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("", total=None, visible=False)

    def draw(progress: QueryProgress) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(
            task,
            description=f"Looking through {progress.label}…",
            completed=progress.calls_done,
            total=progress.calls_known,
            visible=True,
        )

    try:
        yield Throttled(draw, every_s=0.2)
    finally:
        if bar.live.is_started:
            bar.stop()
