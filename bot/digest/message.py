"""The metadata that marks a posted digest: which subscription and slot it is.

The message itself is laid out by `bot.render.digest_message.render_digest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

METADATA_EVENT = "recbot_digest"


@dataclass(frozen=True)
class DigestMark:
    """Which subscription and slot a posted message is; read back from Slack after a crash."""

    subscription_id: int
    slot: int  # Unix seconds: metadata is JSON

    def metadata(self) -> dict[str, Any]:
        return {
            "event_type": METADATA_EVENT,
            "event_payload": {"subscription_id": self.subscription_id, "slot": self.slot},
        }

    @classmethod
    def of(cls, message: dict[str, Any]) -> DigestMark | None:
        meta = message.get("metadata")
        if not isinstance(meta, dict) or meta.get("event_type") != METADATA_EVENT:
            return None
        payload = meta.get("event_payload")
        if not isinstance(payload, dict):
            return None
        try:
            return cls(int(payload["subscription_id"]), int(payload["slot"]))
        except (KeyError, TypeError, ValueError):
            return None


def slot_unix(slot: datetime) -> int:
    return int(slot.timestamp())
