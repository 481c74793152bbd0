"""`recbot` command line: one subcommand per job, each in `bot/commands/<name>.py`.

Subcommand modules are imported only when chosen, so `recbot parse` starts fast.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from bot.commands.offsets import join_negative_offsets
from bot.errors import ConfigError

CONFIG_ERROR_EXIT = 2

# name -> one-line help. Each module `bot.commands.<name>` has
# `configure(parser: argparse.ArgumentParser) -> None` and `run(args: argparse.Namespace) -> int`.
SUBCOMMANDS: dict[str, str] = {
    "parse": "show how a time phrase is understood (window, description, API windows)",
    "ask": "answer a request in the terminal, as Slack would",
    "simulator": "run the CSS DescribeRecordTask simulator on loopback",
    "serve": "run the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)",
    "doctor": "check configuration, credentials, Slack token, database and Redis",
    "manifest": "print the Slack app manifest (Socket Mode, or HTTP with --http URL)",
    "completion": "print a shell completion script (bash, zsh or fish)",
    "audit": "show who asked recbot what, where, and how it was answered",
    "sync": "bring the synced index of tasks up to date (backfill, hot refresh, reconcile)",
}


class _Help(argparse.HelpFormatter):
    """Every option's help ends with its default, unless the default is nothing to show
    (None, False) or the text already says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        # Identity, not equality: a default of 0 is worth showing, False is not.
        shown = not any(action.default is nothing for nothing in (None, False, argparse.SUPPRESS))
        if shown and "default" not in text and action.option_strings:
            text += " (default: %(default)s)"
        return text


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("recbot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class _VersionAction(argparse.Action):
    """`--version`, which looks the version up only when asked (importlib.metadata is slow to
    import, and every other command would pay for it)."""

    def __init__(self, option_strings: Sequence[str], dest: str) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,  # noqa: ARG002 - argparse's signature
        values: object,  # noqa: ARG002
        option_string: str | None = None,  # noqa: ARG002
    ) -> None:
        sys.stdout.write(f"{parser.prog} {_version()}\n")  # on stdout, as argparse's own
        parser.exit()


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recbot",
        description="Answers questions about Tencent Cloud CSS recording tasks.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, help_text in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(
            name, help=help_text, description=help_text, formatter_class=_Help
        )
        if name == chosen:
            importlib.import_module(f"bot.commands.{name}").configure(sub_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = join_negative_offsets(sys.argv[1:] if argv is None else argv)
    args = build_parser(args_list).parse_args(args_list)
    module = importlib.import_module(f"bot.commands.{args.command}")
    try:
        result: int = module.run(args)
    except ConfigError as exc:
        # Configuration problems are the operator's to fix: the message, no traceback.
        print(f"recbot {args.command}: configuration error:\n{exc.user_message}", file=sys.stderr)
        return CONFIG_ERROR_EXIT
    return result


def run() -> NoReturn:
    """The process's entry (`recbot`, `python -m bot`): `main`, then exit. Every object left is
    frozen first, so the collector's passes over all of them at shutdown are skipped: they
    cost more than a whole `recbot ask` answer (atexit handlers still run; the memory goes
    with the process)."""
    code = main()
    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    run()
