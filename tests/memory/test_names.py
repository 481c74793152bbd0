"""Names: what may be one, and how a request reads with names put in (pure, table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import ParseError
from bot.filters import Filters
from bot.memory.commands import Verb, read_command
from bot.memory.names import NamedFilters, check_name, describe, expand, filters_request
from bot.request import parse_request

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)
STUDIO_A = NamedFilters(
    "studio-a", Filters(("cam1", "cam2", "cam3"), (), ("a.push.example.com",)), "CMAIN"
)
VISIBLE = {"studio-a": STUDIO_A}


@pytest.mark.parametrize(
    ("word", "why"),
    [
        ("yesterday", "time word"),
        ("tonight", "time word"),
        ("monday", "time word"),
        ("running", "status"),
        ("stopped", "status"),
        ("export", "command"),
        ("digest", "command"),
        ("saved", "command"),
        ("audit", "command"),
        ("stream", "filter keyword"),
        ("show", "everyday words"),
        ("a.push.example.com", "lower-case letters"),
        ("cam:1", "lower-case letters"),
        ("1234", "at least one letter"),
        ("-studio", "lower-case letters"),
    ],
)
def test_a_word_that_reads_as_something_else_is_no_name(word: str, why: str) -> None:
    with pytest.raises(ParseError, match=why):
        check_name(word)


@pytest.mark.parametrize("word", ["studio-a", "Studio-A", "cam_group", "night-crew2"])
def test_ordinary_words_are_names_lower_cased(word: str) -> None:
    assert check_name(word) == word.lower()


def test_filters_request_parses_back_to_the_same_filters() -> None:
    text = filters_request(STUDIO_A.filters)
    assert text == "stream:cam1,cam2,cam3 domain:a.push.example.com"
    assert parse_request(text, NOW, UTC).filters == STUDIO_A.filters


def test_describe_is_the_answers_first_line() -> None:
    assert describe(STUDIO_A) == "studio-a = cam1, cam2, cam3 on a.push.example.com"


@pytest.mark.parametrize(
    ("typed", "streams", "phrase"),
    [
        ("studio-a last night", ("cam1", "cam2", "cam3"), "last night"),
        ("did studio-a record yesterday?", ("cam1", "cam2", "cam3"), "yesterday"),
        ("Studio-A, yesterday", ("cam1", "cam2", "cam3"), "yesterday"),
        ("studio-a cam9 today", ("cam1", "cam2", "cam3", "cam9"), "today"),
    ],
)
def test_a_name_reads_as_its_filters(typed: str, streams: tuple[str, ...], phrase: str) -> None:
    expanded = expand(typed, VISIBLE)
    assert expanded.used == (STUDIO_A,)
    request = parse_request(expanded.text, NOW, UTC)
    assert request.filters.streams == streams
    assert request.filters.domains == ("a.push.example.com",)
    assert request.phrase == phrase


@pytest.mark.parametrize(
    "typed", ["stream:studio-a yesterday", "stream studio-a yesterday", "studio-b yesterday"]
)
def test_a_literal_stream_or_an_unknown_word_is_left_alone(typed: str) -> None:
    assert expand(typed, VISIBLE).text == typed
    assert expand(typed, VISIBLE).used == ()


def test_expansion_is_one_pass_so_a_name_never_expands_again() -> None:
    # A stream literally called like another name stays that stream.
    loop = NamedFilters("loop", Filters(("studio-a",)), "CMAIN")
    expanded = expand("loop today", {**VISIBLE, "loop": loop})
    assert expanded.text == "stream:studio-a today"
    assert parse_request(expanded.text, NOW, UTC).filters.streams == ("studio-a",)


@pytest.mark.parametrize(
    ("text", "verb", "name", "body", "everywhere"),
    [
        ("name studio-a stream:cam1 domain:a.push.example.com", Verb.NAME_SAVE, "studio-a",
         "stream:cam1 domain:a.push.example.com", False),
        ("name studio-a cam1 --everywhere", Verb.NAME_SAVE, "studio-a", "cam1", True),
        ("name studio-a cam1 —everywhere", Verb.NAME_SAVE, "studio-a", "cam1", True),
        ("name list", Verb.NAME_LIST, "", "", False),
        ("name show Studio-A", Verb.NAME_SHOW, "studio-a", "", False),
        ("name forget studio-a", Verb.NAME_FORGET, "studio-a", "", False),
        ("save nightly studio-a last night stopped", Verb.SAVE, "nightly",
         "studio-a last night stopped", False),
        ("saved", Verb.SAVED_LIST, "", "", False),
        ("saved forget nightly", Verb.SAVED_FORGET, "nightly", "", False),
        ("audit --since yesterday", Verb.AUDIT, "", "--since yesterday", False),
    ],
)  # fmt: skip
def test_memory_commands_read(
    text: str, verb: Verb, name: str, body: str, everywhere: bool
) -> None:
    command = read_command(text)
    assert command is not None
    assert (command.verb, command.name, command.body, command.everywhere) == (
        verb,
        name,
        body,
        everywhere,
    )


@pytest.mark.parametrize("text", ["livetest yesterday", "names", "digest list", "stats today"])
def test_other_requests_are_no_memory_commands(text: str) -> None:
    assert read_command(text) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name", "Say which name"),
        ("name studio-a", "Say what 'studio-a' stands for"),
        ("name yesterday cam1", "reads as a time word"),
        ("name studio-a cam1 --loud", "only --everywhere"),
        ("save nightly", "needs a name and the question"),
        ("saved nightly", "saved forget NAME"),
        ("name show", "needs one name"),
    ],
)
def test_garbled_memory_commands_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ParseError, match=says):
        read_command(text)
