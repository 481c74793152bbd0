"""The core (request → window → plan → analyze → render) must not import Slack or Tencent code.

The boundary is kept by this check, not by hope: every module outside the shell packages is
imported in a fresh interpreter and the modules it pulled in are inspected.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bot

SHELL = (
    "bot.css",
    "bot.slack",
    "bot.db",
    "bot.digest",
    "bot.alerts",
    "bot.evidence.store",
    "bot.evidence.receiver",
    "bot.evidence.service",
    "bot.evidence.sender",
    "bot.index",
    "bot.replicas",
    "bot.obs",
    "bot.commands",
    "bot.wiring",
    "bot.cli",
    "bot.config",
    "bot.__main__",
)
FORBIDDEN = ("slack_bolt", "slack_sdk", "tencentcloud")


# Pure parts of shell packages: what a digest holds and when it is due.
PURE_IN_SHELL = (
    "bot.digest.schedule",
    "bot.digest.content",
    "bot.digest.message",
    "bot.index.ranges",
)


def core_modules() -> list[str]:
    names = [
        info.name for info in pkgutil.walk_packages([str(Path(bot.__file__).parent)], prefix="bot.")
    ]
    return sorted(n for n in names if not n.startswith(SHELL) or n in PURE_IN_SHELL)


def test_core_has_the_pipeline_modules() -> None:
    modules = core_modules()
    for expected in ("bot.tasks", "bot.filters", "bot.plan", "bot.source", "bot.errors"):
        assert expected in modules


@pytest.mark.parametrize("module", core_modules())
def test_core_module_imports_no_slack_or_tencent(module: str) -> None:
    probe = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(out.stdout)
    leaked = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert leaked == [], f"{module} pulls in {leaked[:5]}"


CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
}


def clock_reads(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in CLOCK_READS
        ):
            found.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
    return found


def test_the_clock_check_sees_a_clock_read() -> None:
    assert clock_reads("import time\nstarted = time.monotonic()\n") == ["time.monotonic (line 2)"]
    assert clock_reads("from datetime import datetime\nnow = datetime.now(tz)\n")


@pytest.mark.parametrize("module", core_modules())
def test_core_module_never_reads_the_clock(module: str) -> None:
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    found = clock_reads(Path(spec.origin).read_text(encoding="utf-8"))
    assert found == [], f"{module} reads the clock: {found}; take `now` as an argument"
