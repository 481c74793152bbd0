"""Team memory's messages: command replies, the expansion line above an answer, saved
questions with Run buttons, the audit trail, and the App Home's recent questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import tzinfo
from typing import Any

from bot.memory.audit_record import AuditEvent
from bot.memory.desk import MemoryReply
from bot.memory.names import NamedFilters, describe
from bot.render.escape import code, mrkdwn
from bot.render.home import button, owned_list
from bot.render.limits import MAX_BLOCKS, MAX_BUTTON_VALUE, MAX_SECTION_TEXT
from bot.render.message import SlackMessage

ACTION_SAVED_RUN = "recbot_saved_run"
ACTION_ASK_AGAIN = "recbot_ask_again"
MEMORY_ACTIONS = (ACTION_SAVED_RUN, ACTION_ASK_AGAIN)
ACTION_NAME_FORGET = "recbot_name_forget"
NO_NAMES_YET = "None yet: *Name a set of streams* above, or `/recordings name studio-a cam1,cam2`."
MAX_SAVED_SHOWN = 40
HOME_RECENT = 10

Block = dict[str, Any]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[: MAX_SECTION_TEXT - 10]}}


def _run_button(label: str, action_id: str, value: str) -> Block:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value[:MAX_BUTTON_VALUE],
    }


def render_memory_reply(reply: MemoryReply) -> SlackMessage:
    blocks: list[Block] = [_section(f"*{mrkdwn(reply.title)}*")]
    text_lines = [reply.title]
    if reply.lines:
        body = "\n".join(f"• {mrkdwn(line)}" for line in reply.lines)
        blocks.append(_section(body))
        text_lines += list(reply.lines)
    for saved in reply.saved[:MAX_SAVED_SHOWN]:
        blocks.append(
            {
                **_section(f"{code(saved.name)} — {mrkdwn(saved.request_text)}"),
                "accessory": _run_button("Run", ACTION_SAVED_RUN, saved.name),
            }
        )
        text_lines.append(f"{saved.name}: {saved.request_text}")
    return SlackMessage("\n".join(text_lines)[:3000], blocks[:MAX_BLOCKS])


def name_list_blocks(names: Sequence[NamedFilters]) -> list[Block]:
    """App Home's "Your names": what each stands for and where, with a Forget button."""
    entries = []
    for named in names:
        where = "your DMs" if named.owner.startswith("user:") else f"<#{mrkdwn(named.owner)}>"
        every = " (every channel)" if named.everywhere else ""
        text = f"{mrkdwn(describe(named))} · for {where}{every}"
        entries.append((text, button(ACTION_NAME_FORGET, "Forget", f"{named.owner} {named.name}")))
    return owned_list("Your names", entries, empty=NO_NAMES_YET)


def memory_text(reply: MemoryReply) -> str:
    """The same reply for a terminal."""
    lines = [reply.title] + [f"  {line}" for line in reply.lines]
    lines += [f"  {s.name}: {s.request_text}" for s in reply.saved]
    return "\n".join(lines)


def with_expansion(message: SlackMessage, shown: Sequence[str]) -> SlackMessage:
    """The answer with what its names stood for as its first line."""
    if not shown:
        return message
    line = " · ".join(shown)
    context: Block = {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn(line)}]}
    blocks = [context, *message.blocks] if len(message.blocks) < MAX_BLOCKS else message.blocks
    return replace(message, text=f"{line}\n{message.text}"[:3000], blocks=blocks)


def audit_line(event: AuditEvent, zone: tzinfo) -> str:
    at = event.at.astimezone(zone)
    where = event.channel_id or "DM"
    line = (
        f"{at:%Y-%m-%d %H:%M:%S %Z} · {event.surface} · {event.user_id or '-'} in {where} · "
        f'"{event.text}" → {event.outcome}'
    )
    if event.reason:
        line += f" ({event.reason})"
    if event.api_request_id:
        line += f" RequestId {event.api_request_id}"
    return line + f" · {event.api_calls} API calls, {event.duration_ms:.0f} ms"


def render_audit(events: Sequence[AuditEvent], zone: tzinfo) -> SlackMessage:
    if not events:
        return SlackMessage(
            "No questions recorded for that.", [_section("No questions recorded for that.")]
        )
    lines = [audit_line(e, zone) for e in events]
    blocks: list[Block] = [_section(f"*Audit trail* — {len(events)} question(s), newest first")]
    chunk: list[str] = []
    for line in lines:
        escaped = mrkdwn(line)
        if sum(len(x) + 1 for x in chunk) + len(escaped) > MAX_SECTION_TEXT - 100:
            blocks.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(escaped)
    if chunk:
        blocks.append(_section("\n".join(chunk)))
    return SlackMessage("\n".join(lines)[:3000], blocks[:MAX_BLOCKS])


def recent_blocks(events: Sequence[AuditEvent]) -> list[Block]:
    """The App Home's "Your last questions", each with an Ask again button."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your last questions"}}
    ]
    if not events:
        blocks.append(_section("None yet. Ask me with `/recordings livetest yesterday`."))
    for event in events[:HOME_RECENT]:
        blocks.append(
            {
                **_section(f"{code(event.text)} → {mrkdwn(event.outcome)}"),
                "accessory": _run_button("Ask again", ACTION_ASK_AGAIN, event.text),
            }
        )
    blocks.append({"type": "divider"})
    return blocks
