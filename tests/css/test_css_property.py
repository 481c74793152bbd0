"""Property: for random tasks and asked windows, the engine returns exactly the brute force.

Brute force: every task of the simulator's data whose `[start, end)` overlaps the clipped
asked window and matches the filters. The engine only ever sees it through paged HTTP.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tencentcloud.common import credential

from bot.css.client import SdkPages, build_live_client, parse_endpoint
from bot.css.query import CssSource
from bot.css.ratelimit import SlidingWindowLimiter
from bot.css.simulator import Simulator
from bot.filters import Filters
from bot.tasks import RecordTask
from tests.support.css import FAST_RETRY, NOW, expected, ids, window

MINUTE = 60
EARLIEST = -(90 * 24 * 60 - 60)  # minutes from NOW: one hour inside the 90-day horizon
LATEST = 7 * 24 * 60
STREAMS = ("livetest", "cam1", "cam2")


@st.composite
def tasks(draw: st.DrawFn) -> list[RecordTask]:
    count = draw(st.integers(min_value=0, max_value=40))
    made = []
    for n in range(count):
        length = draw(st.sampled_from([1, 59, 60, 61, 600, 1439, 1440]))
        start = draw(st.integers(min_value=EARLIEST, max_value=LATEST - length))
        begin = NOW + timedelta(minutes=start)
        made.append(
            RecordTask(
                task_id=f"t{n:02d}",
                domain="5000.live.push.example.com",
                app="live",
                stream=draw(st.sampled_from(STREAMS)),
                start=begin,
                end=begin + timedelta(minutes=length),
                template_id=0,
                stopped=None,
            )
        )
    return made


minutes = st.integers(min_value=-100 * 24 * 60, max_value=10 * 24 * 60)


def test_engine_equals_brute_force_for_random_data_and_windows() -> None:
    with Simulator(now=NOW, rate_limit=None) as sim:
        pages = SdkPages(
            build_live_client(
                credential.Credential(sim.secret_id, sim.secret_key),
                "ap-guangzhou",
                parse_endpoint(sim.url),
                5.0,
            )
        )

        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(
            data=tasks(),
            start=st.none() | minutes,
            length=st.integers(min_value=1, max_value=40 * 24 * 60),
            page_size=st.integers(min_value=3, max_value=25),
            streams=st.sampled_from([(), ("cam1",), ("cam1", "cam2")]),
        )
        def check(
            data: list[RecordTask],
            start: int | None,
            length: int,
            page_size: int,
            streams: tuple[str, ...],
        ) -> None:
            sim.replace_tasks(data)
            sim.page_size = page_size
            begin = NOW + timedelta(minutes=start) if start is not None else None
            end = (begin or NOW) + timedelta(minutes=length)
            filters = Filters(streams=streams)
            source = CssSource(
                pages,
                region="ap-guangzhou",
                endpoint=sim.url,
                limiter=SlidingWindowLimiter(1000),
                cache=None,
                deadline_s=20.0,
                retry=FAST_RETRY,
                server_clock=sim.clock,
            )
            with source:
                result = source.fetch_tasks(window(begin, end), filters, NOW)
            got = ids(result.tasks)
            assert len(got) == len(set(got))
            assert got == expected(tuple(data), result.plan.start, result.plan.end, filters)

        check()
