"""The import layering of bot/: core → css / render / db / replicas → slack / digest → wiring →
commands. A module imports only from its own layer or below, and the packages of one layer do
not import each other (digest delivery is handed to `bot.digest` by `bot.wiring`, so digest never
imports slack). Every import counts, including the ones inside functions and under
TYPE_CHECKING: a name imported only for typing still ties the two packages together.
"""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import pytest

import bot

# Lowest first. A package not named here is core (the pure pipeline and its values).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot.css", "bot.render", "bot.db", "bot.replicas"),
    ("bot.slack", "bot.digest", "bot.evidence", "bot.index"),
    # Recording alerts read the evidence store and post through delivery handed in.
    ("bot.alerts",),
    ("bot.wiring",),
    ("bot.commands", "bot.cli", "bot.__main__"),
)
# Pure parts of `bot.digest` (what a digest holds and when it is due) are core: the digest
# renderer reads them. (The same list as tests/core/test_core_boundary.py.)
CORE_IN_DIGEST = (
    "bot.digest.schedule",
    "bot.digest.content",
    "bot.digest.message",
    # Pure parts of `bot.evidence`: what a callback says and what it means for a task.
    "bot.evidence.events",
    "bot.evidence.callback",
    "bot.evidence.state",
    "bot.evidence.simulate",
    "bot.evidence.payload",
)
CORE = "core"
ENTRY = len(LAYERS)  # the command line: its modules call each other


def unit_of(module: str) -> tuple[int, str]:
    """(layer number, package) of a bot module; core is layer 0."""
    if any(module == pure or module.startswith(pure + ".") for pure in CORE_IN_DIGEST):
        return 0, CORE
    for number, packages in enumerate(LAYERS, start=1):
        for package in packages:
            if module == package or module.startswith(package + "."):
                return number, package
    return 0, CORE


def bot_imports(path: Path, module: str) -> set[str]:
    """Every bot module `path` imports (absolute or relative, anywhere in the file)."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "bot" or name.startswith("bot.")}


def violations(module: str, imported: set[str]) -> list[str]:
    layer, package = unit_of(module)
    wrong = []
    for name in sorted(imported):
        other_layer, other_package = unit_of(name)
        siblings = other_layer == layer and other_package != package
        if other_layer > layer or (siblings and layer != ENTRY):
            wrong.append(f"{module} (layer {layer}) imports {name} (layer {other_layer})")
    return wrong


def bot_modules() -> dict[str, Path]:
    root = Path(bot.__file__).parent
    modules = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(root.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def test_the_layers_cover_the_packages_and_the_check_sees_a_wrong_import() -> None:
    names = {info.name for info in pkgutil.iter_modules([str(Path(bot.__file__).parent)])}
    assert "wiring" in names
    assert violations("bot.digest.scheduler", {"bot.slack.app"}) != []  # sibling packages
    assert violations("bot.css.client", {"bot.wiring"}) != []  # upward
    assert violations("bot.render.blocks", {"bot.digest.commands"}) != []
    assert violations("bot.wiring", {"bot.slack.app", "bot.digest.store", "bot.css"}) == []
    assert violations("bot.render.digest_message", {"bot.digest.content"}) == []
    assert bot_imports(Path(bot.__file__).parent / "wiring.py", "bot.wiring") >= {
        "bot.slack.app",
        "bot.digest.scheduler",
    }


@pytest.mark.parametrize("module", sorted(bot_modules()))
def test_module_imports_only_its_layer_and_below(module: str) -> None:
    path = bot_modules()[module]
    assert violations(module, bot_imports(path, module)) == []
