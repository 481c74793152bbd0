"""`recbot manifest`: print the Slack app manifest for Socket Mode or HTTP, from the code."""

from __future__ import annotations

import argparse
import sys

from bot.slack.manifest import (
    DEFAULT_NAME,
    ManifestError,
    ManifestOptions,
    build_manifest,
    manifest_json,
    manifest_yaml,
)

BAD_OPTION_EXIT = 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--http",
        metavar="URL",
        help="HTTP mode: the bot's public https URL (request URLs become URL/slack/events); "
        "without it, Socket Mode",
    )
    parser.add_argument("--name", default=DEFAULT_NAME, help="the app's and bot user's name")
    parser.add_argument("--json", action="store_true", help="print JSON instead of YAML")
    parser.add_argument(
        "--no-functions",
        action="store_true",
        help="leave out the Workflow Builder step (workspaces or plans without custom steps)",
    )
    parser.add_argument(
        "--no-digests",
        action="store_true",
        help="leave out the channel-history scopes that only digests need",
    )


def run(args: argparse.Namespace) -> int:
    from bot.slack.api_calls import web_api_methods_called

    options = ManifestOptions(
        http_base=args.http,
        name=args.name,
        functions=not args.no_functions,
        digests=not args.no_digests,
    )
    try:
        manifest = build_manifest(options, web_api_methods_called())
    except ManifestError as error:
        print(f"recbot manifest: {error.user_message}", file=sys.stderr)
        return BAD_OPTION_EXIT
    sys.stdout.write(manifest_json(manifest) if args.json else manifest_yaml(manifest))
    return 0
