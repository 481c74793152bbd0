"""Storing callbacks that arrived together in one transaction (a group commit).

The HTTP lane (bot/slack/http_lane.py) hands the receiver every callback that arrived while
the previous batch was being stored; `commit_batch` stores all their events with one
multi-row `INSERT … ON CONFLICT DO NOTHING` in one transaction, and says for each event
whether it was new (its row id), stored before (by any replica, or earlier in the same batch:
None), or not stored (the error: the receiver answers 500 and CSS sends it again). Only after
the commit are the callbacks answered, so a 200 always means stored, while a thousand
callbacks a second cost tens of commits instead of a thousand.

A failed batch is tried again event by event (each its own transaction), so one event the
database refuses cannot fail the others. After the commit each new event is given to
`on_stored(row_id)` and `on_event(event)` (the alert loop's nudge, the index refresh): neither
may block, and a failing hook is logged, never a reason to refuse the callback (the event is
stored: CSS must not send it again). Design and durability: docs/evidence.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.evidence.events import RecordingEvent
from bot.evidence.store import stored_key

log = logging.getLogger(__name__)


class EventSink(Protocol):
    """Where events are stored (`bot.evidence.store.EvidenceStore`)."""

    def insert_new(
        self, events: Sequence[RecordingEvent], received: Sequence[datetime]
    ) -> dict[str, int]: ...


@dataclass(frozen=True)
class Hooks:
    """Told of each newly stored event, after its commit and before its callback's answer."""

    on_stored: Callable[[int], None] | None = None
    on_event: Callable[[RecordingEvent], None] | None = None


# Per event: its new row id, None when it was stored before, or why it could not be stored.
Outcome = int | None | BaseException


def commit_batch(
    sink: EventSink, events: Sequence[RecordingEvent], received: datetime, hooks: Hooks
) -> list[Outcome]:
    """Store `events` (all received at `received`) in one transaction; one outcome each."""
    firsts: dict[str, int] = {}  # stored key → index of its first event in `events`
    for index, event in enumerate(events):
        firsts.setdefault(stored_key(event), index)
    unique = [events[i] for i in firsts.values()]
    failed: dict[str, BaseException] = {}
    try:
        new = sink.insert_new(unique, [received] * len(unique))
    except Exception as error:
        if len(unique) == 1:
            new, failed = {}, {stored_key(unique[0]): error}
        else:
            log.warning(
                "evidence batch not stored; storing its events one by one",
                extra={"events": len(unique), "error": type(error).__name__},
            )
            new, failed = _one_by_one(sink, unique, received)
    outcomes: list[Outcome] = []
    for index, event in enumerate(events):
        key = stored_key(event)
        if key in failed:
            outcomes.append(failed[key])
        else:
            outcomes.append(new.get(key) if firsts[key] == index else None)
    _after_commit(hooks, [(e, o) for e, o in zip(events, outcomes, strict=True)])
    if failed:
        log.warning(
            "css callbacks not stored; CSS will retry",
            extra={"events": len(failed), "error": type(next(iter(failed.values()))).__name__},
        )
    log.info("css callbacks stored", extra={"stored": len(new), "received": len(events)})
    return outcomes


def _one_by_one(
    sink: EventSink, events: list[RecordingEvent], received: datetime
) -> tuple[dict[str, int], dict[str, BaseException]]:
    new: dict[str, int] = {}
    failed: dict[str, BaseException] = {}
    for event in events:
        try:
            new.update(sink.insert_new([event], [received]))
        except Exception as error:
            failed[stored_key(event)] = error
    return new, failed


def _after_commit(hooks: Hooks, outcomes: list[tuple[RecordingEvent, Outcome]]) -> None:
    for event, outcome in outcomes:
        if not isinstance(outcome, int):
            continue
        try:
            if hooks.on_stored is not None:
                hooks.on_stored(outcome)
            if hooks.on_event is not None:
                hooks.on_event(event)
        except Exception as exc:
            log.warning("css callback hook failed", extra={"error": type(exc).__name__})
