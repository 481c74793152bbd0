"""Filters and channel scopes: a filter can narrow what a channel sees, never widen it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import AccessDenied
from bot.filters import Filters, narrow_to_scope
from bot.tasks import RecordTask

NOW = datetime(2026, 7, 26, tzinfo=UTC)


def task(stream: str, app: str = "live", domain: str = "a.push.example") -> RecordTask:
    return RecordTask("id", domain, app, stream, NOW, NOW + timedelta(hours=1), 0, None)


def test_empty_filters_match_everything() -> None:
    assert Filters().matches(task("x"))
    assert Filters().server_side() == {}


def test_lists_match_any_value_and_stay_client_side() -> None:
    f = Filters(streams=("a", "b"))
    assert f.matches(task("a"))
    assert f.matches(task("b"))
    assert not f.matches(task("c"))
    assert f.server_side() == {}


def test_single_values_go_to_the_api() -> None:
    f = Filters(streams=("cam",), apps=("live",), domains=("d.example",))
    assert f.server_side() == {"StreamName": "cam", "AppName": "live", "DomainName": "d.example"}


def test_scope_fills_open_dimensions() -> None:
    scope = Filters(domains=("a.push.example",))
    assert narrow_to_scope(Filters(streams=("cam",)), scope) == Filters(
        streams=("cam",), domains=("a.push.example",)
    )


def test_scope_refuses_a_filter_outside_it() -> None:
    scope = Filters(domains=("a.push.example",))
    with pytest.raises(AccessDenied, match=r"other\.example"):
        narrow_to_scope(Filters(domains=("a.push.example", "other.example")), scope)


def test_no_scope_leaves_filters_alone() -> None:
    asked = Filters(domains=("anything",))
    assert narrow_to_scope(asked, None) is asked
