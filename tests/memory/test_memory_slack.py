"""Team memory end to end: signed Slack requests into a real `recbot serve`, answers out to
the Slack stand-in, tasks from the CSS simulator; the audit trail read from its database."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.db.audit_store import AuditFilter, AuditStore
from bot.db.database import open_engine
from bot.memory.audit_record import AuditEvent
from tests.support.serving import FORM, JSON, ServedBot, action_body, event_body, slash_body
from tests.support.slack_api import SlackCall, SlackStandIn
from tests.support.world import known_tasks, serving_world

pytestmark = pytest.mark.slow

ADMIN = "UBOB"


@pytest.fixture(scope="module")
def slack_api() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        stand_in.add_user("UALICE", tz="UTC")
        stand_in.add_user("UBOB", tz="UTC")
        yield stand_in


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("memory-served")


@pytest.fixture(scope="module")
def served(slack_api: SlackStandIn, database: Path) -> Iterator[ServedBot]:
    # Live answers (no index), so an audit record's API calls are its question's own.
    tasks = known_tasks(datetime.now(UTC))
    with serving_world(
        slack_api, tasks, database, RECBOT_ADMINS=ADMIN, RECBOT_INDEX="false"
    ) as bot:
        yield bot


@pytest.fixture(scope="module")
def audit(database: Path, served: ServedBot) -> Iterator[AuditStore]:
    engine = open_engine(f"sqlite:///{database / 'recbot.sqlite3'}")
    yield AuditStore(engine)
    engine.dispose()


def said(call: SlackCall) -> str:
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


def first_line(call: SlackCall) -> str:
    return str(call.params["blocks"][0]["elements"][0]["text"])


def slash(
    served: ServedBot, slack: SlackStandIn, text: str, name: str, *, user: str = "UALICE",
    channel: str = "CMAIN",
) -> SlackCall:  # fmt: skip
    body = slash_body(text, user=user, channel=channel, response_url=slack.response_url(name))
    assert served.post(body, FORM).status == 200
    [call] = slack.wait_for("response_url", where=lambda c: c.path == f"/response/{name}")
    return call


def buttons(call: SlackCall) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in call.params.get("blocks") or []:
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("type") == "button":
                found.setdefault(element["action_id"], []).append(element["value"])
    return found


def recorded(store: AuditStore, where: Any, timeout: float = 10.0) -> list[AuditEvent]:
    """The audit records matching `where`, once at least one is written (writes are async)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in store.read(AuditFilter(limit=10_000)) if where(e)]
        if found:
            return found
        time.sleep(0.05)  # polling the database for the background writer, with a deadline
    raise AssertionError("no audit record matched")


def test_a_name_saved_by_slash_command_is_used_with_its_expansion_first(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    saved = slash(served, slack_api, "name studio-a stream:cam1 domain:a.push.example", "n1")
    assert "studio-a = cam1 on a.push.example" in said(saved)
    answered = slash(served, slack_api, "studio-a last 2 days", "n2")
    assert first_line(answered) == "studio-a = cam1 on a.push.example"
    assert "cam1-now" in said(answered) or "cam1" in said(answered)
    listed = slash(served, slack_api, "name list", "n3")
    assert "studio-a = cam1 on a.push.example" in said(listed)


def test_a_mention_uses_the_channels_names(served: ServedBot, slack_api: SlackStandIn) -> None:
    slash(served, slack_api, "name thread-cams stream:cam1", "m0", channel="CTHREAD")
    event = {
        "type": "app_mention",
        "user": "UALICE",
        "text": "<@UBOTRECBOT> did thread-cams record yesterday?",
        "ts": "1700000100.000100",
        "channel": "CTHREAD",
        "event_ts": "1700000100.000100",
    }
    assert served.post(event_body(event, event_id="EvMemMention1"), JSON).status == 200
    [call] = slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "CTHREAD")
    assert first_line(call) == "thread-cams = cam1"


def test_a_dm_name_is_the_users_alone(served: ServedBot, slack_api: SlackStandIn) -> None:
    def dm(text: str, event_id: str) -> None:
        event = {
            "type": "message",
            "channel_type": "im",
            "user": "UALICE",
            "text": text,
            "ts": "1700000300.000100",
            "channel": "DALICE",
            "event_ts": "1700000300.000100",
        }
        assert served.post(event_body(event, event_id=event_id), JSON).status == 200

    dm("name mine stream:cam1", "EvMemDm1")
    slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "DALICE")
    dm("mine today", "EvMemDm2")
    calls = slack_api.wait_for("chat.postMessage", count=2, where=lambda c: c.channel == "DALICE")
    assert first_line(calls[1]) == "mine = cam1"
    in_channel = slash(served, slack_api, "name show mine", "dm3")
    assert "no name 'mine' here" in said(in_channel)


def test_a_name_outside_the_channels_scope_is_refused_and_not_saved(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    refused = slash(
        served, slack_api, "name leak domain:other.push.example", "s1", channel="CSCOPED"
    )
    assert "outside" in said(refused)
    listed = slash(served, slack_api, "name list", "s2", channel="CSCOPED")
    assert "leak" not in said(listed)


def test_an_everywhere_name_cannot_widen_a_scoped_channel(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    refused = slash(served, slack_api, "name others domain:other.push.example --everywhere", "e0")
    assert "Only recbot admins" in said(refused)
    made = slash(
        served, slack_api, "name others domain:other.push.example --everywhere", "e1", user=ADMIN
    )
    assert "usable every channel" in said(made)
    elsewhere = slash(served, slack_api, "others last 2 days", "e2", channel="CSHARE")
    assert "secret-cam" in said(elsewhere)
    scoped = slash(served, slack_api, "others last 2 days", "e3", channel="CSCOPED")
    assert "secret-cam" not in said(scoped)
    assert "may only see" in said(scoped)


def test_a_name_that_reads_as_a_time_word_is_refused(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    refused = slash(served, slack_api, "name tonight stream:cam1", "t1")
    assert "reads as a time word" in said(refused)


def test_a_saved_question_runs_by_name_and_by_its_button(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    slash(served, slack_api, "name night-cams stream:cam1", "q0", channel="CSHARE")
    saved = slash(served, slack_api, "save nightly night-cams last 2 days", "q1", channel="CSHARE")
    assert "nightly" in said(saved)
    ran = slash(served, slack_api, "nightly", "q2", channel="CSHARE")
    assert first_line(ran) == "nightly = night-cams last 2 days · night-cams = cam1"
    listed = slash(served, slack_api, "saved", "q3", channel="CSHARE")
    assert buttons(listed)["recbot_saved_run"] == ["nightly"]
    body = action_body(
        "recbot_saved_run",
        "nightly",
        user="UALICE",
        channel="CSHARE",
        response_url=slack_api.response_url("q4"),
    )
    assert served.post(body, FORM).status == 200
    [pressed] = slack_api.wait_for("response_url", where=lambda c: c.path == "/response/q4")
    assert first_line(pressed).startswith("nightly = ")


def test_a_saved_question_is_a_digests_content(served: ServedBot, slack_api: SlackStandIn) -> None:
    slash(served, slack_api, "save cams-daily stream:cam1 yesterday", "d0", channel="CNEXT")
    made = slash(served, slack_api, "digest daily 09:00 cams-daily", "d1", channel="CNEXT")
    assert "stream:cam1" in said(made)
    assert "cams-daily = stream:cam1" in said(made)


def test_a_posted_digest_is_recorded(
    served: ServedBot, slack_api: SlackStandIn, audit: AuditStore
) -> None:
    made = slash(served, slack_api, "digest daily 09:00 cam1", "g0", channel="CSEC")
    number = said(made).split("digest off ")[1].split("`")[0]
    slash(served, slack_api, f"digest now {number}", "g1", channel="CSEC")
    [event] = recorded(audit, lambda e: e.surface == "digest" and e.channel_id == "CSEC")
    assert event.text == f"digest #{number} cam1"
    assert event.user_id == "UALICE"
    assert event.understood.startswith("digest daily streams=cam1 domains=")
    assert event.outcome == "answered"


def test_the_audit_is_for_admins_and_records_every_question(
    served: ServedBot, slack_api: SlackStandIn, audit: AuditStore
) -> None:
    refused = slash(served, slack_api, "audit", "a1", channel="CRATE")
    assert "for recbot admins" in said(refused)
    slash(served, slack_api, "cam1 last 5 days", "a2", channel="CRATE")
    [event] = recorded(audit, lambda e: e.channel_id == "CRATE" and e.text == "cam1 last 5 days")
    assert event.surface == "slash"
    assert event.user_id == "UALICE"
    assert event.outcome == "answered"
    assert event.understood.startswith("answer streams=cam1 status=all window=")
    assert event.api_calls >= 1
    assert event.request_id not in ("", "-")
    [denied] = recorded(audit, lambda e: e.channel_id == "CRATE" and e.text == "audit")
    assert denied.outcome == "refused"
    answer = slash(served, slack_api, "audit --channel CRATE --since today", "a3", user=ADMIN)
    assert "cam1 last 5 days" in said(answer)
    assert "UALICE" in said(answer)


def test_the_app_home_lists_the_last_questions_with_ask_again(
    served: ServedBot, slack_api: SlackStandIn, audit: AuditStore
) -> None:
    slash(served, slack_api, "cam1 today", "h0", user=ADMIN, channel="CRETRY")
    recorded(audit, lambda e: e.user_id == ADMIN and e.text == "cam1 today")
    event = {
        "type": "app_home_opened",
        "user": ADMIN,
        "channel": "DBOB",
        "tab": "home",
        "event_ts": "1700000500.000100",
    }
    served.post(event_body(event, event_id="EvMemHome1"), JSON)
    [call] = slack_api.wait_for("views.publish", where=lambda c: c.params.get("user_id") == ADMIN)
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["blocks"][0]["text"]["text"] == "Your last questions"
    again = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert again[0]["action_id"] == "recbot_ask_again"
    assert again[0]["value"] == "cam1 today"
    body = action_body(
        "recbot_ask_again", "cam1 today", user=ADMIN, channel="", response_url=None, on_home=True
    )
    assert served.post(body, FORM).status == 200
    [answer] = slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "DBOB")
    assert "cam1" in said(answer)
