"""`python -m bot` is the same as the `recbot` command."""

from bot.cli import run

run()
