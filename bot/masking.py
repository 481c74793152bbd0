"""What an operator may read of a value: configured secrets become ***, URL userinfo never shows.

Pure text functions; configuration errors (`bot.errors.ConfigError`, `bot.config.load_settings`)
pass every message through them before anyone prints it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
# Secrets shorter than this are not masked: masking "a" would garble every sentence.
MIN_SECRET_LEN = 4

# scheme://userinfo@ — userinfo holds no "/", "@" or whitespace; quotes end a quoted value.
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)[^\s/@'\"]*@")


def without_userinfo(text: str) -> str:
    """Every `scheme://user:password@host` in `text` written as `scheme://***@host`."""
    return _USERINFO.sub(rf"\g<scheme>{MASK}@", text)


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """`text` with each secret (longest first, so one inside another goes whole) as ***,
    and no URL userinfo."""
    for secret in sorted({s for s in secrets if len(s) >= MIN_SECRET_LEN}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return without_userinfo(text)


# The secrets of the settings this process loaded (`bot.config.load_settings` adds them), so an
# error raised anywhere later (an endpoint refused by the SDK setup, ...) cannot echo one.
_configured: set[str] = set()


def remember_secrets(secrets: Iterable[str]) -> None:
    _configured.update(s for s in secrets if len(s) >= MIN_SECRET_LEN)


def mask_configured(text: str) -> str:
    """`mask_secrets` with every secret this process was configured with."""
    return mask_secrets(text, tuple(_configured))
