"""The Web API methods bot/ calls are found by parsing only the files that name one: the same
set as parsing every file (the scopes of the manifest and of doctor come from it)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.slack.api_calls import PACKAGE, web_api_method_names, web_api_methods_called


def _every_file_parsed(package: Path) -> set[str]:
    methods = web_api_method_names()
    return {
        node.func.attr
        for path in package.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in methods
    }


def test_same_methods_as_parsing_every_file() -> None:
    found = web_api_methods_called()
    assert {"chat_postMessage", "auth_test", "views_open"} <= found
    assert found == _every_file_parsed(PACKAGE)


def test_a_call_split_over_lines_or_in_a_string_only(tmp_path: Path) -> None:
    called = "client.chat_update(\n    ts=1)\n(client\n .users_info)()\n"
    (tmp_path / "called.py").write_text(called)
    (tmp_path / "named.py").write_text('"""client.views_publish(view)"""\n# auth_test()\n')
    (tmp_path / "other.py").write_text("print(1)\n")
    assert web_api_methods_called(tmp_path) == {"chat_update", "users_info"}
    assert web_api_methods_called(tmp_path) == _every_file_parsed(tmp_path)
