"""The one validator of Slack's limits catches each limit, and every renderer stays inside it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import ApiError, ParseError, RecbotError
from bot.render import (
    SlackMessage,
    check_message,
    render_answer,
    render_error,
    render_help,
    render_stats,
    render_timeline_message,
)
from bot.render.blocks import PAGE_SIZE
from tests.support.factory import NOW, make_answer, spread, task
from tests.support.scenarios import SCENARIOS


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str = "Go", value: str = "v", action_id: str = "a") -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }


@pytest.mark.parametrize(
    ("blocks", "problem"),
    [
        ([section("x")] * 51, "51 blocks"),
        ([section("x" * 3001)], "section text longer than 3000"),
        ([section("")], "empty section text"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}], "10 fields"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}], "field"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "header"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}], "context"),
        (
            [{"type": "actions", "elements": [button(action_id=str(i)) for i in range(26)]}],
            "actions need",
        ),
        ([{"type": "actions", "elements": [button("b" * 76)]}], "button text"),
        ([{"type": "actions", "elements": [button(value="v" * 2001)]}], "button value"),
        ([{"type": "actions", "elements": [button(action_id="a" * 256)]}], "action_id"),
        ([{"type": "actions", "elements": [button(), button()]}], "repeated action_id"),
        ([{**section("x"), "block_id": "b" * 256}], "block_id longer"),
        (
            [{**section("x"), "block_id": "b"}, {**section("y"), "block_id": "b"}],
            "repeated block_id",
        ),
        ([section("x" * 2900)] * 5, "characters of block text"),
        ([{"type": "table"}], "unknown block type"),
    ],
)
def test_validator_catches_each_limit(blocks: list[dict[str, Any]], problem: str) -> None:
    problems = check_message(SlackMessage("fallback", blocks))
    assert any(problem in p for p in problems), problems


def test_validator_wants_a_short_text_fallback() -> None:
    assert check_message(SlackMessage("", [section("x")])) == ["text fallback is empty"]
    assert check_message(SlackMessage("t" * 4001, [section("x")]))
    assert check_message(SlackMessage("ok", [section("x")])) == []


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_other_message_is_within_limits(name: str) -> None:
    answer = SCENARIOS[name]()
    for msg in (
        render_stats(answer),
        render_timeline_message(answer),
        render_answer(answer, page=10**6, share=True),
    ):
        assert check_message(msg) == []


@pytest.mark.parametrize(
    "error",
    [
        ParseError("I couldn't read 'next blursday' as a time", ("yesterday", "last 3 days")),
        ApiError("AuthFailure.SecretIdNotFound", "The SecretId is not known", "req-1"),
        RecbotError("x" * 5000),
        RecbotError("<!channel> & <@U1>"),
    ],
)
def test_error_messages_are_within_limits_and_escaped(error: RecbotError) -> None:
    msg = render_error(error)
    assert check_message(msg) == []
    assert "<!channel>" not in str(msg.blocks)
    assert "<@U1>" not in msg.text


def test_help_is_within_limits() -> None:
    assert check_message(render_help()) == []


def test_ten_thousand_tasks_show_one_page_and_count_all() -> None:
    answer = make_answer(spread(10_000, streams=300))
    msg = render_answer(answer)
    assert check_message(msg) == []
    assert f"*{len(answer.result.tasks)} tasks*" in str(msg.blocks)
    lines = sum(str(b).count(":white_check_mark: <!date") for b in msg.blocks)
    assert 0 < lines <= PAGE_SIZE


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-40 * 60, 40 * 60),  # start, minutes from now
            st.integers(1, 24 * 60),  # length, minutes
            st.sampled_from(["a", "b", "<!channel>", "x" * 200, "a&b", "cam_1"]),
            st.one_of(st.none(), st.integers(-48 * 60, 48 * 60)),
        ),
        max_size=120,
    ),
    st.integers(0, 10),
)
def test_any_answer_renders_within_limits(
    specs: list[tuple[int, int, str, int | None]], page: int
) -> None:
    tasks = [
        task(
            f"id{i}-{'z' * 50}",
            NOW + timedelta(minutes=start),
            length / 60,
            stream=name,
            stopped=None if stop is None else NOW + timedelta(minutes=stop),
        )
        for i, (start, length, name, stop) in enumerate(specs)
    ]
    answer = make_answer(tasks)
    msg = render_answer(answer, page)
    assert check_message(msg) == []
    assert "<!channel>" not in str(msg.blocks)
    assert sum(n for _, n in answer.counts) == len(answer.result.tasks)


def test_worst_case_page_stays_under_the_total_text_limit() -> None:
    """Every task on its own stream, 128-character names everywhere, stop notes, tasks that
    cross midnight (dates on both ends), the findings section full."""
    long = "n" * 120
    tasks = [
        task(
            f"{i:03d}" + "t" * 53,
            NOW - timedelta(hours=30 - i * 0.5),
            20,
            stream=f"{long}{i:03d}"[-128:],
            app="a" * 128,
            domain=("d" * 60 + ".") * 2 + "example",
            stopped=NOW - timedelta(hours=29 - i * 0.5),
        )
        for i in range(40)
    ]
    answer = make_answer(tasks)
    assert len(answer.findings) >= 8
    msg = render_answer(answer, share=True)
    assert check_message(msg) == []
    assert "…" in str(msg.blocks)  # long names are shortened in the list
