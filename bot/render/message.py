"""SlackMessage: what every renderer returns and every surface posts (text fallback + blocks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SlackMessage:
    """`text` is the notification / screen-reader fallback; `blocks` the Block Kit payload."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
