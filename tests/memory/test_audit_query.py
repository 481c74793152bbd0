"""`audit …` arguments, read the same way in Slack and the terminal (pure)."""

from __future__ import annotations

import pytest

from bot.errors import ParseError
from bot.memory.audit_query import AuditQuery, Format, read_audit_args


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("", AuditQuery()),
        ("--since monday 9am", AuditQuery(since="monday 9am")),
        ("--user U0123 --json", AuditQuery(user="U0123", format=Format.JSON)),
        ("--user <@U0123|alice> --channel <#C0456|ops>", AuditQuery(user="U0123", channel="C0456")),
        ("—since yesterday —csv", AuditQuery(since="yesterday", format=Format.CSV)),
    ],
)
def test_audit_arguments_read(text: str, query: AuditQuery) -> None:
    assert read_audit_args(text) == query


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("yesterday", "couldn't read 'yesterday'"),
        ("--since", "needs a value"),
        ("--user @alice", "not a Slack user id"),
        ("--user U1 U2", "no option"),
        ("--color red", "no option"),
    ],
)
def test_unreadable_audit_arguments_say_which_part(text: str, says: str) -> None:
    with pytest.raises(ParseError, match=says):
        read_audit_args(text)
