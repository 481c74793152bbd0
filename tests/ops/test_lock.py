"""requirements.lock (the image's dependencies, from `uv pip compile`) matches pyproject.toml:
every runtime dependency is pinned within its range, nothing the project no longer asks for
stays, and every pin carries hashes (pip --require-hashes in the Dockerfile)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\]+)")
PROJECT = "recbot (pyproject.toml)"
# pip's [binary] extra of psycopg is the psycopg-binary package.
EXTRA_PACKAGES = {("psycopg", "binary"): "psycopg-binary"}


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    hashes: int
    wanted_by_project: bool


def pins() -> dict[str, Pin]:
    found: dict[str, Pin] = {}
    block: list[str] = []

    def close() -> None:
        if not block:
            return
        match = PIN.match(block[0])
        assert match, block[0]
        name = canonicalize_name(match.group(1))
        comments = " ".join(line.strip().lstrip("#").strip() for line in block if "#" in line)
        found[name] = Pin(
            name,
            match.group(2),
            sum(line.count("--hash=sha256:") for line in block),
            PROJECT in comments,
        )

    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if PIN.match(line):
            close()
            block = [line]
        elif block:
            block.append(line)
    close()
    return found


def runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"]]


@pytest.mark.parametrize("requirement", runtime_requirements(), ids=str)
def test_each_runtime_dependency_is_pinned_within_its_range(requirement: Requirement) -> None:
    locked = pins()
    name = canonicalize_name(requirement.name)
    assert name in locked, f"{name} is not in requirements.lock; regenerate it (see its header)"
    assert requirement.specifier.contains(locked[name].version, prereleases=True), (
        f"{name}=={locked[name].version} is outside {requirement.specifier}; regenerate the lock"
    )
    for extra in requirement.extras:
        assert canonicalize_name(EXTRA_PACKAGES[(name, extra)]) in locked


def test_the_lock_holds_nothing_the_project_no_longer_asks_for() -> None:
    asked = {canonicalize_name(r.name) for r in runtime_requirements()}
    stale = {p.name for p in pins().values() if p.wanted_by_project} - asked
    assert not stale, f"requirements.lock still pins {stale} for recbot; regenerate it"


def test_every_pin_has_hashes_and_no_dev_tool_is_locked() -> None:
    locked = pins()
    assert locked
    assert all(p.hashes for p in locked.values()), [p.name for p in locked.values() if not p.hashes]
    for dev_only in ("pytest", "mypy", "ruff", "hypothesis", "jsonschema"):
        assert dev_only not in locked


def test_the_lock_says_how_it_was_made() -> None:
    head = LOCK.read_text(encoding="utf-8").splitlines()[:3]
    assert any("uv pip compile pyproject.toml --generate-hashes" in line for line in head)
