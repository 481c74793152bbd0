"""Evidence settings read in one place: whether callbacks are on (the key), and what
`recbot doctor` says about them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Engine

    from bot.config import Settings


def callback_key(settings: Settings) -> str | None:
    key = settings.recbot_css_callback_key
    return key.get_secret_value() if key is not None else None


def callbacks_report(settings: Settings, engine: Engine | None, now: datetime) -> tuple[bool, str]:
    """For `recbot doctor`: (on, what to say): off, or on with the last callback and its age."""
    if callback_key(settings) is None or engine is None:
        return False, "off (RECBOT_CSS_CALLBACK_KEY is not set): answers come from the schedule"
    # Loaded here, not for callback_key: `recbot ask` asks that and does not need the store.
    from bot.evidence.store import EvidenceStore
    from bot.render.format import duration

    last = EvidenceStore(engine).last_received()
    if last is None:
        return True, "on at POST /css/callbacks; no callback received yet"
    return True, (
        f"on at POST /css/callbacks; last callback received {last:%Y-%m-%d %H:%M:%S} UTC, "
        f"{duration(now - last)} ago"
    )
