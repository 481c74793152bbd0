"""Names and saved questions over a real store: who sees what, and every way a name could
try to widen what a channel may see is refused with a reason and nothing saved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.answer import AnswerContext, answer
from bot.config import Settings
from bot.css.client import open_source
from bot.css.query import CssSource
from bot.css.simulator import Simulator
from bot.db.team_memory import MemoryStores
from bot.errors import AccessDenied, ParseError
from bot.filters import Filters
from bot.memory.commands import MemoryCommand, read_command
from bot.memory.desk import Place, TeamMemory
from bot.request import parse_request
from bot.timephrase import DateOrder

NOW = datetime(2026, 7, 27, 10, 0, tzinfo=UTC)
SCOPED = Filters(domains=("a.push.example",))
ADMIN = "UADMIN"


def command(text: str) -> MemoryCommand:
    found = read_command(text)
    assert found is not None
    return found


def run(memory: TeamMemory, text: str, place: Place, scope: Filters | None = None) -> str:
    reply = memory.handle(command(text), place, NOW, UTC, scope)
    return "\n".join(reply.lines)


@pytest.fixture
def memory(stores: MemoryStores) -> TeamMemory:
    return TeamMemory(stores.names, frozenset({ADMIN}))


MAIN = Place("UALICE", "CMAIN")
OPS = Place("UALICE", "COPS")
SCOPED_PLACE = Place("UALICE", "CSCOPED")


def test_a_saved_name_is_used_in_its_channel_with_the_expansion_shown(memory: TeamMemory) -> None:
    said = run(memory, "name studio-a stream:cam1,cam2,cam3 domain:a.push.example.com", MAIN)
    assert "studio-a = cam1, cam2, cam3 on a.push.example.com" in said
    rewritten = memory.rewrite("did studio-a record last night?", MAIN)
    assert rewritten.shown == ("studio-a = cam1, cam2, cam3 on a.push.example.com",)
    request = parse_request(rewritten.text, NOW, UTC)
    assert request.filters.streams == ("cam1", "cam2", "cam3")
    assert request.question


def test_a_name_is_not_visible_in_another_channel(memory: TeamMemory) -> None:
    run(memory, "name studio-a cam1", MAIN)
    assert memory.rewrite("studio-a today", OPS).shown == ()
    with pytest.raises(ParseError, match="no name 'studio-a' here"):
        run(memory, "name show studio-a", OPS)


def test_a_dm_name_belongs_to_its_user_alone(memory: TeamMemory) -> None:
    mine = Place("UALICE", "DALICE")
    run(memory, "name mine cam1", mine)
    assert memory.rewrite("mine today", Place("UALICE", None)).shown == ("mine = cam1",)
    assert memory.rewrite("mine today", Place("UBOB", "DBOB")).shown == ()
    assert memory.rewrite("mine today", MAIN).shown == ()


def test_list_show_forget(memory: TeamMemory) -> None:
    run(memory, "name studio-a cam1", MAIN)
    run(memory, "name studio-b app:live", MAIN)
    assert run(memory, "name list", MAIN).splitlines() == [
        "studio-a = cam1",
        "studio-b = every stream in app live",
    ]
    run(memory, "name forget studio-a", MAIN)
    assert memory.rewrite("studio-a", MAIN).shown == ()
    with pytest.raises(ParseError, match="no name 'studio-a'"):
        run(memory, "name forget studio-a", MAIN)


# --- every way to try to widen access, or to make a name that reads as something else ---------


def test_a_name_outside_the_channels_scope_is_refused_and_not_saved(
    memory: TeamMemory, stores: MemoryStores
) -> None:
    with pytest.raises(AccessDenied, match="outside"):
        run(memory, "name leak domain:other.push.example", SCOPED_PLACE, SCOPED)
    assert stores.names.visible_names(SCOPED_PLACE.owner) == {}


def test_a_name_made_in_an_unscoped_channel_cannot_see_more_in_a_scoped_one(
    memory: TeamMemory, simulator: Simulator
) -> None:
    # Even made for every channel by an admin, the scoped channel's scope applies at use.
    run(memory, "name others domain:other.push.example --everywhere", Place(ADMIN, "CMAIN"))
    rewritten = memory.rewrite("others yesterday", SCOPED_PLACE)
    assert rewritten.shown  # visible everywhere ...
    request = parse_request(rewritten.text, NOW, UTC)
    with pytest.raises(AccessDenied, match="outside"):  # ... but refused where it is scoped
        answer(request, AnswerContext(NOW, UTC, simulator_source(simulator), SCOPED))


def test_only_admins_make_names_for_every_channel(memory: TeamMemory, stores: MemoryStores) -> None:
    with pytest.raises(AccessDenied, match="Only recbot admins"):
        run(memory, "name all-cams cam1 --everywhere", MAIN)
    assert stores.names.visible_names("CELSEWHERE") == {}


def test_a_name_made_of_another_name_is_refused(memory: TeamMemory, stores: MemoryStores) -> None:
    run(memory, "name studio-a cam1", MAIN)
    with pytest.raises(ParseError, match="made of another name \\('studio-a'\\)"):
        run(memory, "name studio-b studio-a cam2", MAIN)
    assert "studio-b" not in stores.names.visible_names(MAIN.owner)


def test_a_loop_is_refused(memory: TeamMemory, stores: MemoryStores) -> None:
    with pytest.raises(ParseError, match="can't stand for itself"):
        run(memory, "name loop loop", MAIN)
    run(memory, "name alpha cam1", MAIN)
    with pytest.raises(ParseError, match="another name"):
        run(memory, "name beta alpha", MAIN)
    with pytest.raises(ParseError, match="stand for itself"):  # redefined through itself
        run(memory, "name alpha cam2 alpha", MAIN)
    assert set(stores.names.visible_names(MAIN.owner)) == {"alpha"}


@pytest.mark.parametrize("word", ["yesterday", "tonight", "running", "digest", "stream"])
def test_a_name_that_reads_as_a_time_status_or_command_is_refused(
    memory: TeamMemory, stores: MemoryStores, word: str
) -> None:
    with pytest.raises(ParseError, match="can't be a name"):
        run(memory, f"name {word} cam1", MAIN)
    assert stores.names.visible_names(MAIN.owner) == {}


@pytest.mark.parametrize(
    "definition", ["cam1 yesterday", "cam1 running", "stats cam1", "did cam1 record"]
)
def test_a_name_stands_for_filters_only(memory: TeamMemory, definition: str) -> None:
    with pytest.raises(ParseError, match="filters only"):
        run(memory, f"name studio-a {definition}", MAIN)


# --- saved questions --------------------------------------------------------------------------


def test_a_saved_question_runs_with_its_names(memory: TeamMemory) -> None:
    run(memory, "name studio-a stream:cam1,cam2", MAIN)
    reply = memory.handle(command("save nightly studio-a last night stopped"), MAIN, NOW, UTC, None)
    assert [s.name for s in reply.saved] == ["nightly"]
    rewritten = memory.rewrite("nightly", MAIN)
    assert rewritten.shown == ("nightly = studio-a last night stopped", "studio-a = cam1, cam2")
    request = parse_request(rewritten.text, NOW, UTC)
    assert request.filters.streams == ("cam1", "cam2")
    assert request.phrase == "last night"
    listed = memory.handle(command("saved"), MAIN, NOW, UTC, None)
    assert [(s.name, s.request_text) for s in listed.saved] == [
        ("nightly", "studio-a last night stopped")
    ]
    assert memory.rewrite("nightly", OPS).text == "nightly"  # not saved in COPS


def test_a_saved_question_outside_the_scope_is_refused(memory: TeamMemory) -> None:
    with pytest.raises(AccessDenied):
        run(memory, "save leak domain:other.push.example yesterday", SCOPED_PLACE, SCOPED)
    assert memory.rewrite("leak", SCOPED_PLACE).text == "leak"


def test_a_saved_question_and_a_name_cannot_share_a_spelling(memory: TeamMemory) -> None:
    run(memory, "name studio-a cam1", MAIN)
    with pytest.raises(ParseError, match="already a name"):
        run(memory, "save studio-a cam1 today", MAIN)
    run(memory, "save nightly cam1 last night", MAIN)
    with pytest.raises(ParseError, match="already a saved question"):
        run(memory, "name nightly cam2", MAIN)


def test_an_unreadable_saved_question_is_refused(memory: TeamMemory) -> None:
    with pytest.raises(ParseError):
        run(memory, "save broken cam1 next blursday", MAIN)
    with pytest.raises(ParseError, match="not 'digest'"):
        run(memory, "save daily digest daily 09:00", MAIN)


def test_a_saved_question_is_checked_in_the_workspace_date_order(stores: MemoryStores) -> None:
    """Under RECBOT_DATE_ORDER=DMY "3/13/2026" has no month 13, so it is refused when saved (as
    it would be each time it is asked), and "13/3/2026" is saved."""
    day_month = TeamMemory(stores.names, frozenset({ADMIN}), DateOrder.DMY)
    with pytest.raises(ParseError, match="3/13/2026"):
        run(day_month, "save spring cam1 3/13/2026", MAIN)
    assert day_month.rewrite("spring", MAIN).text == "spring"  # nothing saved
    run(day_month, "save spring cam1 13/3/2026", MAIN)
    assert day_month.rewrite("spring", MAIN).text == "cam1 13/3/2026"
    # The month/day default still reads "3/13/2026" as 13 March.
    run(TeamMemory(stores.names, frozenset({ADMIN})), "save ides cam1 3/13/2026", MAIN)


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    with Simulator(count=10) as sim:
        yield sim


def simulator_source(simulator: Simulator) -> CssSource:
    return open_source(Settings(), simulator=simulator)


# --- TaskIds ----------------------------------------------------------------------------------

TASK_ID = "+0cMedk5AT5lZ6kEKkQIK/5l1yPLYi9KWBUbikyJET7OeVIWuyyxOLs="


def test_a_saved_question_about_a_task_id_comes_back_exactly(
    memory: TeamMemory, stores: MemoryStores
) -> None:
    """TaskIds are case-sensitive base64: the saved text is asked again byte for byte."""
    run(memory, f"save that-task did {TASK_ID} record?", MAIN)
    rewritten = memory.rewrite("that-task", MAIN)
    assert rewritten.text == f"did {TASK_ID} record?"
    request = parse_request(rewritten.text, NOW, UTC)
    assert request.filters.task_ids == (TASK_ID,)
    assert request.question
    assert stores.names.saved_questions(MAIN.owner)["that-task"].request_text == (
        f"did {TASK_ID} record?"
    )


def test_a_name_cannot_stand_for_a_task_id(memory: TeamMemory, stores: MemoryStores) -> None:
    for definition in (TASK_ID, f"cam1 task:{TASK_ID}"):
        with pytest.raises(ParseError, match=r"not for tasks; .* save it"):
            run(memory, f"name one-task {definition}", MAIN)
    assert stores.names.visible_names(MAIN.owner) == {}


def test_a_name_after_the_word_tasks_is_still_expanded(memory: TeamMemory) -> None:
    """`task`/`tasks` are filter keys (`task:ID`) but never name the next word."""
    run(memory, "name studio-a stream:cam1,cam2", MAIN)
    rewritten = memory.rewrite("tasks studio-a yesterday", MAIN)
    assert parse_request(rewritten.text, NOW, UTC).filters.streams == ("cam1", "cam2")


def test_the_audit_trail_says_which_task_ids_were_asked() -> None:
    from bot.memory.audit_record import understood

    request = parse_request(f"did {TASK_ID} record?", NOW, UTC)
    assert understood(request) == f"answer task_ids={TASK_ID} status=all question"
