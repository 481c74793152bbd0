"""Fresh-process figures time recbot as an installed program runs: with its bytecode compiled.

`pip install` compiles every module it installs; with the README's editable install, the first
run of `recbot` writes the cache. A machine that sets PYTHONDONTWRITEBYTECODE (this workplace
does) never writes it, so without this step every "fresh process" would also compile the whole
of `bot/` from source, which no user's second run does. Child processes still start new
interpreters and import everything; they only read the cache. Not a bench itself.
"""

from __future__ import annotations

import compileall
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"


def compile_like_an_install() -> None:
    """Write `bot/`'s bytecode cache as pip does at install (quietly; a failure raises)."""
    if not compileall.compile_dir(str(BOT), quiet=1):
        raise RuntimeError("compiling bot/ failed")
