"""The access policy: allow-lists of channels, users and user groups, per-channel scopes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.access import (
    NO_DMS,
    NO_SCOPE,
    NOT_ALLOWED_CHANNEL,
    NOT_ALLOWED_USER,
    OPEN_POLICY,
    load_policy,
    policy_from_data,
)
from bot.config import Settings
from bot.css.client import open_source
from bot.css.simulator import Simulator
from bot.errors import AccessDenied, ConfigError
from bot.filters import Filters
from bot.slack.answers import SlackConversation

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

TOML = """
channels = ["CTEAMA", "COPS"]
users = ["UADMIN"]
usergroups = ["SOPS"]
allow_dms = false
[scopes.CTEAMA]
domains = ["a.push.example"]
[default_scope]
apps = ["live"]
"""


def test_no_file_means_anyone_anywhere_unscoped() -> None:
    policy = load_policy(None)
    policy.check("UANY", "CANY")
    assert policy is OPEN_POLICY
    assert policy.scope_for("CANY") is None


def test_toml_file_is_read_with_scopes(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text(TOML)
    policy = load_policy(str(path))
    assert policy.scope_for("CTEAMA") == Filters(domains=("a.push.example",))
    assert policy.scope_for("COTHER") == Filters(apps=("live",))


def test_json_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "access.json"
    path.write_text(json.dumps({"channels": ["C1"]}))
    with pytest.raises(AccessDenied, match="doesn't answer in this channel"):
        load_policy(str(path)).check("U1", "C2")


@pytest.mark.parametrize(
    ("user", "channel", "message"),
    [
        ("USTRANGER", "CTEAMA", NOT_ALLOWED_USER),
        ("UADMIN", "CELSEWHERE", NOT_ALLOWED_CHANNEL),
        ("UADMIN", "D123", NO_DMS),
    ],
)
def test_refusals_are_polite_sentences(user: str, channel: str, message: str) -> None:
    policy = policy_from_data({"channels": ["CTEAMA"], "users": ["UADMIN"], "allow_dms": False})
    with pytest.raises(AccessDenied) as caught:
        policy.check(user, channel)
    assert caught.value.user_message == message


def test_a_member_of_an_allowed_user_group_may_ask() -> None:
    policy = policy_from_data({"usergroups": ["SOPS"]})
    policy.check("UMEMBER", "C1", lambda group: frozenset({"UMEMBER"} if group == "SOPS" else ()))
    with pytest.raises(AccessDenied):
        policy.check("UOTHER", "C1", lambda group: frozenset({"UMEMBER"}))


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        ({"chanels": ["C1"]}, "unknown key"),
        ({"channels": "C1"}, "must be a list"),
        ({"scopes": {"C1": {"domain": ["x"]}}}, "unknown key"),
        ({"allow_dms": "yes"}, "true or false"),
    ],
)
def test_mistakes_in_the_file_name_the_key(data: object, complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint):
        policy_from_data(data, "'access.toml'")


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_policy(str(tmp_path / "missing.toml"))


SCOPED_ONLY = {"scopes": {"CTEAMA": {"domains": ["a.push.example"]}}}


@pytest.mark.parametrize("channel", [None, "D123", "COTHER"])
def test_with_scopes_and_no_default_scope_dms_and_other_channels_are_refused(
    channel: str | None,
) -> None:
    # Else a member of scoped #team-a could ask in a DM and see every domain.
    policy = policy_from_data(SCOPED_ONLY)
    with pytest.raises(AccessDenied) as caught:
        policy.check("UANY", channel)
    assert caught.value.user_message == NO_SCOPE
    with pytest.raises(AccessDenied):
        policy.scope_for(channel)
    policy.check("UANY", "CTEAMA")
    assert policy.scope_for("CTEAMA") == Filters(domains=("a.push.example",))


def test_a_default_scope_lets_dms_and_other_channels_ask_within_it() -> None:
    policy = policy_from_data({**SCOPED_ONLY, "default_scope": {"apps": ["live"]}})
    policy.check("UANY", "D123")
    assert policy.scope_for("D123") == Filters(apps=("live",))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"allow_dms": False}, NO_DMS),
        (SCOPED_ONLY, NO_SCOPE),
        ({"users": ["UADMIN"]}, NOT_ALLOWED_USER),
    ],
)
def test_the_app_home_follows_allow_dms_scopes_and_the_people_list(
    data: object, message: str
) -> None:
    with Simulator([], now=NOW) as sim, open_source(Settings(), simulator=sim) as source:
        conversation = SlackConversation(
            source=source,
            policy=policy_from_data(data),
            zone_of=lambda _user: ZoneInfo("UTC"),
            members_of=lambda _group: frozenset(),
            clock=lambda: NOW,
        )
        view = conversation.home("UANY")
        # No help, no digests: the refusal only.
        assert [b["text"]["text"] for b in view["blocks"]] == [f":warning: {message}"]
        allowed = SlackConversation(
            source, OPEN_POLICY, conversation.zone_of, conversation.members_of, conversation.clock
        )
        assert len(allowed.home("UANY")["blocks"]) > 1
