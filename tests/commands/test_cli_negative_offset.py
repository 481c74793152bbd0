"""`--tz -05:00` (a negative UTC offset as its own word) is the zone, as `--tz=-05:00` is."""

from __future__ import annotations

import json

import pytest

from bot.cli import main

NOW = "2026-03-10T12:00:00+00:00"


@pytest.mark.parametrize("offset", ["-05:00", "-0500", "-5", "-03:30"])
def test_parse_accepts_a_negative_offset_after_tz(
    offset: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", "--now", NOW, "--json", "--tz", offset, "yesterday"]) == 0
    spaced = json.loads(capsys.readouterr().out)
    assert main(["parse", "--now", NOW, "--json", f"--tz={offset}", "yesterday"]) == 0
    assert spaced == json.loads(capsys.readouterr().out)


def test_ask_accepts_a_negative_offset_after_tz(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "--now", NOW, "--json", "--tz", "-05:00", "nonsense blursday"])
    body = json.loads(capsys.readouterr().out)
    # The phrase is refused (exit 2, a parse error): the zone itself was read.
    assert code == 2
    assert "blursday" in body["error"]["message"]


def test_a_phrase_word_after_tz_is_not_taken_for_an_offset(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["parse", "--now", NOW, "--tz", "-x", "yesterday"])
    assert exit_.value.code == 2
    assert "--tz" in capsys.readouterr().err
