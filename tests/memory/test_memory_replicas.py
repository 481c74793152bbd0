"""Two `recbot serve` replicas over one PostgreSQL database: a name saved through one is used
through the other at once, and 1,000 questions spread over both leave exactly 1,000 audit
records (each question recorded once, none lost)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from bot.db.audit_store import AuditFilter, AuditStore
from bot.db.database import migrate, open_engine
from tests.support.pg import fresh_postgres_url
from tests.support.serving import FORM, ServedBot, slash_body
from tests.support.slack_api import SlackCall, SlackStandIn
from tests.support.world import SIM_ID, SIM_KEY, bot_env, known_tasks

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

QUESTIONS = 1000


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[tuple[SlackStandIn, list[ServedBot], AuditStore]]:
    with (
        SlackStandIn() as slack,
        Simulator(known_tasks(datetime.now(UTC)), secret_id=SIM_ID, secret_key=SIM_KEY) as css,
        fresh_postgres_url() as url,
    ):
        slack.add_user("UALICE", tz="UTC")
        env = {**bot_env(slack, css.url, tmp_path), "RECBOT_DATABASE_URL": url}
        engine = open_engine(url)
        migrate(engine)
        bots = [ServedBot(env, tmp_path / f"replica{i}.log") for i in range(2)]
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda bot: bot.start(timeout=90), bots))
        try:
            yield slack, bots, AuditStore(engine)
        finally:
            for bot in bots:
                bot.stop()
            engine.dispose()


def ask(bot: ServedBot, slack: SlackStandIn, text: str, name: str) -> None:
    body = slash_body(text, user="UALICE", channel="CMAIN", response_url=slack.response_url(name))
    assert bot.post(body, FORM).status == 200


def answer(slack: SlackStandIn, name: str) -> SlackCall:
    [call] = slack.wait_for("response_url", where=lambda c: c.path == f"/response/{name}")
    return call


def test_a_name_saved_through_one_replica_is_used_through_the_other_at_once(
    replicas: tuple[SlackStandIn, list[ServedBot], AuditStore],
) -> None:
    slack, (first, second), _ = replicas
    ask(first, slack, "name studio-a stream:cam1 domain:a.push.example", "save")
    answer(slack, "save")
    ask(second, slack, "studio-a last 2 days", "use")
    blocks = answer(slack, "use").params["blocks"]
    assert blocks[0]["elements"][0]["text"] == "studio-a = cam1 on a.push.example"


def test_a_thousand_questions_over_both_replicas_make_a_thousand_audit_records(
    replicas: tuple[SlackStandIn, list[ServedBot], AuditStore],
) -> None:
    slack, bots, audit = replicas

    def send(i: int) -> None:
        ask(bots[i % 2], slack, f"help {i}" if i % 4 else "cam1 today", f"q{i}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, range(QUESTIONS)))
    slack.wait_for("response_url", count=QUESTIONS, timeout=180)
    for bot in bots:
        bot.stop()  # the writers flush what they hold before the process ends
    events = audit.read(AuditFilter(limit=QUESTIONS * 2))
    assert len(events) == QUESTIONS
    assert len({e.text for e in events}) == QUESTIONS - QUESTIONS // 4 + 1
    assert len({e.request_id for e in events}) == QUESTIONS  # one request id per question
