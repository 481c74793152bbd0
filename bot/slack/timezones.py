"""The asker's time zone from users.info, cached; the default zone when Slack can't tell."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

# People rarely change zones; an hour keeps users.info (Tier 4) calls to a trickle.
TZ_TTL_S = 3600.0
FAILED_TTL_S = 60.0


class TimeZones:
    """`zone_of(user_id)`: the user's IANA zone, cached for TZ_TTL_S; thread-safe."""

    def __init__(
        self,
        client: WebClient,
        default: ZoneInfo,
        ttl_s: float = TZ_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._default = default
        self._ttl = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, ZoneInfo]] = {}
        self._lock = threading.Lock()

    def zone_of(self, user_id: str) -> ZoneInfo:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(user_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        zone, known = self._lookup(user_id)
        # A failed look-up is retried soon rather than pinning the default for an hour.
        ttl = self._ttl if known else min(self._ttl, FAILED_TTL_S)
        with self._lock:
            self._cache[user_id] = (now + ttl, zone)
        return zone

    def _lookup(self, user_id: str) -> tuple[ZoneInfo, bool]:
        try:
            response = self._client.users_info(user=user_id)
            name = (response.get("user") or {}).get("tz")
            if isinstance(name, str) and name:
                return ZoneInfo(name), True
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("users.info failed; using the default zone", extra={"error": str(exc)})
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("users.info gave an unknown zone; using the default zone")
        return self._default, False
