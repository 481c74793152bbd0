"""The "Ask about recordings" form as plain values: what each field holds, the request text
it stands for, the live reading of its time field, and which field an error belongs to.

Pure: the Slack layer reads a modal's state into an `AskForm`; this module decides the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Literal

from bot.errors import ParseError
from bot.request import MAX_LENGTH, Request, StatusFilter, Subcommand, parse_request
from bot.tasks import RecordTask
from bot.timephrase import DateOrder, parse_phrase

Field = Literal["stream", "app", "domain", "status", "when", "text", "where", "channel"]
Where = Literal["dm", "channel"]
STATUSES: tuple[StatusFilter, ...] = tuple(StatusFilter)
NOT_A_QUESTION = "Ask about recordings here; help and digests have their own buttons."
PICK_A_CHANNEL = "Pick the channel to answer in, or choose “Only me”."


@dataclass(frozen=True)
class AskForm:
    stream: str | None = None
    app: str | None = None
    domain: str | None = None
    status: StatusFilter = StatusFilter.ALL
    when: str = ""
    text: str = ""  # anything else, as typed (a message shortcut pre-fills it)
    where: Where = "dm"
    channel: str | None = None


@dataclass(frozen=True)
class FormError:
    """One field's error, shown under that field (`response_action: errors`)."""

    field: Field
    message: str


def request_text(form: AskForm) -> str:
    """The request the form stands for, in the language people type."""
    words = [f"stream:{form.stream}"] if form.stream else []
    words += [f"app:{form.app}"] if form.app else []
    words += [f"domain:{form.domain}"] if form.domain else []
    if form.status is not StatusFilter.ALL:
        words.append(form.status.value)
    words += [form.text.strip(), form.when.strip()]
    return " ".join(w for w in words if w)


def task_window(start: datetime, end: datetime, zone: tzinfo) -> str:
    """A time field that covers `[start, end)` to the minute, in `zone`, with full dates (read
    the same under either RECBOT_DATE_ORDER)."""
    first = start.astimezone(zone).replace(second=0, microsecond=0)
    last = end.astimezone(zone)
    if last.second or last.microsecond:
        last = last.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return f"from {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}"


def form_for_task(task: RecordTask, zone: tzinfo, channel: str | None) -> AskForm:
    """The form a message naming this task opens with: `task:ID` (that task alone), with its
    stream, app, domain and scheduled window shown in their fields (clearing the request field
    then lists the stream's tasks around it)."""
    return AskForm(
        stream=task.stream,
        app=task.app,
        domain=task.domain,
        when=task_window(task.start, task.end, zone),
        text=f"task:{task.task_id}",
        channel=channel,
    )


def time_preview(when: str, now: datetime, zone: tzinfo, order: DateOrder = DateOrder.MDY) -> str:
    """How the time field reads right now, in the asker's zone, or why it cannot be read."""
    phrase = " ".join(when.split())
    if not phrase:
        return "No time given: I'll look at recent tasks (see help for the default window)."
    try:
        window = parse_phrase(phrase, now, zone, order)
    except ParseError as error:
        return f"⚠ {error.user_message}"
    return f"{window.description} (your time)".replace(f"{phrase}, ", f"{phrase} → ", 1)


def check_form(
    form: AskForm, now: datetime, zone: tzinfo, order: DateOrder = DateOrder.MDY
) -> Request | FormError:
    """The parsed request, or the first field that is wrong and why."""
    if form.where == "channel" and not form.channel:
        return FormError("channel", PICK_A_CHANNEL)
    if form.when.strip():
        try:
            parse_phrase(" ".join(form.when.split()), now, zone, order)
        except ParseError as error:
            return FormError("when", error.user_message)
    text = request_text(form)
    if len(text) > MAX_LENGTH:
        return FormError("text", f"That is too long; keep it under {MAX_LENGTH} characters.")
    try:
        request = parse_request(text, now, zone, order=order)
    except ParseError as error:
        return FormError("text", error.user_message)
    if request.subcommand in (Subcommand.HELP, Subcommand.DIGEST):
        return FormError("text", NOT_A_QUESTION)
    return request
