"""Answer -> Block Kit message (docs/requests.md), plus the error, help and stats messages.

Always inside Slack's limits (bot/render/limits.py): one page of tasks at a time, counts of
the full result, every user- or API-supplied text escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import Any

from bot.answer import Answer
from bot.errors import RecbotError
from bot.findings import Finding, Stats, StreamKey, stats
from bot.render.actions import (
    ACTION_CHART,
    ACTION_EXPORT,
    ACTION_NEXT,
    ACTION_PREV,
    ACTION_SHARE,
    encode_action_value,
)
from bot.render.escape import code, mrkdwn
from bot.render.evidence import FROM_SCHEDULE, no_reason, recording_note, untasked_lines
from bot.render.format import (
    FINDING_EMOJI,
    STATUS_EMOJI,
    TimeFormat,
    answer_shared_names,
    duration,
    finding_sentence,
    footer_parts,
    plural,
    slack_id,
    slack_time_format,
    status_label,
    stop_note,
    task_span,
    template_text,
)
from bot.render.limits import MAX_SECTION_TEXT
from bot.render.message import SlackMessage
from bot.render.task_ids import ids_label, missing_note, not_found, task_no_reason
from bot.request import StatusFilter
from bot.source import FetchStats
from bot.tasks import RecordTask, Status

# 20 lines of the longest kind (long names, stop notes, dates on both ends) plus findings
# and headings stay under limits.MAX_TOTAL_TEXT; test_limits checks the worst case.
PAGE_SIZE = 20
MAX_NAME = 40
# More matching tasks than one page: offer the CSV of all of them.
EXPORT_THRESHOLD = PAGE_SIZE
MAX_FINDING_LINES = 8
Block = dict[str, Any]


def _section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def _context(texts: Iterable[str]) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def name(value: str) -> str:
    """A stream/app/domain name as shown in a list: a code span, long names shortened (the
    CSV has them whole), so a page of long names still fits Slack's total text limit."""
    shown = value if len(value) <= MAX_NAME else value[: MAX_NAME - 1] + "…"
    return code(shown)


def zone_key(zone: tzinfo) -> str | None:
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) else None


# --- pieces of an answer ----------------------------------------------------------------------


def filters_text(answer: Answer) -> str:
    parts: list[str] = []
    f = answer.filters
    for label, values in (
        ("stream", f.streams),
        ("app", f.apps),
        ("domain", f.domains),
        ("task", f.task_ids),
    ):
        if values:
            parts.append(f"{label} " + ", ".join(code(v) for v in values))
    if not parts:
        parts.append("all streams")
    parts.append(status_label(answer.request.status))
    return " · ".join(parts)


def notes(answer: Answer) -> tuple[str, ...]:
    return tuple(dict.fromkeys(answer.plan.notes + answer.result.notes))


def understood_notes(answer: Answer) -> list[str]:
    """The plan's and source's notes, then TaskIds that were not found (mrkdwn)."""
    lines = [f"_{mrkdwn(n)}_" for n in notes(answer)]
    missing = missing_note(answer, code)
    return [*lines, f"_{missing}_"] if missing else lines


def understood(answer: Answer) -> str:
    lines = [f"*Understood:* {filters_text(answer)} · {mrkdwn(answer.window.description)}"]
    lines += understood_notes(answer)
    return "\n".join(lines)


def yes_no(answer: Answer) -> str:
    """ "*Yes* — 2 tasks for `livetest`, yesterday afternoon." The evidence follows below;
    the verdict is the core's (`Answer.verdict`): only tasks that actually recorded count."""
    n = answer.verdict.count
    status = answer.request.status
    kind = "" if status is StatusFilter.ALL else f"{status.value} "
    f = answer.filters
    names = f.streams or f.apps or f.domains
    who = ", ".join(code(v) for v in names) if names else "any stream"
    if f.task_ids:
        who = ids_label(f.task_ids, code)
    when = mrkdwn(answer.window.phrase or answer.window.description.split(",")[0])
    schedule = f" _({FROM_SCHEDULE})_" if answer.evidence is None else ""
    if n:
        return f"*Yes* — {n} {kind}{'task' if n == 1 else 'tasks'} for {who}, {when}.{schedule}"
    fmt = slack_time_format(answer.zone)
    reason = no_reason(answer, fmt) or task_no_reason(answer, fmt, code)
    if reason is not None:
        return f"*No* — {reason}."
    return f"*No* — no {kind}task for {who}, {when}.{schedule}"


def summary(answer: Answer, page: int, pages: int) -> str:
    total = len(answer.result.tasks)
    if total == 0:
        gone = not_found(answer)
        return f"{mrkdwn(gone)}." if gone else "No recording tasks match."
    counts = " · ".join(f"{STATUS_EMOJI[s]} {n} {s.value}" for s, n in answer.counts)
    shown = len(answer.tasks)
    if answer.request.status is StatusFilter.ALL:
        text = f"*{plural(total, 'task')}*: {counts}"
    else:
        # What was asked for first; the whole window in brackets.
        label = status_label(answer.request.status)
        text = f"*{shown} {label}* ({plural(total, 'task')} in the window: {counts})"
    if pages > 1:
        first = page * PAGE_SIZE + 1
        last = min(shown, (page + 1) * PAGE_SIZE)
        text += f"\nShowing {first}–{last} of {shown} (page {page + 1} of {pages})"
    return text


def stream_heading(key: StreamKey) -> str:
    # Names go in code spans: `*`, `_` and `~` in a stream name then format nothing.
    return f"*Stream* {name(key.stream)}  app {name(key.app)} · {name(key.domain)}"


def task_line(task: RecordTask, status: Status, zone: tzinfo, fmt: TimeFormat) -> str:
    parts = [
        f"{STATUS_EMOJI[status]} {task_span(task, zone, fmt)}",
        duration(task.end - task.start),
        template_text(task.template_id),
        slack_id(task.task_id),
    ]
    note = stop_note(task, zone, fmt)
    if note:
        parts.append(note)
    return " · ".join(parts)


def _pack(lines: Sequence[str], limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Join lines into as few texts as fit in `limit` characters each."""
    texts: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            texts.append(current)
            candidate = line
        current = candidate[:limit]
    if current:
        texts.append(current)
    return texts


def task_sections(answer: Answer, page_tasks: Sequence[RecordTask]) -> list[Block]:
    fmt = slack_time_format(answer.zone)
    lines: list[str] = []
    current: StreamKey | None = None
    groups: list[list[str]] = []
    for task in page_tasks:
        key = StreamKey.of(task)
        if key != current:
            current = key
            groups.append([stream_heading(key)])
            lines = groups[-1]
        line = task_line(task, answer.status_of(task), answer.zone, fmt)
        if answer.evidence is not None:
            line += " · " + recording_note(answer.evidence.of(task.task_id), fmt)
        lines.append(line)
    untasked = untasked_lines(answer, fmt, name)
    if untasked:
        groups.append(["*Recordings not from a task*", *untasked])
    return [_section(text) for group in groups for text in _pack(group)]


def finding_name(key: StreamKey, shared: frozenset[str]) -> str:
    """The stream of a finding; with its app and domain when the name alone is ambiguous."""
    if key.stream in shared:
        return f"{name(key.stream)} ({name(key.app)} · {name(key.domain)})"
    return name(key.stream)


def findings_text(findings: Sequence[Finding], answer: Answer) -> str:
    fmt = slack_time_format(answer.zone)
    shared = answer_shared_names(answer)
    lines = [f"*Worth a look ({len(findings)})*"]
    for finding in findings[:MAX_FINDING_LINES]:
        sentence = finding_sentence(
            finding, answer.now, fmt, finding_name(finding.stream, shared), slack_id
        )
        lines.append(f"{FINDING_EMOJI[finding.kind]} {sentence}")
    if len(findings) > MAX_FINDING_LINES:
        lines.append(f"…and {len(findings) - MAX_FINDING_LINES} more (see the export)")
    return _pack(lines)[0]


def footer(fetch: FetchStats) -> list[str]:
    return [" · ".join(footer_parts(fetch, mrkdwn))]


def page_count(answer: Answer) -> int:
    return max(1, -(-len(answer.tasks) // PAGE_SIZE))


def _buttons(answer: Answer, page: int, pages: int, share: bool) -> list[Block]:
    zone = zone_key(answer.zone)

    def value(to_page: int) -> str:
        return encode_action_value(answer.request.raw, to_page, answer.now, zone)

    buttons: list[Block] = []
    if page > 0:
        buttons.append(_button("◀ Previous", ACTION_PREV, value(page - 1)))
    if page < pages - 1:
        buttons.append(_button("Next ▶", ACTION_NEXT, value(page + 1)))
    if len(answer.tasks) > EXPORT_THRESHOLD:
        label = f"Export all {len(answer.tasks)} as CSV"
        buttons.append(_button(label, ACTION_EXPORT, value(0)))
    if answer.tasks:
        buttons.append(_button("Chart", ACTION_CHART, value(0)))
    if share:
        buttons.append(_button("Share in channel", ACTION_SHARE, value(page), "primary"))
    return buttons


def fallback_text(answer: Answer) -> str:
    first = yes_no(answer) + " " if answer.request.question else ""
    counts = ", ".join(f"{n} {s.value}" for s, n in answer.counts) or "none"
    text = (
        f"{first}{plural(len(answer.result.tasks), 'recording task')} "
        f"({mrkdwn(answer.window.description)}): {counts}"
    )
    return text[:3000]


def render_answer(answer: Answer, page: int = 0, *, share: bool = False) -> SlackMessage:
    """The answer message; `page` is clamped to the pages there are. `share` adds the Share
    button (for ephemeral slash-command answers)."""
    pages = page_count(answer)
    page = min(max(page, 0), pages - 1)
    head = understood(answer)
    if answer.request.question:
        head = f"{yes_no(answer)}\n{head}"
    blocks: list[Block] = [_section(head), _section(summary(answer, page, pages))]
    if len(answer.findings):
        blocks.append(_section(findings_text(answer.findings.all(), answer)))
    page_tasks = answer.tasks[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    if page_tasks:
        blocks.append({"type": "divider"})
        blocks += task_sections(answer, page_tasks)
    buttons = _buttons(answer, page, pages, share)
    if buttons:
        blocks.append({"type": "actions", "block_id": "recbot_actions", "elements": buttons})
    blocks.append(_context(footer(answer.result.stats)))
    return SlackMessage(fallback_text(answer), blocks)


# --- other messages ---------------------------------------------------------------------------


def render_error(error: RecbotError) -> SlackMessage:
    text = mrkdwn(error.user_message)[: MAX_SECTION_TEXT - 20]
    return SlackMessage(text, [_section(f":warning: {text}")])


# Every example must work on any day (relative times only): tests/render/test_help.py runs
# each through parse_request, the time engine and, for digests, the digest request check.
HELP_TIMES = ("yesterday", "last 3 days", "since monday 9am", "yesterday 10:00-12:00")
HELP_EXAMPLES = (
    ("livetest yesterday", "tasks of stream livetest that overlap yesterday"),
    ("running on 5000.live.push.example.com", "what is recording now on a push domain"),
    ("scheduled stream:cam1,cam2", "what cam1 and cam2 will record in the next 7 days"),
    ("stopped last week", "tasks stopped early with StopRecordTask"),
    ("app:live yesterday 10:00-12:00", "a window on a day, app filter"),
    ("stats last 7 days", "counts by stream, status, template and day"),
    ("export last 3 days", "a CSV file of every matching task"),
    ("chart today", "a timeline picture"),
    ("digest daily 09:00 livetest", "a daily digest of livetest in this channel"),
    (
        "alert livetest",
        "post livetest's failed, stopped or silent recordings here (alert list / off N / on N)",
    ),
)


def render_help() -> SlackMessage:
    intro = (
        "*Ask me about CSS recording tasks.* Filters: `stream:NAME` (or a bare name), "
        "`app:NAME`, `domain:NAME` (or a dotted host), `task:TASKID` (or a pasted TaskId), "
        "several with commas. Status: `running`, `scheduled`, `finished`, `stopped`, `all`. "
        "A time: "
        + ", ".join(f"`{t}`" for t in HELP_TIMES)
        + ". No time means now ± 24 h (`scheduled`: the next 7 days; a TaskId: the last 90 "
        "days and the next 7)."
    )
    examples = "\n".join(f"• `{req}` — {what}" for req, what in HELP_EXAMPLES)
    return SlackMessage(
        "How to ask recbot about recording tasks",
        [_section(intro), _section(f"*Examples*\n{examples}")],
    )


def _count_lines(rows: Sequence[tuple[str, int]], limit: int = 10) -> str:
    lines = [f"{label}: {n}" for label, n in rows[:limit]]
    if len(rows) > limit:
        rest = sum(n for _, n in rows[limit:])
        lines.append(f"{len(rows) - limit} more: {rest}")
    return "\n".join(lines) or "none"


def stats_fields(s: Stats) -> list[Block]:
    by_status = [(f"{STATUS_EMOJI[st]} {st.value}", n) for st, n in s.by_status]
    by_stream = [(mrkdwn(name), n) for name, n in s.by_stream]
    by_template = [(template_text(t), n) for t, n in s.by_template]
    by_day = [(f"{d:%a %b} {d.day}", n) for d, n in s.by_day]
    return [
        {"type": "mrkdwn", "text": f"*By {title}*\n{_count_lines(rows)}"[:2000]}
        for title, rows in (
            ("status", by_status),
            ("stream", by_stream),
            ("template", by_template),
            ("day", by_day),
        )
    ]


def render_stats(answer: Answer) -> SlackMessage:
    s = stats(answer.tasks, answer.now, answer.zone)
    blocks: list[Block] = [
        _section(understood(answer)),
        _section(f"*{plural(s.total, 'task')}*"),
    ]
    if s.total:
        blocks.append({"type": "section", "fields": stats_fields(s)})
    blocks.append(_context(footer(answer.result.stats)))
    text = f"{plural(s.total, 'recording task')} ({mrkdwn(answer.window.description)})"
    return SlackMessage(text, blocks)


def render_timeline_message(answer: Answer) -> SlackMessage:
    """The chart as text, for where a PNG cannot be uploaded."""
    from bot.render.timeline import render_text_timeline

    timeline = mrkdwn(render_text_timeline(answer))[: MAX_SECTION_TEXT - 10]
    blocks = [_section(understood(answer)), _section(f"```{timeline}```")]
    blocks.append(_context(footer(answer.result.stats)))
    return SlackMessage(fallback_text(answer), blocks)


def render_for_request(answer: Answer, page: int = 0, *, share: bool = False) -> SlackMessage:
    """The message a surface posts for this answer's subcommand (stats get counts, chart a
    text timeline to go with its PNG, everything else the answer itself)."""
    from bot.routes import View, route_of

    view = route_of(answer.request.subcommand).view
    if view is View.STATS:
        return render_stats(answer)
    if view is View.TIMELINE:
        return render_timeline_message(answer)
    return render_answer(answer, page, share=share)
