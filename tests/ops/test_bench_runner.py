"""bench/run.py: every bench's run() rows end up in one table; a broken bench fails the run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import scrubbed_environ

ROOT = Path(__file__).resolve().parents[2]


def load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run_under_test", ROOT / "bench" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def write_bench(directory: Path, name: str, body: str) -> None:
    (directory / f"{name}.py").write_text(textwrap.dedent(body))


@pytest.fixture
def benches(tmp_path: Path) -> Path:
    write_bench(
        tmp_path,
        "alpha",
        """
        def run():
            return [("parse p95", "< 5 ms", "1.2 ms", True), ("pages/s", ">= 20", "19.8", False)]
    """,
    )
    write_bench(
        tmp_path,
        "beta",
        """
        def run():
            return [("ack p99", "< 3 s", "0.4 s", True)]
    """,
    )
    write_bench(tmp_path, "_helpers", "raise RuntimeError('never imported')\n")
    write_bench(tmp_path, "shared", "VALUE = 1  # no run(): not a bench\n")
    return tmp_path


def test_one_table_of_every_bench_in_name_order(
    benches: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = load_runner()
    status = runner.main(["--dir", str(benches)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["figure", "target", "measured", "pass"]
    assert set(lines[1]) <= {"-", " "}
    assert [line.split("  ")[0] for line in lines[2:]] == ["parse p95", "pages/s", "ack p99"]
    assert lines[3].endswith("✗")
    assert status == 1  # one figure missed its target


def test_markdown_table_for_the_readme(benches: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runner = load_runner()
    runner.main(["--dir", str(benches), "--markdown", "beta"])
    assert capsys.readouterr().out.splitlines() == [
        "| figure | target | measured | pass |",
        "|---|---|---|:-:|",
        "| ack p99 | < 3 s | 0.4 s | ✓ |",
    ]


def test_a_crashing_bench_is_a_failed_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_bench(tmp_path, "gamma", "def run():\n    raise ValueError('boom')\n")
    runner = load_runner()
    assert runner.main(["--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "gamma (did not run)" in out
    assert "ValueError" in out


def test_all_passing_exits_zero_as_a_command(benches: Path) -> None:
    (benches / "alpha.py").unlink()
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--dir", str(benches)],
        env=scrubbed_environ(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ack p99" in done.stdout


def test_the_readme_table_is_replaced_between_its_markers() -> None:
    runner = load_runner()
    readme = "intro\n<!-- bench-table -->\n| old |\n<!-- /bench-table -->\nafter\n"
    updated = runner.replace_readme_table(readme, "| new |", "measured now")
    assert (
        updated
        == "intro\n<!-- bench-table -->\n| new |\n\n_measured now_\n<!-- /bench-table -->\nafter\n"
    )


def test_the_readme_has_the_bench_table_markers() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.index("<!-- bench-table -->") < text.index("<!-- /bench-table -->")
    assert "| figure | target | measured | pass |" in text


@pytest.mark.parametrize("bench", sorted(p.stem for p in (ROOT / "bench").glob("*.py")))
def test_every_bench_module_imports_and_offers_run(bench: str) -> None:
    # Importing runs no benchmark; it catches a bench left behind by a rename in bot/.
    path = str(ROOT / "bench" / f"{bench}.py")
    probe = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('b', {path!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['b'] = module\n"
        "spec.loader.exec_module(module)\n"
        "print(callable(getattr(module, 'run', None)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=scrubbed_environ(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The runner and the helpers it skips (`_name`) offer no run().
    assert done.stdout.strip() == ("False" if bench == "run" or bench[0] == "_" else "True")
