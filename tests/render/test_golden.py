"""Golden Block Kit files for representative answers; every message is checked against limits.

Regenerate after an intended change with `.venv/bin/python -m tests.render.test_golden` and
review the diff of tests/render/golden/ like code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.render import SlackMessage, check_message, render_answer
from tests.support.scenarios import SCENARIOS

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


@pytest.mark.parametrize("name", sorted(messages()))
def test_no_api_text_becomes_markup(name: str) -> None:
    """Every `<` Slack sees is one of our date tokens: no name or TaskId (the hostile_ids
    scenario ends ids in `<!here>` and `<@U123>`) can become a mention or a link."""
    msg = messages()[name]
    for text in [msg.text, json.dumps(msg.blocks, ensure_ascii=False)]:
        assert re.findall(r"<(?!!date\^)", text) == []


def regenerate() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, msg in messages().items():
        text = json.dumps(as_json(msg), indent=1, ensure_ascii=False) + "\n"
        (GOLDEN / f"{name}.json").write_text(text, encoding="utf-8")
        print(f"wrote {name}.json ({len(msg.blocks)} blocks)")


if __name__ == "__main__":
    regenerate()
