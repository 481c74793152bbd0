"""The core (request → window → plan → analyze → render) must not import Slack or Tencent code.

The boundary is kept by this check, not by hope: every module outside the shell packages is
imported in a fresh interpreter and the modules it pulled in are inspected.
"""

from __future__ import annotations

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
    "bot.digest",
    "bot.replicas",
    "bot.obs",
    "bot.commands",
    "bot.cli",
    "bot.config",
    "bot.__main__",
)
FORBIDDEN = ("slack_bolt", "slack_sdk", "tencentcloud")


def core_modules() -> list[str]:
    names = [
        info.name for info in pkgutil.walk_packages([str(Path(bot.__file__).parent)], prefix="bot.")
    ]
    return sorted(n for n in names if not n.startswith(SHELL))


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
