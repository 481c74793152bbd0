"""Every test runs with real credentials and proxies removed, so nothing can reach out."""

from __future__ import annotations

import os

import pytest

_SCRUBBED_PREFIXES = ("TENCENTCLOUD_", "SLACK_", "RECBOT_", "TKE_")
_SCRUBBED = {
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
}


def scrubbed_environ() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k not in _SCRUBBED and not k.startswith(_SCRUBBED_PREFIXES)
    }


@pytest.fixture(autouse=True)
def _clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for key in list(os.environ):
        if key in _SCRUBBED or key.startswith(_SCRUBBED_PREFIXES):
            monkeypatch.delenv(key, raising=False)
    # No profile file of the person running the tests may be read either.
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
