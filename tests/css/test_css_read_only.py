"""recbot is read-only toward Tencent Cloud: no code path can name, build or send a write action.

Every module under bot/ is read as a syntax tree; any CSS action the SDK knows other than
DescribeRecordTask, and any Create/Delete/Stop/Modify action of any product, is flagged when
code names it (docstrings and prose may mention StopRecordTask). The dynamic half (only
DescribeRecordTask reaches the simulator in the end-to-end flows) is test_no_secret_leaks.py.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_ACTIONS = frozenset({"DescribeRecordTask"})


def _live_actions() -> frozenset[str]:
    """Every CSS API action, from the SDK itself: each is a LiveClient method."""
    from tencentcloud.live.v20180801 import live_client

    return frozenset(name for name in vars(live_client.LiveClient) if name[:1].isupper())


LIVE_ACTIONS = _live_actions()
# Any action of any product that changes state starts with one of these verbs.
_WRITE = re.compile(r"^(?:Create|Delete|Stop|Modify)[A-Z][A-Za-z0-9]*$")


def is_forbidden(name: str) -> bool:
    """An action (or its Request/Response model) other than DescribeRecordTask."""
    base = re.sub(r"(?:Request|Response)$", "", name)
    if base in ALLOWED_ACTIONS:
        return False
    return base in LIVE_ACTIONS or bool(_WRITE.match(base))


_SDK_CALLS = frozenset({"call", "call_json", "call_octet_stream", "call_sse"})


@dataclass(frozen=True)
class Finding:
    where: str
    what: str


def _docstring_ids(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def scan(source: str, name: str) -> list[Finding]:
    """Every place in `source` that names a Tencent Cloud action other than the allowed ones."""
    tree = ast.parse(source, filename=name)
    docstrings = _docstring_ids(tree)
    found: list[Finding] = []

    def report(node: ast.AST, what: str) -> None:
        found.append(Finding(f"{name}:{getattr(node, 'lineno', 0)}", what))

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_forbidden(node.attr):
            report(node, f"attribute {node.attr}")
        elif isinstance(node, ast.Name) and is_forbidden(node.id):
            report(node, f"name {node.id}")
        elif isinstance(node, ast.alias) and is_forbidden(node.name.rsplit(".", 1)[-1]):
            report(node, f"import {node.name}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and is_forbidden(node.value)
        ):
            report(node, f"string {node.value!r}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _SDK_CALLS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value not in ALLOWED_ACTIONS
        ):
            report(node, f"SDK call of {node.args[0].value!r}")
    return found


def bot_modules() -> list[Path]:
    return sorted((ROOT / "bot").rglob("*.py"))


def test_no_module_names_a_tencent_cloud_write_action() -> None:
    findings = [
        finding
        for path in bot_modules()
        for finding in scan(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert findings == []


def test_the_one_action_sent_is_describe_record_task() -> None:
    from bot.css import client

    assert client.ACTION == "DescribeRecordTask"


@pytest.mark.parametrize(
    ("snippet", "what"),
    [
        ("client.StopRecordTask(request)", "attribute StopRecordTask"),
        (
            "from tencentcloud.live.v20180801.models import CreateRecordTaskRequest",
            "import CreateRecordTaskRequest",
        ),
        ("request = DeleteRecordTaskRequest()", "name DeleteRecordTaskRequest"),
        ("ACTION = 'CreateRecordTask'", "string 'CreateRecordTask'"),
        (
            "client.call(action_name, {})\nx = 'DescribeLiveStreamState'",
            "string 'DescribeLiveStreamState'",
        ),
        ("client.call('ModifyLiveRecordTemplate', {})", "string 'ModifyLiveRecordTemplate'"),
    ],
)
def test_the_scan_catches_a_write_action(snippet: str, what: str) -> None:
    assert what in [f.what for f in scan(snippet, "snippet.py")]


def test_the_scan_allows_docstrings_and_prose() -> None:
    source = (
        '"""Stopped is when StopRecordTask was called."""\n'
        "HELP = 'tasks stopped early with StopRecordTask'\n"
        "CODE = 'ResourceNotFound.StopService'\n"
        "client.call('DescribeRecordTask', params)\n"
    )
    assert scan(source, "ok.py") == []
