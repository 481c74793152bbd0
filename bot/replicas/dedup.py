"""Slack event de-duplication across replicas: the first replica to SET NX an event id answers."""

from __future__ import annotations

import logging

import redis

log = logging.getLogger(__name__)


class RedisSeenEvents:
    """Implements `bot.slack.dedup.SeenEvents` with one atomic SET NX EX per event."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_s: float = 3600.0) -> None:
        self._client = client
        self._prefix = prefix
        self._ttl_ms = max(1, round(ttl_s * 1000))

    def first_time(self, event_id: str) -> bool:
        try:
            return bool(self._client.set(self._prefix + event_id, b"1", nx=True, px=self._ttl_ms))
        except redis.RedisError as exc:
            # Answering twice beats never answering: an outage lets the event through.
            log.warning("shared event de-dup unavailable", extra={"error": type(exc).__name__})
            return True
