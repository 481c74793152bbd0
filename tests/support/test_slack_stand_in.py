"""The Slack Web API stand-in answers slack-sdk's real WebClient the way Slack does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from tests.support.slack_api import SlackStandIn, running


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    yield from running()


def client_for(slack: SlackStandIn, token: str = "xoxb-test") -> WebClient:
    return WebClient(token=token, base_url=slack.base_url)


def test_auth_test_reports_the_bot_and_its_scopes_in_the_header(slack: SlackStandIn) -> None:
    response = client_for(slack).auth_test()
    assert response["user_id"] == "UBOTRECBOT"
    assert "chat:write" in response.headers["x-oauth-scopes"].split(",")


def test_invalid_token_gets_invalid_auth(slack: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as caught:
        client_for(slack, "xoxb-invalid").auth_test()
    assert caught.value.response["error"] == "invalid_auth"


def test_post_message_is_recorded_with_its_thread_and_blocks(slack: SlackStandIn) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    client_for(slack).chat_postMessage(channel="C1", text="hi", blocks=blocks, thread_ts="1.2")
    [call] = slack.calls("chat.postMessage")
    assert (call.channel, call.params["thread_ts"], call.params["blocks"]) == ("C1", "1.2", blocks)
    assert call.token == "xoxb-test"


def test_unknown_channel_answers_channel_not_found(slack: SlackStandIn) -> None:
    slack.remove_channel("CGONE")
    with pytest.raises(SlackApiError) as caught:
        client_for(slack).chat_postMessage(channel="CGONE", text="hi")
    assert caught.value.response["error"] == "channel_not_found"


def test_too_many_blocks_and_too_long_text_are_refused_like_slack(slack: SlackStandIn) -> None:
    many = [{"type": "divider"}] * 51
    long_text = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    client = client_for(slack)
    errors = []
    for blocks in (many, long_text):
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel="C1", text="t", blocks=blocks)
        errors.append(caught.value.response["error"])
    assert errors == ["invalid_blocks", "invalid_blocks"]


def test_total_block_text_over_the_limit_is_msg_blocks_too_long(slack: SlackStandIn) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}}] * 5
    with pytest.raises(SlackApiError) as caught:
        client_for(slack).chat_postMessage(channel="C1", text="t", blocks=blocks)
    assert caught.value.response["error"] == "msg_blocks_too_long"


def test_rate_limit_sends_429_with_retry_after_and_the_retry_handler_gets_through(
    slack: SlackStandIn,
) -> None:
    slack.rate_limit("chat.postMessage", channel="C1", retry_after=0, times=1)
    client = client_for(slack)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    client.chat_postMessage(channel="C1", text="hi")
    statuses = [c.status for c in slack.calls("chat.postMessage")]
    assert statuses == [429, 200]
    assert slack.ok_calls("chat.postMessage")[0].params["text"] == "hi"


def test_rate_limit_on_another_channel_does_not_apply(slack: SlackStandIn) -> None:
    slack.rate_limit("chat.postMessage", channel="C2", times=None)
    client_for(slack).chat_postMessage(channel="C1", text="hi")
    assert [c.status for c in slack.calls()] == [200]


def test_users_info_gives_the_users_time_zone(slack: SlackStandIn) -> None:
    slack.add_user("U1", tz="Asia/Tokyo")
    assert client_for(slack).users_info(user="U1")["user"]["tz"] == "Asia/Tokyo"


def test_missing_scope_is_reported_with_what_is_needed() -> None:
    with SlackStandIn(scopes=("chat:write",)) as slack, pytest.raises(SlackApiError) as caught:
        client_for(slack).users_info(user="U1")
    assert caught.value.response["needed"] == "users:read"


def test_files_upload_v2_goes_through_all_three_steps(slack: SlackStandIn) -> None:
    client_for(slack).files_upload_v2(
        content=b"a,b\n1,2\n", filename="tasks.csv", title="Tasks", channel="C1"
    )
    [uploaded] = slack.files()
    assert (uploaded.filename, uploaded.content, uploaded.channel) == (
        "tasks.csv",
        b"a,b\n1,2\n",
        "C1",
    )
    assert [c.method for c in slack.calls()] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


def test_response_url_records_the_json_it_was_sent(slack: SlackStandIn) -> None:
    WebhookClient(slack.response_url("cmd1")).send(text="ok", response_type="ephemeral")
    [call] = slack.wait_for("response_url")
    assert (call.path, call.params["text"]) == ("/response/cmd1", "ok")


def test_views_publish_accepts_a_home_view_and_refuses_101_blocks(slack: SlackStandIn) -> None:
    client = client_for(slack)
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}]})
    with pytest.raises(SlackApiError) as caught:
        client.views_publish(
            user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}] * 101}
        )
    assert caught.value.response["error"] == "invalid_blocks"


def test_wait_for_names_what_it_saw_when_the_deadline_passes(slack: SlackStandIn) -> None:
    client_for(slack).auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test"):
        slack.wait_for("chat.postMessage", timeout=0.05)
