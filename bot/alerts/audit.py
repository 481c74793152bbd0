"""Alerts in the audit trail: each alert a replica posts is one record (surface `alert`), made
by the replica that posted it, so an alert is recorded once however many replicas run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.alerts.dispatcher import Alertable, AlertDispatcher
from bot.alerts.store import AlertSubscription
from bot.alerts.task_check import TaskAlert
from bot.memory.audit_record import AuditEvent, Surface, clean_for_audit
from bot.obs.log import current_request_id


def audit_alerts(
    dispatcher: AlertDispatcher,
    submit: Callable[[AuditEvent], object],
    *,
    team_id: str,
    mask: Callable[[str], str],
    clock: Callable[[], datetime],
) -> None:
    """From now on, every alert `dispatcher` posts is handed to `submit` as one record."""

    def posted(sub: AlertSubscription, item: Alertable) -> None:
        if isinstance(item, TaskAlert):
            parts, what, task_id = (
                (item.task.domain, item.task.app, item.task.stream),
                item.kind.value,
                item.task.task_id,
            )
        else:
            parts, what, task_id = (
                (item.domain, item.app, item.stream),
                item.event.value,
                item.task_id,
            )
        stream = "/".join(part for part in parts if part)
        submit(
            AuditEvent(
                at=clock(),
                surface=Surface.ALERT,
                team_id=sub.team_id or team_id,
                channel_id=sub.channel_id,
                user_id=sub.creator_id,
                text=mask(clean_for_audit(f"alert #{sub.id} {sub.request_text}".strip())),
                understood=clean_for_audit(
                    f"alert {sub.level.value} {what} {stream} {task_id}".strip()
                ),
                outcome="answered",
                reason="posted",
                request_id=current_request_id(),
            )
        )

    dispatcher.on_posted = posted
