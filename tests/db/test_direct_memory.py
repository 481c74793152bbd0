"""`recbot ask`'s sqlite3 path to team memory and the index (`bot.db.direct_memory`,
`bot.db.sqlite_file`) against the SQLAlchemy stores on the same SQLite file: the same names and
saved questions read, audit rows that read back (and are stored) as the SQLAlchemy store's own,
and no file made or opened that the SQLAlchemy path would have made or migrated itself."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot.db.audit_store import AuditFilter
from bot.db.direct_memory import DirectMemory, open_direct_memory
from bot.db.sqlite_file import has_rows, sqlite_file
from bot.db.team_memory import MemoryStores, open_memory
from bot.filters import Filters
from bot.memory.audit_record import AuditEvent
from bot.memory.names import NamedFilters, SavedQuestion

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/recbot.sqlite3"


@pytest.fixture
def stores(url: str) -> Iterator[MemoryStores]:
    opened = open_memory(url)  # made and migrated by SQLAlchemy, as the first `recbot ask` does
    yield opened
    opened.close()


@pytest.fixture
def direct(stores: MemoryStores, url: str) -> Iterator[DirectMemory]:
    opened = open_direct_memory(url)
    assert opened is not None
    yield opened
    opened.close()


def _name(
    name: str, owner: str, streams: tuple[str, ...], everywhere: bool = False
) -> NamedFilters:
    filters = Filters(streams, ("live",), ("a.push.example",))
    return NamedFilters(name, filters, owner, everywhere, "U1")


def test_names_and_saved_questions_read_as_the_sqlalchemy_store_reads_them(
    stores: MemoryStores, direct: DirectMemory
) -> None:
    stores.names.save_name(_name("studio-a", "CMAIN", ("cam1", "cam2")), NOW)
    stores.names.save_name(_name("studio-a", "COTHER", ("cam9",), everywhere=True), NOW)
    stores.names.save_name(_name("lobby", "COTHER", ("cam7",), everywhere=True), NOW)
    stores.names.save_name(_name("private", "COTHER", ("cam8",)), NOW)
    stores.names.save_name(_name("mine", "user:U1", ("cam5",)), NOW)
    stores.names.save_question(SavedQuestion("night", "studio-a last night", "CMAIN", "U1"), NOW)
    stores.names.save_question(SavedQuestion("am", "lobby this morning", "CMAIN", "U2"), NOW)
    stores.names.save_question(SavedQuestion("elsewhere", "cam1 today", "COTHER", "U1"), NOW)

    for owner in ("CMAIN", "COTHER", "user:U1", "CNONE"):
        assert direct.visible_names(owner) == stores.names.visible_names(owner)
        assert direct.saved_questions(owner) == stores.names.saved_questions(owner)
    # The channel's own name wins over the one made for every channel.
    assert direct.visible_names("CMAIN")["studio-a"].filters.streams == ("cam1", "cam2")
    assert set(direct.visible_names("CMAIN")) == {"studio-a", "lobby"}
    assert list(direct.saved_questions("CMAIN")) == ["am", "night"]


def test_an_audit_record_appended_directly_reads_back_and_is_stored_as_sqlalchemy_stores_it(
    stores: MemoryStores, direct: DirectMemory, url: str
) -> None:
    tokyo = timezone(timedelta(hours=9))
    event = AuditEvent(
        at=datetime(2026, 7, 27, 19, 0, 5, 123456, tzinfo=tokyo),
        surface="cli",
        team_id="",
        channel_id="CMAIN",
        user_id="cli",
        text="studio-a yesterday",
        understood="answer streams=cam1 status=all phrase=yesterday",
        outcome="api_error",
        reason="Tencent Cloud said no",
        api_request_id="req-1",
        api_calls=3,
        duration_ms=412.5,
        request_id="abc",
    )
    direct.append([event])
    stores.audit.append([event])
    read = stores.audit.read(AuditFilter())
    assert read == [event, event]
    assert read[0].at == datetime(2026, 7, 27, 10, 0, 5, 123456, tzinfo=UTC)
    path = sqlite_file(url)
    assert path is not None
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT * FROM audit_events ORDER BY id").fetchall()
    assert [row[1:] for row in rows[:1]] == [row[1:] for row in rows[1:]]  # all but the id
    assert rows[0][1] == "2026-07-27 10:00:05.123456"

    with pytest.raises(ValueError, match="naive"):
        direct.append([AuditEvent(datetime(2026, 7, 27), "cli", "", "", "cli", "x", "", "error")])
    assert stores.audit.count() == 2  # nothing of a refused batch is written


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///recbot.sqlite3",
        "sqlite:///./data/recbot.sqlite3",
        "sqlite:////var/lib/recbot/recbot.sqlite3",
        "sqlite:///with space/recbot.sqlite3",
    ],
)
def test_a_plain_sqlite_url_names_the_file_sqlalchemy_opens(url: str) -> None:
    assert sqlite_file(url) == Path(str(make_url(url).database))


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///recbot.sqlite3?mode=ro",
        "sqlite:///with%20escape.sqlite3",
        "sqlite+pysqlite:///recbot.sqlite3",
        "postgresql://recbot@127.0.0.1:5432/recbot",
        "postgresql+psycopg://recbot:secret@db/recbot",
    ],
)
def test_any_other_url_is_left_to_sqlalchemy(url: str) -> None:
    assert sqlite_file(url) is None
    assert open_direct_memory(url) is None
    assert has_rows(url, "index_ranges") is None


def test_a_missing_file_or_one_without_the_tables_is_left_to_sqlalchemy_to_make(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "new" / "recbot.sqlite3"
    assert open_direct_memory(f"sqlite:///{missing}") is None
    assert has_rows(f"sqlite:///{missing}", "index_ranges") is False
    assert not missing.parent.exists()  # nothing made on the way

    bare = tmp_path / "bare.sqlite3"
    sqlite3.connect(bare).close()  # an empty database: SQLAlchemy migrates it
    assert open_direct_memory(f"sqlite:///{bare}") is None
    assert has_rows(f"sqlite:///{bare}", "index_ranges") is False

    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all, not even close" * 10)
    assert open_direct_memory(f"sqlite:///{garbage}") is None
    assert has_rows(f"sqlite:///{garbage}", "index_ranges") is None


def test_the_index_check_sees_rows_only_where_a_sync_wrote_them(
    stores: MemoryStores, url: str
) -> None:
    assert has_rows(url, "index_ranges") is False  # migrated, never synced
    path = sqlite_file(url)
    assert path is not None
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO index_ranges (account, start_at, end_at, synced_at) "
            "VALUES ('a', '2026-07-27 00:00:00.000000', '2026-07-28 00:00:00.000000', "
            "'2026-07-27 10:00:00.000000')"
        )
    assert has_rows(url, "index_ranges") is True
    with pytest.raises(ValueError, match="table name"):
        has_rows(url, 'index_ranges"; DROP TABLE x; --')
