"""Choose shared (Redis) or in-process rate limiter, cache and event de-dup from the settings.

redis and the Redis-backed pieces are imported only when RECBOT_REDIS_URL is set, so a
one-shot `recbot ask` without Redis does not pay for loading them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    import redis

    from bot.config import Settings
    from bot.css.cache import Cache
    from bot.css.query import CssSource
    from bot.css.ratelimit import RateLimiter
    from bot.slack.dedup import SeenEvents

# Tencent Cloud's DescribeRecordTask limit is one budget for the whole account, so every
# replica uses the same key.
CSS_RATE_KEY = "css:describe_record_task:rate"
SLACK_CHANNEL_RATE_KEY = "slack:post:"
CACHE_KEY = "cache:"
EVENTS_KEY = "events:"

_clients: dict[str, redis.Redis] = {}


def redis_client(settings: Settings) -> redis.Redis | None:
    """One connection pool per URL and process, or None when RECBOT_REDIS_URL is unset."""
    url = settings.recbot_redis_url
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30
        )
        _clients[url] = client
    return client


def make_rate_limiter(settings: Settings) -> RateLimiter:
    """The DescribeRecordTask limiter (`bot.css.ratelimit.RateLimiter`)."""
    client = redis_client(settings)
    if client is not None:
        from bot.replicas.ratelimit import RedisRateLimiter

        return RedisRateLimiter(
            client, settings.recbot_redis_prefix + CSS_RATE_KEY, settings.recbot_rate_limit
        )
    from bot.css.ratelimit import process_limiter

    return process_limiter(settings.recbot_rate_limit)


def make_cache(settings: Settings) -> Cache:
    """The answer cache (`bot.css.cache`)."""
    client = redis_client(settings)
    if client is not None:
        from bot.replicas.cache import RedisCache

        return RedisCache(client, settings.recbot_redis_prefix + CACHE_KEY)
    from bot.css.cache import process_cache

    return process_cache()


def open_shared_source(settings: Settings, *, now: datetime | None = None) -> CssSource:
    """`bot.css.client.open_source` with the limiter and cache these settings call for
    (`now`: the embedded simulator's fixed clock, as `recbot ask --now` asks)."""
    from bot.css.client import open_source

    return open_source(
        settings, now=now, limiter=make_rate_limiter(settings), cache=make_cache(settings)
    )


def make_seen_events(settings: Settings) -> SeenEvents:
    client = redis_client(settings)
    if client is not None:
        from bot.replicas.dedup import RedisSeenEvents

        return RedisSeenEvents(client, settings.recbot_redis_prefix + EVENTS_KEY)
    from bot.slack.dedup import InMemorySeenEvents

    return InMemorySeenEvents()
