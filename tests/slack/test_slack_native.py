"""Shortcuts, modals, pickers and the Workflow Builder step over real wire: signed requests
into `recbot serve`, views.open / views.update / functions.complete* out to the Slack stand-in."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.slack.catalog import ASK_SHORTCUT, CHECK_RECORDINGS, MESSAGE_SHORTCUT
from tests.support.native_payloads import (
    block_suggestion_body,
    conversation,
    function_executed_body,
    global_shortcut_body,
    home_button_body,
    message_shortcut_body,
    picked_time,
    selected_option,
    typed_value,
    view_action_body,
    view_submission_body,
)
from tests.support.native_wire import use_message_shortcut
from tests.support.serving import FORM, JSON, ServedBot, event_body
from tests.support.slack_api import SlackCall, SlackStandIn

pytestmark = pytest.mark.slow


def open_ask(served: ServedBot, slack: SlackStandIn, user: str = "UALICE") -> dict[str, Any]:
    """UALICE uses the global shortcut; the modal Slack now shows (views.open's answer)."""
    trigger = slack.new_trigger()
    body = global_shortcut_body(ASK_SHORTCUT.callback_id, user=user, trigger_id=trigger)
    assert served.post(body, FORM).status == 200
    [call] = slack.wait_for("views.open", where=lambda c: c.params.get("trigger_id") == trigger)
    assert call.response["ok"], call.response
    view: dict[str, Any] = call.response["view"]
    return view


def values(*parts: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part)
    return merged


def submit(served: ServedBot, view: dict[str, Any], state: dict[str, Any], user: str = "UALICE"):
    result = served.post(view_submission_body(view, state, user=user), FORM)
    assert result.status == 200
    return json.loads(result.body) if result.body else {}


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_global_shortcut_opens_the_ask_modal_with_its_fields(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = open_ask(served, slack_api)
    assert view["callback_id"] == "recbot_ask_modal"
    ids = [b.get("block_id") for b in view["blocks"]]
    for field in ("stream", "app", "domain", "status", "when", "preview", "text", "where"):
        assert field in ids
    assert block(view, "stream")["element"]["type"] == "external_select"
    assert block(view, "when")["dispatch_action"] is True
    assert json.loads(view["private_metadata"])["zone"] == "Asia/Tokyo"  # UALICE's zone


def fill_picker_cache(served: ServedBot, slack: SlackStandIn) -> None:
    """Open the modal and ask a picker once: the recent names are loaded from then on."""
    view = open_ask(served, slack)
    body = block_suggestion_body(
        view, user="UALICE", action_id="ask.stream", block_id="stream", value=""
    )
    assert json.loads(served.post(body, FORM).body)["options"]


def test_message_shortcut_on_a_message_naming_a_recent_stream_picks_it(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    fill_picker_cache(served, slack_api)
    view = use_message_shortcut(served, slack_api, "is   cam1 recording?")
    assert block(view, "stream")["element"]["initial_option"]["value"] == "cam1"
    assert block(view, "channel")["element"]["initial_conversation"] == "CMAIN"
    assert json.loads(view["private_metadata"])["channel"] == "CMAIN"


def test_message_shortcut_on_other_text_prefills_the_request_with_it(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    fill_picker_cache(served, slack_api)
    view = use_message_shortcut(served, slack_api, "task   1234-abcd  failed?")
    assert block(view, "text")["element"]["initial_value"] == "task 1234-abcd failed?"
    assert "initial_option" not in block(view, "stream")["element"]


def test_typing_a_time_updates_the_preview_with_how_it_is_read(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = open_ask(served, slack_api)
    action = {"type": "plain_text_input", "action_id": "ask.when", "block_id": "when"}
    body = view_action_body(
        view,
        typed_value("when", "yesterday"),
        user="UALICE",
        action={**action, "value": "yesterday"},
    )
    assert served.post(body, FORM).status == 200
    [update] = slack_api.wait_for("views.update", where=lambda c: c.params["view_id"] == view["id"])
    assert update.response["ok"], update.response
    assert update.params["hash"] == view["hash"]  # a stale keystroke cannot overwrite a newer one
    preview = json.dumps(block(update.params["view"], "preview"), ensure_ascii=False)
    assert "yesterday →" in preview
    assert "JST" in preview  # UALICE's zone


def test_an_unreadable_time_shows_why_in_the_preview(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = open_ask(served, slack_api)
    action = {"type": "plain_text_input", "action_id": "ask.when", "block_id": "when"}
    body = view_action_body(
        view, {}, user="UALICE", action={**action, "value": "yesterday at 25:99"}
    )
    served.post(body, FORM)
    [update] = slack_api.wait_for("views.update", where=lambda c: c.params["view_id"] == view["id"])
    assert "⚠" in json.dumps(block(update.params["view"], "preview"), ensure_ascii=False)


def test_stream_picker_offers_recent_streams_matching_what_is_typed(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = open_ask(served, slack_api)
    body = block_suggestion_body(
        view, user="UALICE", action_id="ask.stream", block_id="stream", value="CAM"
    )
    result = served.post(body, FORM)
    assert result.status == 200
    options = [o["value"] for o in json.loads(result.body)["options"]]
    assert options == ["cam1", "secret-cam"]  # any case, most recently recorded first
    narrower = block_suggestion_body(
        view, user="UALICE", action_id="ask.stream", block_id="stream", value="cam1"
    )
    assert [o["value"] for o in json.loads(served.post(narrower, FORM).body)["options"]] == ["cam1"]


def test_pickers_offer_only_what_the_shortcuts_channel_may_see(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    trigger = slack_api.new_trigger()
    body = message_shortcut_body(
        MESSAGE_SHORTCUT.callback_id,
        user="UALICE",
        channel="CSCOPED",  # scoped to a.push.example
        text="secret-cam",
        trigger_id=trigger,
        response_url=slack_api.response_url("scoped"),
    )
    served.post(body, FORM)
    [call] = slack_api.wait_for("views.open", where=lambda c: c.params.get("trigger_id") == trigger)
    view = call.response["view"]
    suggest = block_suggestion_body(
        view, user="UALICE", action_id="ask.domain", block_id="domain", value=""
    )
    options = [o["value"] for o in json.loads(served.post(suggest, FORM).body)["options"]]
    assert options == ["a.push.example"]


def test_a_bad_time_is_refused_in_the_modal_and_nothing_is_answered(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = open_ask(served, slack_api)
    before = len(slack_api.calls("chat.postMessage"))
    answer = submit(served, view, values(typed_value("when", "yesterday at 25:99")))
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"when"}
    assert len(slack_api.calls("chat.postMessage")) == before


def test_answering_in_a_channel_needs_a_channel(served: ServedBot, slack_api: SlackStandIn) -> None:
    view = open_ask(served, slack_api)
    answer = submit(served, view, values(selected_option("where", "channel")))
    assert answer == {
        "response_action": "errors",
        "errors": {"channel": "Pick the channel to answer in, or choose “Only me”."},
    }


def test_a_channel_recbot_may_not_answer_in_is_refused_in_the_modal(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = open_ask(served, slack_api)
    state = values(selected_option("where", "channel"), conversation("channel", "CFORBIDDEN"))
    answer = submit(served, view, state)
    assert answer["response_action"] == "errors"
    assert "channel" in answer["errors"]


def test_a_valid_submission_is_answered_in_the_askers_dm(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = open_ask(served, slack_api, user="UBOB")
    state = values(
        selected_option("stream", "cam1"),
        selected_option("status", "all"),
        typed_value("when", "last 2 days"),
        selected_option("where", "dm"),
    )
    assert submit(served, view, state, user="UBOB") == {}
    [posted] = slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "DBOB")
    said = json.dumps(posted.params.get("blocks"), ensure_ascii=False)
    assert "cam1" in said
    assert "secret-cam" not in said


def test_a_valid_submission_to_a_channel_is_posted_there(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    view = open_ask(served, slack_api)
    state = values(
        typed_value("text", "cam1"),
        selected_option("where", "channel"),
        conversation("channel", "CMAIN"),
    )
    assert submit(served, view, state) == {}
    slack_api.wait_for(
        "chat.postMessage",
        where=lambda c: c.channel == "CMAIN" and "cam1" in json.dumps(c.params.get("blocks")),
    )


def test_home_has_the_ask_and_digest_buttons_and_the_digest_modal_sets_one_up(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    home = {"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}
    served.post(event_body(home, event_id="EvNativeHome1"), JSON)
    [published] = slack_api.wait_for(
        "views.publish", where=lambda c: c.params.get("user_id") == "UALICE"
    )
    assert "home.ask" in json.dumps(published.params["view"])
    trigger = slack_api.new_trigger()
    served.post(home_button_body("home.digest", user="UALICE", trigger_id=trigger), FORM)
    [opened] = slack_api.wait_for(
        "views.open", where=lambda c: c.params.get("trigger_id") == trigger
    )
    view = opened.response["view"]
    assert view["callback_id"] == "recbot_digest_modal"
    refused = submit(
        served,
        view,
        values(
            conversation("channel", "CFORBIDDEN"),
            selected_option("every", "daily"),
            picked_time("at", "08:30"),
        ),
    )
    assert set(refused["errors"]) == {"channel"}
    state = values(
        conversation("channel", "CMAIN"),
        selected_option("every", "weekly friday"),
        picked_time("at", "08:30"),
        typed_value("text", "cam1"),
    )
    assert submit(served, view, state) == {}
    [confirmed] = slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "DALICE")
    assert "weekly on Fri at 08:30" in confirmed.params["text"]
    slack_api.wait_for(
        "views.publish", count=2, where=lambda c: c.params.get("user_id") == "UALICE"
    )


def test_a_bad_digest_request_is_refused_in_the_modal(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    trigger = slack_api.new_trigger()
    served.post(home_button_body("home.digest", user="UBOB", trigger_id=trigger), FORM)
    [opened] = slack_api.wait_for(
        "views.open", where=lambda c: c.params.get("trigger_id") == trigger
    )
    state = values(
        conversation("channel", "CMAIN"),
        selected_option("every", "daily"),
        picked_time("at", "07:00"),
        typed_value("text", "yestreday"),
    )
    answer = submit(served, opened.response["view"], state, user="UBOB")
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"text"}


def completed(slack: SlackStandIn, execution: str) -> SlackCall:
    [call] = slack.wait_for(
        None,
        where=lambda c: (
            c.method.startswith("functions.complete")
            and c.params.get("function_execution_id") == execution
        ),
    )
    return call


def test_workflow_step_completes_with_found_count_summary_and_csv_link(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    execution = slack_api.new_function_execution()
    inputs = {
        "request": "cam1",
        "time_phrase": "last 2 days",
        "channel_id": "CMAIN",
        "user_id": "UALICE",
    }
    body = function_executed_body(
        CHECK_RECORDINGS.callback_id, inputs, execution_id=execution, event_id="EvStep1"
    )
    assert served.post(body, JSON).status == 200
    call = completed(slack_api, execution)
    assert call.method == "functions.completeSuccess"
    assert call.token == "xwfp-test-function-token"  # the step's own token, as Bolt attaches it
    outputs = call.params["outputs"]
    assert outputs["found"] is True
    assert outputs["count"] == 2
    assert "2 recording tasks" in outputs["summary"]
    assert outputs["csv_link"].startswith("https://")
    assert slack_api.execution_state(execution) == "success"
    [csv] = [
        f for f in slack_api.files() if f.channel == "CMAIN" and f.filename == "recordings.csv"
    ]
    assert b"cam1-now" in csv.content


def test_workflow_step_with_an_unreadable_request_fails_with_the_reason(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    execution = slack_api.new_function_execution()
    inputs = {"request": "cam1 yestreday", "channel_id": "CMAIN", "user_id": "UALICE"}
    body = function_executed_body(
        CHECK_RECORDINGS.callback_id, inputs, execution_id=execution, event_id="EvStep2"
    )
    served.post(body, JSON)
    call = completed(slack_api, execution)
    assert call.method == "functions.completeError"
    assert "yesterday" in call.params["error"]  # the typo's suggestion
    assert slack_api.execution_state(execution) == "error"


def test_workflow_step_for_a_channel_recbot_may_not_serve_fails(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    execution = slack_api.new_function_execution()
    body = function_executed_body(
        CHECK_RECORDINGS.callback_id,
        {"request": "cam1", "channel_id": "CFORBIDDEN", "user_id": "UALICE"},
        execution_id=execution,
        event_id="EvStep3",
    )
    served.post(body, JSON)
    assert completed(slack_api, execution).method == "functions.completeError"


def test_workflow_step_without_a_person_is_refused_where_recbot_answers_only_some_people(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    execution = slack_api.new_function_execution()
    body = function_executed_body(
        CHECK_RECORDINGS.callback_id,
        {"request": "cam1", "channel_id": "CMAIN"},
        execution_id=execution,
        event_id="EvStep4",
    )
    served.post(body, JSON)
    call = completed(slack_api, execution)
    assert call.method == "functions.completeError"
    assert "Person who used this workflow" in call.params["error"]


def test_message_shortcut_does_not_pick_a_stream_the_channel_may_not_see(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    fill_picker_cache(served, slack_api)
    view = use_message_shortcut(served, slack_api, "secret-cam down?", channel="CSCOPED")
    assert "initial_option" not in block(view, "stream")["element"]
    assert block(view, "text")["element"]["initial_value"] == "secret-cam down?"


def test_a_digest_without_a_channel_is_refused_in_the_modal(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    trigger = slack_api.new_trigger()
    served.post(home_button_body("home.digest", user="UBOB", trigger_id=trigger), FORM)
    [opened] = slack_api.wait_for(
        "views.open", where=lambda c: c.params.get("trigger_id") == trigger
    )
    state = values(selected_option("every", "daily"), picked_time("at", "07:00"))
    answer = submit(served, opened.response["view"], state, user="UBOB")
    assert answer == {
        "response_action": "errors",
        "errors": {"channel": "Pick the channel the digest is posted in."},
    }
