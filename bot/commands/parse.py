"""`recbot parse`: show how a time phrase is understood, or read phrases from stdin as JSON lines.

Shell only: reads the clock and the two settings a phrase needs (RECBOT_DEFAULT_TZ,
RECBOT_DATE_ORDER) here, once, and passes them to the core. Imports nothing heavy (no Slack,
Tencent, database or pydantic), so a fresh `recbot parse` starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, tzinfo
from typing import TextIO

from bot.commands.when import choose
from bot.errors import ParseError
from bot.phrase_settings import read_phrase_settings
from bot.plan import Plan, plan_windows
from bot.tasks import to_unix
from bot.timephrase import DateOrder, parse_phrase
from bot.timephrase.window import Window
from bot.timephrase.zones import zone_name

EXIT_OK = 0
EXIT_REJECTED = 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "phrase",
        nargs="?",
        metavar="PHRASE",
        help="the time phrase; without it, one phrase per line is read from stdin and one "
        "JSON object per line is written",
    )
    parser.add_argument(
        "--now",
        metavar="ISO8601",
        help="reference time, e.g. 2013-02-12T04:30:00+09:00 (default: the real clock)",
    )
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        help="IANA zone or UTC offset (default: the offset of --now if it has one, else "
        "RECBOT_DEFAULT_TZ, else UTC)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def choose_zone(args: argparse.Namespace) -> tuple[datetime, tzinfo]:
    """--tz wins; else the offset --now carries; else RECBOT_DEFAULT_TZ; else UTC."""
    now, zone, _ = _choose(args)
    return now, zone


def _choose(args: argparse.Namespace) -> tuple[datetime, tzinfo, DateOrder]:
    """The clock, the zone (see choose_zone) and RECBOT_DATE_ORDER, from one settings read
    (only the two settings a phrase needs: bot/phrase_settings.py)."""
    settings = read_phrase_settings()
    now, zone = choose(args.now, args.tz, settings.default_tz, datetime.now(UTC))
    return now, zone, settings.date_order


def _unix(moment: datetime | None) -> int | None:
    return None if moment is None else to_unix(moment)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def batch(
    lines: TextIO, out: TextIO, now: datetime, zone: tzinfo, order: DateOrder = DateOrder.MDY
) -> int:
    """One JSON object per input line; nothing is clipped here."""
    code = EXIT_OK
    for line in lines:
        phrase = line.rstrip("\r\n")
        if not phrase.strip():
            continue
        try:
            window = parse_phrase(phrase, now, zone, order)
        except ParseError as error:
            code = EXIT_REJECTED
            out.write(json.dumps({"phrase": phrase, "error": error.user_message}) + "\n")
            continue
        record = {
            "phrase": phrase,
            "start": _unix(window.start),
            "end": _unix(window.end),
            "description": window.description,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return code


def show(
    phrase: str,
    now: datetime,
    zone: tzinfo,
    *,
    as_json: bool,
    out: TextIO,
    order: DateOrder = DateOrder.MDY,
) -> int:
    try:
        window = parse_phrase(phrase, now, zone, order)
    except ParseError as error:
        if as_json:
            out.write(json.dumps({"phrase": phrase, "error": error.user_message}) + "\n")
        else:
            print(f"recbot parse: {error.user_message}", file=sys.stderr)
        return EXIT_REJECTED
    plan = plan_windows(window, now)
    if as_json:
        record = {
            "phrase": phrase,
            "now": now.isoformat(),
            "zone": zone_name(zone, now),
            "start": _unix(window.start),
            "end": _unix(window.end),
            "start_local": _iso(window.start),
            "end_local": _iso(window.end),
            "grain": str(window.grain),
            "description": window.description,
            "api_windows": [{"start": w.start, "end": w.end} for w in plan.api_windows],
            "notes": list(plan.notes),
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return EXIT_OK
    out.write(_text(window, plan_lines(plan), now, zone))
    return EXIT_OK


def plan_lines(plan: Plan) -> list[str]:
    lines = [
        f"  {w.start}..{w.end}  ({datetime.fromtimestamp(w.start, UTC):%Y-%m-%d %H:%M} → "
        f"{datetime.fromtimestamp(w.end, UTC):%Y-%m-%d %H:%M} UTC)"
        for w in plan.api_windows
    ]
    lines += [f"  note: {note}" for note in plan.notes]
    return lines


def _text(window: Window, plan: list[str], now: datetime, zone: tzinfo) -> str:
    def end(moment: datetime | None) -> str:
        return "open" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S %z} ({to_unix(moment)})"

    return "\n".join(
        [
            f"phrase:      {window.phrase}",
            f"understood:  {window.description}",
            f"start:       {end(window.start)}",
            f"end:         {end(window.end)}",
            f"grain:       {window.grain}",
            f"now, zone:   {now.astimezone(zone):%Y-%m-%d %H:%M:%S %z}, {zone_name(zone, now)}",
            "API windows (DescribeRecordTask StartTime..EndTime, widened 24 h each side):",
            *plan,
            "",
        ]
    )


def run(args: argparse.Namespace) -> int:
    try:
        now, zone, order = _choose(args)
    except ParseError as error:
        if args.json:
            print(json.dumps({"error": error.user_message}, ensure_ascii=False))
        else:
            print(f"recbot parse: {error.user_message}", file=sys.stderr)
        return EXIT_REJECTED
    if args.phrase is None:
        return batch(sys.stdin, sys.stdout, now, zone, order)
    return show(args.phrase, now, zone, as_json=args.json, out=sys.stdout, order=order)
