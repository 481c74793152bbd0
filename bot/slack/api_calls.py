"""Which Slack Web API methods bot/ calls, read from its own source (its syntax trees).

One walk shared by `recbot manifest`, `recbot doctor` and the manifest test, so the scopes the
manifest asks for, the scopes doctor checks and the code cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
_WORD = re.compile(r"[A-Za-z_]\w*")


def web_api_method_names() -> set[str]:
    from slack_sdk import WebClient

    return {name for name in dir(WebClient) if not name.startswith("_") and "_" in name} - {
        "api_call",
        "base_url",
        "retry_handlers",
        "token",
        "use_sync_aiohttp",
    }


def web_api_methods_called(package: Path = PACKAGE) -> set[str]:
    """WebClient method names called anywhere under `package` (e.g. "chat_postMessage").

    Only files that name a method at all are parsed (a call's name is in its file's text):
    the same answer as parsing every file, in a tenth of the time `recbot doctor` would take."""
    methods = web_api_method_names()
    called: set[str] = set()
    for path in package.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if methods.isdisjoint(_WORD.findall(source)):
            continue
        for node in ast.walk(ast.parse(source, str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in methods
            ):
                called.add(node.func.attr)
    return called
