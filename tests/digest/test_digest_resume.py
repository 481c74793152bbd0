"""A digest paused because its channel refused the post comes back on once someone invites
recbot: `digest on N`, or the Resume button in the pause DM and in App Home. Resuming posts
one message in the channel, which proves posting works there; if Slack still refuses, the
digest stays paused and the person is told why. Real wire: store, CSS simulator, stand-in."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.css.query import CssSource
from bot.digest.commands import SlackDigests
from bot.digest.scheduler import DigestScheduler
from bot.digest.store import DigestStore, Subscription
from bot.errors import ParseError, RecbotError
from bot.render.home import render_home
from bot.render.unpostable import ACTION_DIGEST_RESUME
from tests.digest.test_digest_scheduler import NOW, Clock, scheduler, subscribe
from tests.support.slack_api import SlackStandIn

UTC_ZONE = ZoneInfo("UTC")


def paused(
    store: DigestStore, source: CssSource, slack: SlackStandIn, clock: Clock
) -> tuple[Subscription, DigestScheduler]:
    """A digest into COPS whose post Slack refused (not_in_channel): paused, creator told."""
    sub = subscribe(store, NOW - timedelta(minutes=1), channel="COPS")
    slack.fail("chat.postMessage", "not_in_channel", channel="COPS")
    sched = scheduler(store, source, slack, clock)
    assert sched.tick(NOW).failed == 1
    assert store.get_subscription(sub.id).active is False  # type: ignore[union-attr]
    return sub, sched


def digests(store: DigestStore, sched: DigestScheduler, clock: Clock) -> SlackDigests:
    return SlackDigests(store, "T1", scheduler=sched, clock=clock)


def posted_in(slack: SlackStandIn, channel: str) -> list[str]:
    return [
        str(c.params["text"]) for c in slack.ok_calls("chat.postMessage") if c.channel == channel
    ]


def test_the_pause_dm_has_a_resume_button_and_names_the_typed_command(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    sub, _ = paused(store, source, slack, Clock(NOW))
    [dm] = [c for c in slack.ok_calls("chat.postMessage") if c.channel == "D1"]
    assert f"`/recordings digest on {sub.id}`" in dm.params["text"]
    [button] = [b["accessory"] for b in dm.params["blocks"] if "accessory" in b]
    assert (button["action_id"], button["value"]) == (ACTION_DIGEST_RESUME, str(sub.id))


def test_resuming_while_the_channel_still_refuses_keeps_it_paused_and_says_why(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    clock = Clock(NOW)
    sub, sched = paused(store, source, slack, clock)
    with pytest.raises(RecbotError, match="stays paused: I'm not a member of <#COPS>"):
        digests(store, sched, clock).handle(f"on {sub.id}", "U1", "D1", UTC_ZONE)
    assert store.get_subscription(sub.id).active is False  # type: ignore[union-attr]
    # Still paused, so it can be resumed again later.
    assert [line.subscription_id for line in digests(store, sched, clock).home_paused("U1")] == [
        sub.id
    ]


def test_after_the_invite_digest_on_resumes_it_posts_a_check_and_the_next_slot(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    clock = Clock(NOW)
    sub, sched = paused(store, source, slack, clock)
    slack.clear_faults()  # someone invited recbot to COPS
    said = digests(store, sched, clock).handle(f"on {sub.id}", "U1", "COPS", UTC_ZONE)
    assert "resumed" in said.text
    assert store.get_subscription(sub.id).active is True  # type: ignore[union-attr]
    check = posted_in(slack, "COPS")[-1]
    assert check.startswith(f"Digest #{sub.id} (daily at ")
    assert check.endswith("is back on in this channel.")
    # No longer listed as paused; a second resume is refused; the next day's slot is posted.
    assert digests(store, sched, clock).home_paused("U1") == []
    with pytest.raises(ParseError, match="no paused digest"):
        digests(store, sched, clock).handle(f"on {sub.id}", "U1", "COPS", UTC_ZONE)
    clock.now += timedelta(days=1)
    before = len(posted_in(slack, "COPS"))
    assert sched.tick(clock.now).posted == 1
    assert len(posted_in(slack, "COPS")) == before + 1


def test_only_its_creator_resumes_it_from_a_button_and_others_only_in_its_channel(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    clock = Clock(NOW)
    sub, sched = paused(store, source, slack, clock)
    slack.clear_faults()
    d = digests(store, sched, clock)
    with pytest.raises(ParseError, match="You have no paused digest"):
        d.home_resume(str(sub.id), "UEVE")
    with pytest.raises(ParseError, match="in this channel"):
        d.handle(f"on {sub.id}", "UEVE", "COTHER", UTC_ZONE)
    with pytest.raises(ParseError):
        d.home_resume(f"{sub.id}; DROP TABLE digest_subscriptions", "U1")
    assert store.get_subscription(sub.id).active is False  # type: ignore[union-attr]
    assert "resumed" in d.home_resume(str(sub.id), "U1").text
    assert store.get_subscription(sub.id).active is True  # type: ignore[union-attr]


def test_a_digest_turned_off_by_hand_is_not_resumable(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    clock = Clock(NOW)
    sub = subscribe(store, NOW + timedelta(hours=1), channel="COPS")
    d = digests(store, scheduler(store, source, slack, clock), clock)
    d.handle(f"off {sub.id}", "U1", "COPS", UTC_ZONE)
    with pytest.raises(ParseError, match="no paused digest"):
        d.handle(f"on {sub.id}", "U1", "COPS", UTC_ZONE)
    assert d.home_paused("U1") == []


def test_app_home_lists_paused_digests_with_a_resume_button(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    clock = Clock(NOW)
    sub, sched = paused(store, source, slack, clock)
    d = digests(store, sched, clock)
    view = render_home(d.home_lines("U1"), paused=d.home_paused("U1"))
    buttons = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(ACTION_DIGEST_RESUME, str(sub.id))]
    assert "Paused digests" in str(view["blocks"])
