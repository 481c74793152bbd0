"""pyproject declares exactly what bot/ imports (R25): nothing dead, nothing undeclared."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Declared and needed although bot/ never imports them by name.
USED_WITHOUT_IMPORT = {
    "psycopg": "SQLAlchemy loads it for postgresql+psycopg:// URLs",
}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {
        _normal(re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]
    }


def imported_distributions() -> set[str]:
    modules: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - {"bot", "__future__"}
    owners = packages_distributions()
    wanted = declared()
    found: set[str] = set()
    for module in third_party:
        dists = {_normal(dist) for dist in owners.get(module, [module])}
        # A namespace package (tencentcloud) is shared by several distributions, the meta
        # package tccli pulls in among them: the declared ones are the ones we mean.
        found |= (dists & wanted) or dists
    return found


def test_every_runtime_dependency_is_imported_and_every_import_declared() -> None:
    used = imported_distributions() | set(USED_WITHOUT_IMPORT)
    assert declared() - used == set(), "declared but never imported"
    assert used - declared() == set(), "imported but not declared in pyproject.toml"
