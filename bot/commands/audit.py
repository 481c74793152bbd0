"""`recbot audit`: who asked recbot what, where, and how it ended, from the audit trail.

    recbot audit --since "monday 9am" --user U0123 --channel C0456 [--json | --csv]

Exit codes: 0 read (even when nothing matched), 2 unreadable options or no database.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
from datetime import UTC, datetime, tzinfo
from typing import TextIO

from bot.errors import RecbotError
from bot.memory.audit_query import AuditQuery, Format
from bot.memory.audit_record import AuditEvent

EXIT_UNREADABLE = 2
PREFIX = "recbot audit: "
LIMIT = 10_000


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", metavar="PHRASE", help='a time phrase, e.g. "monday 9am"')
    parser.add_argument("--user", metavar="U", help="only this Slack user's questions")
    parser.add_argument("--channel", metavar="C", help="only questions asked in this channel")
    parser.add_argument("--tz", metavar="ZONE", help="zone for --since and the times shown")
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="one JSON object per line")
    shape.add_argument("--csv", action="store_true", help="CSV with a header row")


def _row(event: AuditEvent) -> dict[str, object]:
    row = dataclasses.asdict(event)
    row["at"] = event.at.isoformat()
    return row


def write(events: list[AuditEvent], fmt: Format, zone: tzinfo, out: TextIO) -> None:
    if fmt is Format.JSON:
        for event in events:
            out.write(json.dumps(_row(event), ensure_ascii=False) + "\n")
        return
    if fmt is Format.CSV:
        fields = [f.name for f in dataclasses.fields(AuditEvent)]
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for event in events:
            writer.writerow(_row(event))
        return
    from bot.render.memory import audit_line

    if not events:
        out.write("No questions recorded for that.\n")
    for event in events:
        out.write(audit_line(event, zone) + "\n")


def run(args: argparse.Namespace) -> int:
    from bot.commands.when import choose
    from bot.config import load_settings
    from bot.db.audit_store import AuditFilter
    from bot.timephrase import DateOrder, parse_phrase
    from bot.wiring import team_memory_stores

    fmt = Format.JSON if args.json else Format.CSV if args.csv else Format.TEXT
    query = AuditQuery(args.since, args.user, args.channel, fmt)
    try:
        settings = load_settings()
        now, zone = choose(None, args.tz, settings.recbot_default_tz, datetime.now(UTC))
        order = DateOrder(settings.recbot_date_order)
        since = parse_phrase(query.since, now, zone, order).start if query.since else None
        stores = team_memory_stores(settings)
    except RecbotError as error:
        print(f"{PREFIX}{error.user_message}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        events = stores.audit.read(AuditFilter(since, query.user, query.channel, limit=LIMIT))
    finally:
        stores.close()
    write(events, fmt, zone, sys.stdout)
    return 0
