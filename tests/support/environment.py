"""The one list of what no test (nor bench) may inherit from the machine: credentials, recbot's
own settings and proxies. The autouse fixture in tests/conftest.py removes them from each test;
subprocesses get `scrubbed_environ()` or, for a served bot on loopback, `clean_env(...)`."""

from __future__ import annotations

import os

SCRUBBED_PREFIXES = ("TENCENTCLOUD_", "SLACK_", "RECBOT_", "TKE_")
SCRUBBED_NAMES = frozenset(
    {
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
    }
)


def is_scrubbed(name: str) -> bool:
    return name in SCRUBBED_NAMES or name.startswith(SCRUBBED_PREFIXES)


def scrubbed_environ() -> dict[str, str]:
    """This process's environment without credentials, recbot settings or proxies."""
    return {k: v for k, v in os.environ.items() if not is_scrubbed(k)}


def clean_env(**extra: str) -> dict[str, str]:
    """`scrubbed_environ()` for a child that talks to loopback servers, plus `extra`."""
    return scrubbed_environ() | {"NO_PROXY": "127.0.0.1,localhost"} | extra
