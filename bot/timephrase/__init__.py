"""Time phrases -> windows: `parse_phrase`, and `looks_temporal` for splitting requests.

The grammar is data (`points.RULES`, `forms.FORMS`), checked by the corpus under
tests/timephrase/. docs/time-phrases.md is the contract.
"""

from bot.timephrase.lexicon import TIME_WORDS, looks_temporal
from bot.timephrase.order import DateOrder
from bot.timephrase.parse import parse_phrase
from bot.timephrase.window import Grain, Window

__all__ = ["TIME_WORDS", "DateOrder", "Grain", "Window", "looks_temporal", "parse_phrase"]
