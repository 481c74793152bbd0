"""Slack event de-duplication across replicas: the first replica to SET NX an event id answers.

When Redis cannot be reached, this process's own memory decides (and always has a say), so
one replica never answers a retried event twice; see docs/replicas-hardening.md for what
several replicas do during an outage.
"""

from __future__ import annotations

import logging

import redis

from bot.obs.metrics import count_dedup_check
from bot.replicas.seen_events import InMemorySeenEvents, SeenEvents

log = logging.getLogger(__name__)


class RedisSeenEvents:
    """Implements `bot.replicas.seen_events.SeenEvents` with one atomic SET NX EX per event,
    backed by a process-local set that every event also passes through."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        ttl_s: float = 3600.0,
        local: SeenEvents | None = None,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._ttl_ms = max(1, round(ttl_s * 1000))
        self._local = local if local is not None else InMemorySeenEvents(ttl_s=ttl_s)

    def first_time(self, event_id: str) -> bool:
        # The local set first: an event this process took during an outage stays taken once
        # Redis is back (Redis never heard of it and would let it through again).
        new_here = self._local.first_time(event_id)
        try:
            new_everywhere = bool(
                self._client.set(self._prefix + event_id, b"1", nx=True, px=self._ttl_ms)
            )
        except redis.RedisError as exc:
            count_dedup_check(shared=False)
            log.warning(
                "shared event de-dup unavailable, using this process's memory",
                extra={"error": type(exc).__name__},
            )
            return new_here
        count_dedup_check(shared=True)
        return new_here and new_everywhere
