"""Which callbacks a subscription posts: its level and its filters (within the channel's scope)."""

from __future__ import annotations

from enum import StrEnum

from bot.evidence.events import RecordEvent, RecordingEvent
from bot.filters import Filters


class Level(StrEnum):
    FAILURES = "failures"  # start failed, recording error
    ALL = "all"  # also starts and ends


FAILURE_EVENTS = frozenset({RecordEvent.START_FAILED, RecordEvent.ERROR})
ALL_EVENTS = FAILURE_EVENTS | {RecordEvent.START_SUCCEEDED, RecordEvent.ENDED}
LEVEL_EVENTS = {Level.FAILURES: FAILURE_EVENTS, Level.ALL: ALL_EVENTS}


def filters_match(filters: Filters, event: RecordingEvent) -> bool:
    return (
        (not filters.streams or event.stream in filters.streams)
        and (not filters.apps or event.app in filters.apps)
        and (not filters.domains or event.domain in filters.domains)
    )


def wants(level: Level, filters: Filters, event: RecordingEvent) -> bool:
    return event.event in LEVEL_EVENTS[level] and filters_match(filters, event)
