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


ID_A = "+0cMedk5AT5lZ6kEKkQIK/5l1yPLYi9KWBUbikyJET7OeVIWuyyxOLs="
ID_B = "7b+IRl8Dre0pqxTCVufYUFZ5GjhDIMQ0lWhy1yyIa8uPrhZmAtIcwQ=="


def with_id(task_id: str, stream: str = "cam") -> RecordTask:
    return RecordTask(task_id, "a.push.example", "live", stream, NOW, NOW, 0, None)


def test_task_ids_match_exactly_and_case_matters() -> None:
    f = Filters(task_ids=(ID_A, ID_B))
    assert f.matches(with_id(ID_A))
    assert f.matches(with_id(ID_B))
    assert not f.matches(with_id(ID_A.lower()))
    assert not f.matches(with_id(ID_A[:-1]))
    assert not f.is_empty()


def test_task_ids_combine_with_the_other_filters() -> None:
    f = Filters(streams=("cam",), task_ids=(ID_A,))
    assert f.matches(with_id(ID_A, "cam"))
    assert not f.matches(with_id(ID_A, "other"))


def test_a_task_id_never_goes_to_the_api_but_a_single_stream_still_does() -> None:
    """DescribeRecordTask takes no TaskId: it is matched here after listing."""
    assert Filters(task_ids=(ID_A,)).server_side() == {}
    assert Filters(streams=("cam",), task_ids=(ID_A,)).server_side() == {"StreamName": "cam"}


def test_a_scope_keeps_the_asked_task_ids_and_still_narrows() -> None:
    scope = Filters(domains=("a.push.example",))
    narrowed = narrow_to_scope(Filters(task_ids=(ID_A,)), scope)
    assert narrowed == Filters(domains=("a.push.example",), task_ids=(ID_A,))
    assert not narrowed.matches(RecordTask(ID_A, "other.example", "live", "cam", NOW, NOW, 0, None))
