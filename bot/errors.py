"""The error types every surface catches in one place; each carries the sentence a user reads."""

from __future__ import annotations


class RecbotError(Exception):
    """Base of every error that has a user-facing message.

    `user_message` is what Slack, the CLI or a digest shows. It never contains a traceback,
    a secret or unescaped user input (renderers escape it again for mrkdwn anyway).
    """

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class ParseError(RecbotError):
    """A request or time phrase that could not be read. Nothing was queried."""

    def __init__(self, user_message: str, examples: tuple[str, ...] = ()) -> None:
        text = user_message
        if examples:
            text = f"{user_message}; try " + ", ".join(f"'{e}'" for e in examples)
        super().__init__(text)
        self.reason = user_message
        self.examples = examples


class ApiError(RecbotError):
    """A DescribeRecordTask failure, turned into plain language.

    `transient` says whether retrying could help (it was already retried when raised).
    `detail` is the operator's version (endpoint, transport error) for the log and doctor;
    askers read `user_message`, which names neither when they are no use to them.
    """

    def __init__(
        self,
        code: str,
        user_message: str,
        request_id: str | None = None,
        *,
        transient: bool = False,
        detail: str = "",
    ) -> None:
        text = user_message
        if request_id:
            text = f"{user_message} (RequestId {request_id})"
        super().__init__(text)
        self.code = code
        self.request_id = request_id
        self.transient = transient
        self.detail = detail or user_message


class ConfigError(RecbotError):
    """Configuration that is missing or wrong; names the variable and what to fix."""


class AccessDenied(RecbotError):
    """The asker, channel or filter is outside what the operator allows."""
