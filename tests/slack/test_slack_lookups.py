"""The asker's time zone and user-group members, looked up over the wire and cached."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient

from bot.slack.timezones import TimeZones
from bot.slack.usergroups import UserGroups
from tests.support.slack_api import SlackStandIn, running

DEFAULT = ZoneInfo("Europe/Paris")


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    yield from running()


def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.base_url)


def test_zone_comes_from_users_info_and_is_cached(slack: SlackStandIn) -> None:
    slack.add_user("U1", tz="Asia/Tokyo")
    zones = TimeZones(client(slack), DEFAULT)
    assert [zones.zone_of("U1"), zones.zone_of("U1")] == [ZoneInfo("Asia/Tokyo")] * 2
    assert len(slack.calls("users.info")) == 1


def test_unknown_user_gets_the_default_zone(slack: SlackStandIn) -> None:
    slack.remove_user("UGONE")
    assert TimeZones(client(slack), DEFAULT).zone_of("UGONE") == DEFAULT


def test_a_zone_name_python_does_not_know_gets_the_default(slack: SlackStandIn) -> None:
    slack.add_user("U2", tz="Mars/Olympus_Mons")
    assert TimeZones(client(slack), DEFAULT).zone_of("U2") == DEFAULT


def test_a_failed_lookup_is_retried_after_a_short_while(slack: SlackStandIn) -> None:
    now = [0.0]
    slack.add_user("U3", tz="Asia/Tokyo")
    slack.fail("users.info", "fatal_error", times=1)
    zones = TimeZones(client(slack), DEFAULT, clock=lambda: now[0])
    assert zones.zone_of("U3") == DEFAULT
    now[0] = 61.0
    assert zones.zone_of("U3") == ZoneInfo("Asia/Tokyo")


def test_group_members_are_listed_and_cached(slack: SlackStandIn) -> None:
    slack.set_usergroup("S1", ("U1", "U2"))
    groups = UserGroups(client(slack))
    assert groups.members_of("S1") == groups.members_of("S1") == frozenset({"U1", "U2"})
    assert len(slack.calls("usergroups.users.list")) == 1


def test_a_group_slack_cannot_confirm_lets_nobody_in(slack: SlackStandIn) -> None:
    assert UserGroups(client(slack)).members_of("SNOSUCH") == frozenset()
