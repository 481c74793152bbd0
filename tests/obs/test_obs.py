"""Logs carry the request id and mask secrets; metrics render in the Prometheus format."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.obs import metrics
from bot.obs.log import (
    ContextThreadPoolExecutor,
    configure_logging,
    current_request_id,
    new_request_id,
    request_context,
)

SECRET = "s3cr3t-VALUE-0123456789"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()  # not a TTY: JSON expected in "auto" mode
    settings = Settings(slack_signing_secret=SecretStr(SECRET))
    handler = configure_logging(settings, stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_line_of_a_request_carries_its_id(json_log: io.StringIO) -> None:
    log = logging.getLogger("recbot.test")
    with request_context() as rid:
        log.info("first", extra={"surface": "cli"})
        logging.getLogger("other.library").warning("second")
    log.info("outside")
    first, second, outside = _lines(json_log)
    assert first["request_id"] == rid
    assert second["request_id"] == rid
    assert first["surface"] == "cli"
    assert outside["request_id"] == "-"


def test_new_request_id_sets_the_current_id() -> None:
    with request_context("outer"):
        rid = new_request_id()
        assert current_request_id() == rid != "outer"


def test_secrets_are_masked_in_messages_and_tracebacks(json_log: io.StringIO) -> None:
    log = logging.getLogger("recbot.test")
    log.info("key is %s", SECRET)
    try:
        raise ValueError(f"bad key {SECRET}")
    except ValueError:
        log.exception("failed")
    text = json_log.getvalue()
    assert SECRET not in text
    assert text.count("***") >= 2


def test_text_format_on_request() -> None:
    stream = io.StringIO()
    handler = configure_logging(Settings(recbot_log_format="text"), stream)
    try:
        with request_context("abc123"):
            logging.getLogger("recbot.test").warning("hello", extra={"n": 3})
    finally:
        logging.getLogger().removeHandler(handler)
    line = stream.getvalue().strip()
    assert "[abc123]" in line
    assert line.endswith("hello n=3")


def test_metrics_render_in_prometheus_text_format() -> None:
    metrics.REQUESTS.labels(surface="cli", outcome="ok").inc()
    metrics.API_CALLS.labels(action="DescribeRecordTask", code="Success").inc()
    body, content_type = metrics.render_metrics()
    text = body.decode()
    assert content_type.startswith("text/plain")
    assert 'recbot_requests_total{outcome="ok",surface="cli"}' in text
    assert 'recbot_api_calls_total{action="DescribeRecordTask",code="Success"}' in text
    assert "recbot_ack_latency_seconds_bucket" in text
    # Known label sets exist before anything happens (the registry is per process, so other
    # tests in this worker may have counted some already).
    assert re.search(r'^recbot_digests_total\{outcome="late"\} \d', text, re.MULTILINE)
    assert re.search(r'^recbot_requests_total\{outcome="denied",surface="home"\} \d', text, re.M)


def test_worker_threads_log_the_submitting_requests_id(json_log: io.StringIO) -> None:
    log = logging.getLogger("recbot.test")
    with ContextThreadPoolExecutor(max_workers=2) as pool, request_context("req-A"):
        pool.submit(log.info, "from a worker").result(timeout=5)
    with ThreadPoolExecutor(max_workers=1) as plain, request_context("req-B"):
        plain.submit(log.info, "plain pool").result(timeout=5)
    worker, plain_line = _lines(json_log)
    assert worker["request_id"] == "req-A"
    assert plain_line["request_id"] == "-"  # why the context-copying pool exists


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    value = metrics.REGISTRY.get_sample_value(name, labels or {})
    return 0.0 if value is None else value


def test_css_helpers_count_calls_retries_waits_and_cache_lookups() -> None:
    # Other tests' threads in this worker may count too: labelled counts use codes unique to
    # this test (exact); the unlabelled ones can only be checked from below.
    code = f"Probe.{uuid.uuid4().hex[:8]}"
    call = {"action": "DescribeRecordTask", "code": code}
    waits = sample("recbot_rate_limit_waits_total")
    waited = sample("recbot_rate_limit_wait_seconds_total")
    hits = sample("recbot_cache_lookups_total", {"result": "hit"})
    metrics.count_api_call(code)
    metrics.count_retry(code)
    metrics.count_rate_limit_wait(0.0)  # no wait: not counted
    metrics.count_rate_limit_wait(0.25)
    metrics.count_cache_lookup(hit=True)
    assert sample("recbot_api_calls_total", call) == 1
    assert sample("recbot_api_retries_total", {"code": code}) == 1
    assert sample("recbot_rate_limit_waits_total") >= waits + 1
    assert sample("recbot_rate_limit_wait_seconds_total") >= waited + 0.25
    assert sample("recbot_cache_lookups_total", {"result": "hit"}) >= hits + 1


def test_a_secret_json_would_escape_is_still_masked() -> None:
    odd = 'pa"ss\\word-0042'
    stream = io.StringIO()
    handler = configure_logging(Settings(slack_signing_secret=SecretStr(odd)), stream)
    try:
        logging.getLogger("recbot.test").warning("secret %s here", odd, extra={"detail": odd})
    finally:
        logging.getLogger().removeHandler(handler)
    [line] = _lines(stream)
    assert odd not in json.dumps(line)
    assert line["message"] == "secret *** here"
    assert line["detail"] == "***"
