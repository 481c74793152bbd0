"""DateOrder: how a numeric date "3/8" is read, month/day (MDY) or day/month (DMY).

A workspace setting (RECBOT_DATE_ORDER), passed as an argument down to the numeric-date rule;
a first number over 12 is a day in either order ("25/12"). docs/time-phrases.md.
"""

from __future__ import annotations

from enum import StrEnum


class DateOrder(StrEnum):
    MDY = "MDY"
    DMY = "DMY"
