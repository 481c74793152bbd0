"""`recbot ask "<request>"`: the answer in the terminal, or as one JSON object with --json.

Exit codes: 0 answered, 1 the API failed, 2 the request (or --tz/--now, or config) is unusable.
With no Tencent credentials the answer comes from the embedded CSS simulator.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.answer import Answer, AnswerContext, answer
from bot.errors import AccessDenied, ApiError, ConfigError, ParseError, RecbotError
from bot.findings import Finding
from bot.render.evidence import recording_json, untasked_json
from bot.request import Request, parse_request
from bot.routes import Attachment, Handler, View, route_of
from bot.tasks import RecordTask, to_unix
from bot.timephrase import DateOrder
from bot.timephrase.zones import zone_name

EXIT_API = 1
EXIT_UNREADABLE = 2
PREFIX = "recbot ask: "


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("request", nargs="+", help='what to ask, e.g. "livetest yesterday"')
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        help="IANA zone or UTC offset (default: the offset of --now if it has one, else "
        "RECBOT_DEFAULT_TZ, else UTC)",
    )
    parser.add_argument(
        "--now",
        metavar="ISO8601",
        help="answer as if it were this time (default: the real clock); the built-in "
        "simulator's clock follows it; with Tencent Cloud at most 90 days back",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="ask the API, not the synced index (docs/index.md)",
    )
    parser.add_argument("--csv", metavar="FILE", type=Path, help="also write every task as CSV")
    parser.add_argument("--chart", metavar="FILE", type=Path, help="also write a PNG timeline")
    from bot.commands.ask_memory import configure as configure_memory

    configure_memory(parser)  # --channel, --user: team memory (docs/team-memory.md)


def _writable(path: Path | None, flag: str) -> None:
    """--csv/--chart FILE must be writable before any work is done (its folder exists)."""
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ParseError(
            f"{flag} {path} is a folder; give a file name", (f"{flag} tasks.{flag[2:]}",)
        )
    if not folder.is_dir():
        raise ParseError(
            f"{flag} {path}: the folder {folder} does not exist", (f"{flag} tasks.{flag[2:]}",)
        )


def _write(path: Path, data: bytes, flag: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ParseError(f"{flag} {path}: could not write it ({reason})") from None


def _finding_json(f: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": f.kind.value,
        "StreamName": f.stream.stream,
        "AppName": f.stream.app,
        "DomainName": f.stream.domain,
        "TaskIds": list(f.task_ids),
        "start": to_unix(f.start),
        "end": to_unix(f.end),
    }
    if f.at is not None:
        data["at"] = to_unix(f.at)
    if f.detail:
        data["detail"] = f.detail
    return data


def _task_json(result: Answer, task: RecordTask) -> dict[str, Any]:
    data = {**task.to_api(), "Status": result.status_of(task).value}
    if result.evidence is not None:
        data["Recording"] = recording_json(result.evidence.of(task.task_id))
    return data


def to_json(result: Answer, zone_name: str) -> dict[str, Any]:
    from bot.render.blocks import render_for_request

    message = render_for_request(result)
    f = result.filters
    return {
        "request": {
            "streams": list(f.streams),
            "apps": list(f.apps),
            "domains": list(f.domains),
            "task_ids": list(f.task_ids),
            "status": result.request.status.value,
            "start": to_unix(result.plan.start),
            "end": to_unix(result.plan.end),
            "tz": zone_name,
        },
        "tasks": [_task_json(result, t) for t in result.tasks],
        "findings": [_finding_json(x) for x in result.findings.all()],
        **({"untasked_recordings": untasked_json(result)} if result.evidence is not None else {}),
        "blocks": message.blocks,
        "text": message.text,
    }


def _fail(error: RecbotError, code: int, as_json: bool) -> int:
    """With --json the error is one JSON object on stdout and nothing else is printed."""
    from bot.memory.trail import note_error

    note_error(error)
    if as_json:
        body: dict[str, Any] = {"message": error.user_message}
        if isinstance(error, ApiError):
            body["code"] = error.code
            body["request_id"] = error.request_id
        print(json.dumps({"error": body}, ensure_ascii=False))
    else:
        print(f"{PREFIX}{error.user_message}", file=sys.stderr)
    return code


def _print_terminal(result: Answer, request: Request) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        # Piped into a file or a log: no terminal to fit, so keep each task on one line.
        console = Console(highlight=False, width=160)
    view = route_of(request.subcommand).view
    if view is View.STATS:
        from bot.render.text import render_stats_terminal

        render_stats_terminal(result, console)
    else:
        from bot.render.text import render_terminal

        render_terminal(result, console)
    if view is View.TIMELINE:
        from bot.render.timeline import render_text_timeline

        console.print(render_text_timeline(result), markup=False)


def _help_text() -> str:
    from bot.render.blocks import HELP_EXAMPLES

    lines = [
        'Ask about recording tasks, e.g. recbot ask "livetest yesterday".',
        "Filters: stream:NAME (or a bare name), app:NAME, domain:NAME (or a dotted host), "
        "task:TASKID (or a pasted TaskId; no time then means the last 90 days and the next 7).",
        "Examples:",
    ]
    lines += [f"  {req:42} {what}" for req, what in HELP_EXAMPLES]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from bot.commands.ask_memory import finish
    from bot.memory.trail import trail
    from bot.obs.log import request_context

    try:
        with request_context(), trail() as noted:  # one id for this question's log lines
            code = _run(args)
            finish(noted, code)  # the audit record (team memory)
            return code
    except BrokenPipeError:
        # `recbot ask … | head`: the reader left; that is not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _refuse_old_now(now: datetime, real_now: datetime) -> None:
    """Tencent Cloud keeps 90 days, counted from its own clock: an older --now can only ask
    about tasks that are gone. (The embedded simulator follows --now instead.)"""
    from bot.plan import RETENTION

    if now < real_now - RETENTION:
        raise ParseError(
            f"--now {now:%Y-%m-%d} is more than 90 days ago; Tencent Cloud keeps recording "
            "tasks for 90 days, so there is nothing to ask about then",
            ("--now " + (real_now - RETENTION / 2).strftime("%Y-%m-%dT%H:%M:%S+00:00"),),
        )


def _run(args: argparse.Namespace) -> int:
    from bot.commands.when import choose
    from bot.config import load_settings

    as_json: bool = args.json
    real_now = datetime.now(UTC)
    try:
        settings = load_settings()
        from bot.obs.log import configure_logging

        # Log lines (retries, warnings) go to stderr, masked and with this question's id.
        configure_logging(settings)
        now, zone = choose(args.now, args.tz, settings.recbot_default_tz, real_now)
        zone_label = args.tz.strip() if args.tz is not None else zone_name(zone, now)
        # Names and saved questions of the place (--channel/--user) are put in first.
        from bot.commands.ask_memory import open_cli_memory
        from bot.memory.trail import TrailingSource, note_request

        memory = open_cli_memory(settings, args, " ".join(args.request))
        said = memory.command(" ".join(args.request), now, zone)
        if said is not None:
            print(json.dumps({"text": said}) if as_json else said)
            return 0
        rewritten = memory.rewrite(" ".join(args.request))
        # Everything typed is read before any work (no simulator started for a bad phrase).
        request = parse_request(
            rewritten.text, now, zone, order=DateOrder(settings.recbot_date_order)
        )
        note_request(request)
        _writable(args.csv, "--csv")
        _writable(args.chart, "--chart")
    except RecbotError as error:
        return _fail(error, EXIT_UNREADABLE, as_json)
    handler = route_of(request.subcommand).handler
    if handler is Handler.HELP:
        if as_json:
            from bot.render.blocks import render_help

            help_message = render_help()
            print(json.dumps({"text": help_message.text, "blocks": help_message.blocks}))
        else:
            print(_help_text())
        return 0
    if handler is Handler.ALERTS:
        in_slack = ParseError(f"Alerts are set up in Slack: '/recordings {request.raw}'")
        return _fail(in_slack, EXIT_UNREADABLE, as_json)
    if handler is Handler.DIGESTS:
        # The whole request as typed (N18: the filter part, e.g. 'livetest', used to be lost).
        in_slack = ParseError(f"Digests are set up in Slack: '/recordings {request.raw}'")
        return _fail(in_slack, EXIT_UNREADABLE, as_json)

    # The shared source: with RECBOT_REDIS_URL this CLI spends the same 20/s budget and reads
    # the same cache as the serving replicas. The embedded simulator's clock follows --now.
    from bot.commands.terminal_progress import terminal_progress
    from bot.css.progress import reporting
    from bot.wiring import answer_source, evidence_source, task_source

    try:
        with (
            task_source(settings, now=None if args.now is None else now) as live,
            answer_source(settings, live, live_only=args.live) as source,
        ):
            if live.simulated:
                # A notice, not an error: on stderr even with --json (stdout stays one object).
                print(
                    f"{PREFIX}no Tencent Cloud credentials, answering from the built-in "
                    "CSS simulator",
                    file=sys.stderr,
                )
            else:
                _refuse_old_now(now, real_now)
            evidence, close = evidence_source(settings, simulated=live.simulated, now=now)
            try:
                context = AnswerContext(
                    now,
                    zone,
                    TrailingSource(source),
                    memory.scope,
                    evidence=evidence,
                    evidence_files=as_json,
                    date_order=DateOrder(settings.recbot_date_order),
                )
                with terminal_progress(enabled=not as_json) as shown, reporting(shown):
                    result = answer(request, context)
            finally:
                close()
    # AccessDenied: outside --channel's scope
    except (ParseError, ConfigError, AccessDenied) as error:
        return _fail(error, EXIT_UNREADABLE, as_json)
    except RecbotError as error:
        return _fail(error, EXIT_API, as_json)

    try:
        if args.csv or route_of(request.subcommand).attachment is Attachment.CSV:
            from bot.render.csv import render_csv

            data = render_csv(result)
            if args.csv:
                _write(args.csv, data, "--csv")
            elif not as_json:
                sys.stdout.write(data.decode("utf-8"))
                return 0
        if args.chart:
            from bot.render.chart import render_chart_png

            _write(args.chart, render_chart_png(result), "--chart")
    except ParseError as error:
        return _fail(error, EXIT_UNREADABLE, as_json)
    if as_json:
        body = to_json(result, zone_label)
        if rewritten.shown:
            body["names"] = list(rewritten.shown)
        print(json.dumps(body, ensure_ascii=False))
    else:
        if rewritten.shown:
            print(" · ".join(rewritten.shown))
        _print_terminal(result, request)
    return 0
