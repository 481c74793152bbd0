"""The optional settings file named by RECBOT_CONFIG_FILE: `.toml` (top-level keys) or `.env`
style `NAME=value` lines. Read by `bot.config` (every setting) and `bot.phrase_settings` (the
two a time phrase needs), so both read a file the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.errors import ConfigError

CONFIG_FILE_VARIABLE = "RECBOT_CONFIG_FILE"


def read_config_file(path: Path) -> dict[str, Any]:
    """NAME=value pairs from a `.toml` file (top-level keys) or a `.env` style file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{CONFIG_FILE_VARIABLE} {str(path)!r} cannot be read ({exc.strerror or exc})"
        ) from None
    if path.suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                f"{CONFIG_FILE_VARIABLE} {str(path)!r} is not valid TOML: {exc}"
            ) from None
        nested = sorted(k for k, v in data.items() if isinstance(v, dict))
        if nested:
            raise ConfigError(
                f"{CONFIG_FILE_VARIABLE} {str(path)!r}: put every variable at the top level, "
                f"not in tables ({', '.join(nested)})"
            )
        return data
    from dotenv import dotenv_values

    return dict(dotenv_values(path))
