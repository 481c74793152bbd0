"""`recbot doctor`: check configuration, Tencent Cloud, Slack, the database and Redis.

Each check prints one line, ✓ or ✗ (! for a warning, – when not configured), with the fix
under a ✗. Exit status: 0 all good, 1 any ✗, 2 the configuration itself is invalid.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.cli import CONFIG_ERROR_EXIT
from bot.config import Settings, load_settings, unknown_variables
from bot.config_file import CONFIG_FILE_VARIABLE
from bot.errors import ConfigError
from bot.obs.log import configure_logging, request_context

if TYPE_CHECKING:
    from slack_sdk import WebClient

log = logging.getLogger(__name__)

Status = Literal["ok", "fail", "warn", "skip"]
SYMBOLS: dict[Status, str] = {"ok": "✓", "fail": "✗", "warn": "!", "skip": "–"}
CHECK_FAILED_EXIT = 1
_NETWORK_TIMEOUT_S = 10.0


def web_api_methods_called() -> set[str]:
    """The Slack Web API methods bot/ calls, read from its own source (bot/slack/api_calls.py):
    the walk `recbot manifest` and its test use, so doctor and the manifest cannot drift."""
    from bot.slack.api_calls import web_api_methods_called as called

    return called()


def bot_scopes(*, digests: bool = True) -> tuple[str, ...]:
    """The bot scopes recbot needs (what `recbot manifest` asks for), from bot/slack/scopes.py."""
    from bot.slack.scopes import METHOD_SCOPES, required_scopes

    called = web_api_methods_called() & set(METHOD_SCOPES)
    return tuple(sorted(required_scopes(called, digests=digests)))


@dataclass(frozen=True)
class CheckResult:
    """One line of the report: what was checked, how it went, and what to do if it failed."""

    name: str
    status: Status
    detail: str
    fix: str = ""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        if not args.json:
            raise  # `recbot` prints the message and exits with status 2
        failed = CheckResult("configuration", "fail", exc.user_message, _CONFIG_FIX)
        _print_json([failed])
        return CONFIG_ERROR_EXIT
    configure_logging(settings)
    # The report is the output; library chatter (alembic's INFO lines) would only hide it.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with request_context():
        results = run_checks(settings, datetime.now(UTC))
    if args.json:
        _print_json(results)
    else:
        _print_text(results)
    return CHECK_FAILED_EXIT if any(r.status == "fail" for r in results) else 0


def run_checks(settings: Settings, now: datetime) -> list[CheckResult]:
    checks: Sequence[tuple[str, Callable[[], CheckResult]]] = (
        ("configuration", lambda: check_configuration(settings)),
        ("tencent cloud", lambda: check_tencent(settings, now)),
        ("slack", lambda: check_slack(settings)),
        ("database", lambda: check_database(settings)),
        ("redis", lambda: check_redis(settings)),
        ("css callbacks", lambda: check_callbacks(settings, now)),
        ("index", lambda: check_index(settings, now)),
    )
    return [_guarded(name, check) for name, check in checks]


_CONFIG_FIX = (
    "set the variables named above (docs/operations.md, Configuration), "
    "then run recbot doctor again"
)


def _guarded(name: str, check: Callable[[], CheckResult]) -> CheckResult:
    try:
        return check()
    except ConfigError as exc:
        return CheckResult(name, "fail", exc.user_message, _CONFIG_FIX)
    except Exception as exc:  # a check must report, never crash the report
        log.exception("doctor: the %s check failed unexpectedly", name)
        return CheckResult(
            name, "fail", f"the check itself failed ({type(exc).__name__})", "report this as a bug"
        )


# --- configuration ------------------------------------------------------------------------


def check_configuration(settings: Settings) -> CheckResult:
    from bot.wiring import access_policy

    detail = f"valid; region {settings.tencentcloud_region}, time zone {settings.recbot_default_tz}"
    policy = None
    if settings.recbot_access_file:
        policy = access_policy(settings)  # the policy serve loads; a ConfigError is this check's ✗
        detail += (
            f"; access policy: {len(policy.channels) or 'any'} channel(s), "
            f"{len(policy.scopes)} scoped"
        )
    warnings: list[tuple[str, str]] = []  # (what, fix)
    if policy is not None and policy.scopes and policy.default_scope is None:
        warnings.append(
            (
                "channel scopes but no default_scope: DMs and channels without a scope are refused",
                "add a [default_scope] to the access file if DMs and other channels should "
                "get answers (docs/slack.md, Access)",
            )
        )
    if exposed := _config_file_exposed():
        warnings.append((exposed, "chmod 600 the configuration file (it may hold secrets)"))
    if unknown := unknown_variables():
        warnings.append(
            (
                f"unknown variable(s) ignored: {', '.join(unknown)}",
                "fix the spelling; docs/operations.md lists every variable",
            )
        )
    if warnings:
        return CheckResult(
            "configuration",
            "warn",
            "; ".join([detail, *(what for what, _ in warnings)]),
            "; ".join(fix for _, fix in warnings),
        )
    return CheckResult("configuration", "ok", detail)


def _config_file_exposed() -> str:
    """Why the configuration file is readable by other users, or "" when it is not."""
    name = os.environ.get(CONFIG_FILE_VARIABLE)
    if not name:
        return ""
    mode = Path(name).stat().st_mode
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return f"{name} is readable by other users (mode {stat.filemode(mode)})"
    return ""


# --- Tencent Cloud ------------------------------------------------------------------------


def check_tencent(settings: Settings, now: datetime) -> CheckResult:
    """One DescribeRecordTask call over the minute before `now`: harmless, read-only."""
    from bot.css.client import (  # the SDK is imported only when this check runs
        SdkPages,
        build_live_client,
        parse_endpoint,
        resolve_credentials,
    )
    from bot.css.errors import api_error, rule_for
    from bot.css.page import CallFailed
    from bot.plan import ApiWindow

    name = "tencent cloud"
    cred = resolve_credentials(settings)
    if cred is None:
        return CheckResult(
            name,
            "fail",
            "no Tencent Cloud credentials: answers come from the built-in CSS simulator",
            "set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY "
            "(a CAM key allowed live:DescribeRecordTask)",
        )
    endpoint = parse_endpoint(settings.recbot_css_endpoint)
    client = build_live_client(
        cred, settings.tencentcloud_region, endpoint, min(settings.recbot_api_timeout, 10.0)
    )
    pages = SdkPages(client)
    end = int(now.timestamp())
    try:
        reply = pages.fetch(ApiWindow(end - 60, end), {}, "")
    except CallFailed as failed:
        error = api_error(
            failed.code,
            failed.message,
            failed.request_id,
            region=settings.tencentcloud_region,
            endpoint=endpoint.url,
        )
        return CheckResult(name, "fail", error.detail, rule_for(failed.code).fix)
    finally:
        pages.close()
    return CheckResult(
        name,
        "ok",
        f"DescribeRecordTask answers in {settings.tencentcloud_region} at {endpoint.url} "
        f"({len(reply.tasks)} task(s) in the last minute; RequestId {reply.request_id})",
    )


# --- Slack --------------------------------------------------------------------------------


def check_slack(settings: Settings) -> CheckResult:
    """auth.test with the client serve builds (`bot.wiring.slack_client`), then the scopes."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.wiring import slack_client

    name = "slack"
    if settings.slack_bot_token is None:
        return CheckResult(
            name,
            "fail",
            "SLACK_BOT_TOKEN is not set",
            "create the app from the output of `recbot manifest`, then copy its Bot User "
            "OAuth Token (xoxb-…)",
        )
    mode_problem = _slack_mode_problem(settings)
    client = slack_client(settings)
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
        return CheckResult(
            name,
            "fail",
            f"Slack rejected SLACK_BOT_TOKEN ({error})",
            "copy the Bot User OAuth Token again (OAuth & Permissions); reinstall if revoked",
        )
    except (SlackClientError, OSError) as exc:
        return CheckResult(
            name,
            "fail",
            f"could not reach Slack at {client.base_url} ({type(exc).__name__})",
            "check network access to slack.com, proxies, and SLACK_API_URL if set",
        )
    headers = {k.lower(): v for k, v in response.headers.items()}
    granted = {s.strip() for s in str(headers.get("x-oauth-scopes", "")).split(",") if s.strip()}
    missing = [s for s in bot_scopes(digests=settings.recbot_digests) if s not in granted]
    who = f"token of @{response.get('user', '?')} in {response.get('team', '?')}"
    if missing:
        return CheckResult(
            name,
            "fail",
            f"{who} lacks scope(s) the manifest needs: {', '.join(missing)}",
            "add them under OAuth & Permissions (or paste a fresh `recbot manifest`) and reinstall",
        )
    if mode_problem is None and settings.slack_app_token is not None:
        mode_problem = _app_token_problem(client, settings.slack_app_token.get_secret_value())
    if mode_problem:
        return CheckResult(
            name, "fail", f"{who} has every scope, but {mode_problem[0]}", mode_problem[1]
        )
    return CheckResult(name, "ok", f"{who} has every scope the manifest needs; {_mode(settings)}")


def _app_token_problem(client: WebClient, app_token: str) -> tuple[str, str] | None:
    """Socket Mode: the app-level token must open a connection URL (nothing is connected)."""
    from slack_sdk.errors import SlackApiError

    try:
        client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
        return (
            f"Slack refused SLACK_APP_TOKEN for Socket Mode ({error})",
            "generate an app-level token with connections:write (Basic Information → "
            "App-Level Tokens) and enable Socket Mode",
        )
    return None


def _mode(settings: Settings) -> str:
    return "Socket Mode" if settings.slack_app_token is not None else "HTTP mode"


def _slack_mode_problem(settings: Settings) -> tuple[str, str] | None:
    if settings.slack_app_token is None and settings.slack_signing_secret is None:
        return (
            "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP) is set",
            "set SLACK_SIGNING_SECRET from Basic Information → App Credentials, "
            "or SLACK_APP_TOKEN for Socket Mode",
        )
    return None


# --- database -----------------------------------------------------------------------------


def check_database(settings: Settings) -> CheckResult:
    """The engine serve opens (`bot.wiring.database_engine`), and its schema against the code's."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db.database import driver_url, schema_heads
    from bot.db.schema_snapshot import code_head, database_revisions
    from bot.wiring import database_engine

    name = "database"
    url = driver_url(settings.recbot_database_url)
    shown = url.render_as_string(hide_password=True)
    head = code_head()  # Alembic is loaded only when the scripts are not one plain chain
    heads = schema_heads() if head is None else frozenset({head})
    # Connecting to a missing SQLite file would create it; the doctor only looks.
    database = url.database or ""
    is_file_db = url.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if is_file_db and not Path(database).is_file():
        return CheckResult(
            name,
            "fail",
            f"{shown}: the file does not exist yet",
            "start recbot serve once (it creates the file and applies migrations)",
        )
    engine = database_engine(settings, connect_timeout_s=_NETWORK_TIMEOUT_S)
    try:
        with engine.connect() as connection:
            current = database_revisions(connection) or frozenset()
    except SQLAlchemyError as exc:
        reason = type(getattr(exc, "orig", None) or exc).__name__
        return CheckResult(
            name,
            "fail",
            f"cannot connect to {shown} ({reason})",
            "check RECBOT_DATABASE_URL, that the server runs and accepts this user",
        )
    finally:
        engine.dispose()
    if current != heads:
        have = ", ".join(sorted(current)) or "no schema"
        return CheckResult(
            name,
            "fail",
            f"{shown} is at {have}; the code needs {', '.join(sorted(heads))}",
            "start recbot serve once (it applies migrations at start), then check again",
        )
    return CheckResult(
        name, "ok", f"{shown} reachable, migrations current ({', '.join(sorted(heads))})"
    )


def check_callbacks(settings: Settings, now: datetime) -> CheckResult:
    """CSS recording callbacks on or off, and the last one received (docs/evidence.md)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.evidence.service import callback_key, callbacks_report
    from bot.wiring import database_engine

    if callback_key(settings) is None:
        return CheckResult("css callbacks", "skip", callbacks_report(settings, None, now)[1])
    engine = database_engine(settings, connect_timeout_s=_NETWORK_TIMEOUT_S)
    try:
        on, detail = callbacks_report(settings, engine, now)
    except SQLAlchemyError:
        return CheckResult(
            "css callbacks",
            "fail",
            "on, but the evidence table cannot be read",
            "start recbot serve once (it applies migrations), then check again",
        )
    finally:
        engine.dispose()
    return CheckResult("css callbacks", "ok" if on else "skip", detail)


_NOT_SYNCED = (
    "nothing synced yet: questions ask the API until recbot serve (in the background) or "
    "recbot sync --backfill fills the index"
)


def check_index(settings: Settings, now: datetime) -> CheckResult:
    from bot.wiring import existing_index_store, sync_policy

    if not settings.recbot_index:
        return CheckResult("index", "skip", "RECBOT_INDEX is off: every question asks the API")
    store = existing_index_store(settings)
    if store is None:
        return CheckResult("index", "skip", _NOT_SYNCED)
    from bot.index.status import index_status

    policy = sync_policy(settings)
    try:
        accounts = store.accounts()
        if not accounts:
            return CheckResult("index", "skip", _NOT_SYNCED)
        statuses = [index_status(store, a, now, now, policy=policy) for a in accounts]
    finally:
        store.engine.dispose()
    detail = "; ".join(s.describe(now) for s in statuses)
    if any(s.budget is not None and s.budget.over for s in statuses):
        fix = (
            "the account is too big for RECBOT_INDEX_SYNC_BUDGET_PER_H even at the longest "
            "periods: raise the budget, or RECBOT_INDEX_HOT_S / RECBOT_INDEX_FAR_REFRESH_S"
        )
        return CheckResult("index", "warn", detail, fix)
    return CheckResult("index", "ok", detail)


# --- Redis --------------------------------------------------------------------------------


def check_redis(settings: Settings) -> CheckResult:
    import redis

    name = "redis"
    if settings.recbot_redis_url is None:
        return CheckResult(name, "skip", "not configured (only needed for several replicas)")
    client = redis.Redis.from_url(
        settings.recbot_redis_url,
        socket_connect_timeout=_NETWORK_TIMEOUT_S,
        socket_timeout=_NETWORK_TIMEOUT_S,
    )
    shown = _redis_shown(settings.recbot_redis_url)
    try:
        client.ping()
    except redis.AuthenticationError:
        return CheckResult(
            name, "fail", f"{shown} refused the password", "check the password in RECBOT_REDIS_URL"
        )
    except redis.RedisError as exc:
        return CheckResult(
            name,
            "fail",
            f"cannot reach {shown} ({type(exc).__name__}); until it answers, event de-dup "
            "falls back to each process's own memory (one replica still answers a retried "
            "event once; several replicas may each answer it)",
            "check RECBOT_REDIS_URL and that Redis runs and is reachable "
            "(docs/replicas-hardening.md)",
        )
    finally:
        client.close()
    return CheckResult(name, "ok", f"{shown} answers PING")


def _redis_shown(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


# --- output -------------------------------------------------------------------------------


def _print_text(results: Sequence[CheckResult]) -> None:
    for result in results:
        lines = result.detail.splitlines() or [""]
        print(f"{SYMBOLS[result.status]} {result.name}: {lines[0]}")
        for extra in lines[1:]:
            print(f"    {extra}")
        if result.fix and result.status in ("fail", "warn"):
            print(f"    fix: {result.fix}")


def _print_json(results: Sequence[CheckResult]) -> None:
    report = {
        "ok": not any(r.status == "fail" for r in results),
        "checks": [asdict(r) for r in results],
    }
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()
