"""The alert and name modals from App Home, and the message shortcut on a pasted TaskId, over
real wire: signed requests into `recbot serve` (alerts on: a CSS callback key; UBOB is a recbot
admin; UMALLORY is nobody the access file lets in), views.open out to the Slack stand-in, the
alerts and names made read from its database.

Every way the modal could widen what someone may see is refused in the modal
(`response_action: errors`) with nothing made: a channel or person the access file refuses,
filters outside the channel's (or the DM's) scope, a name for every channel by a non-admin, a
field that would turn the command into another one.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.alerts.store import AlertStore, AlertSubscription
from bot.db.database import open_engine
from bot.db.memory_store import MemoryStore
from bot.digest.schedule import Kind, Schedule
from bot.digest.store import DigestStore, NewSubscription, PostState, SlotClaim
from bot.tasks import RecordTask
from tests.support.native_payloads import (
    block_suggestion_body,
    conversation,
    home_button_body,
    selected_option,
    typed_value,
    view_submission_body,
)
from tests.support.native_wire import open_from_home, use_message_shortcut
from tests.support.serving import FORM, JSON, ServedBot, event_body
from tests.support.slack_api import SlackStandIn
from tests.support.world import A_DOMAIN, OTHER_DOMAIN, known_tasks, serving_world

pytestmark = pytest.mark.slow

ADMIN = "UBOB"
CALLBACK_KEY = "setupModalKey1"
# Real TaskIds are ~56 base64 characters (42 bytes), often starting with '+'.
TASK_ID = "+" + base64.b64encode(bytes(range(7, 48))).decode()[1:]
ZONE_TOKYO = ZoneInfo("Asia/Tokyo")  # UALICE's
HIDDEN_TASK_ID = base64.b64encode(bytes(range(60, 102))).decode()


def tasks(now: datetime) -> list[RecordTask]:
    hour = now.replace(minute=0, second=0, microsecond=0)
    start = hour - timedelta(hours=30)
    end = start + timedelta(hours=2)
    return [
        *known_tasks(now),
        RecordTask(TASK_ID, A_DOMAIN, "live", "studio7", start, end, 0, None),
        RecordTask(HIDDEN_TASK_ID, OTHER_DOMAIN, "live", "vault", start, end, 0, None),
    ]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("setup-modals")


@pytest.fixture(scope="module")
def served(slack_api: SlackStandIn, database: Path) -> Iterator[ServedBot]:
    with serving_world(
        slack_api,
        tasks(datetime.now(UTC)),
        database,
        RECBOT_CSS_CALLBACK_KEY=CALLBACK_KEY,
        RECBOT_ADMINS=ADMIN,
        RECBOT_INDEX="false",
    ) as bot:
        yield bot


@pytest.fixture(scope="module")
def engine(database: Path, served: ServedBot) -> Iterator[Engine]:
    engine = open_engine(f"sqlite:///{database / 'recbot.sqlite3'}")
    yield engine
    engine.dispose()


def alerts_in(engine: Engine, channel: str) -> list[AlertSubscription]:
    return AlertStore(engine).of_channel("T0RECBOT", channel)


def names_of(engine: Engine, owner: str) -> dict[str, Any]:
    return dict(MemoryStore(engine).visible_names(owner))


def submit(served: ServedBot, view: dict[str, Any], *parts: dict[str, Any], user: str = "UALICE"):
    state: dict[str, Any] = {}
    for part in parts:
        state.update(part)
    result = served.post(view_submission_body(view, state, user=user), FORM)
    assert result.status == 200
    return json.loads(result.body) if result.body else {}


def picked(field: str, *values: str) -> dict[str, Any]:
    """A multi_external_select's (or checkboxes') state."""
    options = [{"text": {"type": "plain_text", "text": v}, "value": v} for v in values]
    return {field: {f"ask.{field}": {"type": "multi_external_select", "selected_options": options}}}


def refused(answer: dict[str, Any], field: str) -> str:
    assert answer.get("response_action") == "errors", answer
    assert set(answer["errors"]) == {field}, answer
    return str(answer["errors"][field])


def publishes(slack: SlackStandIn, user: str) -> int:
    return len([c for c in slack.calls("views.publish") if c.params.get("user_id") == user])


def home_of(served: ServedBot, slack: SlackStandIn, user: str, event_id: str) -> dict[str, Any]:
    before = publishes(slack, user)
    home = {"type": "app_home_opened", "user": user, "channel": f"D{user[1:]}", "tab": "home"}
    served.post(event_body(home, event_id=event_id), JSON)
    found = slack.wait_for(
        "views.publish", count=before + 1, where=lambda c: c.params.get("user_id") == user
    )
    view: dict[str, Any] = found[-1].params["view"]
    return view


# --- App Home -------------------------------------------------------------------------------


def test_home_offers_alert_and_name_setup_next_to_the_digest(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = home_of(served, slack_api, "UALICE", "EvSetupHome1")
    [actions] = [b for b in view["blocks"] if b.get("block_id") == "home_actions"]
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == ["home.ask", "home.digest", "home.alert", "home.name"]


# --- Alerts ---------------------------------------------------------------------------------


def test_the_alert_modal_sets_up_the_alert_the_typed_command_would(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    view = open_from_home(served, slack_api, "home.alert")
    assert view["callback_id"] == "recbot_alert_modal"
    streams = next(b for b in view["blocks"] if b["block_id"] == "stream")
    assert streams["element"]["type"] == "multi_external_select"
    # The pickers offer recent names within what the person may see in a DM (default scope).
    suggest = block_suggestion_body(
        view, user="UALICE", action_id="ask.stream", block_id="stream", value="stud"
    )
    assert [o["value"] for o in json.loads(served.post(suggest, FORM).body)["options"]] == [
        "studio7"
    ]
    answer = submit(
        served,
        view,
        conversation("channel", "CMAIN"),
        picked("stream", "cam1", "studio7"),
        selected_option("level", "all"),
    )
    assert answer == {}
    [made] = alerts_in(engine, "CMAIN")
    assert (made.request_text, made.level.value, made.creator_id) == (
        "stream:cam1,studio7",
        "all",
        "UALICE",
    )
    [told] = slack_api.wait_for(
        "chat.postMessage", where=lambda c: c.channel == "DALICE" and "Alert" in c.params["text"]
    )
    assert f"Alert {made.id} is on" in told.params["text"]


def test_an_alert_without_a_channel_is_refused_in_the_modal(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = open_from_home(served, slack_api, "home.alert")
    message = refused(submit(served, view, selected_option("level", "failures")), "channel")
    assert message == "Pick the channel the alerts are posted in."


def test_an_alert_for_a_channel_recbot_may_not_serve_is_refused(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    view = open_from_home(served, slack_api, "home.alert")
    refused(submit(served, view, conversation("channel", "CFORBIDDEN")), "channel")
    assert alerts_in(engine, "CFORBIDDEN") == []


def test_an_alert_on_streams_outside_the_channels_scope_is_refused(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    view = open_from_home(served, slack_api, "home.alert")
    # CSCOPED sees a.push.example only: the other domain, picked or typed, is refused.
    picked_outside = submit(
        served, view, conversation("channel", "CSCOPED"), picked("domain", OTHER_DOMAIN)
    )
    refused(picked_outside, "channel")
    typed_outside = submit(
        served,
        view,
        conversation("channel", "CSCOPED"),
        typed_value("text", f"domain:{OTHER_DOMAIN}"),
    )
    assert typed_outside.get("response_action") == "errors"
    assert alerts_in(engine, "CSCOPED") == []


def test_an_alert_from_someone_recbot_does_not_serve_is_refused(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    notice = open_from_home(served, slack_api, "home.alert", user="UMALLORY")
    assert "submit" not in notice  # a refusal to read, no form
    # A submission forged with the form's state is refused all the same.
    form = open_from_home(served, slack_api, "home.alert")
    refused(submit(served, form, conversation("channel", "CSHARE"), user="UMALLORY"), "channel")
    assert alerts_in(engine, "CSHARE") == []


def test_typed_alert_text_cannot_turn_the_form_into_another_alert_command(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    view = open_from_home(served, slack_api, "home.alert")
    submit(served, view, conversation("channel", "CEXPORT"), picked("stream", "cam1"))
    [kept] = alerts_in(engine, "CEXPORT")
    answer = submit(
        served, view, conversation("channel", "CEXPORT"), typed_value("text", f"off {kept.id}")
    )
    assert answer.get("response_action") == "errors"
    assert [a.id for a in alerts_in(engine, "CEXPORT")] == [kept.id]


# --- Names ----------------------------------------------------------------------------------


def test_the_name_modal_saves_a_name_for_a_channel(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    view = open_from_home(served, slack_api, "home.name")
    assert view["callback_id"] == "recbot_name_modal"
    answer = submit(
        served,
        view,
        typed_value("name", "studio-a"),
        picked("stream", "cam1", "studio7"),
        picked("domain", A_DOMAIN),
        conversation("channel", "CMAIN"),
    )
    assert answer == {}
    named = names_of(engine, "CMAIN")["studio-a"]
    assert (named.filters.streams, named.filters.domains) == (("cam1", "studio7"), (A_DOMAIN,))
    assert (named.everywhere, named.created_by) == (False, "UALICE")
    slack_api.wait_for(
        "chat.postMessage", where=lambda c: c.channel == "DALICE" and "studio-a" in c.params["text"]
    )


def test_a_name_without_a_channel_is_the_persons_own(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    view = open_from_home(served, slack_api, "home.name", user="UBOB")
    assert (
        submit(served, view, typed_value("name", "mine"), picked("stream", "cam1"), user="UBOB")
        == {}
    )
    assert "mine" in names_of(engine, "user:UBOB")
    assert "mine" not in names_of(engine, "CMAIN")


def test_a_name_for_every_channel_needs_a_recbot_admin(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    view = open_from_home(served, slack_api, "home.name")
    fields = (
        typed_value("name", "fleet"),
        picked("stream", "bulk"),
        conversation("channel", "CMAIN"),
    )
    message = refused(
        submit(served, view, *fields, picked("everywhere", "everywhere")), "everywhere"
    )
    assert "admins" in message
    assert "fleet" not in names_of(engine, "CMAIN")
    by_admin = submit(served, view, *fields, picked("everywhere", "everywhere"), user=ADMIN)
    assert by_admin == {}
    assert names_of(engine, "CSHARE")["fleet"].everywhere is True  # seen in every channel


@pytest.mark.parametrize(
    ("channel", "owner"),
    [("CSCOPED", "CSCOPED"), (None, "user:UALICE")],  # a channel's scope; the DM scope
)
def test_a_name_on_filters_outside_its_places_scope_is_refused(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine, channel: str | None, owner: str
) -> None:
    view = open_from_home(served, slack_api, "home.name")
    place = conversation("channel", channel) if channel else {}
    # CSCOPED sees a.push.example only; the DM scope both test domains, not evil.example.
    outside = OTHER_DOMAIN if channel else "evil.example"
    answer = submit(served, view, typed_value("name", "sneaky"), picked("domain", outside), place)
    refused(answer, "channel")
    assert "sneaky" not in names_of(engine, owner)


def test_a_name_for_a_channel_or_from_a_person_recbot_does_not_serve_is_refused(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    view = open_from_home(served, slack_api, "home.name")
    fields = (typed_value("name", "outside"), picked("stream", "cam1"))
    refused(submit(served, view, *fields, conversation("channel", "CFORBIDDEN")), "channel")
    refused(
        submit(served, view, *fields, conversation("channel", "CMAIN"), user="UMALLORY"), "channel"
    )
    assert "outside" not in names_of(engine, "CFORBIDDEN")
    assert "outside" not in names_of(engine, "CMAIN")


@pytest.mark.parametrize("name", ["forget", "last", "two words", "studio-a stream:x"])
def test_a_name_that_would_read_as_something_else_is_refused_under_the_name(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine, name: str
) -> None:
    view = open_from_home(served, slack_api, "home.name")
    before = names_of(engine, "CMAIN")
    answer = submit(
        served,
        view,
        typed_value("name", name),
        typed_value("text", "studio-a"),  # with "forget": would forget studio-a if parsed as text
        conversation("channel", "CMAIN"),
    )
    refused(answer, "name")
    assert names_of(engine, "CMAIN").keys() == before.keys()


def test_a_name_that_stands_for_nothing_is_refused_under_the_filters(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = open_from_home(served, slack_api, "home.name")
    refused(
        submit(served, view, typed_value("name", "empty"), conversation("channel", "CMAIN")), "text"
    )


# --- The message shortcut on a pasted TaskId ------------------------------------------------


def element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return dict(block.get("element") or block)


def test_a_pasted_task_id_asks_about_that_task_with_its_stream_and_window_shown(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = use_message_shortcut(served, slack_api, f"did `{TASK_ID}` record? it went quiet")
    assert element(view, "stream")["initial_option"]["value"] == "studio7"
    assert element(view, "app")["initial_option"]["value"] == "live"
    assert element(view, "domain")["initial_option"]["value"] == A_DOMAIN
    when = element(view, "when")["initial_value"]
    task_start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=30)
    assert when.startswith(f"from {task_start.astimezone(ZONE_TOKYO):%Y-%m-%d %H:%M} to ")
    preview = json.dumps(element(view, "preview"), ensure_ascii=False)
    assert "→" in preview  # the prefilled time, read for UALICE
    assert "JST" in preview
    assert element(view, "text")["initial_value"] == f"task:{TASK_ID}"  # that task alone


def test_a_pasted_task_id_the_channel_may_not_see_is_not_looked_up(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    # CSCOPED sees a.push.example only; the task is on the other domain.
    view = use_message_shortcut(served, slack_api, f"what about {HIDDEN_TASK_ID}", "CSCOPED")
    assert "initial_option" not in element(view, "stream")
    assert "initial_value" not in element(view, "when")
    assert "vault" not in json.dumps(view)
    # The request is the pasted TaskId alone (its answer is scoped like any other).
    assert element(view, "text")["initial_value"] == f"task:{HIDDEN_TASK_ID}"


# --- App Home lists what the person made, with Off / Forget / Resume -----------------------


def press_on_home(
    served: ServedBot, slack: SlackStandIn, action_id: str, value: str, user: str
) -> None:
    """Press an App Home button and wait for the tab it republishes for the presser."""
    before = publishes(slack, user)
    body = home_button_body(action_id, user=user, trigger_id=slack.new_trigger(), value=value)
    assert served.post(body, FORM).status == 200
    slack.wait_for(
        "views.publish", count=before + 1, where=lambda c: c.params.get("user_id") == user
    )


def buttons_of(view: dict[str, Any], action_id: str) -> list[str]:
    return [
        str(b["accessory"]["value"])
        for b in view["blocks"]
        if (b.get("accessory") or {}).get("action_id") == action_id
    ]


def test_app_home_lists_my_alerts_and_only_i_can_turn_one_off(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    view = open_from_home(served, slack_api, "home.alert")
    assert submit(served, view, conversation("channel", "CCHART"), picked("stream", "bulk")) == {}
    [made] = alerts_in(engine, "CCHART")
    listed = buttons_of(home_of(served, slack_api, "UALICE", "EvAlertHome1"), "recbot_alert_off")
    assert str(made.id) in listed
    press_on_home(served, slack_api, "recbot_alert_off", str(made.id), user="UBOB")
    assert [a.id for a in alerts_in(engine, "CCHART")] == [made.id]  # not Bob's
    press_on_home(served, slack_api, "recbot_alert_off", str(made.id), user="UALICE")
    assert alerts_in(engine, "CCHART") == []


def test_app_home_lists_my_names_and_only_i_can_forget_one(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    view = open_from_home(served, slack_api, "home.name")
    fields = (typed_value("name", "homename"), picked("stream", "cam1"))
    assert submit(served, view, *fields, conversation("channel", "CNEXT")) == {}
    listed = buttons_of(home_of(served, slack_api, "UALICE", "EvNameHome1"), "recbot_name_forget")
    assert "CNEXT homename" in listed
    press_on_home(served, slack_api, "recbot_name_forget", "CNEXT homename", user="UBOB")
    assert "homename" in names_of(engine, "CNEXT")
    press_on_home(served, slack_api, "recbot_name_forget", "CNEXT homename", user="UALICE")
    assert "homename" not in names_of(engine, "CNEXT")


def paused_digest(engine: Engine, creator: str, channel: str) -> int:
    """A digest recbot paused because Slack refused its post (what the scheduler leaves)."""
    store = DigestStore(engine)
    now = datetime.now(UTC)
    schedule = Schedule(Kind.DAILY, time(9, 0), "UTC")
    sub = store.add_subscription(NewSubscription("T0RECBOT", channel, creator, schedule, ""), now)
    slot = now - timedelta(hours=1)
    [post] = store.claim([SlotClaim(sub.id, slot, False)], "test", now, timedelta(seconds=30))
    store.finish(post.id, "test", PostState.FAILED, now=now, detail="not_in_channel")
    store.deactivate(sub.id, "T0RECBOT")
    return sub.id


def test_a_paused_digest_is_resumed_from_app_home_after_a_check_post(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    sub_id = paused_digest(engine, "UALICE", "CRATE")
    listed = buttons_of(home_of(served, slack_api, "UALICE", "EvResume1"), "recbot_digest_resume")
    assert listed == [str(sub_id)]
    press_on_home(served, slack_api, "recbot_digest_resume", str(sub_id), user="UBOB")
    assert DigestStore(engine).get_subscription(sub_id).active is False  # type: ignore[union-attr]
    press_on_home(served, slack_api, "recbot_digest_resume", str(sub_id), user="UALICE")
    assert DigestStore(engine).get_subscription(sub_id).active is True  # type: ignore[union-attr]
    slack_api.wait_for(
        "chat.postMessage",
        where=lambda c: c.channel == "CRATE" and "is back on" in c.params["text"],
    )
    slack_api.wait_for(
        "chat.postMessage",
        where=lambda c: c.channel == "DALICE" and f"#{sub_id} resumed" in c.params["text"],
    )


def test_a_paused_digest_whose_channel_still_refuses_stays_paused_and_says_why(
    served: ServedBot, slack_api: SlackStandIn, engine: Engine
) -> None:
    sub_id = paused_digest(engine, "UALICE", "CSEC")
    slack_api.fail("chat.postMessage", "not_in_channel", channel="CSEC")
    press_on_home(served, slack_api, "recbot_digest_resume", str(sub_id), user="UALICE")
    assert DigestStore(engine).get_subscription(sub_id).active is False  # type: ignore[union-attr]
    slack_api.wait_for(
        "chat.postMessage",
        where=lambda c: c.channel == "DALICE" and "stays paused" in c.params["text"],
    )
