"""`recbot parse`: show how a time phrase is understood, or read phrases from stdin as JSON lines.

Shell only: reads the clock and the environment here, once, and passes them to the core.
Imports nothing heavy (no Slack, Tencent or pydantic), so a fresh `recbot parse` starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import TextIO

from bot.errors import ParseError
from bot.plan import Plan, plan_windows
from bot.tasks import to_unix
from bot.timephrase import parse_phrase
from bot.timephrase.window import Window
from bot.timephrase.zones import iana_zone, offset_label

EXIT_OK = 0
EXIT_REJECTED = 2


class UsageError(Exception):
    """A bad --now or --tz; the message is what the user reads."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "phrase", nargs="?", metavar="PHRASE",
        help="the time phrase; without it, one phrase per line is read from stdin and one "
        "JSON object per line is written",
    )
    parser.add_argument(
        "--now", metavar="ISO8601",
        help="reference time, e.g. 2013-02-12T04:30:00+09:00 (default: the real clock)",
    )
    parser.add_argument(
        "--tz", metavar="ZONE",
        help="IANA zone or UTC offset (default: the offset of --now if it has one, else "
        "RECBOT_DEFAULT_TZ, else UTC)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def read_zone(text: str) -> tzinfo:
    """An IANA name ("Asia/Tokyo") or an offset ("UTC", "+05:45", "UTC-3")."""
    name = text.strip()
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    zone = iana_zone(name) if name else None
    if zone is not None:
        return zone
    offset = name.upper().removeprefix("UTC").removeprefix("GMT")
    if offset[:1] in ("+", "-"):
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        if digits.isdigit() and len(digits) in (1, 2, 3, 4):
            hours, minutes = (int(digits), 0) if len(digits) <= 2 else (
                int(digits[:-2]), int(digits[-2:]))
            if hours <= 14 and minutes < 60:
                delta = sign * timedelta(hours=hours, minutes=minutes)
                return timezone(delta) if delta else UTC
    raise UsageError(f"unknown time zone {text!r}; use an IANA name like Asia/Tokyo or an "
                     "offset like +05:45")


def read_now(text: str | None, zone: tzinfo | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--now {text!r} is not an ISO 8601 time; e.g. 2013-02-12T04:30:00+09:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UTC)
    return moment


def choose_zone(args: argparse.Namespace) -> tuple[datetime, tzinfo]:
    """--tz wins; else the offset --now carries; else RECBOT_DEFAULT_TZ; else UTC."""
    if args.tz is not None:
        zone = read_zone(args.tz)
        return read_now(args.now, zone), zone
    default = os.environ.get("RECBOT_DEFAULT_TZ")
    fallback = read_zone(default) if default else UTC
    now = read_now(args.now, fallback)
    if args.now is not None and datetime.fromisoformat(args.now.strip()).tzinfo is not None:
        offset = now.utcoffset() or timedelta(0)
        return now, timezone(offset) if offset else UTC
    return now, fallback


def _unix(moment: datetime | None) -> int | None:
    return None if moment is None else to_unix(moment)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def batch(lines: TextIO, out: TextIO, now: datetime, zone: tzinfo) -> int:
    """One JSON object per input line; nothing is clipped here."""
    code = EXIT_OK
    for line in lines:
        phrase = line.rstrip("\r\n")
        if not phrase.strip():
            continue
        try:
            window = parse_phrase(phrase, now, zone)
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


def _zone_name(zone: tzinfo, now: datetime) -> str:
    key = getattr(zone, "key", None)
    return str(key) if key else offset_label(now.astimezone(zone).utcoffset() or timedelta(0))


def show(phrase: str, now: datetime, zone: tzinfo, *, as_json: bool, out: TextIO) -> int:
    try:
        window = parse_phrase(phrase, now, zone)
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
            "zone": _zone_name(zone, now),
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
    lines = [f"  {w.start}..{w.end}  ({datetime.fromtimestamp(w.start, UTC):%Y-%m-%d %H:%M} → "
             f"{datetime.fromtimestamp(w.end, UTC):%Y-%m-%d %H:%M} UTC)"
             for w in plan.api_windows]
    lines += [f"  note: {note}" for note in plan.notes]
    return lines


def _text(window: Window, plan: list[str], now: datetime, zone: tzinfo) -> str:
    def end(moment: datetime | None) -> str:
        return "open" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S %z} ({to_unix(moment)})"

    return "\n".join([
        f"phrase:      {window.phrase}",
        f"understood:  {window.description}",
        f"start:       {end(window.start)}",
        f"end:         {end(window.end)}",
        f"grain:       {window.grain}",
        f"now, zone:   {now.astimezone(zone):%Y-%m-%d %H:%M:%S %z}, {_zone_name(zone, now)}",
        "API windows (DescribeRecordTask StartTime..EndTime, widened 24 h each side):",
        *plan,
        "",
    ])


def run(args: argparse.Namespace) -> int:
    try:
        now, zone = choose_zone(args)
    except UsageError as error:
        print(f"recbot parse: {error}", file=sys.stderr)
        return EXIT_REJECTED
    if args.phrase is None:
        return batch(sys.stdin, sys.stdout, now, zone)
    return show(args.phrase, now, zone, as_json=args.json, out=sys.stdout)
