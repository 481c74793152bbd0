"""Golden Block Kit files for representative answers; every message is checked against limits.

Regenerate after an intended change with `.venv/bin/python -m tests.render.test_golden` and
review the diff of tests/render/golden/ like code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.render import SlackMessage, check_message, render_answer
from tests.render.scenarios import SCENARIOS

GOLDEN = Path(__file__).parent / "golden"


def as_json(msg: SlackMessage) -> dict[str, Any]:
    return {"text": msg.text, "blocks": msg.blocks}


def messages() -> dict[str, SlackMessage]:
    out = {name: render_answer(make()) for name, make in SCENARIOS.items()}
    out["five_hundred_page_3"] = render_answer(SCENARIOS["five_hundred"](), page=2, share=True)
    return out


@pytest.mark.parametrize("name", sorted(messages()))
def test_message_matches_golden_file(name: str) -> None:
    msg = messages()[name]
    assert check_message(msg) == []
    expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    assert as_json(msg) == expected


def regenerate() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, msg in messages().items():
        text = json.dumps(as_json(msg), indent=1, ensure_ascii=False) + "\n"
        (GOLDEN / f"{name}.json").write_text(text, encoding="utf-8")
        print(f"wrote {name}.json ({len(msg.blocks)} blocks)")


if __name__ == "__main__":
    regenerate()
