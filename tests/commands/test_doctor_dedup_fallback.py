"""Doctor names what an unreachable Redis means for event de-dup: this process's memory."""

from __future__ import annotations

from bot.commands.doctor import check_redis
from bot.config import Settings
from tests.support.serving import free_port


def test_unreachable_redis_says_de_dup_falls_back_to_process_memory() -> None:
    result = check_redis(Settings(recbot_redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    assert result.status == "fail"
    assert "event de-dup falls back to each process's own memory" in result.detail
    assert "docs/replicas-hardening.md" in result.fix
