"""Which streams, apps, domains and tasks a question is about, and whether a task matches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import AccessDenied

if TYPE_CHECKING:
    from bot.tasks import RecordTask


@dataclass(frozen=True)
class Filters:
    """Exact-match filters; an empty tuple means "any". Several values mean "any of these".

    `task_ids` are TaskIds as DescribeRecordTask lists them (case matters). A scope or a
    saved name never holds any: they are what one question asks about."""

    streams: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    task_ids: tuple[str, ...] = ()

    def matches(self, task: RecordTask) -> bool:
        return (
            (not self.streams or task.stream in self.streams)
            and (not self.apps or task.app in self.apps)
            and (not self.domains or task.domain in self.domains)
            and (not self.task_ids or task.task_id in self.task_ids)
        )

    def server_side(self) -> dict[str, str]:
        """The DescribeRecordTask filter parameters: only single values can go to the API.
        The API takes no TaskId: task ids are always matched here, after listing."""
        params: dict[str, str] = {}
        if len(self.streams) == 1:
            params["StreamName"] = self.streams[0]
        if len(self.apps) == 1:
            params["AppName"] = self.apps[0]
        if len(self.domains) == 1:
            params["DomainName"] = self.domains[0]
        return params

    def is_empty(self) -> bool:
        return not (self.streams or self.apps or self.domains or self.task_ids)


def narrow_to_scope(asked: Filters, scope: Filters | None) -> Filters:
    """The filters to query with when a channel may only see `scope`.

    A dimension the scope limits is filled from the scope when the asker left it open; asking
    for anything outside it is refused, so no filter can ever widen what a channel sees.
    TaskIds only narrow further: a task outside the scope is simply not found.
    """
    if scope is None or scope.is_empty():
        return asked
    narrowed: dict[str, tuple[str, ...]] = {}
    for name in ("streams", "apps", "domains"):
        allowed: tuple[str, ...] = getattr(scope, name)
        wanted: tuple[str, ...] = getattr(asked, name)
        outside = [value for value in wanted if allowed and value not in allowed]
        if outside:
            raise AccessDenied(
                f"This channel may only see {name} {', '.join(allowed)}; "
                f"{', '.join(outside)} is outside that."
            )
        narrowed[name] = wanted or allowed
    return Filters(**narrowed, task_ids=asked.task_ids)
