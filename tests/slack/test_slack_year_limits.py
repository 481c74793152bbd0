"""A date no API can ever serve is refused in Slack with the plain sentence, not "something
went wrong" (issue 12, item 4), through a real `recbot serve` and the Slack stand-in."""

from __future__ import annotations

import pytest

from tests.support.serving import FORM, ServedBot, slash_body
from tests.support.slack_api import SlackStandIn

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("text", "name"), [("cam1 9999-12-31", "far1"), ("1969-12-31", "far2")])
def test_far_date_is_refused_with_a_plain_sentence(
    served: ServedBot, slack_api: SlackStandIn, text: str, name: str
) -> None:
    body = slash_body(
        text, user="UALICE", channel="CMAIN", response_url=slack_api.response_url(name)
    )
    assert served.post(body, FORM).status == 200
    [call] = slack_api.wait_for("response_url", where=lambda c: c.path == f"/response/{name}")
    said = str(call.params.get("text"))
    assert "outside the years I can read (1970–2100)" in said
    assert "went wrong" not in said
