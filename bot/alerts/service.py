"""Wiring for `recbot serve` with RECBOT_CSS_CALLBACK_KEY: the evidence store, the callback
route, the alert loop and the `alert …` commands, built from the settings and started."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.alerts.commands import SlackAlerts
from bot.alerts.dispatcher import AlertDispatcher, AlertPoster
from bot.alerts.store import AlertStore
from bot.evidence.receiver import CALLBACKS_PATH, CallbackReceiver
from bot.evidence.service import callback_key, open_evidence_store
from bot.evidence.store import EvidenceStore

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.filters import Filters
    from bot.slack.wsgi import WsgiRoute


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class EvidenceParts:
    store: EvidenceStore
    receiver: CallbackReceiver
    dispatcher: AlertDispatcher
    alerts: SlackAlerts

    @property
    def routes(self) -> Mapping[str, WsgiRoute]:
        return {CALLBACKS_PATH: self.receiver.wsgi}

    def stop(self) -> None:
        self.dispatcher.stop()
        self.store.engine.dispose()


def build_evidence(
    settings: Settings,
    *,
    poster: AlertPoster,
    team_id: str,
    replica: str,
    scope_for: Callable[[str | None], Filters | None],
    clock: Callable[[], datetime] = _now,
) -> EvidenceParts | None:
    """None when callbacks are off (no RECBOT_CSS_CALLBACK_KEY): /css/callbacks is then 404."""
    key = callback_key(settings)
    if key is None:
        return None
    store = open_evidence_store(settings)
    dispatcher = AlertDispatcher(
        store,
        AlertStore(store.engine),
        poster,
        replica=replica,
        clock=clock,
        scope_for=scope_for,
        lease=timedelta(seconds=settings.recbot_alert_lease_s),
    )
    receiver = CallbackReceiver(store, key, clock, on_stored=dispatcher.nudge)
    alerts = SlackAlerts(AlertStore(store.engine), team_id, scope_for, clock)
    return EvidenceParts(store, receiver, dispatcher.start(), alerts)
