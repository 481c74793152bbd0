"""A pasted TaskId in `/recordings` and in a mention, through the real wire: signed HTTP into
`recbot serve`, the answer out to the Slack stand-in, tasks from the CSS simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.tasks import RecordTask
from tests.support.serving import FORM, JSON, ServedBot, event_body, slash_body
from tests.support.slack_api import SlackCall, SlackStandIn
from tests.support.world import A_DOMAIN, OTHER_DOMAIN, serving_world

pytestmark = pytest.mark.slow

OLD_ID = "+0cMedk5AT5lZ6kEKkQIK/5l1yPLYi9KWBUbikyJET7OeVIWuyyxOLs="
OTHER_ID = "7b+IRl8Dre0pqxTCVufYUFZ5GjhDIMQ0lWhy1yyIa8uPrhZmAtIcwQ=="
UNKNOWN_ID = "pU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg"


def _tasks(now: datetime) -> list[RecordTask]:
    hour = now.replace(minute=0, second=0, microsecond=0)
    old = hour - timedelta(days=40)
    return [
        RecordTask(OLD_ID, A_DOMAIN, "live", "cam1", old, old + timedelta(hours=2), 0, None),
        RecordTask(
            OTHER_ID, OTHER_DOMAIN, "live", "secret-cam", old, old + timedelta(hours=1), 0, None
        ),
        RecordTask("cam1-now", A_DOMAIN, "live", "cam1", hour, hour + timedelta(hours=1), 0, None),
    ]


@pytest.fixture(scope="module")
def served(
    slack_api: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedBot]:
    tmp = tmp_path_factory.mktemp("served_task_ids")
    with serving_world(slack_api, _tasks(datetime.now(UTC)), tmp) as bot:
        yield bot


def said(call: SlackCall) -> str:
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


def slash(served: ServedBot, slack: SlackStandIn, text: str, name: str, channel: str) -> str:
    body = slash_body(text, user="UALICE", channel=channel, response_url=slack.response_url(name))
    assert served.post(body, FORM).status == 200
    [call] = slack.wait_for("response_url", where=lambda c: c.path == f"/response/{name}")
    return said(call)


def test_slash_command_with_a_pasted_task_id_finds_that_task_40_days_back(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    answer = slash(served, slack_api, f"`{OLD_ID}`", "task1", "CMAIN")
    assert "1 task" in answer
    assert f"task `{OLD_ID}`" in answer
    assert "the last 90 days and the next 7" in answer
    assert "cam1-now" not in answer  # the other task of the same stream is not listed


def test_slash_command_with_an_unknown_task_id_says_so_plainly(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    answer = slash(served, slack_api, f"task:{UNKNOWN_ID}", "task2", "CMAIN")
    assert "No task with that TaskId in the last 90 days or the next 7." in answer


def test_a_task_outside_the_channels_scope_is_not_found(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    answer = slash(served, slack_api, f"did {OTHER_ID} record?", "task3", "CSCOPED")
    assert "no task with that TaskId" in answer
    assert "secret-cam" not in answer


def test_an_ill_shaped_task_filter_says_what_a_task_id_looks_like(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    answer = slash(served, slack_api, "task:Ab3Xy9", "task4", "CMAIN")
    assert "is not a TaskId: a TaskId is the 40 to 100 base64 characters" in answer


def test_did_a_task_id_record_in_a_mention_gets_the_verdict(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    event = {
        "type": "app_mention",
        "user": "UBOB",
        "text": f"<@UBOTRECBOT> did {OLD_ID} record?",
        "ts": "1700000900.000100",
        "channel": "CTHREAD",
        "event_ts": "1700000900.000100",
    }
    assert served.post(event_body(event, event_id="EvTaskId1"), JSON).status == 200
    [call] = slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "CTHREAD")
    assert call.params["text"].startswith(f"*Yes* — 1 task for TaskId `…{OLD_ID[-8:]}`")
