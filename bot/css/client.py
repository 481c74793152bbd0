"""The SDK edge: a LiveClient set up for recbot, and `open_source` that picks real or simulated.

With Tencent credentials (environment or profile file; never the metadata service) it talks to
Tencent Cloud; without, it starts the simulator in-process on loopback and talks to that over
real signed HTTP, and every result says it is simulated.
"""

from __future__ import annotations

import configparser
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.live.v20180801 import live_client

from bot.config import Settings
from bot.css.cache import Cache, process_cache
from bot.css.page import CallFailed, PageReply, parse_page
from bot.css.query import CssSource, RetryPolicy
from bot.css.ratelimit import RateLimiter, process_limiter
from bot.errors import ConfigError
from bot.plan import ApiWindow

if TYPE_CHECKING:
    from bot.css.simulator import Simulator

DEFAULT_HOST = "live.tencentcloudapi.com"
ACTION = "DescribeRecordTask"
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class Endpoint:
    scheme: str  # "http" or "https": the SDK's HttpProfile.protocol
    host: str  # host[:port]: HttpProfile.endpoint, the Host header and the signed host

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def is_loopback(self) -> bool:
        return (urlsplit(self.url).hostname or "") in {h.strip("[]") for h in LOOPBACK}


def parse_endpoint(value: str | None) -> Endpoint:
    """RECBOT_CSS_ENDPOINT: `http://127.0.0.1:PORT`, `https://host`, or a bare host (https)."""
    if not value:
        return Endpoint("https", DEFAULT_HOST)
    text = value.strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(
            f"RECBOT_CSS_ENDPOINT={value!r} is not an endpoint: use a scheme and host such as "
            "https://live.tencentcloudapi.com or http://127.0.0.1:8080."
        )
    return Endpoint(parts.scheme, parts.netloc)


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter is not None else None


def resolve_credentials(settings: Settings) -> credential.Credential | None:
    """Environment first, then the profile file; None when neither has a key pair.

    The SDK's DefaultCredentialProvider is avoided on purpose: after env and profile it tries
    the CVM metadata service (no timeout) and TKE, which raises OSError when unconfigured.
    """
    try:
        if settings.has_tencent_credentials:
            return credential.Credential(
                _secret(settings.tencentcloud_secret_id),
                _secret(settings.tencentcloud_secret_key),
                _secret(settings.tencentcloud_token),
            )
        found: credential.Credential | None = credential.ProfileCredential().get_credential()
        return found
    except AttributeError:
        return None  # a profile file without a [default] section: no key pair there
    except TencentCloudSDKException as exc:
        raise ConfigError(
            "The Tencent Cloud credentials are unusable "
            f"({exc.get_message()}): check TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY "
            "(no spaces around them) or ~/.tencentcloud/credentials."
        ) from None
    except (OSError, ValueError, configparser.Error) as exc:
        raise ConfigError(
            "~/.tencentcloud/credentials could not be read "
            f"({type(exc).__name__}): fix or remove it."
        ) from None


def build_live_client(
    cred: credential.Credential, region: str, endpoint: Endpoint, timeout_s: float
) -> live_client.LiveClient:
    http = HttpProfile(
        protocol=endpoint.scheme, endpoint=endpoint.host, reqMethod="POST", reqTimeout=timeout_s
    )
    # en-US: error messages in English (the SDK defaults to zh-CN). No SDK retryer: its
    # StandardRetryer re-raises stale errors; `bot.css.query` retries with jitter instead.
    profile = ClientProfile(
        httpProfile=http, language="en-US", retryer=None, disable_region_breaker=True
    )
    client = live_client.LiveClient(cred, region, profile)
    if endpoint.is_loopback:
        # The SDK picks HTTP_PROXY up itself and its NO_PROXY test misses "127.0.0.1:PORT";
        # loopback traffic must never leave through a proxy.
        client.request.conn.proxy = None
        client.request.conn._session.trust_env = False
    return client


class SdkPages:
    """One DescribeRecordTask call per `fetch`, through LiveClient's signed HTTP.

    `LiveClient.call` returns the raw body, which `parse_page` reads strictly.
    """

    def __init__(self, client: live_client.LiveClient) -> None:
        self.client = client

    def fetch(self, window: ApiWindow, filters: Mapping[str, str], token: str) -> PageReply:
        params: dict[str, object] = {"StartTime": window.start, "EndTime": window.end, **filters}
        if token:
            params["ScrollToken"] = token
        try:
            body = self.client.call(ACTION, params)
        except TencentCloudSDKException as exc:
            code = str(exc.get_code() or "ClientError")
            raw = exc.get_message()
            message = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw or "")
            raise CallFailed(code, message, exc.get_request_id()) from None
        except ValueError as exc:
            # The SDK's own json.loads of an error check on a non-JSON body.
            raise CallFailed("MalformedResponse", f"the body is not JSON ({exc})") from None
        except (requests.RequestException, OSError) as exc:
            # Raised while reading the body (reset, truncated, timed out mid-way).
            raise CallFailed("ClientNetworkError", f"{type(exc).__name__}: {exc}") from None
        return parse_page(body if isinstance(body, bytes) else str(body).encode())

    def close(self) -> None:
        self.client.request.conn._session.close()


def _scope(region: str, endpoint: Endpoint, cred: credential.Credential) -> str:
    """Cache keys differ by everything that decides access: the key pair (SecretId AND
    SecretKey, so a wrong key never reads what the right one fetched), region and endpoint.
    Only a fingerprint of the pair is stored, never the pair itself."""
    pair = f"{cred.secret_id}\0{cred.secret_key}".encode()
    access = hashlib.sha256(b"recbot-cache-access\0" + pair).hexdigest()[:24]
    return f"{region}|{endpoint.url}|{access}"


def wall_clock() -> datetime:
    """The real API's clock, as far as we can know it: this machine's."""
    return datetime.now(UTC)


def open_source(
    settings: Settings,
    *,
    now: datetime | None = None,
    limiter: RateLimiter | None = None,
    cache: Cache | None = None,
    simulator: Simulator | None = None,
    retry: RetryPolicy | None = None,
) -> CssSource:
    """The task source for these settings; call `.close()` (or use `with`) when done.

    `simulator`: use this running simulator (tests); otherwise one is started when no
    credentials are configured. `now`: the embedded simulator's clock stays at this instant
    and its data is generated around it (`recbot ask --now`); without it the simulator
    follows the machine's clock. `limiter`/`cache` default to the process-wide ones.

    The API's limits (90 days back, 7 days ahead) are planned with the server's clock: the
    simulator's clock for a simulator, the machine's clock for Tencent Cloud.
    """
    owned: Simulator | None = None
    cred = None if simulator is not None else resolve_credentials(settings)
    if simulator is None and cred is None:
        # Imported only here: with credentials, no simulator code is loaded at all.
        from bot.css.simulator import Simulator

        if now is None:
            owned = Simulator(count=None, follow_clock=True)
        else:
            owned = Simulator(count=None, now=now)
        simulator = owned.start()
    server_clock: Callable[[], datetime] = wall_clock
    if simulator is not None:
        cred = credential.Credential(simulator.secret_id, simulator.secret_key)
        endpoint = parse_endpoint(simulator.url)
        server_clock = simulator.clock
    else:
        endpoint = parse_endpoint(settings.recbot_css_endpoint)
    assert cred is not None
    client = build_live_client(
        cred, settings.tencentcloud_region, endpoint, settings.recbot_api_timeout
    )
    pages = SdkPages(client)

    def close() -> None:
        pages.close()
        if owned is not None:
            owned.stop()

    return CssSource(
        pages,
        region=settings.tencentcloud_region,
        endpoint=endpoint.url,
        limiter=limiter or process_limiter(settings.recbot_rate_limit),
        cache=cache if cache is not None else process_cache(),
        cache_scope=_scope(settings.tencentcloud_region, endpoint, cred),
        simulated=simulator is not None,
        deadline_s=settings.recbot_query_deadline,
        rate=settings.recbot_rate_limit,
        server_clock=server_clock,
        retry=retry or RetryPolicy(),
        on_close=close,
    )
