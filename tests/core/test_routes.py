"""One table routes the subcommands: every subcommand has a row, and the surfaces that answer
(Slack, Block Kit, `recbot ask`) branch on the row, never on the subcommand itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bot
from bot.request import Subcommand
from bot.routes import ROUTES, Attachment, Handler, View, route_of

BOT = Path(bot.__file__).parent
SURFACES = ("slack/answers.py", "render/blocks.py", "commands/ask.py")


def test_every_subcommand_has_a_route() -> None:
    assert set(ROUTES) == set(Subcommand)


@pytest.mark.parametrize(
    ("subcommand", "handler", "view", "attachment"),
    [
        (Subcommand.ANSWER, Handler.QUERY, View.TASKS, Attachment.NONE),
        (Subcommand.HELP, Handler.HELP, View.TASKS, Attachment.NONE),
        (Subcommand.DIGEST, Handler.DIGESTS, View.TASKS, Attachment.NONE),
        (Subcommand.EXPORT, Handler.QUERY, View.TASKS, Attachment.CSV),
        (Subcommand.CHART, Handler.QUERY, View.TIMELINE, Attachment.CHART),
        (Subcommand.STATS, Handler.QUERY, View.STATS, Attachment.NONE),
    ],
)
def test_the_table(
    subcommand: Subcommand, handler: Handler, view: View, attachment: Attachment
) -> None:
    route = route_of(subcommand)
    assert (route.handler, route.view, route.attachment) == (handler, view, attachment)


def subcommand_tests(source: str) -> list[int]:
    """Lines comparing something with `Subcommand.X` (`is`, `==`, `in`)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                if (
                    isinstance(operand, ast.Attribute)
                    and isinstance(operand.value, ast.Name)
                    and operand.value.id == "Subcommand"
                ):
                    lines.append(node.lineno)
    return lines


def test_the_check_sees_a_branch_on_a_subcommand() -> None:
    assert subcommand_tests("if request.subcommand is Subcommand.CHART:\n    pass\n") == [1]
    assert subcommand_tests("if route.view is View.STATS:\n    pass\n") == []


@pytest.mark.parametrize("surface", SURFACES)
def test_surfaces_route_through_the_table(surface: str) -> None:
    source = (BOT / surface).read_text(encoding="utf-8")
    assert subcommand_tests(source) == [], f"{surface} branches on Subcommand; use bot.routes"
    assert "route_of(" in source
