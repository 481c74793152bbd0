"""What each subcommand does, in one table: whether it queries, what message it shows and what
file goes with it. The Slack conversation, the Block Kit renderer and `recbot ask` all read it,
so a new subcommand is one row here (and its renderer), not three `if`s in three places."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.request import Subcommand


class Handler(StrEnum):
    """Who answers: the help text, the digest commands, or a task query."""

    HELP = "help"
    DIGESTS = "digests"
    QUERY = "query"


class View(StrEnum):
    """The message (Slack) or terminal output of a query's answer."""

    TASKS = "tasks"  # the task list
    STATS = "stats"  # counts
    TIMELINE = "timeline"  # the task list as a text timeline (beside its chart)


class Attachment(StrEnum):
    NONE = "none"
    CSV = "csv"  # the answer *is* the file: the message is only seen when the upload fails
    CHART = "chart"  # a PNG; where it cannot be made or uploaded, the timeline is the answer


@dataclass(frozen=True)
class Route:
    handler: Handler
    view: View = View.TASKS
    attachment: Attachment = Attachment.NONE


ROUTES: Mapping[Subcommand, Route] = MappingProxyType(
    {
        Subcommand.ANSWER: Route(Handler.QUERY),
        Subcommand.HELP: Route(Handler.HELP),
        Subcommand.DIGEST: Route(Handler.DIGESTS),
        Subcommand.EXPORT: Route(Handler.QUERY, attachment=Attachment.CSV),
        Subcommand.CHART: Route(Handler.QUERY, View.TIMELINE, Attachment.CHART),
        Subcommand.STATS: Route(Handler.QUERY, View.STATS),
    }
)


def route_of(subcommand: Subcommand) -> Route:
    return ROUTES[subcommand]
