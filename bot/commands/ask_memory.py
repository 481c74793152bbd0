"""Team memory for `recbot ask`: the names and saved questions of a place (`--channel`, or the
`--user`'s own), its scope from the access policy, and one audit record per question.

The database is optional here: when it cannot be opened, the question is answered without
names and a one-line notice says why (the terminal must keep working on a read-only box).

A question (not a memory command) on a SQLite file that has team memory's tables reads and
records through sqlite3 alone (`bot.db.direct_memory`), so a fresh process does not load
SQLAlchemy; anything else opens the SQLAlchemy stores, which make or migrate the database.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from bot.errors import ParseError, RecbotError
from bot.filters import Filters
from bot.memory.audit_record import AuditEvent, Surface, clean_for_audit
from bot.memory.commands import Verb
from bot.memory.desk import Place, Rewritten, TeamMemory, rewrite
from bot.memory.trail import Trail
from bot.timephrase import DateOrder

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.db.direct_memory import DirectMemory
    from bot.db.team_memory import MemoryStores

CLI_USER = "cli"
PREFIX = "recbot ask: "
_OPENED: ContextVar[CliMemory | None] = ContextVar("recbot_cli_memory", default=None)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--channel",
        metavar="C",
        help="ask as in this Slack channel: its names, saved questions and scope",
    )
    parser.add_argument(
        "--user",
        metavar="U",
        default=None,
        help="ask as this Slack user (their DM names; recorded in the audit trail as them)",
    )


@dataclass
class CliMemory:
    place: Place
    scope: Filters | None
    admins: frozenset[str]
    stores: MemoryStores | None = None  # SQLAlchemy: memory commands, a database to make
    direct: DirectMemory | None = None  # sqlite3: a question's reads and record, or None
    mask: object = None
    started: float = field(default_factory=time.monotonic)
    typed: str = ""
    date_order: DateOrder = DateOrder.MDY  # RECBOT_DATE_ORDER

    @property
    def memory(self) -> TeamMemory | None:
        if self.stores is None:
            return None
        return TeamMemory(self.stores.names, self.admins, self.date_order)

    def command(self, text: str, now: datetime, zone: tzinfo) -> str | None:
        """The reply to a memory command (`name …`, `save …`, `saved`), None for a question.
        `audit` is `recbot audit`'s job. Raises RecbotError to refuse."""
        command = TeamMemory.command_in(text)
        if command is None:
            return None
        if command.verb is Verb.AUDIT:
            raise RecbotError("In the terminal the audit trail is read with 'recbot audit'")
        memory = self.memory
        if memory is None:
            raise RecbotError("Names and saved questions need the database (RECBOT_DATABASE_URL)")
        from bot.render.memory import memory_text  # only a memory command's reply needs it

        return memory_text(memory.handle(command, self.place, now, zone, self.scope))

    def rewrite(self, text: str) -> Rewritten:
        reader = self.direct or (self.stores.names if self.stores is not None else None)
        return Rewritten(text) if reader is None else rewrite(reader, text, self.place)

    def record(self, noted: Trail, code: int) -> None:
        audit = self.direct or (self.stores.audit if self.stores is not None else None)
        if audit is None:
            return
        from collections.abc import Callable

        from bot.obs.log import current_request_id

        mask: Callable[[str], str] = self.mask if callable(self.mask) else (lambda t: t)
        outcome = noted.outcome or ("answered" if code == 0 else "error")
        event = AuditEvent(
            at=datetime.now(UTC),
            surface=Surface.CLI,
            team_id="",
            channel_id=self.place.channel_id or "",
            user_id=self.place.user_id,
            text=mask(clean_for_audit(self.typed)),
            understood=mask(noted.understood),
            outcome=outcome,
            reason=mask(noted.reason)[:300],
            api_request_id=noted.api_request_id,
            api_calls=noted.api_calls,
            duration_ms=(time.monotonic() - self.started) * 1000,
            request_id=current_request_id(),
        )
        try:
            audit.append([event])
        except Exception as error:
            print(
                f"{PREFIX}the question was not recorded ({type(error).__name__})", file=sys.stderr
            )
        finally:
            self.close()

    def close(self) -> None:
        if self.direct is not None:
            self.direct.close()
        if self.stores is not None:
            self.stores.close()


def _is_command(typed: str) -> bool:
    """Whether the text is a memory command (garbled ones too: they are refused later)."""
    try:
        return TeamMemory.command_in(typed) is not None
    except ParseError:
        return True


def open_cli_memory(settings: Settings, args: argparse.Namespace, typed: str) -> CliMemory:
    """The place's memory; the scope of `--channel` from RECBOT_ACCESS_FILE."""
    from bot.access import load_policy
    from bot.obs.log import masker

    channel: str | None = getattr(args, "channel", None)
    user: str = getattr(args, "user", None) or CLI_USER
    scope = load_policy(settings.recbot_access_file).scope_for(channel) if channel else None
    opened = CliMemory(
        Place(user, channel),
        scope,
        settings.admins,
        typed=typed,
        date_order=DateOrder(settings.recbot_date_order),
    )
    opened.mask = masker(settings)
    from bot.wiring import direct_team_memory, team_memory_stores

    if not _is_command(typed):
        opened.direct = direct_team_memory(settings)
    if opened.direct is None:
        try:
            opened.stores = team_memory_stores(settings)
        except Exception as error:
            print(
                f"{PREFIX}names, saved questions and the audit trail are off: the database "
                f"could not be opened ({type(error).__name__})",
                file=sys.stderr,
            )
    _OPENED.set(opened)
    return opened


def finish(noted: Trail, code: int) -> None:
    """Record the question asked through `open_cli_memory` (if one was), once: a later
    question in the same process that stops before opening its memory records nothing."""
    opened = _OPENED.get()
    _OPENED.set(None)
    if opened is not None:
        opened.record(noted, code)
