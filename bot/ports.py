"""Port numbers as operators and command lines write them: one check for PORT and every --port."""

from __future__ import annotations

import argparse

from bot.errors import ConfigError

HIGHEST = 65535


def parse_port(text: str) -> int:
    """A port number 0-65535 (0: any free port); ValueError with the sentence otherwise."""
    try:
        value = int(text.strip())
    except ValueError:
        value = -1
    if not 0 <= value <= HIGHEST:
        raise ValueError(f"{text[:20]!r} is not a port number (0-{HIGHEST}, 0: any free port)")
    return value


def port_argument(text: str) -> int:
    """`type=` for an argparse --port option."""
    try:
        return parse_port(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def port_setting(name: str, text: str) -> int:
    """A port read from the variable `name`; ConfigError naming it otherwise."""
    try:
        return parse_port(text)
    except ValueError as error:
        raise ConfigError(f"{name} {error}") from None
