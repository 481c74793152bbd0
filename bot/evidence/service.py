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


def callbacks_report(settings: Settings, now: datetime) -> tuple[bool, str]:
    """For `recbot doctor`: (on, what to say): off, or on with the last callback and its age."""
    from bot.render.format import duration

    if callback_key(settings) is None:
        return False, "off (RECBOT_CSS_CALLBACK_KEY is not set): answers come from the schedule"
    engine = open_engine(settings.recbot_database_url)
    try:
        last = EvidenceStore(engine).last_received()
    finally:
        engine.dispose()
    if last is None:
        return True, "on at POST /css/callbacks; no callback received yet"
    return True, (
        f"on at POST /css/callbacks; last callback received {last:%Y-%m-%d %H:%M:%S} UTC, "
        f"{duration(now - last)} ago"
    )
