"""The Slack surfaces recbot offers beyond the slash command and events, as data: shortcuts
and the Workflow Builder step. Listeners register these ids; `recbot manifest` declares them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Shortcut:
    callback_id: str
    kind: Literal["global", "message"]
    name: str  # ≤ 24 characters (Slack's limit)
    description: str


ASK_SHORTCUT = Shortcut(
    "recbot_ask", "global", "Ask about recordings", "Find CSS recording tasks by stream and time"
)
MESSAGE_SHORTCUT = Shortcut(
    "recbot_ask_message",
    "message",
    "Check recordings",
    "Check the recordings of the stream or TaskId this message names",
)
SHORTCUTS: tuple[Shortcut, ...] = (ASK_SHORTCUT, MESSAGE_SHORTCUT)


@dataclass(frozen=True)
class StepParameter:
    name: str
    type: str  # a Slack function parameter type: string, integer, boolean, slack#/types/…
    title: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class WorkflowStep:
    callback_id: str
    title: str
    description: str
    inputs: tuple[StepParameter, ...]
    outputs: tuple[StepParameter, ...]


CHECK_RECORDINGS = WorkflowStep(
    "check_recordings",
    "Check recordings",
    "Ask recbot about CSS recording tasks; outputs whether any matched, how many, a summary "
    "and a link to the CSV",
    inputs=(
        StepParameter(
            "request",
            "string",
            "Request",
            "What to check, as you would ask recbot: e.g. cam1 stopped yesterday",
            required=True,
        ),
        StepParameter(
            "channel_id",
            "slack#/types/channel_id",
            "Channel",
            "The channel whose access rules apply; the CSV is shared there",
            required=True,
        ),
        StepParameter(
            "user_id",
            "slack#/types/user_id",
            "Asked by",
            "Whose access and time zone apply: usually “Person who used this workflow”",
        ),
        StepParameter(
            "time_phrase",
            "string",
            "Time",
            "Optional time phrase added to the request, e.g. last night",
        ),
    ),
    outputs=(
        StepParameter("found", "boolean", "Found", "Whether any recording task matched"),
        StepParameter("count", "integer", "Count", "How many recording tasks matched"),
        StepParameter("summary", "string", "Summary", "The answer in one plain paragraph"),
        StepParameter("csv_link", "string", "CSV link", "Link to the CSV of the matched tasks"),
    ),
)
WORKFLOW_STEPS: tuple[WorkflowStep, ...] = (CHECK_RECORDINGS,)
FUNCTION_EXECUTED = "function_executed"
