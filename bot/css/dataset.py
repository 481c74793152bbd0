"""Simulated recording tasks: deterministic from a seed around a given `now`, or read from JSON.

The generated set always holds the cases answers must get right (a task crossing midnight, an
early stop, a stop before the start, a running and a scheduled task, two overlapping tasks on
one stream, a task of exactly 24 h, one ending within the hour), then random realistic tasks.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.tasks import RecordTask

DOMAIN = "5000.live.push.example.com"


@dataclass(frozen=True)
class StreamSpec:
    domain: str
    app: str
    stream: str
    weight: int


STREAMS: tuple[StreamSpec, ...] = (
    StreamSpec(DOMAIN, "live", "livetest", 6),
    StreamSpec(DOMAIN, "live", "cam1", 5),
    StreamSpec(DOMAIN, "live", "cam2", 4),
    StreamSpec(DOMAIN, "studio", "news", 3),
    StreamSpec("a.push.example.com", "live", "lobby", 2),
    StreamSpec("a.push.example.com", "events", "keynote", 1),
    # The same stream name under another domain: filters must tell them apart.
    StreamSpec("b.push.example.net", "live", "cam1", 2),
)
TEMPLATES = (0, 0, 0, 1001, 1002, 20345)
DURATIONS_MIN = (30, 60, 60, 90, 120, 120, 180, 240, 360, 480, 720, 1440)
# Generated tasks start this long after the 90-day horizon, so every one of them can be
# listed by an API window that the server still accepts.
HORIZON_MARGIN = timedelta(hours=1)


def _task_id(rng: random.Random) -> str:
    # 42 random bytes are 56 base64 characters, the length and alphabet of real TaskIds.
    return base64.b64encode(rng.randbytes(42)).decode("ascii")


def _task(
    rng: random.Random,
    spec: StreamSpec,
    start: datetime,
    end: datetime,
    stopped: datetime | None = None,
) -> RecordTask:
    return RecordTask(
        task_id=_task_id(rng),
        domain=spec.domain,
        app=spec.app,
        stream=spec.stream,
        start=start,
        end=end,
        template_id=rng.choice(TEMPLATES),
        stopped=stopped,
    )


def _featured(rng: random.Random, anchor: datetime) -> list[RecordTask]:
    livetest, cam1, cam2, news, lobby, keynote = STREAMS[:6]
    day0 = anchor.replace(hour=0)
    hour = timedelta(hours=1)
    day = timedelta(days=1)
    return [
        _task(rng, livetest, day0 - day - 2 * hour, day0 - day + 2 * hour),  # crosses midnight
        _task(
            rng,
            cam1,
            day0 - day + 9 * hour,
            day0 - day + 12 * hour,
            stopped=day0 - day + 10 * hour + timedelta(minutes=30),
        ),  # stopped early
        _task(rng, cam1, day0 - day + 11 * hour, day0 - day + 13 * hour),  # overlaps the one above
        _task(rng, livetest, anchor - hour, anchor + 2 * hour),  # running now
        _task(rng, cam2, anchor - 2 * hour, anchor + timedelta(minutes=30)),  # ends within the hour
        _task(rng, news, day0 + day + 10 * hour, day0 + day + 11 * hour),  # scheduled
        _task(
            rng,
            keynote,
            day0 + 2 * day + 9 * hour,
            day0 + 2 * day + 10 * hour,
            stopped=anchor - 3 * hour,
        ),  # cancelled before it began
        _task(rng, lobby, day0 - 3 * day, day0 - 2 * day),  # exactly 24 h
    ]


def _random_task(
    rng: random.Random, now: datetime, earliest: datetime, latest_end: datetime
) -> RecordTask:
    spec = rng.choices(STREAMS, weights=[s.weight for s in STREAMS])[0]
    duration = timedelta(minutes=rng.choice(DURATIONS_MIN))
    # Leave 5 minutes for rounding the start up.
    room = (latest_end - duration - earliest).total_seconds() - 300
    offset = rng.random() * max(room, 0.0)
    # Round up to 5 minutes, as people schedule recordings.
    start = earliest + timedelta(seconds=(int(offset) // 300 + 1) * 300)
    start = start.replace(second=0, microsecond=0)
    end = start + duration
    stopped: datetime | None = None
    roll = rng.random()
    if start < now and roll < 0.08:
        span = (min(end, now) - start).total_seconds()
        stopped = start + timedelta(seconds=max(60, int(rng.random() * span) // 60 * 60))
        stopped = min(stopped, now)
    elif start > now and roll < 0.03:
        stopped = now - timedelta(minutes=rng.randint(1, 600))  # cancelled in advance
    return _task(rng, spec, start, end, stopped)


def generate(
    seed: int,
    now: datetime,
    count: int = 300,
    days_back: float = 90,
    days_ahead: float = 7,
) -> tuple[RecordTask, ...]:
    """`count` tasks from `now - days_back` to `now + days_ahead`, sorted by start, same every run.

    Times are anchored to `now` floored to the hour, so runs a few minutes apart agree.
    """
    rng = random.Random(seed)
    anchor = now.replace(minute=0, second=0, microsecond=0)
    earliest = anchor - timedelta(days=days_back) + HORIZON_MARGIN
    latest_end = anchor + timedelta(days=days_ahead)
    tasks = [t for t in _featured(rng, anchor) if t.start >= earliest and t.end <= latest_end]
    tasks = tasks[:count]
    while len(tasks) < count:
        tasks.append(_random_task(rng, now, earliest, latest_end))
    return tuple(sorted(tasks, key=lambda t: (t.start, t.task_id)))


def _task_list(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict):
        document = document.get("Response", document)
        document = document.get("TaskList", document)
    if not isinstance(document, list):
        raise ValueError("expected a list of RecordTask objects (or a TaskList)")
    return document


def load_tasks(path: str | Path) -> tuple[RecordTask, ...]:
    """A JSON list of RecordTask objects (DescribeRecordTask's shape), or a response holding one."""
    items = _task_list(json.loads(Path(path).read_text(encoding="utf-8")))
    tasks = (RecordTask.from_api(item) for item in items)
    return tuple(sorted(tasks, key=lambda t: (t.start, t.task_id)))


def dump_tasks(tasks: Iterable[RecordTask], path: str | Path) -> None:
    Path(path).write_text(json.dumps([t.to_api() for t in tasks], indent=1), encoding="utf-8")


@dataclass(frozen=True)
class Recurring:
    """A stream's standing recording: on these weekdays (0 = Monday), at this UTC time."""

    spec: StreamSpec
    weekdays: frozenset[int]
    hour: int
    minute: int
    minutes: int
    template_id: int


_DAILY = frozenset(range(7))
_WEEKDAYS = frozenset(range(5))
# What an operations team's account looks like: standing daily shows, office-hours cameras, a
# lobby recorded around the clock in 24 h tasks, a weekly keynote, and weekend coverage.
SCHEDULE: tuple[Recurring, ...] = (
    Recurring(STREAMS[0], _DAILY, 20, 0, 180, 1002),  # livetest: the evening show
    Recurring(STREAMS[1], _WEEKDAYS, 9, 0, 180, 0),  # cam1: morning session
    Recurring(STREAMS[1], _WEEKDAYS, 13, 0, 240, 0),  # cam1: afternoon session
    Recurring(STREAMS[2], frozenset({0, 2, 4}), 14, 0, 90, 1001),  # cam2: Mon/Wed/Fri
    Recurring(STREAMS[3], _DAILY, 6, 0, 60, 20345),  # news: three bulletins a day
    Recurring(STREAMS[3], _DAILY, 12, 0, 60, 20345),
    Recurring(STREAMS[3], _DAILY, 18, 0, 60, 20345),
    Recurring(STREAMS[4], _DAILY, 0, 0, 1440, 0),  # lobby: around the clock, one task a day
    Recurring(STREAMS[5], frozenset({3}), 16, 0, 120, 1002),  # keynote: Thursdays
    Recurring(STREAMS[6], frozenset({5, 6}), 10, 0, 480, 0),  # the other cam1: weekends
)


def _with_mishaps(rng: random.Random, task: RecordTask, now: datetime) -> list[RecordTask]:
    """What happens to real schedules: late starts, early stops, cancellations, double bookings."""
    roll = rng.random()
    if roll < 0.05 and task.start < now:  # stopped early by hand
        span = int((min(task.end, now) - task.start).total_seconds())
        at = task.start + timedelta(seconds=max(60, rng.randrange(span) // 60 * 60))
        return [replace(task, stopped=min(at, now))]
    if roll < 0.07 and task.start > now:  # cancelled in advance
        return [replace(task, stopped=now - timedelta(minutes=rng.randint(5, 600)))]
    if roll < 0.09:  # booked twice by two people
        return [task, replace(task, task_id=_task_id(rng))]
    if roll < 0.14:  # started a few minutes late, leaving a short gap before it
        late = timedelta(minutes=rng.choice((5, 10, 15)))
        return [replace(task, start=task.start + late)]
    return [task]


def generate_schedule(
    seed: int, now: datetime, days_back: float = 90, days_ahead: float = 7
) -> tuple[RecordTask, ...]:
    """A realistic account: the standing SCHEDULE with its mishaps, some ad-hoc recordings and
    the featured cases, from `now - days_back` to `now + days_ahead`; same every run."""
    rng = random.Random(seed)
    anchor = now.replace(minute=0, second=0, microsecond=0)
    earliest = anchor - timedelta(days=days_back) + HORIZON_MARGIN
    latest_end = anchor + timedelta(days=days_ahead)
    tasks = [t for t in _featured(rng, anchor) if t.start >= earliest and t.end <= latest_end]
    featured_streams = {(t.stream, t.start.date()) for t in tasks}
    day = earliest.replace(hour=0)
    while day < latest_end:
        for slot in SCHEDULE:
            start = day.replace(hour=slot.hour, minute=slot.minute)
            end = start + timedelta(minutes=slot.minutes)
            clash = (slot.spec.stream, start.date()) in featured_streams
            if (
                day.weekday() in slot.weekdays
                and start >= earliest
                and end <= latest_end
                and not clash
            ):
                task = RecordTask(
                    _task_id(rng),
                    slot.spec.domain,
                    slot.spec.app,
                    slot.spec.stream,
                    start,
                    end,
                    slot.template_id,
                    None,
                )
                tasks.extend(_with_mishaps(rng, task, now))
        day += timedelta(days=1)
    ad_hoc = int((days_back + days_ahead) * 1.5)
    tasks.extend(_random_task(rng, now, earliest, latest_end) for _ in range(ad_hoc))
    return tuple(sorted(tasks, key=lambda t: (t.start, t.task_id)))
