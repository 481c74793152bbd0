"""The Prometheus metrics every part of recbot increments, in one registry served at `/metrics`.

Names and labels (import the objects, never create metrics elsewhere):

- ``REQUESTS`` ``recbot_requests_total{surface, outcome}``: one per answered request.
  surface: ``slash`` | ``mention`` | ``dm`` | ``action`` | ``home`` | ``cli`` | ``digest``;
  outcome: ``ok`` | ``parse_error`` | ``api_error`` | ``denied`` | ``error``.
- ``ACK_LATENCY`` ``recbot_ack_latency_seconds{surface}``: receipt of a Slack request → ack().
- ``ANSWER_LATENCY`` ``recbot_answer_latency_seconds{surface}``: receipt → answer delivered.
- ``API_CALLS`` ``recbot_api_calls_total{action, code}``: every Tencent Cloud call sent;
  code is ``Success``, the API error code (``AuthFailure.SignatureFailure``) or ``NetworkError``.
- ``API_RETRIES`` ``recbot_api_retries_total{code}``: retries of transient failures, by code.
- ``RATE_LIMIT_WAITS`` ``recbot_rate_limit_waits_total`` and ``RATE_LIMIT_WAIT_SECONDS``
  ``recbot_rate_limit_wait_seconds_total``: times (and seconds) a call waited for the 20/s budget.
- ``CACHE_LOOKUPS`` ``recbot_cache_lookups_total{result}``: result ``hit`` | ``miss``
  (``CACHE_HITS`` is the ``hit`` child, for the common case).
- ``DEDUP_SHARED`` ``recbot_event_dedup_shared``: 1 while Slack event de-dup is shared through
  Redis, 0 after a check fell back to this process's memory (Redis unreachable);
  ``DEDUP_FALLBACKS`` ``recbot_event_dedup_fallbacks_total``: checks decided by memory alone.
- ``DIGESTS`` ``recbot_digests_total{outcome}``: outcome ``posted`` | ``late`` | ``skipped`` |
  ``failed``.
- ``CALLBACKS`` ``recbot_css_callbacks_total{outcome}``: CSS recording callbacks received;
  outcome ``accepted`` | ``duplicate`` | ``unauthorized`` | ``malformed``.
- ``ALERTS`` ``recbot_alerts_total{outcome}``: recording alerts; outcome ``posted`` | ``failed`` |
  ``paused`` (Slack refused posts in the channel: the alert paused, its creator told).
- ``AUDIT_WRITES`` ``recbot_audit_writes_total{result}``: audit records, result ``written`` |
  ``retried`` (a failed batch write tried again) | ``dropped`` (queue full or retries spent).

Helpers for the CSS query engine (one line each at the place the event happens):
`count_api_call(code)`, `count_retry(code)`, `count_rate_limit_wait(seconds)`,
`count_cache_lookup(hit)`. `render_metrics()` gives the body and content type for `/metrics`.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

# Our own registry, so tests and `/metrics` see recbot's series and the process basics only.
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

SURFACES = ("slash", "mention", "dm", "action", "home", "cli", "digest")
OUTCOMES = ("ok", "parse_error", "api_error", "denied", "error")
DIGEST_OUTCOMES = ("posted", "late", "skipped", "failed")
CALLBACK_OUTCOMES = ("accepted", "duplicate", "unauthorized", "malformed")
ALERT_OUTCOMES = ("posted", "failed")

# Slack wants an ack within 3 s; the buckets resolve the range around that limit.
_ACK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
_ANSWER_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0)

REQUESTS = Counter(
    "recbot_requests",
    "Requests answered, by surface and outcome.",
    ("surface", "outcome"),
    registry=REGISTRY,
)
ACK_LATENCY = Histogram(
    "recbot_ack_latency_seconds",
    "Time from receiving a Slack request to acknowledging it.",
    ("surface",),
    buckets=_ACK_BUCKETS,
    registry=REGISTRY,
)
ANSWER_LATENCY = Histogram(
    "recbot_answer_latency_seconds",
    "Time from receiving a request to delivering its answer.",
    ("surface",),
    buckets=_ANSWER_BUCKETS,
    registry=REGISTRY,
)
API_CALLS = Counter(
    "recbot_api_calls",
    "Tencent Cloud API calls sent, by action and result code.",
    ("action", "code"),
    registry=REGISTRY,
)
API_RETRIES = Counter(
    "recbot_api_retries",
    "Retries of transient Tencent Cloud API failures, by error code.",
    ("code",),
    registry=REGISTRY,
)
RATE_LIMIT_WAITS = Counter(
    "recbot_rate_limit_waits",
    "Calls that waited for the shared 20 requests/second budget.",
    registry=REGISTRY,
)
RATE_LIMIT_WAIT_SECONDS = Counter(
    "recbot_rate_limit_wait_seconds",
    "Seconds spent waiting for the shared 20 requests/second budget.",
    registry=REGISTRY,
)
CACHE_LOOKUPS = Counter(
    "recbot_cache_lookups",
    "Task cache lookups, by result (hit or miss).",
    ("result",),
    registry=REGISTRY,
)
CACHE_HITS = CACHE_LOOKUPS.labels(result="hit")
CACHE_MISSES = CACHE_LOOKUPS.labels(result="miss")
DIGESTS = Counter(
    "recbot_digests",
    "Digest slots, by outcome (posted on time, posted late, skipped, failed).",
    ("outcome",),
    registry=REGISTRY,
)
CALLBACKS = Counter(
    "recbot_css_callbacks",
    "CSS recording callbacks received, by outcome.",
    ("outcome",),
    registry=REGISTRY,
)
ALERTS = Counter(
    "recbot_alerts",
    "Recording alerts, by outcome (posted, failed).",
    ("outcome",),
    registry=REGISTRY,
)
DEDUP_SHARED = Gauge(
    "recbot_event_dedup_shared",
    "1 while event de-dup is shared through Redis, 0 while it falls back to process memory.",
    registry=REGISTRY,
)
DEDUP_FALLBACKS = Counter(
    "recbot_event_dedup_fallbacks",
    "Event de-dup checks decided by this process's memory because Redis was unreachable.",
    registry=REGISTRY,
)
AUDIT_WRITES = Counter(
    "recbot_audit_writes",
    "Audit records written, batch writes retried, records dropped.",
    ("result",),
    registry=REGISTRY,
)
AUDIT_RESULTS = ("written", "retried", "dropped")

# Pre-create the label sets we know, so dashboards see zeros rather than missing series.
for _surface in SURFACES:
    ACK_LATENCY.labels(surface=_surface)
    ANSWER_LATENCY.labels(surface=_surface)
    for _outcome in OUTCOMES:
        REQUESTS.labels(surface=_surface, outcome=_outcome)
for _digest_outcome in DIGEST_OUTCOMES:
    DIGESTS.labels(outcome=_digest_outcome)
for _callback_outcome in CALLBACK_OUTCOMES:
    CALLBACKS.labels(outcome=_callback_outcome)
for _alert_outcome in ALERT_OUTCOMES:
    ALERTS.labels(outcome=_alert_outcome)
for _audit_result in AUDIT_RESULTS:
    AUDIT_WRITES.labels(result=_audit_result)

# The synced index (docs/index.md): set by every replica's sync loop from the database, so
# any replica's /metrics shows the same index whichever replica syncs.
INDEX_GAUGES = {
    name: Gauge(f"recbot_index_{name}", text, registry=REGISTRY)
    for name, text in (
        ("tasks", "Tasks in the synced index."),
        ("coverage_ratio", "Share of the 90 days and 7 ahead the index has synced."),
        ("last_hot_refresh_timestamp_seconds", "When the near part was last refreshed."),
        ("last_reconcile_timestamp_seconds", "Every older range was listed again since then."),
        ("sync_calls_last_hour", "API calls spent on sync in the last hour, all replicas."),
        ("lag_seconds", "Age of the oldest listing of the index's near part."),
        ("far_lag_seconds", "Age of the oldest listing of the index's far part."),
        ("sync_budget_calls_per_hour", "API calls an hour the index sync may spend (0: none)."),
        (
            "sync_projected_calls_per_hour",
            "API calls an hour the index sync spends at its periods, from its recorded runs.",
        ),
        ("near_period_seconds", "Seconds between near refreshes, as the sync budget set them."),
        ("far_period_seconds", "Seconds between far refreshes, as the sync budget set them."),
    )
}


def set_index_gauges(values: dict[str, float]) -> None:
    for name, value in values.items():
        INDEX_GAUGES[name].set(value)


API_ACTION = "DescribeRecordTask"


def count_api_call(code: str, action: str = API_ACTION) -> None:
    """One Tencent Cloud call answered: code "Success", the API error code, or ours
    (ClientNetworkError, MalformedResponse, ...)."""
    API_CALLS.labels(action=action, code=code).inc()


def count_retry(code: str) -> None:
    API_RETRIES.labels(code=code).inc()


def count_rate_limit_wait(seconds: float) -> None:
    """What `RateLimiter.acquire()` returned; a call that did not wait counts nothing."""
    if seconds > 0:
        RATE_LIMIT_WAITS.inc()
        RATE_LIMIT_WAIT_SECONDS.inc(seconds)


def count_cache_lookup(hit: bool) -> None:
    (CACHE_HITS if hit else CACHE_MISSES).inc()


def count_dedup_check(shared: bool) -> None:
    """One event de-dup check: through Redis (shared) or, Redis unreachable, memory alone."""
    DEDUP_SHARED.set(1 if shared else 0)
    if not shared:
        DEDUP_FALLBACKS.inc()


def render_metrics() -> tuple[bytes, str]:
    """The `/metrics` response: (body, content type) in the Prometheus text format."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
