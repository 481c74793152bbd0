"""DescribeRecordTask error codes -> retry or not, and the plain sentence that names the fix.

Rules are data: the first rule whose code equals the error code, or is its dotted prefix, wins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.errors import ApiError

log = logging.getLogger(__name__)

_FALLBACK_FIX = "see the message; quote the RequestId to Tencent Cloud support"


# What an asker reads when Tencent Cloud could not be reached or did not answer properly: the
# transport error and the endpoint are for the operator (the log, `recbot doctor`) only.
CSS_DID_NOT_ANSWER = "Tencent Cloud did not answer; try again in a minute."
CSS_TOO_SLOW = (
    "Tencent Cloud did not answer in time; try again in a minute, or ask for a shorter time range."
)


@dataclass(frozen=True)
class ErrorRule:
    code: str  # exact code, or a prefix that covers "<code>.<anything>"
    transient: bool
    message: str  # str.format fields: detail, region, endpoint, attempts, code
    fix: str = _FALLBACK_FIX  # what an operator does about it (`recbot doctor` prints it)
    # What askers read instead of `message`, when `message` is for the operator only.
    plain: str | None = None


_ASK_SUPPORT = "contact Tencent Cloud support or check the CSS console"
_BUG = "this is a recbot bug, please report it"
_COPY_KEYS = (
    "copy the key pair again from CAM → API Keys into TENCENTCLOUD_SECRET_ID and "
    "TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_TOKEN only for temporary keys)"
)
_CAM_POLICY = "attach a CAM policy allowing live:DescribeRecordTask (e.g. QcloudLiveReadOnlyAccess)"
_RESTORE_CSS = (
    "restore CSS on the account in the Tencent Cloud console (billing, service state); "
    "no recbot setting can fix this"
)
_CHECK_ENDPOINT = "check RECBOT_CSS_ENDPOINT and any proxy or gateway in between"

RULES: tuple[ErrorRule, ...] = (
    # Authentication and access: fix the configuration, never retry.
    ErrorRule(
        "AuthFailure.SignatureFailure",
        False,
        "Tencent Cloud rejected the request signature: check TENCENTCLOUD_SECRET_KEY "
        "(it must be the key of TENCENTCLOUD_SECRET_ID, with no stray spaces).",
        fix=_COPY_KEYS,
    ),
    ErrorRule(
        "AuthFailure.SecretIdNotFound",
        False,
        "Tencent Cloud does not know this API key: check TENCENTCLOUD_SECRET_ID (it may "
        "be deleted, disabled, mistyped or have stray spaces).",
        fix=_COPY_KEYS,
    ),
    ErrorRule(
        "AuthFailure.InvalidSecretId",
        False,
        "TENCENTCLOUD_SECRET_ID is not a Tencent Cloud API key: check "
        "TENCENTCLOUD_SECRET_ID (API keys start with AKID).",
        fix=_COPY_KEYS,
    ),
    ErrorRule(
        "AuthFailure.SignatureExpire",
        False,
        "Tencent Cloud rejected the request time: this machine's clock is more than "
        "5 minutes off; check its clock (NTP).",
        fix="synchronise this machine's clock (NTP)",
    ),
    ErrorRule(
        "AuthFailure.TokenFailure",
        False,
        "Tencent Cloud rejected the temporary credentials: check TENCENTCLOUD_TOKEN "
        "(it may have expired).",
        fix=_COPY_KEYS,
    ),
    ErrorRule(
        "AuthFailure.InvalidAuthorization",
        False,
        "Tencent Cloud could not read the request's Authorization header ({detail}): "
        "check RECBOT_CSS_ENDPOINT and any proxy between recbot and Tencent Cloud.",
        fix=_CHECK_ENDPOINT,
    ),
    ErrorRule(
        "AuthFailure.UnauthorizedOperation",
        False,
        "The API key may not list recording tasks: grant live:DescribeRecordTask to the "
        "key of TENCENTCLOUD_SECRET_ID in CAM.",
        fix=_CAM_POLICY,
    ),
    ErrorRule(
        "UnauthorizedOperation",
        False,
        "The API key may not list recording tasks: grant live:DescribeRecordTask to the "
        "key of TENCENTCLOUD_SECRET_ID in CAM.",
        fix=_CAM_POLICY,
    ),
    ErrorRule(
        "AuthFailure",
        False,
        "Tencent Cloud rejected the credentials ({code}: {detail}): check "
        "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY.",
        fix=_COPY_KEYS,
    ),
    # The account's service state.
    ErrorRule(
        "ResourceNotFound.ForbidService",
        False,
        f"This Tencent Cloud account is banned from CSS: {_ASK_SUPPORT}.",
        fix=_RESTORE_CSS,
    ),
    ErrorRule(
        "ResourceNotFound.FreezeService",
        False,
        f"CSS is frozen on this Tencent Cloud account: {_ASK_SUPPORT}.",
        fix=_RESTORE_CSS,
    ),
    ErrorRule(
        "ResourceNotFound.StopService",
        False,
        "CSS is suspended on this Tencent Cloud account, usually because it is in "
        "arrears: pay the outstanding bill in the Tencent Cloud console to reopen it.",
        fix=_RESTORE_CSS,
    ),
    ErrorRule(
        "ResourceNotFound.UserDisableService",
        False,
        "CSS is switched off on this Tencent Cloud account: enable it in the CSS "
        "console to list recording tasks.",
        fix=_RESTORE_CSS,
    ),
    ErrorRule(
        "UnsupportedOperation",
        False,
        "Tencent Cloud says listing recording tasks is not supported for this account "
        f"({{detail}}): {_ASK_SUPPORT}.",
    ),
    # The request itself.
    ErrorRule(
        "UnsupportedRegion",
        False,
        "Region '{region}' does not offer CSS recording tasks: set TENCENTCLOUD_REGION "
        "to a CSS region such as ap-guangzhou.",
        fix="set TENCENTCLOUD_REGION to the region of your CSS domains",
    ),
    ErrorRule(
        "MissingParameter",
        False,
        "Tencent Cloud says a parameter is missing ({detail}): if it names the region, "
        "set TENCENTCLOUD_REGION; otherwise {bug}.",
    ),
    ErrorRule(
        "InvalidParameterValue", False, "Tencent Cloud refused a query value ({detail}); {bug}."
    ),
    ErrorRule(
        "InvalidParameter",
        False,
        "Tencent Cloud refused the query window ({detail}); ask for a window within "
        "the last 90 days; if it was, {bug}.",
    ),
    ErrorRule("UnknownParameter", False, "Tencent Cloud refused the request ({detail}); {bug}."),
    ErrorRule(
        "InvalidAction",
        False,
        "The endpoint does not offer DescribeRecordTask ({detail}): check RECBOT_CSS_ENDPOINT.",
        fix=_CHECK_ENDPOINT,
    ),
    ErrorRule(
        "NoSuchVersion",
        False,
        "The endpoint does not offer API version 2018-08-01 ({detail}): check RECBOT_CSS_ENDPOINT.",
        fix=_CHECK_ENDPOINT,
    ),
    ErrorRule(
        "InvalidCredential",
        False,
        "The Tencent Cloud credentials are empty or have spaces around them: check "
        "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY.",
        fix=_COPY_KEYS,
    ),
    # Worth retrying; the message is what is left when retries ran out.
    ErrorRule(
        "RequestLimitExceeded",
        True,
        "Tencent Cloud kept answering 'too many requests' after {attempts} attempts "
        "(DescribeRecordTask allows 20 per second per account): try again in a minute, "
        "or lower RECBOT_RATE_LIMIT if other tools share this key.",
    ),
    ErrorRule(
        "InternalError",
        True,
        "Tencent Cloud kept failing with an internal error ({code}) after {attempts} "
        "attempts: try again in a few minutes.",
    ),
    ErrorRule(
        "ServiceUnavailable",
        True,
        "Tencent Cloud's CSS API is unavailable right now (after {attempts} attempts): "
        "try again in a few minutes.",
    ),
    ErrorRule(
        "ResourceUnavailable",
        True,
        "Tencent Cloud's CSS API is unavailable right now ({code}, after {attempts} "
        "attempts): try again in a few minutes.",
    ),
    ErrorRule(
        "ResourceInUse",
        True,
        "Tencent Cloud is busy ({code}, after {attempts} attempts): try again shortly.",
    ),
    ErrorRule(
        "ResourceInsufficient",
        True,
        "Tencent Cloud is busy ({code}, after {attempts} attempts): try again shortly.",
    ),
    ErrorRule(
        "ClientNetworkError",
        True,
        "Could not reach Tencent Cloud at {endpoint} after {attempts} attempts "
        "({detail}): check the network, RECBOT_CSS_ENDPOINT and proxy settings.",
        fix="check that this host can reach the endpoint (firewall, DNS, "
        "HTTPS_PROXY) and RECBOT_CSS_ENDPOINT if set",
        plain=CSS_DID_NOT_ANSWER,
    ),
    ErrorRule(
        "ServerNetworkError",
        True,
        "{endpoint} answered with an HTTP error instead of an API response after "
        "{attempts} attempts ({detail}): a gateway or proxy is failing; check "
        "RECBOT_CSS_ENDPOINT or try again later.",
        fix=_CHECK_ENDPOINT,
        plain=CSS_DID_NOT_ANSWER,
    ),
    ErrorRule(
        "MalformedResponse",
        True,
        "{endpoint} sent a reply that is not a DescribeRecordTask response after "
        "{attempts} attempts ({detail}): check RECBOT_CSS_ENDPOINT and any proxy; "
        "no tasks are shown rather than a wrong, empty list.",
        fix="check RECBOT_CSS_ENDPOINT: it does not answer like Tencent Cloud",
        plain=CSS_DID_NOT_ANSWER,
    ),
    ErrorRule(
        "RepeatingScrollToken",
        False,
        "Tencent Cloud handed back a page token it had already given ({detail}); "
        "paging stopped instead of looping: try again later.",
    ),
    ErrorRule(
        "QueryDeadline",
        True,
        "The query did not finish within its deadline ({detail}; at least "
        "RECBOT_QUERY_DEADLINE, more for many pages): Tencent Cloud at {endpoint} is "
        "slow or unreachable; try again or ask for a shorter time range.",
        plain=CSS_TOO_SLOW,
    ),
)

_UNKNOWN = ErrorRule(
    "", False, "Tencent Cloud answered with an error recbot does not know ({code}: {detail})."
)


def rule_for(code: str) -> ErrorRule:
    for rule in RULES:
        if code == rule.code or code.startswith(rule.code + "."):
            return rule
    return _UNKNOWN


def is_transient(code: str) -> bool:
    return rule_for(code).transient


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def api_error(
    code: str,
    detail: str,
    request_id: str | None,
    *,
    region: str,
    endpoint: str,
    attempts: int = 1,
) -> ApiError:
    """The typed error for `code`; `detail` is the server's own message (shortened)."""
    rule = rule_for(code)
    message = rule.message.format(
        detail=_short(detail) or code,
        region=region,
        endpoint=endpoint,
        attempts=attempts,
        code=code,
        bug=_BUG,
    )
    return ApiError(
        code,
        rule.plain or message,
        request_id or None,
        transient=rule.transient,
        detail=message,
    )


def log_api_failure(error: ApiError) -> None:
    """The operator's detail (endpoint, transport error) goes to the log, once per failure."""
    log.warning(
        "Tencent Cloud query failed",
        extra={"code": error.code, "detail": error.detail, "css_request_id": error.request_id},
    )
