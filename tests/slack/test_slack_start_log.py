"""`recbot serve` starts without Bolt's misleading token warnings: SLACK_BOT_TOKEN is set (as
in production) and the bot's one WebClient carries that very token."""

from __future__ import annotations

import pytest

from tests.support.serving import ServedBot

pytestmark = pytest.mark.slow


def test_start_logs_no_token_will_be_unused_or_ignored_warning(served: ServedBot) -> None:
    log = served.log()
    assert "will be unused" not in log
    assert "will be ignored" not in log
