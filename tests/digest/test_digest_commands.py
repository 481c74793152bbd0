"""`digest …` commands: the grammar as a table, then subscribe/list/off/now against a real store,
the Slack stand-in and the CSS simulator."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient

from bot.access import AccessPolicy
from bot.css.query import CssSource
from bot.digest.commands import (
    ACTION_DIGEST_OFF,
    DigestCommand,
    SlackDigests,
    Verb,
    parse_digest_args,
)
from bot.digest.delivery import DigestPoster, LocalChannelPacer
from bot.digest.schedule import Kind, Schedule
from bot.digest.scheduler import DigestScheduler
from bot.digest.store import DigestStore
from bot.errors import AccessDenied, ParseError
from bot.filters import Filters
from bot.render.blocks import render_error
from bot.render.home import render_home
from bot.render.limits import check_message
from bot.render.message import SlackMessage
from tests.support.slack_api import SlackStandIn

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("daily 09:00", DigestCommand(Verb.SUBSCRIBE, Kind.DAILY, time(9, 0))),
        (
            "daily 9am livetest",
            DigestCommand(Verb.SUBSCRIBE, Kind.DAILY, time(9, 0), request_text="livetest"),
        ),
        ("daily 12am", DigestCommand(Verb.SUBSCRIBE, Kind.DAILY, time(0, 0))),
        (
            "daily 5:30pm stream:a,b",
            DigestCommand(Verb.SUBSCRIBE, Kind.DAILY, time(17, 30), request_text="stream:a,b"),
        ),
        ("weekly mon 09:00", DigestCommand(Verb.SUBSCRIBE, Kind.WEEKLY, time(9, 0), 0)),
        (
            "WEEKLY Friday 17:45 domain:a.push.example",
            DigestCommand(
                Verb.SUBSCRIBE, Kind.WEEKLY, time(17, 45), 4, request_text="domain:a.push.example"
            ),
        ),
        ("list", DigestCommand(Verb.LIST)),
        ("off 12", DigestCommand(Verb.OFF, subscription_id=12)),
        ("now 7", DigestCommand(Verb.NOW, subscription_id=7)),
    ],
)
def test_digest_grammar(args: str, expected: DigestCommand) -> None:
    assert parse_digest_args(args) == expected


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ("", "Say which digest"),
        ("daily", "couldn't read"),
        ("daily 25:00", "not a time of day"),
        ("daily 13pm", "not a time of day"),
        ("daily noonish", "couldn't read 'noonish'"),
        ("weekly blursday 09:00", "as a weekday"),
        ("weekly mon", "couldn't read"),
        ("off", "needs a digest number"),
        ("off twelve", "needs a digest number"),
        ("off 99999999999", "needs a digest number"),
        ("now 1 2", "needs a digest number"),
        ("hourly 09:00", "couldn't read"),
        ("daily <!channel>", "couldn't read '<!channel>'"),
    ],
)
def test_unreadable_digest_commands_say_what_to_type(args: str, says: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_digest_args(args)
    assert says in raised.value.user_message


@pytest.mark.parametrize("args", ["daily <!channel>", "weekly <@U123> 09:00", "x & <y>"])
def test_a_hostile_digest_command_is_escaped_once_in_the_reply(args: str) -> None:
    # The error keeps the typed text; render_error escapes it, once (no "&amp;lt;").
    with pytest.raises(ParseError) as raised:
        parse_digest_args(args)
    text = str(render_error(raised.value).blocks)
    assert "<!channel>" not in text
    assert "<@U123>" not in text
    assert "&amp;" not in text.replace("x &amp; &lt;y&gt;", "")
    assert "&lt;" in text


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


SCOPED = AccessPolicy(
    scopes={"CSCOPED": Filters(domains=("a.push.example",))}, default_scope=Filters()
)


def digests(store: DigestStore, policy: AccessPolicy = SCOPED) -> SlackDigests:
    return SlackDigests(store, "T1", policy=policy, clock=Clock(NOW))


def checked(message: SlackMessage) -> str:
    assert check_message(message) == []
    return str(message.blocks)


def test_subscribe_stores_the_askers_zone_and_request(store: DigestStore) -> None:
    reply = digests(store).handle("weekly mon 09:00 livetest", "UANN", "C1", BERLIN)
    (sub,) = store.subscriptions_of("T1", "C1")
    assert sub.schedule == Schedule(Kind.WEEKLY, time(9, 0), "Europe/Berlin", 0)
    assert (sub.request_text, sub.creator_id, sub.created_at) == ("livetest", "UANN", NOW)
    text = checked(reply)
    assert f"#{sub.id}" in text
    assert "weekly on Mon at 09:00 Europe/Berlin" in text
    assert f"digest off {sub.id}" in text


@pytest.mark.parametrize(
    ("args", "error", "says"),
    [
        ("daily 09:00 livetest yesterday", ParseError, "chooses its own window"),
        ("daily 09:00 running", ParseError, "leave the status out"),
        ("daily 09:00 export livetest", ParseError, "not 'export'"),
        (
            "daily 09:00 task:+0cMedk5AT5lZ6kEKkQIK/5l1yPLYi9KWBUbikyJET7OeVIWuyyxOLs=",
            ParseError,
            "not one task's TaskId",
        ),
    ],
)
def test_a_digest_request_is_checked_when_subscribing(
    store: DigestStore, args: str, error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=says):
        digests(store).handle(args, "UANN", "C1", BERLIN)
    assert store.subscriptions_of("T1") == []


def test_a_scoped_channel_cannot_subscribe_outside_its_scope(store: DigestStore) -> None:
    with pytest.raises(AccessDenied):
        digests(store).handle("daily 09:00 domain:b.push.example", "UANN", "CSCOPED", BERLIN)
    digests(store).handle("daily 09:00 domain:a.push.example", "UANN", "CSCOPED", BERLIN)
    assert len(store.subscriptions_of("T1", "CSCOPED")) == 1


def test_list_and_off_and_the_app_home_button(store: DigestStore) -> None:
    d = digests(store)
    d.handle("daily 09:00", "UANN", "C1", BERLIN)
    d.handle("daily 18:00 cam1", "UBOB", "C1", BERLIN)
    d.handle("daily 07:00", "UANN", "C2", BERLIN)
    listed = checked(d.handle("list", "UBOB", "C1", BERLIN))
    assert "daily at 09:00" in listed
    assert "daily at 18:00" in listed
    assert "07:00" not in listed  # another channel's
    home = render_home(d.home_lines("UANN"))["blocks"]
    buttons = [b["accessory"] for b in home if "accessory" in b]
    assert [b["action_id"] for b in buttons] == [ACTION_DIGEST_OFF, ACTION_DIGEST_OFF]
    assert check_message(SlackMessage("home", home[:50])) == []
    first = int(buttons[0]["value"])
    assert "is off" in checked(d.home_off(str(first), "UANN"))
    assert first not in [s.id for s in store.subscriptions_of("T1")]
    with pytest.raises(ParseError, match="no active digest"):
        d.handle(f"off {first}", "UANN", "C1", BERLIN)
    with pytest.raises(ParseError, match="digest number"):
        d.home_off("1; DROP TABLE digest_subscriptions", "UANN")


def test_typed_off_and_now_work_only_in_the_digests_channel(store: DigestStore) -> None:
    d = digests(store)
    d.handle("daily 09:00", "UANN", "C1", BERLIN)
    (sub,) = store.subscriptions_of("T1")
    for verb in ("off", "now"):
        with pytest.raises(ParseError, match="in this channel"):
            d.handle(f"{verb} {sub.id}", "UEVE", "C2", BERLIN)
        with pytest.raises(ParseError, match="in this channel"):
            d.handle(f"{verb} {sub.id}", "UEVE", None, BERLIN)  # a DM
    assert [s.id for s in store.subscriptions_of("T1")] == [sub.id]
    # In its own channel, anyone the access policy lets ask there may turn it off.
    assert "is off" in checked(d.handle(f"off {sub.id}", "UBOB", "C1", BERLIN))


def test_typed_off_runs_the_access_policy_for_the_digests_channel(store: DigestStore) -> None:
    digests(store).handle("daily 09:00", "UANN", "C1", BERLIN)
    (sub,) = store.subscriptions_of("T1")
    only_ann = digests(store, AccessPolicy(users=frozenset({"UANN"})))
    with pytest.raises(AccessDenied):
        only_ann.handle(f"off {sub.id}", "UEVE", "C1", BERLIN)
    assert store.subscriptions_of("T1") == [sub]


def test_the_app_home_off_button_works_only_for_the_digests_creator(
    store: DigestStore,
) -> None:
    d = digests(store)
    d.handle("daily 09:00", "UANN", "C1", BERLIN)
    (sub,) = store.subscriptions_of("T1")
    with pytest.raises(ParseError, match="no active digest"):
        d.home_off(str(sub.id), "UEVE")
    assert store.subscriptions_of("T1") == [sub]
    # The creator, once no longer allowed in the digest's channel, cannot either.
    gone = digests(store, AccessPolicy(channels=frozenset({"C2"})))
    with pytest.raises(AccessDenied):
        gone.home_off(str(sub.id), "UANN")
    assert "is off" in checked(d.home_off(str(sub.id), "UANN"))
    assert "No digests here yet" in checked(d.handle("list", "UANN", "C9", BERLIN))


def test_another_workspace_cannot_touch_a_digest(store: DigestStore) -> None:
    digests(store).handle("daily 09:00", "UANN", "C1", BERLIN)
    (sub,) = store.subscriptions_of("T1")
    other = SlackDigests(store, "T2", clock=Clock(NOW))
    with pytest.raises(ParseError, match="no active digest"):
        other.handle(f"off {sub.id}", "UEVE", "C1", BERLIN)


def test_digest_now_posts_at_once(
    store: DigestStore, source: CssSource, slack: SlackStandIn
) -> None:
    now = datetime.now(UTC)
    client = WebClient(token="xoxb-test", base_url=slack.base_url)
    scheduler = DigestScheduler(
        store, source, DigestPoster(client, LocalChannelPacer()), clock=lambda: now
    )
    d = SlackDigests(store, "T1", scheduler=scheduler, clock=lambda: now)
    d.handle("daily 09:00", "UANN", "C1", BERLIN)
    (sub,) = store.subscriptions_of("T1")
    reply = d.handle(f"now {sub.id}", "UANN", "C1", BERLIN)
    assert "is on its way" in checked(reply)
    (call,) = slack.wait_for("chat.postMessage")
    assert call.channel == "C1"
    assert call.params["blocks"][0]["text"]["text"].startswith("Daily digest")
    assert check_message(SlackMessage(call.params["text"], call.params["blocks"])) == []
    # An extra post uses up no slot: the scheduled one still comes.
    assert store.posts_of(sub.id) == []
