"""A loopback stand-in for the Slack Web API, response_url and file upload URLs, for tests.

It speaks real HTTP on 127.0.0.1 (port 0), records every call, answers like Slack (shapes,
error codes, 429 + Retry-After, Block Kit limits) and injects faults on demand. Nothing in it
is mocked inside the client: point `WebClient(base_url=stand_in.base_url)` or
`SLACK_API_URL=stand_in.base_url` at it.

    with SlackStandIn() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        client.chat_postMessage(channel="C1", text="hi")
        [call] = slack.calls("chat.postMessage")
        assert call.params["text"] == "hi"

Faults on demand: `fail(method, error, channel=…, token=…, times=…)`, `rate_limit(...)` (429 +
Retry-After), `delay(method, s)`, `remove_channel`/`remove_user`. Waiting: `wait_for(method,
count=, where=)` polls with a deadline. Socket Mode: set `socket_mode_url` to a
`tests.support.socket_mode.SocketModeServer`'s URL and apps.connections.open hands it out.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Slack's limits (docs/reference/slack-platform.md §4) the stand-in enforces like Slack does.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_BUTTON_VALUE = 2000
MAX_HEADER_TEXT = 150
MAX_TOTAL_BLOCK_TEXT = 13_000
MAX_UPDATE_TEXT = 4000

# Which bot scope each method needs; a method missing from the granted scopes fails with
# `missing_scope` as Slack does.
REQUIRED_SCOPE: dict[str, str] = {
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "users.info": "users:read",
    "conversations.info": "channels:read",
    "conversations.open": "im:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "usergroups.users.list": "usergroups:read",
}

DEFAULT_SCOPES: tuple[str, ...] = (
    "app_mentions:read",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "im:history",
    "im:write",
    "usergroups:read",
    "users:read",
)

# Form parameters Slack accepts as JSON-encoded strings.
_JSON_PARAMS = ("blocks", "attachments", "files", "view")

BOT_USER_ID = "UBOTRECBOT"
BOT_ID = "BRECBOT"
TEAM_ID = "T0RECBOT"


@dataclass(frozen=True)
class SlackCall:
    """One HTTP request the stand-in received.

    `method` is the Web API method ("chat.postMessage"), or "response_url" for a POST to a
    response URL, or "upload" for bytes sent to an upload URL. `params` merges the query
    string, form or JSON body; JSON-encoded form values (blocks, files, view) are decoded.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    params: Mapping[str, Any]
    status: int
    response: Mapping[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it was received

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        token = self.params.get("token")
        return str(token) if token else None

    @property
    def channel(self) -> str | None:
        value = self.params.get("channel") or self.params.get("channel_id")
        return str(value) if value else None


@dataclass(frozen=True)
class UploadedFile:
    """A file that went through getUploadURLExternal → upload URL → completeUploadExternal."""

    file_id: str
    filename: str
    title: str
    content: bytes
    channel: str | None
    initial_comment: str | None
    thread_ts: str | None


@dataclass
class _Fault:
    """An injected failure: matches a method (None = any) and optionally channel/token/user."""

    method: str | None
    error: str
    status: int = 200
    retry_after: int | None = None
    channel: str | None = None
    token: str | None = None
    times: int | None = None  # None = every time
    extra: dict[str, Any] = field(default_factory=dict)

    def matches(self, method: str, params: Mapping[str, Any], token: str | None) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method is not None and self.method != method:
            return False
        channel = params.get("channel") or params.get("channel_id")
        if self.channel is not None and self.channel != channel:
            return False
        return self.token is None or self.token == token


@dataclass
class _PendingUpload:
    filename: str
    length: int
    content: bytes | None = None


class SlackStandIn:
    """The stand-in server. Thread-safe; start with `with SlackStandIn() as slack:` or start()."""

    def __init__(self, *, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> None:
        self.scopes: tuple[str, ...] = scopes
        self.invalid_tokens: set[str] = {"xoxb-invalid"}
        self.default_user_tz = "UTC"
        # apps.connections.open answers this WebSocket URL (Socket Mode), when set.
        self.socket_mode_url: str | None = None
        self._users: dict[str, dict[str, Any]] = {}
        self._missing_users: set[str] = set()
        self._channels: dict[str, dict[str, Any]] = {}
        self._missing_channels: set[str] = set()
        self._usergroups: dict[str, tuple[str, ...]] = {}
        self._faults: list[_Fault] = []
        self._delays: dict[str, float] = {}
        self._calls: list[SlackCall] = []
        self._uploads: dict[str, _PendingUpload] = {}
        self._files: list[UploadedFile] = []
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the stand-in first"
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The Web API base URL (with trailing slash, as slack-sdk expects)."""
        return f"{self.origin}/api/"

    def response_url(self, name: str = "r") -> str:
        """A response_url for a slash command or interaction; POSTs to it are recorded."""
        return f"{self.origin}/response/{name}"

    # ---- world state -----------------------------------------------------------------

    def add_user(
        self, user_id: str, *, tz: str = "UTC", name: str | None = None, is_bot: bool = False
    ) -> None:
        with self._cond:
            self._users[user_id] = {
                "id": user_id,
                "team_id": TEAM_ID,
                "name": name or user_id.lower(),
                "real_name": name or user_id,
                "tz": tz,
                "tz_label": tz,
                "tz_offset": 0,
                "is_bot": is_bot,
                "deleted": False,
            }
            self._missing_users.discard(user_id)

    def remove_user(self, user_id: str) -> None:
        """users.info for this id answers `user_not_found`."""
        with self._cond:
            self._users.pop(user_id, None)
            self._missing_users.add(user_id)

    def add_channel(self, channel_id: str, *, name: str | None = None) -> None:
        with self._cond:
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name or channel_id.lower(),
                "is_channel": channel_id.startswith("C"),
                "is_im": channel_id.startswith("D"),
                "is_member": True,
            }
            self._missing_channels.discard(channel_id)

    def remove_channel(self, channel_id: str) -> None:
        """Every call naming this channel answers `channel_not_found`."""
        with self._cond:
            self._channels.pop(channel_id, None)
            self._missing_channels.add(channel_id)

    def set_usergroup(self, group_id: str, users: tuple[str, ...]) -> None:
        with self._cond:
            self._usergroups[group_id] = users

    # ---- faults ------------------------------------------------------------------------

    def fail(
        self,
        method: str | None,
        error: str,
        *,
        channel: str | None = None,
        token: str | None = None,
        times: int | None = None,
        status: int = 200,
    ) -> None:
        """Answer `{"ok": false, "error": error}` (Slack uses HTTP 200 for most errors).

        `method` "response_url" or "upload" fails those URLs with `status` (default 404).
        """
        with self._cond:
            self._faults.append(
                _Fault(method, error, status=status, channel=channel, token=token, times=times)
            )

    def rate_limit(
        self,
        method: str | None = None,
        *,
        channel: str | None = None,
        token: str | None = None,
        retry_after: int = 1,
        times: int | None = 1,
    ) -> None:
        """HTTP 429 `ratelimited` with `Retry-After: retry_after`, `times` times (None = always)."""
        with self._cond:
            self._faults.append(
                _Fault(
                    method,
                    "ratelimited",
                    status=429,
                    retry_after=retry_after,
                    channel=channel,
                    token=token,
                    times=times,
                )
            )

    def delay(self, method: str, seconds: float) -> None:
        """Answer `method` only after `seconds` (a slow Slack)."""
        with self._cond:
            self._delays[method] = seconds

    def clear_faults(self) -> None:
        with self._cond:
            self._faults.clear()
            self._delays.clear()

    # ---- what happened -----------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[SlackCall]:
        """Every recorded call (optionally of one method), oldest first."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def ok_calls(self, method: str) -> list[SlackCall]:
        """Calls of `method` that succeeded (HTTP 200 and ok: true)."""
        return [c for c in self.calls(method) if c.status == 200 and c.response.get("ok", True)]

    def files(self) -> list[UploadedFile]:
        with self._cond:
            return list(self._files)

    def reset(self) -> None:
        """Forget recorded calls and files (faults and world state stay)."""
        with self._cond:
            self._calls.clear()
            self._files.clear()

    def wait_for(
        self,
        method: str | None = None,
        *,
        count: int = 1,
        where: Callable[[SlackCall], bool] | None = None,
        timeout: float = 10.0,
    ) -> list[SlackCall]:
        """Block until at least `count` matching calls were recorded; return them.

        Raises AssertionError naming what was seen when the deadline passes.
        """

        def matching() -> list[SlackCall]:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method) and (where is None or where(c))
            ]

        deadline = time.monotonic() + timeout
        with self._cond:
            while len(found := matching()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self._calls]
                    raise AssertionError(
                        f"waited {timeout}s for {count} x {method or 'any call'}; saw {seen}"
                    )
                self._cond.wait(left)
            return found

    # ---- request handling (runs on server threads) ----------------------------------------

    def _record(self, call: SlackCall) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def _take_fault(
        self, method: str, params: Mapping[str, Any], token: str | None
    ) -> _Fault | None:
        with self._cond:
            for fault in self._faults:
                if fault.matches(method, params, token):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.{next(self._ids):06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def handle_api(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Status, extra headers and JSON answer for one Web API call."""
        if method in self._delays:
            time.sleep(self._delays[method])
        if token is None:
            return 200, {}, {"ok": False, "error": "not_authed"}
        if method == "apps.connections.open":
            return 200, {}, self._apps_connections_open(token)
        if token in self.invalid_tokens or not token.startswith("xox"):
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        fault = self._take_fault(method, params, token)
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            return fault.status, headers, {"ok": False, "error": fault.error, **fault.extra}
        needed = REQUIRED_SCOPE.get(method)
        if needed is not None and needed not in self.scopes:
            return (
                200,
                {},
                {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": needed,
                    "provided": ",".join(self.scopes),
                },
            )
        handler = _API_METHODS.get(method)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        headers = {"x-oauth-scopes": ",".join(self.scopes)} if method == "auth.test" else {}
        return 200, headers, handler(self, params)

    def _channel_error(self, channel: Any) -> dict[str, Any] | None:
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        with self._cond:
            if channel in self._missing_channels:
                return {"ok": False, "error": "channel_not_found"}
        return None

    # ---- Web API methods ---------------------------------------------------------------

    def _auth_test(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://recbot-test.slack.com/",
            "team": "recbot test",
            "user": "recbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _users_info(self, params: Mapping[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user", ""))
        with self._cond:
            if not user_id or user_id in self._missing_users:
                return {"ok": False, "error": "user_not_found"}
            user = self._users.get(user_id)
            if user is None:
                user = {
                    "id": user_id,
                    "team_id": TEAM_ID,
                    "name": user_id.lower(),
                    "tz": self.default_user_tz,
                    "tz_label": self.default_user_tz,
                    "tz_offset": 0,
                    "is_bot": False,
                    "deleted": False,
                }
        return {"ok": True, "user": user}

    def _conversations_info(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if (error := self._channel_error(channel)) is not None:
            return error
        with self._cond:
            info = self._channels.get(str(channel)) or {
                "id": channel,
                "name": str(channel).lower(),
                "is_channel": str(channel).startswith("C"),
                "is_im": str(channel).startswith("D"),
                "is_member": True,
            }
        return {"ok": True, "channel": info}

    def _conversations_open(self, params: Mapping[str, Any]) -> dict[str, Any]:
        users = str(params.get("users", ""))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": "D" + users.split(",", maxsplit=1)[0].lstrip("UW")}}

    def _check_message(
        self, params: Mapping[str, Any], *, max_text: int | None = None
    ) -> dict[str, Any] | None:
        text = params.get("text")
        blocks = params.get("blocks")
        if not text and not blocks and not params.get("attachments"):
            return {"ok": False, "error": "no_text"}
        if max_text is not None and text and len(str(text)) > max_text:
            return {"ok": False, "error": "msg_too_long"}
        if blocks is not None:
            return block_errors(blocks, MAX_MESSAGE_BLOCKS)
        return None

    def _chat_post_message(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if (error := self._channel_error(channel)) is not None:
            return error
        if (error := self._check_message(params)) is not None:
            return error
        ts = self._next_ts()
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "ts": ts,
            "text": params.get("text", ""),
            "blocks": params.get("blocks", []),
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        with self._cond:
            self._messages[(str(channel), ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if (error := self._channel_error(params.get("channel"))) is not None:
            return error
        if not params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        if (error := self._check_message(params)) is not None:
            return error
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if (error := self._channel_error(channel)) is not None:
            return error
        ts = str(params.get("ts", ""))
        if (error := self._check_message(params, max_text=MAX_UPDATE_TEXT)) is not None:
            return error
        with self._cond:
            message = self._messages.get((channel, ts))
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            message.update(text=params.get("text", ""), blocks=params.get("blocks", []))
        return {"ok": True, "channel": channel, "ts": ts, "text": params.get("text", "")}

    def _views_publish(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if not params.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        view = params.get("view")
        if not isinstance(view, dict) or view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        if (error := block_errors(view.get("blocks", []), MAX_VIEW_BLOCKS)) is not None:
            return error
        return {"ok": True, "view": {"id": self._new_id("V"), **view}}

    def _usergroups_users_list(self, params: Mapping[str, Any]) -> dict[str, Any]:
        group = str(params.get("usergroup", ""))
        with self._cond:
            users = self._usergroups.get(group)
        if users is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(users)}

    def _files_get_upload_url(self, params: Mapping[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        length = params.get("length")
        if not filename or length is None:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._new_id("F")
        with self._cond:
            self._uploads[file_id] = _PendingUpload(str(filename), int(length))
        return {"ok": True, "upload_url": f"{self.origin}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, params: Mapping[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel = params.get("channel_id") or params.get("channels")
        if channel and (error := self._channel_error(channel)) is not None:
            return error
        done: list[dict[str, Any]] = []
        with self._cond:
            for item in files:
                pending = self._uploads.get(str(item.get("id")))
                if pending is None or pending.content is None:
                    return {"ok": False, "error": "file_not_found"}
                title = str(item.get("title") or pending.filename)
                self._files.append(
                    UploadedFile(
                        file_id=str(item["id"]),
                        filename=pending.filename,
                        title=title,
                        content=pending.content,
                        channel=str(channel) if channel else None,
                        initial_comment=params.get("initial_comment"),
                        thread_ts=params.get("thread_ts"),
                    )
                )
                done.append({"id": item["id"], "title": title, "name": pending.filename})
        return {"ok": True, "files": done}

    def _apps_connections_open(self, token: str) -> dict[str, Any]:
        # Socket Mode: an app-level token gets the WebSocket URL set in `socket_mode_url`
        # (see tests/support/socket_mode.py); a bot token is the wrong kind, as in Slack.
        if not token.startswith("xapp-") or token in self.invalid_tokens:
            return {"ok": False, "error": "not_allowed_token_type"}
        if self.socket_mode_url is None:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": self.socket_mode_url}

    def handle_upload(self, file_id: str, body: bytes) -> tuple[int, str]:
        with self._cond:
            pending = self._uploads.get(file_id)
            if pending is None:
                return 404, "file_not_found"
            pending.content = body
        return 200, f"OK - {len(body)}"


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return str(obj or "")


def _all_text(obj: Any) -> int:
    """Characters of every `text` in a block tree (Slack's msg_blocks_too_long measure)."""
    if isinstance(obj, dict):
        own = len(obj["text"]) if isinstance(obj.get("text"), str) else 0
        return own + sum(_all_text(v) for k, v in obj.items() if k != "text" or not own)
    if isinstance(obj, list):
        return sum(_all_text(v) for v in obj)
    return 0


def block_errors(blocks: Any, max_blocks: int) -> dict[str, Any] | None:
    """Slack's answer to blocks beyond its limits, or None when they are fine."""
    if not isinstance(blocks, list) or not all(isinstance(b, dict) and "type" in b for b in blocks):
        return {"ok": False, "error": "invalid_blocks_format"}
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"no more than {max_blocks} items allowed [json-pointer:/blocks]")
    for i, block in enumerate(blocks):
        if block["type"] == "section":
            if len(_text_of(block.get("text"))) > MAX_SECTION_TEXT:
                problems.append(
                    f"must be less than {MAX_SECTION_TEXT + 1} characters "
                    f"[json-pointer:/blocks/{i}/text/text]"
                )
            if len(block.get("fields", [])) > MAX_FIELDS:
                problems.append(
                    f"no more than {MAX_FIELDS} items [json-pointer:/blocks/{i}/fields]"
                )
        if block["type"] == "header" and len(_text_of(block.get("text"))) > MAX_HEADER_TEXT:
            problems.append(f"must be less than 151 characters [json-pointer:/blocks/{i}/text]")
        for j, element in enumerate(block.get("elements", [])):
            if isinstance(element, dict) and len(str(element.get("value", ""))) > MAX_BUTTON_VALUE:
                problems.append(
                    "must be less than 2001 characters "
                    f"[json-pointer:/blocks/{i}/elements/{j}/value]"
                )
    if problems:
        return {"ok": False, "error": "invalid_blocks", "errors": problems}
    if _all_text(blocks) > MAX_TOTAL_BLOCK_TEXT:
        return {"ok": False, "error": "msg_blocks_too_long"}
    return None


_API_METHODS: dict[str, Callable[[SlackStandIn, Mapping[str, Any]], dict[str, Any]]] = {
    "auth.test": SlackStandIn._auth_test,
    "users.info": SlackStandIn._users_info,
    "conversations.info": SlackStandIn._conversations_info,
    "conversations.open": SlackStandIn._conversations_open,
    "chat.postMessage": SlackStandIn._chat_post_message,
    "chat.postEphemeral": SlackStandIn._chat_post_ephemeral,
    "chat.update": SlackStandIn._chat_update,
    "views.publish": SlackStandIn._views_publish,
    "usergroups.users.list": SlackStandIn._usergroups_users_list,
    "files.getUploadURLExternal": SlackStandIn._files_get_upload_url,
    "files.completeUploadExternal": SlackStandIn._files_complete_upload,
}


def _parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body and content_type.startswith("application/json"):
        decoded = json.loads(body)
        if isinstance(decoded, dict):
            params.update(decoded)
    elif body and content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    for name in _JSON_PARAMS:
        value = params.get(name)
        if isinstance(value, str) and value[:1] in "[{":
            params[name] = json.loads(value)
    return params


def _handler_for(stand_in: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # no delayed-ACK stall between headers and body

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean; every call is recorded instead

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            content_type = headers.get("content-type", "")
            try:
                params = _parse_params(parts.query, content_type, body)
            except ValueError:
                params = {}
            path = parts.path
            if path.startswith("/api/"):
                method = path[len("/api/") :]
                token = (
                    headers["authorization"][7:]
                    if headers.get("authorization", "").lower().startswith("bearer ")
                    else (str(params["token"]) if params.get("token") else None)
                )
                status, extra, answer = stand_in.handle_api(method, params, token)
                # Recorded before answering, so a caller sees its call the moment it returns.
                stand_in._record(SlackCall(method, path, headers, body, params, status, answer))
                self._reply_json(status, extra, answer)
            elif path.startswith("/response/"):
                fault = stand_in._take_fault("response_url", params, None)
                status, text = (200, "ok")
                if fault is not None:
                    status, text = (fault.status if fault.status != 200 else 404), fault.error
                stand_in._record(
                    SlackCall(
                        "response_url", path, headers, body, params, status, {"ok": status == 200}
                    )
                )
                self._reply_text(status, text)
            elif path.startswith("/upload/"):
                fault = stand_in._take_fault("upload", params, None)
                if fault is not None:
                    status, text = (fault.status if fault.status != 200 else 500), fault.error
                else:
                    status, text = stand_in.handle_upload(path[len("/upload/") :], body)
                stand_in._record(
                    SlackCall("upload", path, headers, body, {}, status, {"ok": status == 200})
                )
                self._reply_text(status, text)
            else:
                self._reply_text(404, "not_found")

        def _reply_json(
            self, status: int, extra: Mapping[str, str], answer: Mapping[str, Any]
        ) -> None:
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _reply_text(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def running(**kwargs: Any) -> Iterator[SlackStandIn]:
    """Generator for a pytest fixture: `yield from running()` starts and stops a stand-in."""
    stand_in = SlackStandIn(**kwargs).start()
    try:
        yield stand_in
    finally:
        stand_in.stop()
