"""Digests in the audit trail: each digest a replica posts is one record (surface `digest`),
made by the replica that posted it, so a slot is recorded once however many replicas run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.digest.content import Digest
from bot.digest.scheduler import DigestScheduler
from bot.digest.store import Subscription
from bot.errors import ApiError, RecbotError
from bot.memory.audit_record import MAX_REASON, AuditEvent, Surface, clean_for_audit
from bot.obs.log import current_request_id


def audit_posts(
    scheduler: DigestScheduler,
    submit: Callable[[AuditEvent], object],
    *,
    team_id: str,
    mask: Callable[[str], str],
    clock: Callable[[], datetime],
) -> None:
    """From now on, every digest `scheduler` posts is handed to `submit` as one record."""

    def posted(sub: Subscription, content: Digest | RecbotError, outcome: str) -> None:
        failed = isinstance(content, RecbotError)
        error = content.user_message if isinstance(content, RecbotError) else ""
        request_id = content.request_id if isinstance(content, ApiError) else None
        filters = "" if isinstance(content, RecbotError) else _filters_line(content)
        submit(
            AuditEvent(
                at=clock(),
                surface=Surface.DIGEST,
                team_id=team_id,
                channel_id=sub.channel_id,
                user_id=sub.creator_id,
                text=mask(clean_for_audit(f"digest #{sub.id} {sub.request_text}".strip())),
                understood=f"digest {sub.schedule.kind.value} {filters}".strip(),
                outcome="error" if failed else "answered",
                reason=mask(error)[:MAX_REASON] if failed else outcome,
                api_request_id=request_id or "",
                api_calls=0 if isinstance(content, RecbotError) else content.stats.api_calls,
                request_id=current_request_id(),
            )
        )

    scheduler.on_posted = posted


def _filters_line(digest: Digest) -> str:
    f = digest.filters
    parts = [
        f"{k}={','.join(v)}"
        for k, v in (("streams", f.streams), ("apps", f.apps), ("domains", f.domains))
        if v
    ]
    return " ".join(parts)
