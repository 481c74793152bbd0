"""The audit writer: records reach the store in batches, a failing store is retried and
counted, a full queue drops (counted) instead of blocking, old records are pruned, and the
recorder masks secrets a person pasted."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.db.audit_store import AuditFilter, AuditStore
from bot.db.team_memory import MemoryStores
from bot.memory.audit_record import AuditEvent, clean_for_audit
from bot.memory.audit_writer import AuditWriter
from bot.obs.log import masker
from bot.obs.metrics import AUDIT_WRITES

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)


def event(text: str, at: datetime = NOW, user: str = "UALICE") -> AuditEvent:
    return AuditEvent(at, "slash", "T1", "CMAIN", user, text, "answer", "answered")


def counted(result: str) -> float:
    return AUDIT_WRITES.labels(result=result)._value.get()


class FlakyStore:
    """An audit store that fails its first `failures` appends (a database restarting)."""

    def __init__(self, inner: AuditStore, failures: int) -> None:
        self.inner = inner
        self.failures = failures

    def append(self, events: Sequence[AuditEvent]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("database restarting")
        self.inner.append(events)

    def prune(self, before: datetime) -> int:
        return self.inner.prune(before)


class BlockedStore:
    """An audit store whose writes hang until released (a stuck database)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def append(self, events: Sequence[AuditEvent]) -> None:
        self.release.wait(10)

    def prune(self, before: datetime) -> int:
        return 0


def test_records_are_written_once_each(stores: MemoryStores) -> None:
    writer = AuditWriter(stores.audit, lambda: NOW).start()
    written = counted("written")
    for i in range(250):
        assert writer.submit(event(f"q{i}"))
    assert writer.flush(10)
    writer.stop()
    texts = [e.text for e in stores.audit.read(AuditFilter(limit=1000))]
    assert sorted(texts) == sorted(f"q{i}" for i in range(250))
    assert counted("written") - written == 250


def test_a_failing_store_is_retried_and_nothing_is_lost(stores: MemoryStores) -> None:
    flaky = FlakyStore(stores.audit, failures=2)
    writer = AuditWriter(flaky, lambda: NOW, backoff_s=0.01).start()  # type: ignore[arg-type]
    retried = counted("retried")
    writer.submit(event("survives"))
    assert writer.flush(10)
    writer.stop()
    assert [e.text for e in stores.audit.read(AuditFilter())] == ["survives"]
    assert counted("retried") - retried == 2


def test_a_full_queue_drops_and_counts_instead_of_blocking() -> None:
    blocked = BlockedStore()
    writer = AuditWriter(blocked, lambda: NOW, capacity=2).start()  # type: ignore[arg-type]
    dropped = counted("dropped")
    results = [writer.submit(event(f"q{i}")) for i in range(10)]
    blocked.release.set()
    writer.stop()
    assert results.count(False) >= 7  # at most 2 queued + 1 being written
    assert counted("dropped") - dropped == results.count(False)


def test_records_older_than_the_kept_days_are_pruned(stores: MemoryStores) -> None:
    stores.audit.append([event("old", NOW - timedelta(days=91)), event("new", NOW)])
    writer = AuditWriter(stores.audit, lambda: NOW, keep=timedelta(days=90)).start()
    writer.submit(event("newest"))
    assert writer.flush(10)
    writer.stop()
    assert sorted(e.text for e in stores.audit.read(AuditFilter())) == ["new", "newest"]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("cam1\x00 yesterday\x1b[31m", "cam1 yesterday[31m"), ("x" * 600, "x" * 500)],
)
def test_text_is_kept_without_control_characters_and_at_most_500(typed: str, kept: str) -> None:
    assert clean_for_audit(typed) == kept


def test_a_pasted_secret_is_masked() -> None:
    secret = "AKIDpasted0123456789secret"
    mask = masker(Settings(tencentcloud_secret_id=secret, tencentcloud_secret_key="k" * 32))
    assert secret not in mask(f"cam1 {secret} yesterday")
