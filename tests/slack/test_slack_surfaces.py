"""Every surface end to end: signed HTTP into `recbot serve` (waitress), answers out to the
Slack stand-in, tasks from the CSS simulator over the SDK's signed HTTP."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from tests.support.serving import (
    FORM,
    JSON,
    ServedBot,
    action_body,
    event_body,
    slash_body,
)
from tests.support.slack_api import SlackCall, SlackStandIn

pytestmark = pytest.mark.slow

ACK_LIMIT_S = 2.5  # inside Slack's 3 s even on a busy machine; bench/slack.py measures it


def press(
    served: ServedBot,
    slack: SlackStandIn,
    action_id: str,
    value: str,
    channel: str,
    name: str,
    *,
    ephemeral: bool = True,
) -> None:
    """UALICE clicks a button in `channel`; its response_url is /response/<name>."""
    body = action_body(
        action_id,
        value,
        user="UALICE",
        channel=channel,
        response_url=slack.response_url(name),
        ephemeral=ephemeral,
    )
    assert served.post(body, FORM).status == 200


def buttons(message: Mapping[str, Any]) -> dict[str, str]:
    """action_id -> value of every button in a message's blocks."""
    found: dict[str, str] = {}
    for block in message.get("blocks") or []:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found[element["action_id"]] = element["value"]
    return found


def everything_said(call: SlackCall) -> str:
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


def slash(
    served: ServedBot,
    slack: SlackStandIn,
    text: str,
    *,
    name: str,
    user: str = "UALICE",
    channel: str = "CMAIN",
) -> SlackCall:
    result = served.post(
        slash_body(text, user=user, channel=channel, response_url=slack.response_url(name)), FORM
    )
    assert result.status == 200
    assert result.elapsed_s < ACK_LIMIT_S
    [call] = slack.wait_for("response_url", where=lambda c: c.path == f"/response/{name}")
    return call


def test_slash_command_answers_ephemerally_through_the_response_url(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    call = slash(served, slack_api, "cam1 last 2 days", name="slash1")
    assert call.params["response_type"] == "ephemeral"
    assert "cam1" in everything_said(call)
    assert "recbot_share" in buttons(call.params)


def test_slash_text_containing_payload_is_still_answered(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    call = slash(served, slack_api, "payload-cam yesterday", name="payload1")
    assert "payload-cam" in everything_said(call)


def test_the_askers_time_zone_comes_from_users_info(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    call = slash(served, slack_api, "cam1 today", name="tz1", user="UALICE")
    assert "JST" in everything_said(call)  # UALICE lives in Asia/Tokyo
    assert any(c.params.get("user") == "UALICE" for c in slack_api.calls("users.info"))


def test_mention_is_answered_in_the_thread_of_the_mention(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    event = {
        "type": "app_mention",
        "user": "UBOB",
        "text": "<@UBOTRECBOT> did cam1 record yesterday?",
        "ts": "1700000100.000100",
        "channel": "CTHREAD",
        "event_ts": "1700000100.000100",
    }
    assert served.post(event_body(event, event_id="EvMention1"), JSON).status == 200
    [call] = slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "CTHREAD")
    assert call.params["thread_ts"] == "1700000100.000100"
    assert "cam1" in everything_said(call)


def test_mention_inside_a_thread_replies_in_that_thread(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    event = {
        "type": "app_mention",
        "user": "UBOB",
        "text": "<@UBOTRECBOT> help",
        "ts": "1700000200.000200",
        "thread_ts": "1700000150.000100",
        "channel": "CMAIN",
        "event_ts": "1700000200.000200",
    }
    served.post(event_body(event, event_id="EvMention2"), JSON)
    [call] = slack_api.wait_for(
        "chat.postMessage", where=lambda c: c.params.get("thread_ts") == "1700000150.000100"
    )
    assert call.channel == "CMAIN"


def test_direct_message_is_answered_in_the_dm(served: ServedBot, slack_api: SlackStandIn) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "UALICE",
        "text": "running",
        "ts": "1700000300.000100",
        "channel": "DALICE",
        "event_ts": "1700000300.000100",
    }
    served.post(event_body(event, event_id="EvDm1"), JSON)
    [call] = slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "DALICE")
    assert "thread_ts" not in call.params or call.params["thread_ts"] is None
    assert "running" in everything_said(call).lower()


def test_a_retried_event_is_answered_once(served: ServedBot, slack_api: SlackStandIn) -> None:
    event = {
        "type": "app_mention",
        "user": "UBOB",
        "text": "<@UBOTRECBOT> help",
        "ts": "1700000400.000100",
        "channel": "CRETRY",
        "event_ts": "1700000400.000100",
    }
    body = event_body(event, event_id="EvRetry1")
    mentions_before = served.acks("mention")
    first = served.post(body, JSON)
    # Slack's retry: the same event_id, freshly signed, with the retry headers.
    retry = served.post(
        body, JSON, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert (first.status, retry.status) == (200, 200)
    assert retry.headers.get("x-slack-no-retry") == "1"
    assert served.acks("mention") == mentions_before + 1
    # A later, different event in the same channel is answered; by then the retry would have been.
    sentinel = dict(event, ts="1700000401.000100", text="<@UBOTRECBOT> running")
    served.post(event_body(sentinel, event_id="EvRetry2"), JSON)
    slack_api.wait_for("chat.postMessage", count=2, where=lambda c: c.channel == "CRETRY")
    served_calls = slack_api.calls("chat.postMessage")
    assert len([c for c in served_calls if c.channel == "CRETRY"]) == 2


def test_next_button_replaces_the_message_with_the_next_page(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    first = slash(served, slack_api, "bulk last 3 days", name="next0", channel="CNEXT")
    value = buttons(first.params)["recbot_next"]
    press(served, slack_api, "recbot_next", value, "CNEXT", "next1")
    [page2] = slack_api.wait_for("response_url", where=lambda c: c.path == "/response/next1")
    assert page2.params["replace_original"] is True
    assert "recbot_prev" in buttons(page2.params)
    assert "recbot_share" in buttons(page2.params)  # still ephemeral, still shareable


def test_share_button_posts_the_answer_to_the_channel(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    first = slash(served, slack_api, "cam1 last 2 days", name="share0", channel="CSHARE")
    press(
        served, slack_api, "recbot_share", buttons(first.params)["recbot_share"], "CSHARE", "share1"
    )
    [shared] = slack_api.wait_for("response_url", where=lambda c: c.path == "/response/share1")
    assert shared.params["response_type"] == "in_channel"
    assert "recbot_share" not in buttons(shared.params)


def test_export_on_a_private_answer_uploads_the_csv_to_the_askers_dm(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    first = slash(served, slack_api, "bulk last 3 days", name="export0", channel="CEXPORT")
    press(
        served,
        slack_api,
        "recbot_export",
        buttons(first.params)["recbot_export"],
        "CEXPORT",
        "export1",
    )
    [note] = slack_api.wait_for("response_url", where=lambda c: c.path == "/response/export1")
    assert "direct messages" in note.params["text"]
    [csv_file] = [f for f in slack_api.files() if f.filename.endswith(".csv")]
    assert csv_file.channel == "DALICE"  # the private answer stays private
    lines = csv_file.content.decode().splitlines()
    assert len([line for line in lines if "bulk-" in line]) == 30


def test_chart_on_a_channel_answer_uploads_a_png_to_the_channel(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    first = slash(served, slack_api, "cam1 last 2 days", name="chart0", channel="CCHART")
    # The same button on an answer everyone sees (a mention's reply or a shared answer).
    press(
        served,
        slack_api,
        "recbot_chart",
        buttons(first.params)["recbot_chart"],
        "CCHART",
        "chart1",
        ephemeral=False,
    )
    # The server's first chart loads matplotlib: seconds on a busy machine.
    slack_api.wait_for(
        "files.completeUploadExternal", where=lambda c: c.channel == "CCHART", timeout=30
    )
    [png] = [f for f in slack_api.files() if f.channel == "CCHART"]
    assert png.content.startswith(b"\x89PNG")


def test_chart_falls_back_to_a_text_timeline_where_files_cannot_be_uploaded(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    slack_api.fail("files.completeUploadExternal", "not_allowed", channel="DBOB")
    call = slash(
        served,
        slack_api,
        "chart cam1 last 2 days",
        name="nofile",
        user="UBOB",
        channel="CNOUPLOAD",
    )
    assert "```" in everything_said(call)  # the text timeline, in a code block
    assert not [f for f in slack_api.files() if f.channel == "DBOB"]


def test_app_home_is_published_with_help_and_examples(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    event = {
        "type": "app_home_opened",
        "user": "UBOB",
        "channel": "DBOB",
        "tab": "home",
        "event_ts": "1700000500.000100",
    }
    served.post(event_body(event, event_id="EvHome1"), JSON)
    [call] = slack_api.wait_for("views.publish", where=lambda c: c.params.get("user_id") == "UBOB")
    view = call.params["view"]
    assert view["type"] == "home"
    assert "Examples" in json.dumps(view)


def test_slack_rate_limit_is_waited_out_and_the_message_arrives_once(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    slack_api.rate_limit("chat.postMessage", channel="CRATE", retry_after=1, times=1)
    event = {
        "type": "app_mention",
        "user": "UBOB",
        "text": "<@UBOTRECBOT> help",
        "ts": "1700000600.000100",
        "channel": "CRATE",
        "event_ts": "1700000600.000100",
    }
    served.post(event_body(event, event_id="EvRate1"), JSON)
    slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "CRATE" and c.status == 200)
    statuses = [c.status for c in slack_api.calls("chat.postMessage") if c.channel == "CRATE"]
    assert statuses == [429, 200]


def test_app_home_lists_the_users_digests_and_its_off_button_removes_one(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    call = slash(served, slack_api, "digest daily 09:00 cam1", name="digest1", user="UCAROL")
    assert "#" in everything_said(call)  # "Digest #N …" confirmation
    home = {
        "type": "app_home_opened",
        "user": "UCAROL",
        "channel": "DCAROL",
        "tab": "home",
        "event_ts": "1700000800.000100",
    }
    served.post(event_body(home, event_id="EvHome2"), JSON)
    [published] = slack_api.wait_for(
        "views.publish", where=lambda c: c.params.get("user_id") == "UCAROL"
    )
    off = {
        b["accessory"]["action_id"]: b["accessory"]["value"]
        for b in published.params["view"]["blocks"]
        if "accessory" in b
    }
    assert "recbot_digest_off" in off
    served.post(
        action_body(
            "recbot_digest_off",
            off["recbot_digest_off"],
            user="UCAROL",
            channel="",
            response_url=None,
            on_home=True,
        ),
        FORM,
    )
    views = slack_api.wait_for(
        "views.publish", count=2, where=lambda c: c.params.get("user_id") == "UCAROL"
    )
    assert "recbot_digest_off" not in json.dumps(views[-1].params["view"])


def test_a_slack_error_is_logged_and_the_bot_keeps_answering(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    slack_api.remove_channel("CMAIN_GONE")
    gone = {
        "type": "app_mention",
        "user": "UBOB",
        "text": "<@UBOTRECBOT> help",
        "ts": "1700000900.000100",
        "channel": "CMAIN_GONE",
        "event_ts": "1700000900.000100",
    }
    served.post(event_body(gone, event_id="EvGone1"), JSON)
    [failed] = slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "CMAIN_GONE")
    assert failed.response["error"] == "channel_not_found"
    call = slash(served, slack_api, "help", name="stillalive")
    assert "Examples" in everything_said(call)
    assert "chat.postMessage failed" in served.log()


def test_the_bots_own_messages_and_edits_in_a_dm_are_not_answered(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    base = {"type": "message", "channel_type": "im", "channel": "DQUIET", "text": "help"}
    own = dict(base, user="UBOTRECBOT", bot_id="BRECBOT", ts="1700001000.000100")
    edit = dict(base, user="UALICE", subtype="message_changed", ts="1700001001.000100")
    question = dict(base, user="UALICE", ts="1700001002.000100")
    before = served.acks("dm")
    for i, event in enumerate((own, edit, question)):
        assert served.post(event_body(event, event_id=f"EvQuiet{i}"), JSON).status == 200
    # A DM taken up is counted before its HTTP response: only the question was.
    assert served.acks("dm") == before + 1
    slack_api.wait_for("chat.postMessage", where=lambda c: c.channel == "DQUIET")


def test_another_users_app_home_off_button_leaves_the_digest_alone(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    slash(served, slack_api, "digest daily 10:00 bulk", name="digest2", user="UCAROL")
    [sub_id] = [
        b["accessory"]["value"]
        for b in _home_of(served, slack_api, "UCAROL", "EvHome3")["blocks"]
        if "accessory" in b and "10:00" in b["text"]["text"]
    ]
    # UBOB may ask in the digest's channel, but did not make the digest.
    bobs = _publishes(slack_api, "UBOB")
    served.post(
        action_body(
            "recbot_digest_off", sub_id, user="UBOB", channel="", response_url=None, on_home=True
        ),
        FORM,
    )
    slack_api.wait_for(
        "views.publish", count=bobs + 1, where=lambda c: c.params.get("user_id") == "UBOB"
    )
    still = _home_of(served, slack_api, "UCAROL", "EvHome4")
    assert sub_id in [b["accessory"]["value"] for b in still["blocks"] if "accessory" in b]


def test_digest_off_typed_in_another_channel_leaves_the_digest_alone(
    served: ServedBot, slack_api: SlackStandIn
) -> None:
    call = slash(served, slack_api, "digest daily 11:00 cam1", name="digest3", user="UCAROL")
    sub_id = json.dumps(call.params).split("digest off ")[1].split("`")[0]
    # UALICE may ask in CSHARE, but the digest belongs to CMAIN.
    refused = slash(
        served, slack_api, f"digest off {sub_id}", name="digest4", user="UALICE", channel="CSHARE"
    )
    assert "in this channel" in everything_said(refused)
    listed = slash(served, slack_api, "digest list", name="digest5", user="UALICE")
    assert f"*#{sub_id}*" in everything_said(listed)


def _publishes(slack_api: SlackStandIn, user: str) -> int:
    return len([c for c in slack_api.calls("views.publish") if c.params.get("user_id") == user])


def _home_of(
    served: ServedBot, slack_api: SlackStandIn, user: str, event_id: str
) -> dict[str, Any]:
    count = _publishes(slack_api, user) + 1
    home = {
        "type": "app_home_opened",
        "user": user,
        "channel": f"D{user}",
        "tab": "home",
        "event_ts": "1700000900.000100",
    }
    served.post(event_body(home, event_id=event_id), JSON)
    views = slack_api.wait_for(
        "views.publish", count=count, where=lambda c: c.params.get("user_id") == user
    )
    view: dict[str, Any] = views[-1].params["view"]
    return view
