"""Wiring for evidence: is it on, the store over the recbot database, and what `recbot ask`
reads (the store, or the embedded simulator's made-up callbacks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.db.database import migrate, open_engine
from bot.evidence.simulate import SimulatedEvidence
from bot.evidence.store import EvidenceStore

if TYPE_CHECKING:
    from datetime import datetime

    from bot.config import Settings
    from bot.evidence.state import EvidenceSource


def callback_key(settings: Settings) -> str | None:
    key = settings.recbot_css_callback_key
    return key.get_secret_value() if key is not None else None


def open_evidence_store(settings: Settings) -> EvidenceStore:
    """The evidence store over RECBOT_DATABASE_URL, migrated to the newest schema."""
    engine = open_engine(settings.recbot_database_url)
    migrate(engine)
    return EvidenceStore(engine)


def evidence_for_ask(
    settings: Settings, *, simulated: bool, now: datetime
) -> tuple[EvidenceSource | None, EvidenceStore | None]:
    """(what answers read, the store to dispose of). The embedded simulator's tasks tell their
    own callbacks; with Tencent Cloud the store is read when callbacks are on, else nothing."""
    if simulated and callback_key(settings) is None:
        return SimulatedEvidence(now), None
    if callback_key(settings) is None:
        return None, None
    store = open_evidence_store(settings)
    return store, store
