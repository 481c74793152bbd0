"""Representative answers shared by the golden, limits and picture tests."""

from __future__ import annotations

from collections.abc import Callable

from bot.answer import Answer
from bot.request import StatusFilter
from bot.source import FetchStats
from tests.support.factory import at, make_answer, request, spread, task

HOSTILE = ("<!channel>", "a&b<@U0123>", "*bold* _it_ `code`", "<https://evil.example|click>")


def empty() -> Answer:
    return make_answer([], request("livetest", streams=("livetest",)))


def one_task() -> Answer:
    return make_answer([task("2026072701-livetest-aaaaaaaabbbbbbbbcccccccc", at(-3))])


def five_hundred() -> Answer:
    return make_answer(spread(500))


def hostile_names() -> Answer:
    tasks = [
        task(f"{name}-id-{i}", at(-5 + i), stream=name, app=name, domain=name)
        for i, name in enumerate(HOSTILE)
    ]
    cached = FetchStats(region="<!here>", api_calls=1, pages=1, elapsed_s=0.5, cache_age_s=42.0)
    return make_answer(tasks, stats=cached)


def every_finding() -> Answer:
    tasks = [
        task("stopped-early-task", at(-6), stopped=at(-5)),
        task("cancelled-task", at(3), stopped=at(-1), stream="cancelled"),
        task("overlap-one", at(-3), stream="double"),
        task("overlap-two", at(-2), stream="double"),
        task("gap-one", at(-10), stream="gappy"),
        task("gap-two", at(-7.75), stream="gappy"),
        task("ending-soon", at(-0.5), 1, stream="short"),
        task("scheduled-later", at(4), stream="short"),
    ]
    return make_answer(tasks)


def yes_question() -> Answer:
    return make_answer(
        [task("q-1", at(-3), stopped=at(-2.5))],
        request("anything stopped early", status=StatusFilter.STOPPED, question=True),
    )


def no_question() -> Answer:
    return make_answer(
        [task("q-1", at(-3))],
        request("anything stopped early", status=StatusFilter.STOPPED, question=True),
    )


def hostile_ids() -> Answer:
    """TaskIds are API text too: findings name them, and an id ending in a mention must not
    ping anyone (R2)."""
    tasks = [
        task("stopped-early-<!here>", at(-6), stopped=at(-5)),
        task("overlap-one-<@U123>", at(-3), stream="double"),
        task("overlap-two-<!channel>", at(-2), stream="double"),
    ]
    return make_answer(tasks)


def shared_stream_names() -> Answer:
    """One stream name under two domains: rows and findings say which domain (R10)."""
    tasks = [
        task("cam1-a-1", at(-3), stream="cam1"),
        task("cam1-a-2", at(-2), stream="cam1"),
        task("cam1-b-1", at(-3), stream="cam1", domain="b.push.example.com"),
        task("solo-1", at(-4), stream="solo"),
    ]
    return make_answer(tasks)


SCENARIOS: dict[str, Callable[[], Answer]] = {
    "hostile_ids": hostile_ids,
    "shared_stream_names": shared_stream_names,
    "empty": empty,
    "one_task": one_task,
    "five_hundred": five_hundred,
    "hostile_names": hostile_names,
    "every_finding": every_finding,
    "yes_question": yes_question,
    "no_question": no_question,
}
