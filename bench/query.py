"""Query-engine figures: a 90-day query over 10,000 simulated tasks at 20 requests/s.

`recbot simulator` runs as its own process (10,000 tasks over 97 days, 20 tasks a page,
20 requests/s); this process queries it through the real SDK, first clean, then with 5%
InternalError. Then tccli walks the same pages as a shell loop, the way a user would today.

    .venv/bin/python bench/query.py
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.css.cache import MemoryCache  # noqa: E402
from bot.css.client import SdkPages, open_source  # noqa: E402
from bot.css.dataset import dump_tasks, generate  # noqa: E402
from bot.css.page import CallFailed, PageReply  # noqa: E402
from bot.css.ratelimit import SlidingWindowLimiter  # noqa: E402
from bot.errors import ApiError  # noqa: E402
from bot.filters import Filters  # noqa: E402
from bot.plan import ApiWindow  # noqa: E402
from bot.tasks import RecordTask  # noqa: E402
from bot.timephrase.window import Grain, Window  # noqa: E402

TASKS = 10_000
PAGE_SIZE = 20
RATE = 20.0
WALL_FACTOR = 1.15
TCCLI_PAGES = 20  # pages timed for the tccli loop; the full walk is extrapolated from them
SECRET_ID = "AKIDbenchmark"
SECRET_KEY = "bench-secret-key"


@dataclass(frozen=True)
class Run:
    label: str
    expected: int
    returned: int
    complete: bool
    calls: int
    pages: int
    retries: int
    rate_limited: int  # RequestLimitExceeded answers, all retried
    errors_injected: int
    wall_s: float
    error: str

    @property
    def wall_target_s(self) -> float:
        return WALL_FACTOR * self.calls / RATE


class CountingPages:
    """Wraps the SDK page fetcher to count the failure codes our retry loop absorbed."""

    def __init__(self, inner: SdkPages) -> None:
        self.inner = inner
        self.codes: Counter[str] = Counter()

    def fetch(self, window: ApiWindow, filters: Mapping[str, str], token: str) -> PageReply:
        try:
            return self.inner.fetch(window, filters, token)
        except CallFailed as failure:
            self.codes[failure.code] += 1
            raise

    def close(self) -> None:
        self.inner.close()


@contextmanager
def simulator_process(tasks_file: Path, error_rate: float) -> Iterator[str]:
    env = {
        **os.environ,
        "TENCENTCLOUD_SECRET_ID": SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": SECRET_KEY,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "simulator",
            "--port",
            "0",
            "--tasks",
            str(tasks_file),
            "--page-size",
            str(PAGE_SIZE),
            "--rate-limit",
            str(RATE),
            "--error-rate",
            str(error_rate),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def expected_ids(tasks: tuple[RecordTask, ...], start: datetime, end: datetime) -> set[str]:
    return {t.task_id for t in tasks if t.start < end and t.end > start}


def query(label: str, url: str, tasks: tuple[RecordTask, ...]) -> Run:
    # The 90-day rule is checked against the server's clock: plan with a fresh `now`.
    now = datetime.now(UTC)
    settings = Settings(
        tencentcloud_secret_id=SECRET_ID,
        tencentcloud_secret_key=SECRET_KEY,
        recbot_css_endpoint=url,
        recbot_rate_limit=RATE,
    )
    # The default RECBOT_QUERY_DEADLINE (20 s): the walk's deadline grows with its calls.
    source = open_source(settings, limiter=SlidingWindowLimiter(RATE), cache=MemoryCache())
    assert isinstance(source.pages, SdkPages)
    counting = CountingPages(source.pages)
    source.pages = counting
    asked = Window(now - timedelta(days=90), now, Grain.DAY, "last 90 days")
    started = time.monotonic()
    error = ""
    try:
        result = source.fetch_tasks(asked, Filters(), now)
    except ApiError as exc:
        error = exc.user_message
    finally:
        source.close()
    wall = time.monotonic() - started
    if error:
        return Run(label, 0, 0, False, 0, 0, 0, 0, 0, wall, error)
    want = expected_ids(tasks, result.plan.start, result.plan.end)
    got = {t.task_id for t in result.tasks}
    return Run(
        label=label,
        expected=len(want),
        returned=len(got),
        complete=got == want and len(got) == len(result.tasks),
        calls=result.stats.api_calls,
        pages=result.stats.pages,
        retries=result.stats.retries,
        rate_limited=sum(n for c, n in counting.codes.items() if c.startswith("RequestLimit")),
        errors_injected=sum(n for c, n in counting.codes.items() if c.startswith("Internal")),
        wall_s=wall,
        error=error,
    )


TCCLI_LOOP = r"""
token=""; pages=0
while [ "$pages" -lt "$MAX_PAGES" ]; do
  if [ -n "$token" ]; then extra="--ScrollToken=$token"; else extra=""; fi
  token=$("$TCCLI" live DescribeRecordTask --endpoint "$URL" --region ap-guangzhou \
      --StartTime "$START" --EndTime "$END" $extra --filter ScrollToken | tr -d '"[:space:]')
  pages=$((pages + 1))
  [ -z "$token" ] && break
done
echo "$pages"
"""


def tccli_seconds_per_page(url: str, window: ApiWindow) -> tuple[float, int] | None:
    tccli = Path(sys.executable).with_name("tccli")
    if not tccli.exists() or shutil.which("bash") is None:
        return None
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "HOME": home,
            "TCCLI": str(tccli),
            "URL": url,
            "START": str(window.start),
            "END": str(window.end),
            "MAX_PAGES": str(TCCLI_PAGES),
            "TENCENTCLOUD_SECRET_ID": SECRET_ID,
            "TENCENTCLOUD_SECRET_KEY": SECRET_KEY,
        }
        started = time.monotonic()
        done = subprocess.run(
            ["bash", "-c", TCCLI_LOOP], capture_output=True, text=True, env=env, check=True
        )
        elapsed = time.monotonic() - started
    pages = int(done.stdout.strip() or 0)
    return (elapsed / pages, pages) if pages else None


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure() -> tuple[list[Run], tuple[float, int] | None, float]:
    now = datetime.now(UTC)
    tasks = generate(seed=1, now=now, count=TASKS, days_back=90, days_ahead=7)
    runs: list[Run] = []
    tccli: tuple[float, int] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        tasks_file = Path(tmp) / "tasks.json"
        dump_tasks(tasks, tasks_file)
        with simulator_process(tasks_file, 0.0) as url:
            runs.append(query("90-day query", url, tasks))
            start = int((datetime.now(UTC) - timedelta(days=89)).timestamp())
            tccli = tccli_seconds_per_page(url, ApiWindow(start, start + 7 * 86400))
        with simulator_process(tasks_file, 0.05) as url:
            runs.append(query("90-day query, 5% InternalError", url, tasks))
    return runs, tccli, peak_rss_mb()


def rows(
    runs: list[Run], tccli: tuple[float, int] | None, rss_mb: float
) -> list[tuple[str, str, str, bool]]:
    table: list[tuple[str, str, str, bool]] = []
    for run_ in runs:
        if run_.error:
            table.append((run_.label, "no error", run_.error[:120], False))
            continue
        table += [
            (
                f"{run_.label}: tasks returned",
                f"all {run_.expected}",
                f"{run_.returned}",
                run_.complete,
            ),
            (
                f"{run_.label}: wall time",
                f"<= {WALL_FACTOR} x calls/20 = {run_.wall_target_s:.1f} s",
                f"{run_.wall_s:.1f} s",
                run_.wall_s <= run_.wall_target_s,
            ),
            (
                f"{run_.label}: RequestLimitExceeded reaching the caller",
                "0",
                f"0 ({run_.rate_limited} answered, all retried)",
                True,
            ),
            (
                f"{run_.label}: calls / pages / retries",
                "reported",
                f"{run_.calls} / {run_.pages} / {run_.retries} "
                f"({run_.errors_injected} InternalError)",
                True,
            ),
        ]
    table.append(("query bench peak RSS", "reported", f"{rss_mb:.0f} MB", True))
    if tccli is not None and runs and not runs[0].error:
        per_page, sampled = tccli
        estimate = per_page * runs[0].pages
        table.append(
            (
                "tccli shell loop, same 90-day walk",
                "reported (ratio to recbot)",
                f"{per_page:.2f} s/page over {sampled} pages -> ~{estimate:.0f} s for "
                f"{runs[0].pages} pages = {estimate / runs[0].wall_s:.1f}x recbot's wall",
                True,
            )
        )
    return table


def run() -> list[tuple[str, str, str, bool]]:
    return rows(*measure())


if __name__ == "__main__":
    from run import report  # bench/run.py, beside this file

    raise SystemExit(report(run()))
