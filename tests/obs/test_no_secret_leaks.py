"""Known secret values go in; none comes out in a log line, a metric, a Slack message or an
error text. The same flows prove the bot only ever sends DescribeRecordTask.

One served bot (`recbot serve`, waitress, DEBUG logs in JSON) answers every surface (slash,
mention, DM, buttons, export, chart, App Home, digests, errors); then `recbot ask` and
`recbot doctor` run with right and wrong secrets. Everything they emit is searched.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.css.simulator import Simulator
from tests.support.serving import (
    FORM,
    JSON,
    REPO,
    ServedBot,
    action_body,
    clean_env,
    event_body,
    http,
    slash_body,
)
from tests.support.slack_api import SlackCall, SlackStandIn

pytestmark = pytest.mark.slow

# Distinctive values, so a find is certain to be a leak.
SECRET_ID = "AKIDleakcheckSECRETID0417"
SECRET_KEY = "LeakCheck-SECRET-KEY-9c1e5b7a"
BOT_TOKEN = "xoxb-LEAKCHECK-bot-token-86e2"
SIGNING_SECRET = "LEAKCHECK-signing-secret-53d1"
WRONG_KEY = "LEAKCHECK-wrong-key-0b44"
WRONG_TOKEN = "xoxb-invalid"  # the stand-in rejects it: the doctor's failure path
SECRETS = (SECRET_ID, SECRET_KEY, BOT_TOKEN, SIGNING_SECRET, WRONG_KEY)
# A secret cut short (a truncated log field) or its tail alone is a leak too.
FRAGMENTS = tuple(part for s in SECRETS for part in (s[:12], s[-12:]))


@dataclass(frozen=True)
class Leak:
    where: str
    secret: str


def leaks(where: str, text: str) -> list[Leak]:
    return [Leak(where, s) for s in (*SECRETS, *FRAGMENTS) if s in text]


def test_the_search_finds_a_planted_secret() -> None:
    assert Leak("x", BOT_TOKEN) in leaks("x", f"token={BOT_TOKEN}")
    assert leaks("x", f"key …{SECRET_KEY[-12:]} alone")  # a fragment is enough
    assert leaks("x", "nothing secret here") == []


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        stand_in.add_user("UALICE", tz="Asia/Tokyo")
        yield stand_in


@pytest.fixture(scope="module")
def css() -> Iterator[Simulator]:
    with Simulator(count=120, secret_id=SECRET_ID, secret_key=SECRET_KEY) as simulator:
        yield simulator


def bot_env(slack: SlackStandIn, css: Simulator, tmp: Path, **extra: str) -> dict[str, str]:
    return clean_env(
        TENCENTCLOUD_SECRET_ID=SECRET_ID,
        TENCENTCLOUD_SECRET_KEY=SECRET_KEY,
        RECBOT_CSS_ENDPOINT=css.url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.base_url,
        RECBOT_DATABASE_URL=f"sqlite:///{tmp / 'recbot.sqlite3'}",
        RECBOT_LOG_FORMAT="json",
        RECBOT_LOG_LEVEL="DEBUG",
        HOME=str(tmp),
        # The index answers (docs/index.md); a question about now always refreshes first, so
        # the wrong-key questions below reach Tencent Cloud rather than the synced index.
        RECBOT_INDEX_NOW_AGE_S="0.001",
        **extra,
    )


def said(call: SlackCall) -> str:
    """Everything of a Web API call but its Authorization header (where the token belongs)."""
    headers = {k: v for k, v in call.headers.items() if k.lower() != "authorization"}
    return json.dumps(
        {"path": call.path, "headers": headers, "params": call.params, "response": call.response},
        default=str,
        ensure_ascii=False,
    ) + call.body.decode("utf-8", "replace")


def slash(bot: ServedBot, slack: SlackStandIn, text: str, name: str) -> None:
    body = slash_body(text, user="UALICE", channel="CLEAK", response_url=slack.response_url(name))
    assert bot.post(body, FORM, secret=SIGNING_SECRET).status == 200
    slack.wait_for("response_url", where=lambda c: c.path == f"/response/{name}", timeout=20)


def event(bot: ServedBot, payload: dict[str, str], event_id: str) -> None:
    assert (
        bot.post(event_body(payload, event_id=event_id), JSON, secret=SIGNING_SECRET).status == 200
    )


def buttons(call: SlackCall) -> dict[str, str]:
    return {
        element["action_id"]: element["value"]
        for block in call.params.get("blocks") or []
        for element in block.get("elements", [])
        if element.get("type") == "button"
    }


def press(bot: ServedBot, slack: SlackStandIn, action: str, value: str, name: str) -> None:
    body = action_body(
        action, value, user="UALICE", channel="CLEAK", response_url=slack.response_url(name)
    )
    assert bot.post(body, FORM, secret=SIGNING_SECRET).status == 200


def counted(metrics: str, series: str) -> float:
    """The value of one series in a /metrics body (0 when absent)."""
    for line in metrics.splitlines():
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    return 0.0


def run_cli(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"


def test_no_secret_in_logs_metrics_slack_messages_or_errors(
    slack: SlackStandIn, css: Simulator, tmp_path: Path
) -> None:
    env = bot_env(slack, css, tmp_path)
    bot = ServedBot(env, tmp_path / "serve.log").start()
    try:
        slash(bot, slack, "last 3 days", "answer")
        slash(bot, slack, "next blursday", "parse-error")
        slash(bot, slack, "help", "help")
        slash(bot, slack, "stats last 7 days", "stats")
        slash(bot, slack, "digest daily 09:00 cam1", "digest-add")
        slash(bot, slack, "digest list", "digest-list")
        [added] = [c for c in slack.calls("response_url") if c.path == "/response/digest-add"]
        digest_id = re.search(r"Digest #(\d+)", str(added.params.get("text")))
        assert digest_id, added.params
        slash(bot, slack, f"digest now {digest_id.group(1)}", "digest-now")
        slack.wait_for("chat.postMessage", where=lambda c: c.channel == "CLEAK", timeout=20)
        [first] = [c for c in slack.calls("response_url") if c.path == "/response/answer"]
        for action, value in buttons(first).items():
            press(bot, slack, action, value, f"button-{action}")
        event(
            bot,
            {
                "type": "app_mention",
                "user": "UALICE",
                "channel": "CLEAK",
                "text": "<@UBOTRECBOT> what is recording right now?",
                "ts": "1700000100.000100",
                "event_ts": "1700000100.000100",
            },
            "EvLeak1",
        )
        event(
            bot,
            {
                "type": "message",
                "channel_type": "im",
                "user": "UALICE",
                "channel": "DALICE",
                "text": "anything stopped early last week?",
                "ts": "1700000200.000100",
                "event_ts": "1700000200.000100",
            },
            "EvLeak2",
        )
        event(
            bot,
            {
                "type": "app_home_opened",
                "user": "UALICE",
                "channel": "DALICE",
                "tab": "home",
                "event_ts": "1700000300.000100",
            },
            "EvLeak3",
        )
        # The mention's answer (in its thread) and the DM's: the digest above posts too, so two
        # posts of any kind could be counted before either answer was.
        slack.wait_for(
            "chat.postMessage",
            where=lambda c: c.params.get("thread_ts") == "1700000100.000100",
            timeout=20,
        )
        slack.wait_for("chat.postMessage", where=lambda c: c.channel == "DALICE", timeout=20)
        slack.wait_for("views.publish", timeout=20)
        # Tencent Cloud failing: the user reads plain words, never a key.
        css.set_faults(error_rate=1.0, error_code="AuthFailure.SignatureFailure")
        slash(bot, slack, "running now", "auth-failure")
        css.set_faults(error_rate=0.0)
        # Forged and oversized requests are turned away without echoing anything.
        forged = bot.post(
            slash_body("x", user="U", channel="C", response_url="http://x/"),
            FORM,
            secret="not-the-signing-secret",
        )
        assert forged.status == 401
        metrics = http(f"{bot.url}/metrics").body.decode()
        health = http(f"{bot.url}/healthz").body.decode()
    finally:
        bot.stop()
    served_log = bot.log()

    ask_ok = run_cli(env, "ask", "last 2 days")
    ask_wrong = run_cli({**env, "TENCENTCLOUD_SECRET_KEY": WRONG_KEY}, "ask", "running now")
    doctor_wrong = run_cli(
        {**env, "TENCENTCLOUD_SECRET_KEY": WRONG_KEY, "SLACK_BOT_TOKEN": WRONG_TOKEN},
        "doctor",
        "--json",
    )
    bad_config = run_cli({**env, "TENCENTCLOUD_SECRET_ID": f" {SECRET_ID}"}, "doctor")
    # The audit trail (team memory) holds every question above: read it back whole.
    audit_dump = run_cli(env, "audit", "--json")
    assert len(audit_dump.splitlines()) > 10

    # The flows really ran: answers were posted, errors were explained, lines were logged.
    calls = slack.calls()
    assert len([c for c in calls if c.method == "response_url"]) >= 8
    assert any("signature" in said(c).lower() for c in calls if c.path == "/response/auth-failure")
    assert len(served_log.splitlines()) > 20
    # ... and were counted: answers by surface and outcome, ack latency, digests.
    assert counted(metrics, 'recbot_requests_total{outcome="ok",surface="slash"}') >= 5
    assert counted(metrics, 'recbot_requests_total{outcome="parse_error",surface="slash"}') >= 1
    assert counted(metrics, 'recbot_requests_total{outcome="ok",surface="mention"}') >= 1
    assert counted(metrics, 'recbot_ack_latency_seconds_count{surface="slash"}') >= 8
    assert "exit 0" in ask_ok
    assert "exit 0" not in ask_wrong
    assert '"tencent cloud"' in doctor_wrong
    assert "exit 2" in bad_config

    # One request id from receipt to answer, through the CSS query's worker threads: every
    # SDK call line carries the id of a request that also logged its answer.
    lines = [json.loads(line) for line in served_log.splitlines() if line.startswith("{")]
    sdk_ids = {line["request_id"] for line in lines if line["logger"] == "tencentcloud_sdk_common"}
    answered_ids = {line["request_id"] for line in lines if line["message"] == "answered"}
    # ... or of a step of the index's sync loop, which logs its own id too.
    sync_ids = {
        line["request_id"]
        for line in lines
        if line["message"] in ("index synced", "index sync step failed")
    }
    assert sdk_ids
    assert "-" not in sdk_ids
    assert sdk_ids - sync_ids
    assert sdk_ids <= answered_ids | sync_ids

    found = leaks("serve log", served_log) + leaks("/metrics", metrics) + leaks("/healthz", health)
    found += [leak for c in calls for leak in leaks(f"slack {c.method} {c.path}", said(c))]
    found += [
        leak
        for f in slack.files()
        for leak in leaks(f"file {f.filename}", f.content.decode("utf-8", "replace"))
    ]
    found += leaks("recbot ask", ask_ok) + leaks("recbot ask (wrong key)", ask_wrong)
    found += leaks("recbot doctor (wrong key)", doctor_wrong)
    found += leaks("recbot doctor (bad config)", bad_config)
    found += leaks("recbot audit / audit store", audit_dump)
    assert found == []

    # Read-only: every request the simulator saw was a DescribeRecordTask it accepted or
    # failed on purpose; an unknown action would be logged as InvalidAction.
    codes = {record.code for record in css.request_log.records()}
    assert css.request_log.calls > 5
    assert codes <= {"", "AuthFailure.SignatureFailure"}
