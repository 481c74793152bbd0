"""Members of Slack user groups (usergroups.users.list), cached, for the access allow-list."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

# Membership changes are rare and a stale answer only delays a change by this much.
MEMBERS_TTL_S = 300.0


class UserGroups:
    """`members_of(group_id)`: the group's user ids; an empty set when Slack can't say."""

    def __init__(
        self,
        client: WebClient,
        ttl_s: float = MEMBERS_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def members_of(self, group_id: str) -> frozenset[str]:
        now = self._clock()
        with self._lock:
            hit = self._cache.get(group_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            response = self._client.usergroups_users_list(usergroup=group_id)
            users = response.get("users") or []
            members = frozenset(str(u) for u in users)
        except (SlackApiError, SlackClientError, OSError) as exc:
            # Failing closed: nobody is let in through a group Slack could not confirm.
            log.warning("usergroups.users.list failed", extra={"error": str(exc)})
            return frozenset()
        with self._lock:
            self._cache[group_id] = (now + self._ttl, members)
        return members
