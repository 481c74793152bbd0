"""Small shared wording for every renderer: statuses, durations, times, short ids, findings.

Times are written two ways: `plain_time` in the asker's zone (terminal, CSV, fallbacks) and
`slack_time`, a `<!date^…>` token that Slack shows in each reader's own zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from bot.findings import Finding, FindingKind, StreamKey
from bot.render.escape import code
from bot.request import StatusFilter
from bot.source import FetchStats
from bot.tasks import RecordTask, Status

if TYPE_CHECKING:
    from bot.answer import Answer


@dataclass(frozen=True)
class StatusLook:
    """How one status is drawn on every surface: Slack emoji, terminal symbol and rich style,
    chart colour, text-timeline character. One table, so the chart and terminal agree."""

    emoji: str
    symbol: str
    colour: str  # hex, for the chart; the terminal's style uses the same colour
    char: str
    bold: bool = False

    @property
    def style(self) -> str:
        return f"bold {self.colour}" if self.bold else self.colour


STATUS_LOOK = {
    Status.RUNNING: StatusLook(":red_circle:", "●", "#d32f2f", "#", bold=True),
    Status.SCHEDULED: StatusLook(":spiral_calendar_pad:", "◷", "#1976d2", "+"),
    Status.FINISHED: StatusLook(":white_check_mark:", "✓", "#2e7d32", "="),
    Status.STOPPED: StatusLook(":octagonal_sign:", "■", "#f9a825", "x"),
}
STATUS_EMOJI = {status: look.emoji for status, look in STATUS_LOOK.items()}
STATUS_SYMBOL = {status: look.symbol for status, look in STATUS_LOOK.items()}
FINDING_EMOJI = {
    FindingKind.STOPPED_EARLY: ":octagonal_sign:",
    FindingKind.OVERLAP: ":warning:",
    FindingKind.GAP: ":hole:",
    FindingKind.ENDING_SOON: ":hourglass_flowing_sand:",
    FindingKind.FAILED_TO_RECORD: ":x:",
    FindingKind.NOTHING_RECEIVED: ":grey_question:",
}
FINDING_TITLE = {
    FindingKind.STOPPED_EARLY: "stopped early",
    FindingKind.OVERLAP: "recorded twice",
    FindingKind.GAP: "gap",
    FindingKind.ENDING_SOON: "ending within the hour",
    FindingKind.FAILED_TO_RECORD: "failed to record",
    FindingKind.NOTHING_RECEIVED: "scheduled but nothing received",
}
# A recording callback's event as a reader says it.
EVENT_WORDS = {
    "record_start_succeeded": "recording started",
    "record_start_failed": "recording failed to start",
    "record_paused": "recording paused",
    "record_resumed": "recording resumed",
    "record_error": "recording hit an error",
    "record_ended": "recording ended",
    "file_written": "file written",
}

TimeFormat = Callable[[datetime, bool], str]


def duration(span: timedelta) -> str:
    """`2h 05m`, `45m`, `30s`: compact and unambiguous."""
    seconds = max(0, int(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def short_id(task_id: str) -> str:
    """TaskIds are ~56 opaque characters; the tail tells them apart in a list."""
    return task_id if len(task_id) <= 10 else "…" + task_id[-8:]


def plain_time(moment: datetime, zone: tzinfo, with_date: bool = True) -> str:
    local = moment.astimezone(zone)
    if with_date:
        return f"{local:%b} {local.day} {local:%H:%M}"
    return f"{local:%H:%M}"


def zone_name(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).tzname() or "UTC"


def slack_time_format(zone: tzinfo) -> TimeFormat:
    """A `<!date^…>` token; the fallback, for clients that can't render it, is the asker's time."""

    def fmt(moment: datetime, with_date: bool) -> str:
        tokens = "{date_short} {time}" if with_date else "{time}"
        fallback = plain_time(moment, zone, with_date) + " " + zone_name(moment, zone)
        return f"<!date^{int(moment.timestamp())}^{tokens}|{fallback}>"

    return fmt


def plain_time_format(zone: tzinfo) -> TimeFormat:
    return lambda moment, with_date: plain_time(moment, zone, with_date)


def template_text(template_id: int) -> str:
    return "default template" if template_id == 0 else f"template {template_id}"


def same_local_day(a: datetime, b: datetime, zone: tzinfo) -> bool:
    return a.astimezone(zone).date() == b.astimezone(zone).date()


def task_span(task: RecordTask, zone: tzinfo, fmt: TimeFormat) -> str:
    end_has_date = not same_local_day(task.start, task.end, zone)
    return f"{fmt(task.start, True)} – {fmt(task.end, end_has_date)}"


def stop_note(task: RecordTask, zone: tzinfo, fmt: TimeFormat) -> str:
    if task.stopped is None:
        return ""
    if task.stopped < task.start:
        return f"stopped at {fmt(task.stopped, True)}, before it began"
    return f"stopped at {fmt(task.stopped, not same_local_day(task.start, task.stopped, zone))}"


def slack_id(task_id: str) -> str:
    """A short TaskId for mrkdwn: a code span, escaped (an id is API text like any name)."""
    return code(short_id(task_id))


def finding_sentence(
    finding: Finding,
    now: datetime,
    fmt: TimeFormat,
    name: str,
    ident: Callable[[str], str] = slack_id,
) -> str:
    """One line about a finding; `name` is the stream as the caller wants it shown (escaped),
    `ident` shows a TaskId: escaped for mrkdwn by default, `short_id` for plain text."""
    ids = " and ".join(ident(t) for t in finding.task_ids)
    span = f"{fmt(finding.start, True)} – {fmt(finding.end, True)}"
    length = duration(finding.end - finding.start)
    if finding.kind is FindingKind.STOPPED_EARLY:
        at = finding.at or finding.start
        if at < finding.start:
            return f"{name}: cancelled before it began, stopped at {fmt(at, True)} ({ids})"
        return f"{name}: {length} cut off by a stop at {fmt(at, True)} ({ids})"
    if finding.kind is FindingKind.OVERLAP:
        return f"{name}: recorded twice for {length}, {span} ({ids})"
    if finding.kind is FindingKind.GAP:
        return f"{name}: {length} gap between tasks, {span} ({ids})"
    if finding.kind is FindingKind.FAILED_TO_RECORD:
        what = EVENT_WORDS.get(finding.detail, finding.detail)
        when = fmt(finding.at or finding.start, True)
        return f"{name}: {what} at {when}, task {span} ({ids})"
    if finding.kind is FindingKind.NOTHING_RECEIVED:
        return f"{name}: began at {fmt(finding.start, True)}, no recording callback since ({ids})"
    return f"{name}: ends at {fmt(finding.end, False)}, in {duration(finding.end - now)} ({ids})"


def shared_names(keys: Iterable[StreamKey]) -> frozenset[str]:
    """Stream names that occur under more than one app/domain in one answer: shown alone,
    they would look like one stream listed twice."""
    seen: dict[str, set[StreamKey]] = {}
    for key in keys:
        seen.setdefault(key.stream, set()).add(key)
    return frozenset(name for name, found in seen.items() if len(found) > 1)


def answer_shared_names(answer: Answer) -> frozenset[str]:
    """The ambiguous stream names of an answer: among its listed tasks and its findings."""
    keys = [StreamKey.of(t) for t in answer.tasks] + [f.stream for f in answer.findings.all()]
    return shared_names(keys)


def stream_label(key: StreamKey, shared: frozenset[str]) -> str:
    """`cam1`, or `cam1 (live @ a.push.example.com)` when the name alone is ambiguous."""
    if key.stream in shared:
        return f"{key.stream} ({key.app} @ {key.domain})"
    return key.stream


def status_label(status: StatusFilter) -> str:
    return {
        StatusFilter.ALL: "all statuses",
        StatusFilter.RUNNING: "running now",
        StatusFilter.SCHEDULED: "scheduled",
        StatusFilter.FINISHED: "finished",
        StatusFilter.STOPPED: "stopped early",
    }[status]


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def elapsed_text(seconds: float) -> str:
    """`4 ms`, `850 ms`, `2.3 s`: a query's time taken, never a misleading `0.00 s`."""
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))} ms"
    return f"{seconds:.1f} s"


def _ago(seconds: float) -> str:
    """`40 s`, `3 min`, `2 h`: how long ago the index was synced."""
    if seconds < 90:
        return f"{max(0, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{round(seconds / 3600)} h"


def footer_parts(stats: FetchStats, escape: Callable[[str], str] = str) -> list[str]:
    """The footer every answer and digest ends with: where the data came from, what it cost."""
    parts = [
        f"region {escape(stats.region)}",
        f"{plural(stats.api_calls, 'API call')}, {plural(stats.pages, 'page')}",
        elapsed_text(stats.elapsed_s),
    ]
    if stats.index_age_s is not None:
        synced = f"index, synced {_ago(stats.index_age_s)} ago"
        if stats.index_every_s is not None:  # the sync budget lengthened the period
            synced += f" (every {_ago(stats.index_every_s)}, within the sync budget)"
        parts.append(synced)
    if stats.cache_age_s is not None:
        parts.append(f"from cache, {duration(timedelta(seconds=stats.cache_age_s))} old")
    if stats.retries:
        parts.append(f"{stats.retries} {'retry' if stats.retries == 1 else 'retries'}")
    if stats.simulated:
        parts.append("simulated data")
    return parts
