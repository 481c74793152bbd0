"""Wiring for `recbot serve`: `start_scheduler(settings)` builds the digest scheduler and starts it.

Opens the database (migrating it first), the task source with the shared or in-process
limiter and cache, and the Slack client; `DigestScheduler.stop()` closes what was opened here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.db.database import migrate, open_engine
from bot.digest.delivery import (
    CHANNEL_HEADROOM,
    CHANNEL_RATE,
    DigestPoster,
    LocalChannelPacer,
    SharedChannelPacer,
)
from bot.digest.scheduler import DigestScheduler
from bot.digest.store import DigestStore
from bot.errors import ConfigError
from bot.replicas.factory import SLACK_CHANNEL_RATE_KEY, open_shared_source, redis_client
from bot.replicas.ratelimit import RedisRateLimiter

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.access import AccessPolicy
    from bot.config import Settings
    from bot.digest.delivery import ChannelPacer
    from bot.slack.server import Bot
    from bot.source import TaskSource


def open_store(settings: Settings) -> DigestStore:
    """The digest store for these settings, migrated to the newest schema."""
    engine = open_engine(settings.recbot_database_url)
    migrate(engine)
    return DigestStore(engine)


def channel_pacer(settings: Settings) -> ChannelPacer:
    client = redis_client(settings)
    if client is None:
        return LocalChannelPacer()
    prefix = settings.recbot_redis_prefix + SLACK_CHANNEL_RATE_KEY
    return SharedChannelPacer(
        lambda channel: RedisRateLimiter(
            client, prefix + channel, CHANNEL_RATE, headroom=CHANNEL_HEADROOM
        )
    )


def build_scheduler(
    settings: Settings,
    *,
    source: TaskSource | None = None,
    client: WebClient | None = None,
    store: DigestStore | None = None,
    policy: AccessPolicy | None = None,
) -> DigestScheduler:
    from bot.access import load_policy
    from bot.slack.app import web_client

    if client is None:
        if settings.slack_bot_token is None:
            raise ConfigError("SLACK_BOT_TOKEN is not set; digests are posted with the bot token")
        client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    store = store or open_store(settings)
    owned = None
    if source is None:
        source = owned = open_shared_source(settings)
    if policy is None:
        policy = load_policy(settings.recbot_access_file)

    def close() -> None:
        if owned is not None:
            owned.close()
        store.engine.dispose()

    return DigestScheduler(
        store,
        source,
        DigestPoster(client, channel_pacer(settings)),
        lease=timedelta(seconds=settings.recbot_digest_lease_s),
        tick_s=settings.recbot_digest_tick_s,
        scope_for=policy.scope_for,
        on_stop=close,
    )


def start_scheduler(
    settings: Settings,
    *,
    source: TaskSource | None = None,
    client: WebClient | None = None,
) -> DigestScheduler:
    """Build and start the scheduler thread; call `.stop()` on shutdown."""
    return build_scheduler(settings, source=source, client=client).start()


def build_bot_with_digests(
    settings: Settings,
    *,
    socket_mode: bool = False,
    client: WebClient | None = None,
    auth: Mapping[str, Any] | None = None,
) -> Bot:
    """`bot.slack.runtime.build_bot` plus digests: the `digest …` commands, the App Home list
    and the scheduler thread, all over one task source with the shared limiter and cache.

    One WebClient, one auth.test and one access policy serve the whole process: pass the
    `client` and its `auth` response when the caller has them (`recbot serve` checks the token
    before starting), else they are made here.
    """
    from dataclasses import replace

    from bot.access import load_policy
    from bot.digest.commands import SlackDigests
    from bot.slack.app import web_client
    from bot.slack.runtime import build_bot
    from bot.slack.usergroups import UserGroups

    settings.require("slack_bot_token", why="answering in Slack (Bot User OAuth Token)")
    assert settings.slack_bot_token is not None
    if client is None:
        client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    policy = load_policy(settings.recbot_access_file)
    live = open_shared_source(settings)
    from bot.index.wiring import start_index

    index = start_index(settings, live)  # the sync loop, and answers from the index
    source: TaskSource = live if index is None else index.source
    try:
        if auth is None:
            auth = dict(client.auth_test().data)  # type: ignore[arg-type]
        scheduler = build_scheduler(settings, source=source, client=client, policy=policy)
    except Exception:
        if index is not None:
            index.stop()
        live.close()
        raise
    members_of = UserGroups(client).members_of
    digests = SlackDigests(
        scheduler.store,
        str(auth.get("team_id") or ""),
        policy=policy,
        members_of=members_of,
        scheduler=scheduler,
    )
    bot = build_bot(
        settings,
        socket_mode=socket_mode,
        source=source,
        digests=digests,
        client=client,
        policy=policy,
        auth=auth,
        members_of=members_of,
    )
    scheduler.start()

    def stop() -> None:
        scheduler.stop()
        if index is not None:
            index.stop()
        live.close()

    return replace(bot, on_stop=stop)
