"""Every error code the simulator can answer reaches the user as the right plain sentence."""

from __future__ import annotations

import pytest

from bot.css.simulator import Simulator
from bot.errors import ApiError
from bot.filters import Filters
from tests.support.css import FAST_RETRY, NOW, SourceFactory, days

# code, words the user must read (what to fix), whether it was retried first
CASES: list[tuple[str, str, bool]] = [
    # DescribeRecordTask's own codes
    ("InternalError", "internal error", True),
    ("InternalError.GetConfigError", "internal error (InternalError.GetConfigError)", True),
    ("InternalError.NetworkError", "internal error (InternalError.NetworkError)", True),
    ("InvalidParameter", "refused the query window", False),
    ("ResourceNotFound.ForbidService", "banned from CSS", False),
    ("ResourceNotFound.FreezeService", "CSS is frozen", False),
    ("ResourceNotFound.StopService", "pay the outstanding bill", False),
    ("ResourceNotFound.UserDisableService", "enable it in the CSS console", False),
    ("UnsupportedOperation", "not supported for this account", False),
    # Common codes
    ("AuthFailure.SignatureFailure", "check TENCENTCLOUD_SECRET_KEY", False),
    ("AuthFailure.SecretIdNotFound", "check TENCENTCLOUD_SECRET_ID", False),
    ("AuthFailure.InvalidSecretId", "check TENCENTCLOUD_SECRET_ID", False),
    ("AuthFailure.SignatureExpire", "clock", False),
    ("AuthFailure.TokenFailure", "TENCENTCLOUD_TOKEN", False),
    ("AuthFailure.InvalidAuthorization", "RECBOT_CSS_ENDPOINT", False),
    ("AuthFailure.MFAFailure", "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY", False),
    ("AuthFailure.UnauthorizedOperation", "grant live:DescribeRecordTask", False),
    ("UnauthorizedOperation", "grant live:DescribeRecordTask", False),
    ("MissingParameter", "TENCENTCLOUD_REGION", False),
    ("UnsupportedRegion", "set TENCENTCLOUD_REGION", False),
    ("InvalidParameterValue", "recbot bug", False),
    ("UnknownParameter", "recbot bug", False),
    ("InvalidAction", "check RECBOT_CSS_ENDPOINT", False),
    ("NoSuchVersion", "check RECBOT_CSS_ENDPOINT", False),
    ("RequestLimitExceeded", "too many requests", True),
    ("RequestLimitExceeded.UinLimitExceeded", "too many requests", True),
    ("RequestLimitExceeded.GlobalRegionUinLimitExceeded", "too many requests", True),
    ("RequestLimitExceeded.IPLimitExceeded", "too many requests", True),
    ("ServiceUnavailable", "unavailable right now", True),
    ("ResourceUnavailable", "unavailable right now", True),
    ("ResourceInUse", "busy", True),
    ("ResourceInsufficient", "busy", True),
    ("LimitExceeded", "does not know (LimitExceeded", False),
    ("FailedOperation", "does not know (FailedOperation", False),
]


@pytest.mark.parametrize(("code", "words", "retried"), CASES, ids=[c[0] for c in CASES])
def test_error_code_becomes_a_plain_sentence(
    sim: Simulator, make_source: SourceFactory, code: str, words: str, retried: bool
) -> None:
    sim.set_faults(error_rate=1.0, error_code=code)
    with pytest.raises(ApiError) as caught:
        make_source(sim).fetch_tasks(days(-1, 0), Filters(), NOW)
    error = caught.value
    assert error.code == code
    assert words in error.user_message
    assert error.transient is retried
    answered = {r.request_id for r in sim.request_log.records() if r.code == code}
    assert error.request_id in answered
    assert f"(RequestId {error.request_id})" in error.user_message
    # One asked day is one API window: permanent errors are asked once, transient ones
    # until the attempts run out.
    assert sim.request_log.calls == (FAST_RETRY.attempts if retried else 1)
    if retried:
        assert f"after {FAST_RETRY.attempts} attempts" in error.user_message
