"""The README and docs/ stay true: the README's two commands, CI running the second one
verbatim, every subcommand's --help, the configuration table, the metrics table, the README's
size, and every document a file or link refers to."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from bot import cli
from bot.config import Settings, variable
from bot.obs import metrics
from tests.conftest import scrubbed_environ

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
OPERATIONS = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
# The manual: the README and docs/ (the reference facts are quoted sources, not our manual).
MANUAL = "\n".join(
    [README]
    + [
        path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "docs").rglob("*.md"))
        if "reference" not in path.parts
    ]
)


def sh_blocks(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"```sh\n(.*?)```", text, re.DOTALL)]


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.DOTALL | re.MULTILINE)
    assert match, f"no '## {title}' section"
    return match.group(1)


def first_column(table_text: str) -> list[list[str]]:
    """The `code` names in the first cell of each table row."""
    rows = [line for line in table_text.splitlines() if line.startswith("| `")]
    return [re.findall(r"`([^`]+)`", row.split("|")[1]) for row in rows]


def test_the_two_commands_are_the_first_two_sh_blocks() -> None:
    install_and_run, run_tests = sh_blocks(README)[:2]
    assert "\n" not in install_and_run
    assert "\n" not in run_tests
    assert install_and_run.startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert " -e . " in install_and_run
    assert "&& .venv/bin/recbot " in install_and_run
    assert run_tests.startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert "'.[dev]'" in run_tests
    assert run_tests.endswith(".venv/bin/python -m pytest -n 2")
    # The checks pyproject configures run before the tests, from the same venv.
    for check in (".venv/bin/ruff check .", ".venv/bin/ruff format --check .", ".venv/bin/mypy"):
        assert f"&& {check} &&" in run_tests


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    run_tests = sh_blocks(README)[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run_tests in ci.splitlines()
    assert "set -euo pipefail" in ci


def test_the_first_command_runs_the_main_job() -> None:
    install_and_run = sh_blocks(README)[0]
    used = re.search(r"\.venv/bin/recbot (\w+)", install_and_run)
    assert used
    # The main job: an answer from the embedded simulator (issue 4, from the answers issue on).
    assert used.group(1) == "ask"


def manual_commands() -> set[str]:
    """Subcommands the manual names: `recbot NAME` anywhere, or in the layout's list."""
    named = set(re.findall(r"recbot ([a-z][a-z-]*)", MANUAL))
    for listing in re.findall(r"recbot ([a-z]+(?: \| [a-z]+)+)", MANUAL):
        named |= set(listing.split(" | "))
    return named


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        cli.main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_recbot_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys)
    assert text.startswith("usage: recbot")
    for name in cli.SUBCOMMANDS:
        assert re.search(rf"^\s+{name}\b", text, re.MULTILINE), name


@pytest.mark.parametrize("name", list(cli.SUBCOMMANDS))
def test_each_subcommand_help_works_and_the_manual_mentions_it(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    text = help_of(capsys, name)
    assert text.startswith(f"usage: recbot {name}")
    assert cli.SUBCOMMANDS[name] in " ".join(text.split())
    assert name in manual_commands()


def test_the_manual_mentions_only_real_subcommands() -> None:
    mentioned = set(re.findall(r"`recbot ([a-z][a-z-]*)", MANUAL))
    mentioned |= set(re.findall(r"\$ recbot ([a-z][a-z-]*)", MANUAL))
    assert mentioned
    assert mentioned <= set(cli.SUBCOMMANDS)


def test_flags_the_manual_shows_exist(capsys: pytest.CaptureFixture[str]) -> None:
    for name, flag in set(re.findall(r"recbot (\w+)[^`\n]*? (--[a-z][a-z-]*)", MANUAL)):
        if name in cli.SUBCOMMANDS:
            assert flag in help_of(capsys, name), f"recbot {name} {flag}"


def test_the_configuration_table_lists_every_variable_once() -> None:
    names = [cells[0] for cells in first_column(section(OPERATIONS, "Configuration")) if cells]
    expected = {variable(field) for field in Settings.model_fields}
    expected |= {"RECBOT_CONFIG_FILE", "PORT"}
    assert sorted(names) == sorted(expected)


def test_secrets_are_marked_in_the_configuration_table() -> None:
    rows = [
        line for line in section(OPERATIONS, "Configuration").splitlines() if line.startswith("| `")
    ]
    secret = {
        variable(name)
        for name, field in Settings.model_fields.items()
        if "SecretStr" in str(field.annotation)
    }
    marked = {re.findall(r"`([^`]+)`", row)[0] for row in rows if "🔒" in row.split("|")[1]}
    assert marked == secret


def test_the_metrics_table_matches_the_registry() -> None:
    table = section(OPERATIONS, "Metrics")
    documented = set(re.findall(r"`(recbot_[a-z_]+)`", table))
    exported = set()
    for family in metrics.REGISTRY.collect():
        if family.name.startswith("recbot_"):
            kind = family.type
            exported.add(f"{family.name}_total" if kind == "counter" else family.name)
    assert documented == exported


def test_ci_script_is_valid_bash_and_executable() -> None:
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK)
    done = subprocess.run(["bash", "-n", str(ci)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_first_commands_run_step_works_in_this_checkout() -> None:
    # The install half is proven in a clean venv by test_container.py; here the last step
    # runs verbatim in the repository's own venv.
    run_step = sh_blocks(README)[0].split(" && ")[-1]
    assert run_step.startswith(".venv/bin/recbot ")
    done = subprocess.run(
        ["/bin/sh", "-c", run_step],
        cwd=ROOT,
        env=scrubbed_environ(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    assert "Traceback" not in done.stderr


def test_the_readme_is_a_door_not_the_manual() -> None:
    assert len(README) <= 10_000
    for document in ("requests", "time-phrases", "slack", "digests", "css", "operations"):
        assert f"(docs/{document}.md)" in README, document


DOC_REFERENCE = re.compile(r"(?<![\w./-])((?:docs/|\.\./)?[\w./-]*[\w-]\.md)\b")


def referenced_documents(path: Path) -> set[str]:
    return set(DOC_REFERENCE.findall(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "source",
    sorted(
        str(p.relative_to(ROOT))
        for folder in ("bot", "tests", "bench", ".ci")
        for p in (ROOT / folder).rglob("*")
        if p.suffix in (".py", "") and p.is_file() and "__pycache__" not in p.parts
    ),
)
def test_every_document_code_refers_to_is_in_the_repository(source: str) -> None:
    """A Markdown file named in code, tests or benches is a path from the repository root."""
    for name in referenced_documents(ROOT / source):
        assert (ROOT / name).is_file(), f"{source} refers to {name}, which is not in the repository"


MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize(
    "document",
    ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md"))],
)
def test_every_relative_link_in_the_manual_resolves(document: str) -> None:
    path = ROOT / document
    for target in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (path.parent / target).exists(), f"{document} links to {target}"
