"""Security over the wire: unsigned, forged, stale or altered requests get 401 and cause no
Slack or CSS call; allow-lists refuse politely; scopes can't be widened; nothing pings."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from bot.css.simulator import Simulator
from tests.support.serving import (
    FORM,
    JSON,
    ServedBot,
    action_body,
    event_body,
    http,
    signed_headers,
    slash_body,
)
from tests.support.slack_api import SlackCall, SlackStandIn
from tests.support.world import bot_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(
    slack_api: SlackStandIn, css: Simulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedBot]:
    """tests/slack/conftest.py's server without the synced index: its sync calls CSS in the
    background, on its own schedule, and "a bad request causes no CSS call" counts calls."""
    tmp = tmp_path_factory.mktemp("served")
    env = bot_env(slack_api, css.url, tmp, RECBOT_INDEX="false")
    bot = ServedBot(env, tmp / "serve.log").start()
    yield bot
    bot.stop()


def said(call: SlackCall) -> str:
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


def answer_to(served: ServedBot, slack: SlackStandIn, text: str, name: str, **who: str) -> str:
    user, channel = who.get("user", "UALICE"), who.get("channel", "CSEC")
    body = slash_body(text, user=user, channel=channel, response_url=slack.response_url(name))
    assert served.post(body, FORM).status == 200
    [call] = slack.wait_for("response_url", where=lambda c: c.path == f"/response/{name}")
    return said(call)


def _bad_requests(slack: SlackStandIn) -> list[tuple[str, bytes, dict[str, str]]]:
    def body(name: str) -> str:
        return slash_body(
            "cam1", user="UALICE", channel="CSEC", response_url=slack.response_url(name)
        )

    forged = body("forged")
    stale = body("stale")
    altered = body("altered")
    missing = body("missing")
    return [
        ("forged", forged.encode(), signed_headers(forged, FORM, secret="not-the-secret")),
        ("stale", stale.encode(), signed_headers(stale, FORM, timestamp=int(time.time()) - 301)),
        (
            "altered",
            altered.replace("cam1", "cam2").encode(),
            signed_headers(altered, FORM),
        ),
        ("missing", missing.encode(), {"Content-Type": FORM}),
    ]


def test_unverifiable_requests_get_401_and_cause_no_call(
    served: ServedBot, slack_api: SlackStandIn, css: Simulator
) -> None:
    css_calls = css.request_log.calls
    taken_up = served.acks("slash")
    results = {
        name: http(f"{served.url}/slack/events", data, headers, method="POST").status
        for name, data, headers in _bad_requests(slack_api)
    }
    assert results == {"forged": 401, "stale": 401, "altered": 401, "missing": 401}
    assert served.acks("slash") == taken_up  # none reached a listener
    # A valid request afterwards is answered; by then any work the bad ones started would show.
    answer_to(served, slack_api, "help", "sentinel")
    bad_paths = {f"/response/{name}" for name in results}
    assert not [c for c in slack_api.calls() if c.path in bad_paths]
    assert css.request_log.calls == css_calls


def test_disallowed_user_gets_a_polite_refusal(served: ServedBot, slack_api: SlackStandIn) -> None:
    text = answer_to(served, slack_api, "cam1", "stranger", user="USTRANGER")
    assert "not on the list of people who may ask" in text


def test_member_of_an_allowed_user_group_is_answered(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    text = answer_to(served, slack_api, "cam1 last 2 days", "groupie", user="UCAROL")
    assert "not on the list" not in text
    assert "cam1" in text


def test_disallowed_channel_gets_a_polite_refusal(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    text = answer_to(served, slack_api, "cam1", "elsewhere", channel="CELSEWHERE")
    assert "doesn't answer in this channel" in text


def test_scoped_channel_asking_outside_its_scope_is_refused(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    text = answer_to(
        served, slack_api, "domain:other.push.example last 2 days", "wider", channel="CSCOPED"
    )
    assert "may only see" in text
    assert "secret-cam" not in text


def test_scoped_channel_sees_nothing_outside_its_scope(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    text = answer_to(served, slack_api, "last 2 days", "scoped", channel="CSCOPED")
    # 34 known tasks in the window; the one on other.push.example is not counted or shown.
    assert "33 recording tasks" in text
    assert "34 recording tasks" in answer_to(served, slack_api, "last 2 days", "unscoped")
    assert "secret-cam" not in text
    assert "other.push.example" not in text


def test_a_button_value_cannot_widen_a_channels_scope(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    # A value made by hand (or copied from an unscoped channel), clicked in the scoped one.
    value = json.dumps(
        {"v": 1, "r": "domain:other.push.example last 2 days", "p": 0, "n": int(time.time())},
        separators=(",", ":"),
    )
    body = action_body(
        "recbot_next",
        value,
        user="UALICE",
        channel="CSCOPED",
        response_url=slack_api.response_url("forgedbutton"),
    )
    assert served.post(body, FORM).status == 200
    [call] = slack_api.wait_for("response_url", where=lambda c: c.path == "/response/forgedbutton")
    assert "may only see" in said(call)
    assert "secret-cam" not in said(call)


def test_a_garbled_button_value_is_refused_plainly(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    body = action_body(
        "recbot_export",
        "{not json",
        user="UALICE",
        channel="CMAIN",
        response_url=slack_api.response_url("garbled"),
    )
    served.post(body, FORM)
    [call] = slack_api.wait_for("response_url", where=lambda c: c.path == "/response/garbled")
    assert "button's data is not valid" in said(call)
    assert "Traceback" not in said(call)


def test_a_stream_named_channel_ping_pings_nobody(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    event = {
        "type": "app_mention",
        "user": "UALICE",
        "text": "<@UBOTRECBOT> what recorded in the last 6 hours?",
        "ts": "1700000700.000100",
        "channel": "CSEC",
        "event_ts": "1700000700.000100",
    }
    served.post(event_body(event, event_id="EvPing1"), JSON)
    [call] = slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "CSEC")
    text = said(call)
    assert "&lt;!channel&gt;" in text
    assert "<!channel>" not in text


def test_oversized_body_is_refused_with_413(served: ServedBot) -> None:
    body = "x" * 1_100_000
    result = http(
        f"{served.url}/slack/events", body.encode(), signed_headers(body, FORM), method="POST"
    )
    assert result.status == 413


def test_health_and_metrics_are_served(served: ServedBot) -> None:
    assert http(f"{served.url}/healthz").status == 200
    metrics = http(f"{served.url}/metrics")
    assert metrics.status == 200
    assert b"recbot_requests_total" in metrics.body
    assert http(f"{served.url}/nowhere").status == 404


def test_url_verification_challenge_is_answered(served: ServedBot) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    result = served.post(body, JSON)
    assert result.status == 200
    assert json.loads(result.body)["challenge"] == "c-123"


def test_a_person_not_allowed_cannot_use_someone_elses_button(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    value = json.dumps(
        {"v": 1, "r": "cam1 last 2 days", "p": 0, "n": int(time.time())}, separators=(",", ":")
    )
    body = action_body(
        "recbot_share",
        value,
        user="USTRANGER",
        channel="CSEC",
        response_url=slack_api.response_url("strangerclick"),
    )
    served.post(body, FORM)
    [call] = slack_api.wait_for("response_url", where=lambda c: c.path == "/response/strangerclick")
    assert "not on the list of people who may ask" in said(call)
    assert call.params["response_type"] == "ephemeral"


def test_app_home_of_a_person_not_allowed_shows_only_the_refusal(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    event = {
        "type": "app_home_opened",
        "user": "USTRANGER",
        "channel": "DSTRANGER",
        "tab": "home",
        "event_ts": "1700001100.000100",
    }
    served.post(event_body(event, event_id="EvHomeStranger"), JSON)
    [call] = slack_api.wait_for(
        "views.publish", where=lambda c: c.params.get("user_id") == "USTRANGER"
    )
    view = json.dumps(call.params["view"])
    assert "not on the list of people who may ask" in view
    assert "Examples" not in view
