"""The two settings a time phrase is read with, RECBOT_DEFAULT_TZ and RECBOT_DATE_ORDER: their
checks (which `bot.config.Settings` uses too) and a reader that takes just these two from the
environment and the RECBOT_CONFIG_FILE file, the way `bot.config.load_settings` does, without
loading pydantic. `recbot parse` reads them this way so a fresh process starts fast; a bad
value of another setting is for the commands that use it (and `recbot doctor`) to report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config_file import CONFIG_FILE_VARIABLE, read_config_file
from bot.errors import ConfigError, ParseError
from bot.timephrase.order import DateOrder
from bot.timephrase.zones import named_zone

DEFAULT_TZ = "UTC"
DEFAULT_DATE_ORDER = DateOrder.MDY


def zone_setting(value: str) -> str:
    """RECBOT_DEFAULT_TZ as stored: the IANA key ("asia/tokyo" -> "Asia/Tokyo"); ValueError
    with the reason otherwise (a fixed offset does not follow daylight saving)."""
    try:
        return named_zone(value).key
    except ParseError as error:
        raise ValueError(error.user_message) from None


def date_order_text(value: object) -> object:
    """RECBOT_DATE_ORDER in any case and spacing (" dmy" -> "DMY"); other values as given."""
    return value.strip().upper() if isinstance(value, str) else value


@dataclass(frozen=True)
class PhraseSettings:
    """RECBOT_DEFAULT_TZ (an IANA key) and RECBOT_DATE_ORDER, as read."""

    default_tz: str = DEFAULT_TZ
    date_order: DateOrder = DEFAULT_DATE_ORDER


def read_phrase_settings(environ: Mapping[str, str] | None = None) -> PhraseSettings:
    """RECBOT_DEFAULT_TZ and RECBOT_DATE_ORDER: the environment (any case of the name; empty
    means unset) over the RECBOT_CONFIG_FILE file over the defaults. ConfigError naming the
    variable, in load_settings' words, for a bad value."""
    env = os.environ if environ is None else environ
    lowered = {name.lower(): value for name, value in env.items()}
    names = ("recbot_default_tz", "recbot_date_order")
    values: dict[str, object] = {}
    file_name = env.get(CONFIG_FILE_VARIABLE)
    if file_name:
        for name, value in read_config_file(Path(file_name)).items():
            if name.lower() in names and value is not None and value != "":
                values[name.lower()] = value
    for name in names:
        if lowered.get(name):
            values[name] = lowered[name]
    zone = values.get("recbot_default_tz", DEFAULT_TZ)
    if not isinstance(zone, str):
        raise ConfigError(f"RECBOT_DEFAULT_TZ {zone!r}: should be a valid string")
    try:
        zone = zone_setting(zone)
    except ValueError as error:
        raise ConfigError(f"RECBOT_DEFAULT_TZ {error}") from None
    order = date_order_text(values.get("recbot_date_order", DEFAULT_DATE_ORDER.value))
    if order not in ("MDY", "DMY"):
        raise ConfigError(f"RECBOT_DATE_ORDER {order!r}: should be 'MDY' or 'DMY'")
    return PhraseSettings(zone, DateOrder(order))
