"""The interim message of a long live question, over real wire to the Slack stand-in: shown
through the response_url (or in the thread), throttled, and replaced by the answer."""

from __future__ import annotations

from bot.css.progress import QueryProgress
from bot.slack.app import web_client
from bot.slack.conversation import Reply
from bot.slack.delivery import Delivery
from bot.slack.interim import Interim
from bot.slack.parts import Note, Target
from tests.support.slack_api import SlackStandIn


def progress(elapsed: float) -> QueryProgress:
    return QueryProgress("13 weeks", 10, 541, elapsed, 20.0)  # 27 s of calls


def test_the_response_url_interim_is_replaced_by_the_answer() -> None:
    with SlackStandIn() as slack:
        delivery = Delivery(web_client("xoxb-interim", slack.base_url))
        interim = Interim(delivery, Target(None, response_url=slack.response_url("r")))
        interim.listener(progress(0.5))
        interim.listener(progress(1.0))  # within 5 s of the last: not sent
        assert interim.deliver(Reply(Note("the answer")))
        calls = slack.calls("response_url")
    texts = [c.params.get("text") for c in calls]
    assert texts == ["Looking through 13 weeks… (about 27 s)", "the answer"]
    assert calls[1].params.get("replace_original") in (True, "true")


def test_a_quick_question_shows_no_interim() -> None:
    with SlackStandIn() as slack:
        delivery = Delivery(web_client("xoxb-interim", slack.base_url))
        interim = Interim(delivery, Target(None, response_url=slack.response_url("r")))
        interim.listener(QueryProgress("3 days", 1, 4, 0.1, 20.0))
        assert interim.deliver(Reply(Note("the answer")))
        calls = slack.calls("response_url")
    assert [c.params.get("text") for c in calls] == ["the answer"]
    assert calls[0].params.get("replace_original") in (None, False, "false")


def test_a_thread_interim_is_written_over_by_the_answer() -> None:
    with SlackStandIn() as slack:
        slack.add_channel("C1")
        delivery = Delivery(web_client("xoxb-interim", slack.base_url))
        interim = Interim(delivery, Target("C1", thread_ts="111.222"))
        interim.listener(progress(0.5))
        assert interim.deliver(Reply(Note("the answer")))
        posted = slack.calls("chat.postMessage")
        updated = slack.calls("chat.update")
    assert [c.params.get("text") for c in posted] == ["Looking through 13 weeks… (about 27 s)"]
    assert [c.params.get("text") for c in updated] == ["the answer"]
    assert updated[0].params.get("ts") == posted[0].response.get("ts")
