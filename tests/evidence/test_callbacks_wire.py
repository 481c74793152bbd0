"""CSS recording callbacks over the wire: signed POSTs to a real `recbot serve` (gunicorn), the
store it writes, the alerts it posts to the Slack stand-in, and the answers that show them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from bot.db.database import migrate, open_engine
from bot.evidence.events import RecordEvent
from bot.evidence.store import EvidenceStore
from bot.tasks import RecordTask
from tests.evidence.sender import KEY, body_of, file_event, post_callback, status_event
from tests.support.served import serve_env
from tests.support.serving import FORM, ServedBot, http, slash_body
from tests.support.slack_api import SlackStandIn
from tests.support.slack_history import HISTORY_SCOPES, enable_history

pytestmark = pytest.mark.slow

CHANNEL = "CALERTS"
SCOPED = "CSCOPED"
SCOPED_STREAM = "cam1"


@dataclass(frozen=True)
class Served:
    bot: ServedBot
    slack: SlackStandIn
    sim: Simulator
    store: EvidenceStore


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("callbacks")
    enable_history()
    url = f"sqlite:///{tmp}/recbot.sqlite3"
    with SlackStandIn(scopes=HISTORY_SCOPES) as slack, Simulator(count=60) as sim:
        slack.add_user("UKIM", tz="Asia/Tokyo")
        slack.add_channel(CHANNEL)
        slack.add_channel(SCOPED)
        domains = sorted({t.domain for t in sim.tasks})
        access = tmp / "access.toml"
        access.write_text(
            f'[scopes.{SCOPED}]\nstreams = ["{SCOPED_STREAM}"]\n'
            f"[default_scope]\ndomains = {json.dumps(domains)}\n"
        )
        env = serve_env(
            slack, sim, url, tmp, RECBOT_CSS_CALLBACK_KEY=KEY, RECBOT_ACCESS_FILE=str(access)
        )
        bot = ServedBot(env, tmp / "serve.log").start()
        engine = open_engine(url)
        migrate(engine)
        try:
            # Every accepted event of any stream would be posted here: a refused one must not.
            said = slash(bot, slack, "alert all", "subscribe")
            assert "is on" in said
            yield Served(bot, slack, sim, EvidenceStore(engine))
        finally:
            bot.stop()
            engine.dispose()


def slash(bot: ServedBot, slack: SlackStandIn, text: str, name: str, channel: str = CHANNEL) -> str:
    body = slash_body(text, user="UKIM", channel=channel, response_url=slack.response_url(name))
    assert bot.post(body, FORM).status == 200
    [call] = slack.wait_for("response_url", where=lambda c: c.path == f"/response/{name}")
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


def past_task(sim: Simulator, index: int = 0) -> RecordTask:
    now = datetime.now(UTC)
    done = sorted(
        (t for t in sim.tasks if t.end < now - timedelta(hours=1) and t.stopped is None),
        key=lambda t: t.task_id,
    )
    return done[index]


def metric(bot: ServedBot, outcome: str) -> float:
    prefix = f'recbot_css_callbacks_total{{outcome="{outcome}"}} '
    for line in http(f"{bot.url}/metrics").body.decode().splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    raise AssertionError(f"{prefix} not in /metrics")


def alerts_posted(slack: SlackStandIn) -> list[dict[str, object]]:
    return [
        c.params["metadata"]["event_payload"]
        for c in slack.ok_calls("chat.postMessage")
        if (c.params.get("metadata") or {}).get("event_type") == "recbot_alert"
    ]


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)  # polling a condition with a deadline


NOW = int(time.time())
BAD = {
    "forged": (401, lambda e: body_of(e, key="notTheKey")),
    "missing_sign": (401, lambda e: body_of(e, sign=None)),
    "expired": (401, lambda e: body_of(e, t=NOW - 120)),
    "far_future": (401, lambda e: body_of(e, t=NOW + 2 * 86400)),
    "not_json": (400, lambda e: b"{not json"),
    "unknown_event_type": (400, lambda e: body_of(e, event_type=999)),
    "missing_field": (400, lambda e: body_of(e, stream_id=None)),
    "unknown_record_event": (400, lambda e: body_of(e, record_event="record_exploded")),
    "oversized": (400, lambda e: body_of(e, padding="x" * 70_000)),
}


def sentinel_alerted(served: Served, name: str) -> None:
    """Send a good failure callback and wait for its alert: the loop posts in arrival order,
    so anything let through before it would have been posted by then."""
    event = status_event(
        past_task(served.sim, 0), RecordEvent.ERROR, datetime.now(UTC), seq=f"sentinel-{name}"
    )
    assert post_callback(served.bot.url, body_of(event)).status == 200
    wait_until(
        lambda: any(p["event"] == event.key for p in alerts_posted(served.slack)),
        10,
        f"the sentinel alert {name}",
    )


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_callback_is_refused_and_leaves_no_trace(served: Served, kind: str) -> None:
    status, make = BAD[kind]
    outcome = "unauthorized" if status == 401 else "malformed"
    event = status_event(
        past_task(served.sim, 1), RecordEvent.START_FAILED, datetime.now(UTC), seq=f"bad-{kind}"
    )
    before_rows = served.store.count()
    refused_before = metric(served.bot, outcome)
    answer = post_callback(served.bot.url, make(event))
    assert answer.status == status
    assert metric(served.bot, outcome) == refused_before + 1
    sentinel_alerted(served, kind)
    assert served.store.count() == before_rows + 1  # the sentinel only
    assert served.store.event(event.key) is None
    assert all(p["event"] != event.key for p in alerts_posted(served.slack))
    assert KEY not in served.bot.log()


def test_a_replayed_callback_is_stored_once_and_alerted_once(served: Served) -> None:
    task = past_task(served.sim, 2)
    event = status_event(task, RecordEvent.START_FAILED, datetime.now(UTC), seq="9001")
    raw = body_of(event)
    first = post_callback(served.bot.url, raw)
    assert (first.status, first.body) == (200, b'{"code":0}')
    assert first.elapsed_s < 1.0
    duplicates = metric(served.bot, "duplicate")
    for _ in range(3):  # CSS retries of the same event
        assert post_callback(served.bot.url, raw).status == 200
    assert metric(served.bot, "duplicate") == duplicates + 3
    wait_until(
        lambda: any(p["event"] == event.key for p in alerts_posted(served.slack)), 10, "the alert"
    )
    stored = served.store.events_of({task.task_id}, set(), task.start, task.end)
    assert [e.key for e in stored] == [event.key]
    # A retry after the alert went out: still one alert for the event.
    assert post_callback(served.bot.url, raw).status == 200
    sentinel_alerted(served, "replay")
    posts = [p for p in alerts_posted(served.slack) if p["event"] == event.key]
    assert len(posts) == 1
    [call] = [
        c
        for c in served.slack.ok_calls("chat.postMessage")
        if (c.params.get("metadata") or {}).get("event_payload", {}).get("event") == event.key
    ]
    assert call.params["channel"] == CHANNEL
    text = json.dumps(call.params["blocks"])
    assert "failed to start" in text
    assert task.stream in text
    assert "Show recordings" in text


def test_evidence_shows_in_the_slack_answer(served: Served) -> None:
    task = past_task(served.sim, 3)
    assert post_callback(served.bot.url, body_of(file_event(task, datetime.now(UTC)))).status == 200
    day = task.start.astimezone(UTC).strftime("%Y-%m-%d")
    said = slash(served.bot, served.slack, f"stream:{task.stream} {day} utc", "answer")
    assert "1 file" in said


def test_alerts_belong_to_their_channel_and_its_scope(served: Served) -> None:
    bot, slack = served.bot, served.slack
    outside = slash(bot, slack, "alert stream:elsewhere", "outside", SCOPED)
    assert "outside that" in outside
    said = slash(bot, slack, "alert", "scoped", SCOPED)
    number = said.split("Alert ")[1].split(" ")[0]
    assert number.isdigit()
    listed = slash(bot, slack, "alert list", "list-here", SCOPED)
    assert f"*{number}*" in listed
    elsewhere = slash(bot, slack, "alert list", "list-there", CHANNEL)
    assert f"*{number}*" not in elsewhere
    refused = slash(bot, slack, f"alert off {number}", "off-there", CHANNEL)
    assert "no alert" in refused
    assert "no time" in slash(bot, slack, "alert yesterday", "timed", SCOPED)
    # A failure on a stream outside the scope reaches the open channel, not the scoped one.
    other = next(t for t in served.sim.tasks if t.stream != SCOPED_STREAM)
    event = status_event(other, RecordEvent.ERROR, datetime.now(UTC), seq="scope-check")
    assert post_callback(bot.url, body_of(event)).status == 200
    wait_until(
        lambda: any(p["event"] == event.key for p in alerts_posted(slack)), 10, "the open alert"
    )
    channels = [
        c.params["channel"]
        for c in slack.ok_calls("chat.postMessage")
        if (c.params.get("metadata") or {}).get("event_payload", {}).get("event") == event.key
    ]
    assert channels == [CHANNEL]
    assert "is off" in slash(bot, slack, f"alert off {number}", "off-here", SCOPED)


def test_unknown_path_methods(served: Served) -> None:
    assert http(f"{served.bot.url}/css/callbacks").status == 405


def test_without_a_key_the_path_is_404(tmp_path: Path) -> None:
    with SlackStandIn() as slack, Simulator(count=5) as sim:
        env = serve_env(slack, sim, f"sqlite:///{tmp_path}/r.sqlite3", tmp_path)
        bot = ServedBot(env, tmp_path / "serve.log").start()
        try:
            assert post_callback(bot.url, b"{}").status == 404
        finally:
            bot.stop()


def test_each_posted_alert_is_one_audit_record(served: Served) -> None:
    from bot.db.audit_store import AuditFilter, AuditStore

    task = past_task(served.sim, 4)
    event = status_event(task, RecordEvent.START_FAILED, datetime.now(UTC), seq="audit-9002")
    raw = body_of(event)
    assert post_callback(served.bot.url, raw).status == 200
    assert post_callback(served.bot.url, raw).status == 200  # a CSS retry: no second alert
    trail = AuditStore(served.store.engine)

    def records(task_id: str) -> list[str]:
        return [
            e.understood
            for e in trail.read(AuditFilter(channel_id=CHANNEL))
            if e.surface == "alert" and task_id in e.understood
        ]

    wait_until(lambda: records(task.task_id), 10, "the alert's audit record")
    # A later alert's record shows the writer went on; the first alert is still one record.
    sentinel_alerted(served, "audit")
    wait_until(lambda: records(past_task(served.sim, 0).task_id), 10, "the sentinel's record")
    stream = f"{task.domain}/{task.app}/{task.stream}"
    assert records(task.task_id) == [f"alert all record_start_failed {stream} {task.task_id}"]
