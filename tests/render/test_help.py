"""Every example the help shows (Slack and `recbot ask help`) is accepted on any day (R33, N9):
read by parse_request, its window planned without a note, digests checked like a real one."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

import pytest

from bot.alerts.commands import alert_filters
from bot.answer import window_for
from bot.commands.ask import _help_text
from bot.digest.commands import parse_digest_args
from bot.digest.content import digest_request
from bot.plan import plan_windows
from bot.render.blocks import HELP_EXAMPLES, HELP_TIMES, render_help
from bot.request import Subcommand, parse_request

# Days spread over a year (and a leap day, a DST change): an example with a fixed date
# ("Jul 26") is more than 90 days ago, or in the future, on some of them.
DAYS = (
    datetime(2026, 1, 14, 9, 30, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    datetime(2026, 7, 27, 10, 0, tzinfo=UTC),
    datetime(2026, 11, 27, 17, 0, tzinfo=UTC),
    datetime(2028, 2, 29, 23, 59, tzinfo=UTC),
)
ZONES: tuple[tzinfo, ...] = (UTC, ZoneInfo("Asia/Tokyo"), ZoneInfo("Europe/Berlin"))
EXAMPLES = [req for req, _ in HELP_EXAMPLES] + list(HELP_TIMES)


@pytest.mark.parametrize("example", EXAMPLES)
def test_help_example_is_accepted_on_any_day(example: str) -> None:
    for now in DAYS:
        for zone in ZONES:
            request = parse_request(example, now, zone)
            if request.subcommand is Subcommand.DIGEST:
                command = parse_digest_args(request.digest_args)
                checked = digest_request(command.request_text, now, zone)
                assert checked.filters == parse_request(command.request_text, now, zone).filters
                continue
            if request.subcommand is Subcommand.ALERT:
                assert not alert_filters(request.alert_args, now, zone).is_empty()
                continue
            assert request.subcommand is not Subcommand.HELP
            plan = plan_windows(window_for(request, now, zone), now)
            assert not plan.empty, (example, now, zone, plan.notes)
            assert plan.notes == (), (example, now, zone, plan.notes)


def test_both_helps_show_every_example() -> None:
    slack = str(render_help().blocks)
    terminal = _help_text()
    for example in EXAMPLES:
        assert f"`{example}`" in slack
    for example, _ in HELP_EXAMPLES:
        assert example in terminal


def test_both_helps_tell_of_the_task_id_filter() -> None:
    assert "`task:TASKID` (or a pasted TaskId)" in str(render_help().blocks)
    assert "task:TASKID (or a pasted TaskId" in _help_text()
