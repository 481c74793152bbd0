"""Every test runs with real credentials and proxies removed, so nothing can reach out."""

from __future__ import annotations

import os

import pytest

from tests.support.environment import is_scrubbed, scrubbed_environ
from tests.support.pg import drop_emptied

__all__ = ["scrubbed_environ"]  # tests and benches import it from here too


@pytest.fixture(autouse=True)
def _clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for key in list(os.environ):
        if is_scrubbed(key):
            monkeypatch.delenv(key, raising=False)
    # No profile file of the person running the tests may be read either.
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))


def pytest_sessionfinish() -> None:
    # The empty PostgreSQL databases this process kept for its next tests (tests/support/pg.py).
    drop_emptied()
