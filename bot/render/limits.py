"""The one validator of Slack's message limits (docs/reference/slack-platform.md §4); every
test message goes through it, and renderers are built to stay inside it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.render.message import SlackMessage

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTION_ELEMENTS = 25
MAX_FALLBACK_TEXT = 4000  # chat.update refuses longer ones (msg_too_long)
# Slack refused a message at ~13k characters of block text (bolt-js#2509); stay well under.
MAX_TOTAL_TEXT = 11000


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return str(obj["text"])
    return ""


def _check_ids(block: dict[str, Any], where: str) -> list[str]:
    problems = []
    if len(str(block.get("block_id", ""))) > MAX_ID:
        problems.append(f"{where}: block_id longer than {MAX_ID}")
    return problems


def _check_element(element: dict[str, Any], where: str) -> list[str]:
    problems = []
    if len(str(element.get("action_id", ""))) > MAX_ID:
        problems.append(f"{where}: action_id longer than {MAX_ID}")
    if element.get("type") == "button":
        if len(_text_of(element.get("text"))) > MAX_BUTTON_TEXT:
            problems.append(f"{where}: button text longer than {MAX_BUTTON_TEXT}")
        if len(str(element.get("value", ""))) > MAX_BUTTON_VALUE:
            problems.append(f"{where}: button value longer than {MAX_BUTTON_VALUE}")
        if element.get("text", {}).get("type") != "plain_text":
            problems.append(f"{where}: button text must be plain_text")
    return problems


def _check_block(block: dict[str, Any], where: str) -> list[str]:
    problems = _check_ids(block, where)
    kind = block.get("type")
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"{where}: section without text or fields")
        if len(_text_of(block.get("text"))) > MAX_SECTION_TEXT:
            problems.append(f"{where}: section text longer than {MAX_SECTION_TEXT}")
        if "text" in block and not _text_of(block.get("text")):
            problems.append(f"{where}: empty section text")
        fields = block.get("fields", [])
        if len(fields) > MAX_FIELDS:
            problems.append(f"{where}: more than {MAX_FIELDS} fields")
        problems += [
            f"{where}: field longer than {MAX_FIELD_TEXT}"
            for f in fields
            if len(_text_of(f)) > MAX_FIELD_TEXT
        ]
    elif kind == "header":
        if len(_text_of(block.get("text"))) > MAX_HEADER_TEXT:
            problems.append(f"{where}: header longer than {MAX_HEADER_TEXT}")
    elif kind == "context":
        elements = block.get("elements", [])
        if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
            problems.append(f"{where}: context needs 1 to {MAX_CONTEXT_ELEMENTS} elements")
    elif kind == "actions":
        elements = block.get("elements", [])
        if not elements or len(elements) > MAX_ACTION_ELEMENTS:
            problems.append(f"{where}: actions need 1 to {MAX_ACTION_ELEMENTS} elements")
        action_ids = [e.get("action_id") for e in elements]
        if len(set(action_ids)) != len(action_ids):
            problems.append(f"{where}: repeated action_id")
        for j, element in enumerate(elements):
            problems += _check_element(element, f"{where}.elements[{j}]")
    elif kind not in {"divider", "image", "rich_text", "markdown"}:
        problems.append(f"{where}: unknown block type {kind!r}")
    return problems


def check_message(msg: SlackMessage) -> list[str]:
    """Every way `msg` breaks Slack's limits, as sentences; empty when it can be posted."""
    problems: list[str] = []
    if not msg.text:
        problems.append("text fallback is empty")
    if len(msg.text) > MAX_FALLBACK_TEXT:
        problems.append(f"text fallback longer than {MAX_FALLBACK_TEXT}")
    if len(msg.blocks) > MAX_BLOCKS:
        problems.append(f"{len(msg.blocks)} blocks, more than {MAX_BLOCKS}")
    block_ids = [b["block_id"] for b in msg.blocks if "block_id" in b]
    if len(set(block_ids)) != len(block_ids):
        problems.append("repeated block_id")
    for i, block in enumerate(msg.blocks):
        problems += _check_block(block, f"blocks[{i}]")
    total = sum(len(t) for t in _texts(msg.blocks))
    if total > MAX_TOTAL_TEXT:
        problems.append(f"{total} characters of block text, more than {MAX_TOTAL_TEXT}")
    return problems
