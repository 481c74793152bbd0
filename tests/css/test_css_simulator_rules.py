"""The simulator answers like DescribeRecordTask: signatures, common parameters, window rules.

Requests come from the SDK (LiveClient) where it can make them, and are hand-signed with
`bot.css.signing` where the SDK never would (other services, stale times, odd headers).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.live.v20180801 import live_client, models

from bot.config import Settings
from bot.css import signing
from bot.css.cache import MemoryCache
from bot.css.client import SdkPages, build_live_client, open_source, parse_endpoint
from bot.css.page import CallFailed
from bot.css.query import CssSource
from bot.css.ratelimit import SlidingWindowLimiter
from bot.css.simulator import Simulator
from bot.errors import ApiError
from bot.filters import Filters
from bot.plan import ApiWindow
from bot.tasks import to_unix
from tests.support.css import FAST_RETRY, NOW, days, machine_clock_at

DAY = 86400
T0 = to_unix(NOW)


def pages_for(sim: Simulator, *, secret_key: str | None = None) -> SdkPages:
    cred = credential.Credential(sim.secret_id, secret_key or sim.secret_key)
    return SdkPages(build_live_client(cred, "ap-guangzhou", parse_endpoint(sim.url), 5.0))


def fetch_error(pages: SdkPages, window: ApiWindow, **filters: str) -> CallFailed:
    with pytest.raises(CallFailed) as caught:
        pages.fetch(window, filters, "")
    return caught.value


def query_with(sim: Simulator, **settings: Any) -> ApiError:
    values: dict[str, Any] = {
        "tencentcloud_secret_id": sim.secret_id,
        "tencentcloud_secret_key": sim.secret_key,
        "recbot_css_endpoint": sim.url,
    }
    values.update(settings)
    source = open_source(
        Settings(**values), limiter=SlidingWindowLimiter(500), cache=MemoryCache(), retry=FAST_RETRY
    )
    try:
        with machine_clock_at(NOW), pytest.raises(ApiError) as caught:
            source.fetch_tasks(days(-1, 0), Filters(), NOW)
    finally:
        source.close()
    return caught.value


@pytest.fixture
def stale_sim() -> Iterator[Simulator]:
    with Simulator(now=NOW, wall_clock=lambda: time.time() + 600) as simulator:
        yield simulator


def raw_call(
    sim: Simulator,
    *,
    params: dict[str, object] | None = None,
    service: str = "live",
    action: str = "DescribeRecordTask",
    version: str = "2018-08-01",
    authorization: str | None = None,
) -> tuple[http.client.HTTPResponse, dict[str, Any]]:
    body = json.dumps(params or {"StartTime": T0 - DAY, "EndTime": T0}).encode()
    stamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "host": f"127.0.0.1:{sim.port}",
        "x-tc-action": action,
        "x-tc-version": version,
        "x-tc-region": "ap-guangzhou",
        "x-tc-timestamp": str(stamp),
    }
    signed = ("content-type", "host")
    canonical = signing.canonical_request("POST", "", headers, signed, body)
    headers["authorization"] = authorization or signing.authorization_header(
        secret_id=sim.secret_id,
        secret_key=sim.secret_key,
        timestamp=stamp,
        service=service,
        canonical=canonical,
        signed_headers=signed,
    )
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    try:
        conn.request("POST", "/", body, headers)
        response = conn.getresponse()
        document = json.loads(response.read())
    finally:
        conn.close()
    return response, document["Response"]


# -- signatures ------------------------------------------------------------------------------


def test_sdk_signed_request_is_accepted_and_answered_in_english(sim: Simulator) -> None:
    reply = pages_for(sim).fetch(ApiWindow(T0 - 3 * DAY, T0), {}, "")
    assert reply.tasks
    assert reply.request_id
    [record] = sim.request_log.records()
    assert record.language == "en-US"
    assert record.region == "ap-guangzhou"


def test_wrong_secret_key_is_a_signature_failure(sim: Simulator) -> None:
    error = query_with(sim, tencentcloud_secret_key="not-the-key")
    assert error.code == "AuthFailure.SignatureFailure"
    assert "check TENCENTCLOUD_SECRET_KEY" in error.user_message
    assert sim.request_log.calls == 1


def test_unknown_secret_id_is_not_found(sim: Simulator) -> None:
    error = query_with(sim, tencentcloud_secret_id="AKIDnobody")
    assert error.code == "AuthFailure.SecretIdNotFound"
    assert "check TENCENTCLOUD_SECRET_ID" in error.user_message


def test_stale_timestamp_is_expired(stale_sim: Simulator) -> None:
    error = query_with(stale_sim)
    assert error.code == "AuthFailure.SignatureExpire"
    assert "clock" in error.user_message


def test_temporary_token_is_checked() -> None:
    with Simulator(now=NOW, token="session-token") as sim:
        error = query_with(sim, tencentcloud_token="other-token")
        assert error.code == "AuthFailure.TokenFailure"
        source = open_source(
            Settings(
                tencentcloud_secret_id=sim.secret_id,
                tencentcloud_secret_key=sim.secret_key,
                tencentcloud_token="session-token",
                recbot_css_endpoint=sim.url,
            ),
            limiter=SlidingWindowLimiter(500),
            cache=MemoryCache(),
        )
        with source, machine_clock_at(NOW):
            assert source.fetch_tasks(days(-3, 0), Filters(), NOW).tasks


def test_wrong_service_in_scope_is_refused(sim: Simulator) -> None:
    response, body = raw_call(sim, service="cvm")
    assert response.status == 200
    assert body["Error"]["Code"] == "AuthFailure.InvalidAuthorization"
    assert "cvm" in body["Error"]["Message"]


def test_malformed_authorization_is_refused(sim: Simulator) -> None:
    _, body = raw_call(sim, authorization="Bearer abc")
    assert body["Error"]["Code"] == "AuthFailure.InvalidAuthorization"


def test_hand_signed_request_gets_exact_content_type_and_request_id(sim: Simulator) -> None:
    response, body = raw_call(sim)
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    assert body["RequestId"]
    assert isinstance(body["TaskList"], list)


def test_get_requests_signed_by_the_sdk_work_too(sim: Simulator) -> None:
    profile = ClientProfile(
        httpProfile=HttpProfile(
            protocol="http", endpoint=f"127.0.0.1:{sim.port}", reqMethod="GET", reqTimeout=5
        ),
        language="en-US",
        disable_region_breaker=True,
    )
    client = live_client.LiveClient(
        credential.Credential(sim.secret_id, sim.secret_key), "ap-guangzhou", profile
    )
    request = models.DescribeRecordTaskRequest()
    request.StartTime = T0 - 3 * DAY
    request.EndTime = T0
    request.StreamName = "livetest"
    response = client.DescribeRecordTask(request)
    assert response.TaskList
    assert {task.StreamName for task in response.TaskList} == {"livetest"}


# -- common parameters ----------------------------------------------------------------------


def query_in_region(sim: Simulator, region: str) -> ApiError:
    """Settings refuse such regions up front; this checks the API's answer if one slips by."""
    cred = credential.Credential(sim.secret_id, sim.secret_key)
    pages = SdkPages(build_live_client(cred, region, parse_endpoint(sim.url), 5.0))
    source = CssSource(
        pages,
        region=region,
        endpoint=sim.url,
        limiter=SlidingWindowLimiter(500),
        cache=None,
        deadline_s=5.0,
        retry=FAST_RETRY,
        server_clock=sim.clock,
    )
    with source, pytest.raises(ApiError) as caught:
        source.fetch_tasks(days(-1, 0), Filters(), NOW)
    return caught.value


def test_missing_region_names_the_variable(sim: Simulator) -> None:
    error = query_in_region(sim, "")
    assert error.code == "MissingParameter"
    assert "TENCENTCLOUD_REGION" in error.user_message


def test_unsupported_region_names_the_region(sim: Simulator) -> None:
    error = query_in_region(sim, "ap-nowhere")
    assert error.code == "UnsupportedRegion"
    assert "'ap-nowhere'" in error.user_message


def test_other_action_and_version_are_refused(sim: Simulator) -> None:
    assert raw_call(sim, action="DescribeLiveStreams")[1]["Error"]["Code"] == "InvalidAction"
    assert raw_call(sim, version="2017-01-01")[1]["Error"]["Code"] == "NoSuchVersion"


# -- request parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "rule"),
    [
        (ApiWindow(T0, T0), "EndTime must be greater than StartTime"),
        (ApiWindow(T0, T0 - 10), "EndTime must be greater than StartTime"),
        (ApiWindow(T0 - 7 * DAY - 1, T0), "at most one week"),
        (ApiWindow(T0 - 91 * DAY, T0 - 90 * DAY), "no earlier than 90 days"),
    ],
)
def test_window_rules_name_the_rule(sim: Simulator, window: ApiWindow, rule: str) -> None:
    error = fetch_error(pages_for(sim), window)
    assert error.code == "InvalidParameter"
    assert rule in error.message


def test_a_week_exactly_and_ninety_days_exactly_are_allowed(sim: Simulator) -> None:
    # The limits are inclusive: one second more is refused (test_window_rules_name_the_rule).
    pages = pages_for(sim)
    week = ApiWindow(T0 - 7 * DAY, T0)
    oldest = ApiWindow(T0 - 90 * DAY, T0 - 89 * DAY)
    replies = [pages.fetch(week, {}, ""), pages.fetch(oldest, {}, "")]
    assert [r.code for r in sim.request_log.records()] == ["", ""]  # two pages, no error
    assert all(reply.request_id for reply in replies)
    assert replies[0].tasks  # the simulator has recordings in the last week
    for reply, window in zip(replies, (week, oldest), strict=True):
        for task in reply.tasks:
            assert to_unix(task.start) < window.end
            assert to_unix(task.end) > window.start


def test_times_must_be_integers(sim: Simulator) -> None:
    client = pages_for(sim).client
    with pytest.raises(TencentCloudSDKException) as caught:
        client.call("DescribeRecordTask", {"StartTime": "yesterday", "EndTime": T0})
    assert caught.value.get_code() == "InvalidParameter"
    assert "StartTime must be an integer" in caught.value.get_message()


def test_missing_time_is_a_missing_parameter(sim: Simulator) -> None:
    with pytest.raises(TencentCloudSDKException) as caught:
        pages_for(sim).client.call("DescribeRecordTask", {"EndTime": T0})
    assert caught.value.get_code() == "MissingParameter"


def test_unknown_parameters_are_refused_not_ignored(sim: Simulator) -> None:
    error = fetch_error(pages_for(sim), ApiWindow(T0 - DAY, T0), Stream="livetest")
    assert error.code == "UnknownParameter"
    assert "Stream" in error.message


def test_empty_filter_is_refused(sim: Simulator) -> None:
    error = fetch_error(pages_for(sim), ApiWindow(T0 - DAY, T0), StreamName="")
    assert error.code == "InvalidParameterValue"


def test_tokens_are_opaque_and_bound_to_their_query(sim: Simulator) -> None:
    pages = pages_for(sim)
    first = pages.fetch(ApiWindow(T0 - 7 * DAY, T0), {}, "")
    assert first.token
    with pytest.raises(CallFailed) as forged:
        pages.fetch(ApiWindow(T0 - 7 * DAY, T0), {}, "not-a-token")
    assert forged.value.code == "InvalidParameterValue"
    with pytest.raises(CallFailed) as elsewhere:
        pages.fetch(ApiWindow(T0 - 6 * DAY, T0), {}, first.token)
    assert elsewhere.value.code == "InvalidParameterValue"
    second = pages.fetch(ApiWindow(T0 - 7 * DAY, T0), {}, first.token)
    assert not {t.task_id for t in first.tasks} & {t.task_id for t in second.tasks}


def test_only_tasks_with_start_and_end_inside_are_listed(sim: Simulator) -> None:
    start, end = T0 - 2 * DAY, T0 - DAY
    pages = pages_for(sim)
    listed: set[str] = set()
    token = ""
    while True:
        reply = pages.fetch(ApiWindow(start, end), {}, token)
        listed |= {t.task_id for t in reply.tasks}
        token = reply.token
        if not token:
            break
    inside = {t.task_id for t in sim.tasks if start <= to_unix(t.start) and to_unix(t.end) <= end}
    assert listed == inside
    assert listed


def test_more_than_twenty_requests_a_second_are_limited() -> None:
    with Simulator(now=NOW, rate_limit=20) as sim:
        codes: list[str] = []
        lock = threading.Lock()

        def hammer() -> None:
            pages = pages_for(sim)
            for _ in range(8):
                try:
                    pages.fetch(ApiWindow(T0 - DAY, T0), {}, "")
                    code = ""
                except CallFailed as failure:
                    code = failure.code
                with lock:
                    codes.append(code)

        threads = [threading.Thread(target=hammer) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(codes) == 48
        assert "RequestLimitExceeded" in codes
        assert set(codes) <= {"", "RequestLimitExceeded"}
        assert sim.request_log.peak_per_second() <= 20
