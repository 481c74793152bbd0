"""TC3-HMAC-SHA256, the TencentCloud API 3.0 signature, written from the published algorithm.

The simulator verifies requests with it; it is independent of the SDK's signer on purpose,
so a test that passes proves the SDK and the simulator agree on the wire format.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

ALGORITHM = "TC3-HMAC-SHA256"

_AUTH_RE = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/\s,]+)/(?P<date>\d{4}-\d{2}-\d{2})/"
    r"(?P<service>[^/\s,]+)/tc3_request, ?SignedHeaders=(?P<headers>[a-z0-9;-]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


@dataclass(frozen=True)
class Authorization:
    """The parts of an `Authorization` header."""

    secret_id: str
    date: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(header: str) -> Authorization | None:
    """None when the header is not a well-formed TC3 authorization."""
    match = _AUTH_RE.match(header.strip())
    if match is None:
        return None
    return Authorization(
        secret_id=match["id"],
        date=match["date"],
        service=match["service"],
        signed_headers=tuple(match["headers"].split(";")),
        signature=match["signature"],
    )


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def scope_date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")


def canonical_request(
    method: str,
    query: str,
    headers: Mapping[str, str],
    signed_headers: tuple[str, ...],
    body: bytes,
) -> str:
    """`headers` has lowercase names; values are trimmed and lowercased as the spec says."""
    lines = "".join(f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed_headers)
    return "\n".join([method, "/", query, lines, ";".join(signed_headers), _sha256_hex(body)])


def signature(secret_key: str, timestamp: int, service: str, canonical: str) -> str:
    date = scope_date(timestamp)
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join([ALGORITHM, str(timestamp), scope, _sha256_hex(canonical.encode())])
    key = _hmac(("TC3" + secret_key).encode(), date)
    key = _hmac(key, service)
    key = _hmac(key, "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def authorization_header(
    *,
    secret_id: str,
    secret_key: str,
    timestamp: int,
    service: str,
    canonical: str,
    signed_headers: tuple[str, ...],
) -> str:
    """Used by tests to send hand-made requests (stale timestamps, other services)."""
    sig = signature(secret_key, timestamp, service, canonical)
    return (
        f"{ALGORITHM} Credential={secret_id}/{scope_date(timestamp)}/{service}/tc3_request, "
        f"SignedHeaders={';'.join(signed_headers)}, Signature={sig}"
    )
