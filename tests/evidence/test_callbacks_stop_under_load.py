"""A `recbot serve` stopped (SIGTERM) or killed (SIGKILL) while callbacks pour in: every
callback it answered 200 is in the store, each event once, though each was sent twice (CSS
retrying on another connection) and callbacks shared their transactions (group commit).
On SIGTERM also the other way round: every callback stored was answered (the last batches
are committed and their answers sent before the process exits), so CSS sends none again."""

from __future__ import annotations

import http.client
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from bot.db.database import open_engine
from bot.evidence.events import RecordEvent, RecordingEvent
from bot.evidence.store import EvidenceStore
from tests.evidence.sender import KEY, body_of, status_event
from tests.support.factory import task
from tests.support.served import serve_env
from tests.support.serving import ServedBot
from tests.support.slack_api import SlackStandIn

pytestmark = pytest.mark.slow

SENDERS = 8


def events(count: int) -> list[RecordingEvent]:
    now = datetime.now(UTC).replace(microsecond=0)
    recording = task("task-load", now - timedelta(hours=1), 3)
    return [
        status_event(recording, RecordEvent.START_SUCCEEDED, now - timedelta(seconds=n), f"{n}")
        for n in range(count)
    ]


class Senders:
    """SENDERS threads on keep-alive connections; event i is sent by thread i % SENDERS and
    again by the next thread. `accepted` holds the keys answered 200."""

    def __init__(self, port: int, sent: list[RecordingEvent]) -> None:
        self.port = port
        self.sent = sent
        self.accepted: set[str] = set()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._send, args=(n,)) for n in range(SENDERS)]

    def start(self) -> Senders:
        for thread in self.threads:
            thread.start()
        return self

    def join(self) -> None:
        for thread in self.threads:
            thread.join(30)

    def count(self) -> int:
        with self.lock:
            return len(self.accepted)

    def _send(self, n: int) -> None:
        mine = [e for i, e in enumerate(self.sent) if i % SENDERS in (n, (n + 1) % SENDERS)]
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            for event in mine:
                connection.request(
                    "POST", "/css/callbacks", body_of(event), {"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    with self.lock:
                        self.accepted.add(event.key)
        except (OSError, http.client.HTTPException):
            return  # the server went away: what it did not answer, CSS would send again
        finally:
            connection.close()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_every_callback_answered_200_is_stored_once(tmp_path: Path, stop: signal.Signals) -> None:
    url = f"sqlite:///{tmp_path}/recbot.sqlite3"
    sent = events(20_000)  # more than can be sent before the stop
    with SlackStandIn() as slack, Simulator(count=5) as sim:
        env = serve_env(slack, sim, url, tmp_path, RECBOT_CSS_CALLBACK_KEY=KEY)
        bot = ServedBot(env, tmp_path / "serve.log").start()
        assert bot.process is not None
        senders = Senders(bot.port, sent).start()
        deadline = time.monotonic() + 60
        while senders.count() < 300:  # well under way: batches are being committed
            assert time.monotonic() < deadline, bot.log()
            time.sleep(0.01)  # polling the senders' progress
        bot.process.send_signal(stop)
        assert bot.process.wait(40) in (0, -signal.SIGKILL)
        senders.join()
    engine = open_engine(url)
    try:
        store = EvidenceStore(engine)
        lost = [key for key in sorted(senders.accepted) if store.event(key) is None]
        stored = store.count()
    finally:
        engine.dispose()
    assert lost == []
    assert len(senders.accepted) >= 300
    assert len(senders.accepted) <= stored < len(sent)  # stopped midway, each event once
    if stop == signal.SIGTERM:
        assert stored == len(senders.accepted)
