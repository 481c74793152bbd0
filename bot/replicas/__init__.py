"""What replicas share through Redis: the API rate limit, the answer cache, seen Slack events.

`bot.wiring` picks Redis when RECBOT_REDIS_URL is set, else in-process versions.
"""
