"""Who may ask recbot, where, and what each channel may see: the operator's access policy.

Read once at start from the file named by RECBOT_ACCESS_FILE (`.toml` or `.json`); no file
means everyone everywhere, unscoped. Pure: user-group members are passed in by the caller.

    channels = ["C0123TEAMA", "C0456OPS"]   # allow-list; leave out for "any channel"
    users = ["U0ADMIN"]                      # users and user groups together form one
    usergroups = ["S0OPS"]                   # allow-list; leave both out for "anyone"
    allow_dms = true                         # direct messages (and App Home) allowed
    [scopes.C0123TEAMA]                      # this channel sees only these
    domains = ["a.push.example"]
    [default_scope]                          # every other channel and DMs (optional)
    apps = ["live"]

With scopes but no default_scope, DMs and channels without a scope are refused: otherwise a
member of a scoped channel could ask in a DM and see everything.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import AccessDenied, ConfigError
from bot.filters import Filters

_KEYS = frozenset({"channels", "users", "usergroups", "allow_dms", "scopes", "default_scope"})
_SCOPE_KEYS = {"streams": "streams", "apps": "apps", "domains": "domains"}

NOT_ALLOWED_USER = (
    "Sorry, you are not on the list of people who may ask recbot. "
    "Ask the bot's operator to add you."
)
NOT_ALLOWED_CHANNEL = (
    "Sorry, recbot doesn't answer in this channel. "
    "Ask the bot's operator to allow it, or ask in an allowed channel."
)
NO_DMS = "Sorry, recbot doesn't answer direct messages here; ask in an allowed channel."
NO_SCOPE = (
    "Sorry, recbot answers only in the channels its operator gave a scope to; "
    "ask in one of those channels."
)


@dataclass(frozen=True)
class AccessPolicy:
    """Empty allow-lists mean "anyone"/"anywhere"; scopes narrow what a channel may see."""

    channels: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()
    usergroups: frozenset[str] = frozenset()
    allow_dms: bool = True
    scopes: Mapping[str, Filters] = field(default_factory=dict)
    default_scope: Filters | None = None

    @property
    def restricts_people(self) -> bool:
        return bool(self.users or self.usergroups)

    def check(
        self,
        user_id: str,
        channel_id: str | None,
        members_of: Callable[[str], frozenset[str]] = lambda _group: frozenset(),
    ) -> None:
        """Raise AccessDenied (with the polite sentence) unless `user_id` may ask here.

        `channel_id` None or a `D…` id is a direct conversation with the bot.
        """
        self.check_person(user_id, members_of)
        direct = channel_id is None or channel_id.startswith("D")
        if direct:
            if not self.allow_dms:
                raise AccessDenied(NO_DMS)
        elif self.channels and channel_id not in self.channels:
            raise AccessDenied(NOT_ALLOWED_CHANNEL)
        self.scope_for(channel_id)  # refuses where scopes exist but none covers this place

    def check_person(
        self,
        user_id: str,
        members_of: Callable[[str], frozenset[str]] = lambda _group: frozenset(),
    ) -> None:
        """Raise AccessDenied unless `user_id` is on the people allow-list (or there is none)."""
        if (
            self.restricts_people
            and user_id not in self.users
            and not any(user_id in members_of(group) for group in sorted(self.usergroups))
        ):
            raise AccessDenied(NOT_ALLOWED_USER)

    @property
    def unscoped_refused(self) -> bool:
        """Scopes are configured but no default_scope: DMs and other channels get no answer."""
        return bool(self.scopes) and self.default_scope is None

    def check_direct(
        self,
        user_id: str,
        members_of: Callable[[str], frozenset[str]] = lambda _group: frozenset(),
    ) -> None:
        """The App Home: the person, and whether direct conversations are allowed at all."""
        self.check(user_id, None, members_of)

    def scope_for(self, channel_id: str | None) -> Filters | None:
        """What this channel may see (None = everything); AccessDenied where scopes are
        configured, none covers this channel or DM, and there is no default_scope."""
        if channel_id is not None and channel_id in self.scopes:
            return self.scopes[channel_id]
        if self.unscoped_refused:
            raise AccessDenied(NO_SCOPE)
        return self.default_scope


OPEN_POLICY = AccessPolicy()


def _ids(data: Mapping[str, Any], key: str, source: str) -> frozenset[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"RECBOT_ACCESS_FILE {source}: '{key}' must be a list of Slack ids")
    return frozenset(value)


def _scope(data: Any, where: str, source: str) -> Filters:
    if not isinstance(data, dict) or not data:
        raise ConfigError(
            f"RECBOT_ACCESS_FILE {source}: {where} must name streams, apps or domains"
        )
    unknown = sorted(set(data) - set(_SCOPE_KEYS))
    if unknown:
        raise ConfigError(
            f"RECBOT_ACCESS_FILE {source}: {where} has unknown key(s) {', '.join(unknown)}; "
            "use streams, apps, domains"
        )
    values: dict[str, tuple[str, ...]] = {}
    for key, attr in _SCOPE_KEYS.items():
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            raise ConfigError(f"RECBOT_ACCESS_FILE {source}: {where}.{key} must be a list of names")
        values[attr] = tuple(items)
    return Filters(**values)


def policy_from_data(data: Any, source: str = "") -> AccessPolicy:
    """Validate the decoded file; every problem is a ConfigError naming the key."""
    if not isinstance(data, dict):
        raise ConfigError(f"RECBOT_ACCESS_FILE {source}: expected a table/object at the top")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(
            f"RECBOT_ACCESS_FILE {source}: unknown key(s) {', '.join(unknown)}; "
            f"use {', '.join(sorted(_KEYS))}"
        )
    allow_dms = data.get("allow_dms", True)
    if not isinstance(allow_dms, bool):
        raise ConfigError(f"RECBOT_ACCESS_FILE {source}: 'allow_dms' must be true or false")
    raw_scopes = data.get("scopes", {})
    if not isinstance(raw_scopes, dict):
        raise ConfigError(f"RECBOT_ACCESS_FILE {source}: 'scopes' must map channel ids to scopes")
    scopes = {str(ch): _scope(v, f"scopes.{ch}", source) for ch, v in raw_scopes.items()}
    default = data.get("default_scope")
    return AccessPolicy(
        channels=_ids(data, "channels", source),
        users=_ids(data, "users", source),
        usergroups=_ids(data, "usergroups", source),
        allow_dms=allow_dms,
        scopes=scopes,
        default_scope=_scope(default, "default_scope", source) if default is not None else None,
    )


def load_policy(path: str | None) -> AccessPolicy:
    """The policy in `path` (`.toml` or `.json`), or the open policy when no file is set."""
    if not path:
        return OPEN_POLICY
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"RECBOT_ACCESS_FILE {path!r} cannot be read ({exc.strerror})") from None
    try:
        data = json.loads(raw) if file.suffix == ".json" else tomllib.loads(raw.decode())
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if file.suffix == ".json" else "TOML"
        raise ConfigError(f"RECBOT_ACCESS_FILE {path!r} is not valid {kind}: {exc}") from None
    return policy_from_data(data, repr(path))


__all__ = ["OPEN_POLICY", "AccessDenied", "AccessPolicy", "load_policy", "policy_from_data"]
