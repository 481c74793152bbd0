"""Which Slack bot scopes recbot needs: per Web API method it calls, per event it subscribes
to, and for its slash command. manifest.yml must name exactly these (a test checks it), and
`recbot doctor` can compare them with the token's granted scopes."""

from __future__ import annotations

from bot.slack.commands import COMMAND
from bot.slack.home import HOME_EVENTS
from bot.slack.mentions import MESSAGE_EVENTS

# slack_sdk WebClient method -> the bot scopes it needs. Reading history or info of a
# private channel needs the groups:* twin of the channels:* scope.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "apps_connections_open": (),  # recbot doctor; the app-level token's connections:write
    "auth_test": (),
    "chat_postMessage": ("chat:write",),
    "chat_postEphemeral": ("chat:write",),
    "chat_update": ("chat:write",),
    "conversations_history": ("channels:history", "groups:history"),
    "conversations_info": ("channels:read", "groups:read"),
    "conversations_open": ("im:write",),
    "files_upload_v2": ("files:write",),
    "usergroups_users_list": ("usergroups:read",),
    "users_info": ("users:read",),
    "views_publish": (),
    "views_open": (),
    "views_update": (),
}

# Read only by the digest duplicate check (a replica that crashed mid-post): asked for only
# when digests are enabled, as reading channel history is what admins review most closely.
DIGEST_ONLY_SCOPES: frozenset[str] = frozenset({"channels:history", "groups:history"})

# Manifest event name -> the scope that delivers it.
EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    "app_mention": ("app_mentions:read",),
    "message.im": ("im:history",),
    "app_home_opened": (),
}

SUBSCRIBED_EVENTS: tuple[str, ...] = (*MESSAGE_EVENTS, *HOME_EVENTS)
COMMANDS: tuple[str, ...] = (COMMAND,)


def required_scopes(methods_called: set[str], *, digests: bool = True) -> set[str]:
    """The bot scopes for these WebClient methods plus every event and the slash command;
    without digests, the history scopes only their duplicate check reads are left out."""
    scopes = {"commands"} if COMMANDS else set()
    for method in methods_called:
        scopes.update(METHOD_SCOPES[method])
    for event in SUBSCRIBED_EVENTS:
        scopes.update(EVENT_SCOPES[event])
    return scopes if digests else scopes - DIGEST_ONLY_SCOPES
