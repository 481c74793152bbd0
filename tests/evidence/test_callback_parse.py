"""`parse_callback`: the signature and expiry first, then the fields; a table of bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.evidence.callback import CallbackRefused, parse_callback, sign
from bot.evidence.events import RecordEvent

KEY = "demoKey123"
NOW = datetime(2026, 7, 27, 9, 0, tzinfo=UTC)
T = int((NOW + timedelta(minutes=10)).timestamp())


def status_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "appid": 1250000001,
        "appname": "live",
        "domain": "5000.live.push.example.com",
        "event_time": 1785142802,
        "event_type": 332,
        "record_detail": '{"file_format":3,"start_model":5}',
        "record_event": "record_start_succeeded",
        "task_id": "UmVjb3JkVGFzay1saXZldGVzdC0yMDI2MDcyNw==",
        "seq": "7305118842036912117",
        "session_id": "5822096407713380941",
        "stream_id": "livetest",
        "t": T,
        "sign": sign(KEY, T),
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def file_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_type": 100,
        "app": "5000.live.push.example.com",
        "appname": "live",
        "stream_id": "livetest",
        "file_id": "1250000001_3f6c2a9d8e7b41c0a5d4e3f2b1c0a9d8",
        "file_format": "HLS",
        "task_id": "UmVjb3JkVGFzay1saXZldGVzdC0yMDI2MDcyNw==",
        "start_time": 1785142802,
        "end_time": 1785150000,
        "duration": 7195,
        "file_size": 1288490189,
        "video_url": "https://1250000001.vod-qcloud.com/3f6c2a9d/f0.mp4",
        "t": T,
        "sign": sign(KEY, T),
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def parse(body: dict[str, Any] | bytes) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_callback(raw, KEY, NOW)


def test_the_reference_pages_worked_example_signs_the_same() -> None:
    assert sign("demoKey123", 1785143402) == "3141895f242242392babd8478e859df6"


def test_a_status_callback_becomes_an_event() -> None:
    event = parse(status_body())
    assert event.event is RecordEvent.START_SUCCEEDED
    assert (event.domain, event.app, event.stream) == (
        "5000.live.push.example.com",
        "live",
        "livetest",
    )
    assert event.time == datetime.fromtimestamp(1785142802, UTC)
    assert event.key == "332:7305118842036912117:record_start_succeeded:1785142802"
    assert event.file is None


def test_a_file_callback_becomes_a_file_whose_content_starts_at_end_minus_duration() -> None:
    event = parse(file_body())
    assert event.file is not None
    assert event.file.start == datetime.fromtimestamp(1785150000 - 7195, UTC)
    assert event.file.format == "hls"
    assert event.file.size_bytes == 1288490189
    assert event.key == "100:1250000001_3f6c2a9d8e7b41c0a5d4e3f2b1c0a9d8"


def test_a_sign_in_upper_case_and_t_as_text_are_accepted() -> None:
    assert parse(status_body(sign=sign(KEY, T).upper(), t=str(T))).stream == "livetest"


def test_session_id_keys_a_status_event_without_seq() -> None:
    assert parse(status_body(seq=None)).key.startswith("332:5822096407713380941:")


REFUSED = [
    ("wrong key", status_body(sign=sign("other", T)), 401),
    ("no sign", status_body(sign=None), 401),
    ("no t", status_body(t=None), 401),
    (
        "expired beyond the skew",
        status_body(t=int(NOW.timestamp()) - 31, sign=sign(KEY, int(NOW.timestamp()) - 31)),
        401,
    ),
    ("over a day ahead", status_body(t=T + 86400, sign=sign(KEY, T + 86400)), 401),
    ("forged and malformed: 401 first", status_body(sign="0" * 32, record_event="nope"), 401),
    ("unknown event type", status_body(event_type=341), 400),
    ("unknown record event", status_body(record_event="record_exploded"), 400),
    ("status without stream", status_body(stream_id=None), 400),
    ("status without event_time", status_body(event_time=None), 400),
    ("status without seq or session", status_body(seq=None, session_id=None), 400),
    ("file without file_id", file_body(file_id=None), 400),
    ("file with text size", file_body(file_size="big"), 400),
    ("a list", [status_body()], 400),
]


@pytest.mark.parametrize(("why", "body", "status"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_bad_callback_is_refused_with_its_status(why: str, body: Any, status: int) -> None:
    raw = json.dumps(body).encode()
    with pytest.raises(CallbackRefused) as refused:
        parse_callback(raw, KEY, NOW)
    assert refused.value.status == status, why
    assert KEY not in refused.value.user_message


def test_expiry_allows_30_seconds_of_skew() -> None:
    t = int(NOW.timestamp()) - 29
    assert parse(status_body(t=t, sign=sign(KEY, t))).stream == "livetest"


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe", b"null", b"[]", b'"x"', b"1" * 70_000])
def test_not_a_json_object_is_malformed(raw: bytes) -> None:
    with pytest.raises(CallbackRefused) as refused:
        parse(raw)
    assert refused.value.status == 400
