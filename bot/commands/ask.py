"""`recbot ask "<request>"`: the answer in the terminal, or as one JSON object with --json.

Exit codes: 0 answered, 1 the API failed, 2 the request (or --tz/--now, or config) is unusable.
With no Tencent credentials the answer comes from the embedded CSS simulator.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.answer import Answer, AnswerContext, answer
from bot.errors import ApiError, ParseError, RecbotError
from bot.findings import Finding
from bot.request import Request, Subcommand, parse_request
from bot.tasks import to_unix

EXIT_API = 1
EXIT_UNREADABLE = 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("request", nargs="+", help='what to ask, e.g. "livetest yesterday"')
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tz", metavar="ZONE", help="IANA zone (default RECBOT_DEFAULT_TZ)")
    parser.add_argument("--now", metavar="ISO8601", help="answer as if it were this time")
    parser.add_argument("--csv", metavar="FILE", type=Path, help="also write every task as CSV")
    parser.add_argument("--chart", metavar="FILE", type=Path, help="also write a PNG timeline")


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError(
            f"'{name[:40]}' is not a time zone I know", ("Asia/Tokyo", "UTC")
        ) from None


def _now(text: str | None, zone: tzinfo) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ParseError(
            f"--now '{text[:40]}' is not an ISO 8601 time", ("2026-07-27T10:00:00+09:00",)
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


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
            "status": result.request.status.value,
            "start": to_unix(result.plan.start),
            "end": to_unix(result.plan.end),
            "tz": zone_name,
        },
        "tasks": [
            {**t.to_api(), "Status": result.status_of(t).value} for t in result.tasks
        ],
        "findings": [_finding_json(x) for x in result.findings.all()],
        "blocks": message.blocks,
        "text": message.text,
    }


def _fail(error: RecbotError, code: int, as_json: bool) -> int:
    if as_json:
        body: dict[str, Any] = {"message": error.user_message}
        if isinstance(error, ApiError):
            body["code"] = error.code
            body["request_id"] = error.request_id
        print(json.dumps({"error": body}, ensure_ascii=False))
    print(f"recbot: {error.user_message}", file=sys.stderr)
    return code


def _print_terminal(result: Answer, request: Request) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        # Piped into a file or a log: no terminal to fit, so keep each task on one line.
        console = Console(highlight=False, width=160)
    if request.subcommand is Subcommand.STATS:
        from bot.render.text import render_stats_terminal

        render_stats_terminal(result, console)
    else:
        from bot.render.text import render_terminal

        render_terminal(result, console)
    if request.subcommand is Subcommand.CHART:
        from bot.render.timeline import render_text_timeline

        console.print(render_text_timeline(result), markup=False)


def _help_text() -> str:
    from bot.render.blocks import HELP_EXAMPLES

    lines = ['Ask about recording tasks, e.g. recbot ask "livetest yesterday".', "Examples:"]
    lines += [f"  {req:42} {what}" for req, what in HELP_EXAMPLES]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except BrokenPipeError:
        # `recbot ask … | head`: the reader left; that is not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    from bot.config import load_settings

    as_json: bool = args.json
    try:
        settings = load_settings()
        zone_name = args.tz or settings.recbot_default_tz
        zone = _zone(zone_name)
        now = _now(args.now, zone)
        request = parse_request(" ".join(args.request), now, zone)
    except RecbotError as error:
        return _fail(error, EXIT_UNREADABLE, as_json)
    if request.subcommand is Subcommand.HELP:
        if as_json:
            from bot.render.blocks import render_help

            help_message = render_help()
            print(json.dumps({"text": help_message.text, "blocks": help_message.blocks}))
        else:
            print(_help_text())
        return 0
    if request.subcommand is Subcommand.DIGEST:
        in_slack = ParseError("Digests are set up in Slack: '/recordings digest daily 09:00'")
        return _fail(in_slack, EXIT_UNREADABLE, as_json)

    from bot.css.client import open_source

    try:
        with open_source(settings) as source:
            if source.simulated:
                print("recbot: no Tencent Cloud credentials, answering from the built-in "
                      "CSS simulator", file=sys.stderr)
            result = answer(request, AnswerContext(now, zone, source))
    except ParseError as error:
        return _fail(error, EXIT_UNREADABLE, as_json)
    except RecbotError as error:
        return _fail(error, EXIT_API, as_json)

    if args.csv or request.subcommand is Subcommand.EXPORT:
        from bot.render.csv import render_csv

        data = render_csv(result)
        if args.csv:
            args.csv.write_bytes(data)
        elif not as_json:
            sys.stdout.write(data.decode("utf-8"))
            return 0
    if args.chart:
        from bot.render.chart import render_chart_png

        args.chart.write_bytes(render_chart_png(result))
    if as_json:
        print(json.dumps(to_json(result, zone_name), ensure_ascii=False))
    else:
        _print_terminal(result, request)
    return 0
