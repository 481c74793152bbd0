"""One typed settings object, read once at start from the environment and passed down.

Sources, strongest first: environment variables, then the optional file named by
`RECBOT_CONFIG_FILE` (`.toml`, or `.env` style `NAME=value` lines), then the defaults.
`load_settings()` validates everything and raises `ConfigError` with one line per problem,
each naming the variable; `recbot` prints it and exits with status 2.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.config_file import CONFIG_FILE_VARIABLE, read_config_file
from bot.errors import ConfigError
from bot.masking import mask_secrets, remember_secrets

CSS_REGIONS = (
    "ap-bangkok",
    "ap-guangzhou",
    "ap-hongkong",
    "ap-jakarta",
    "ap-mumbai",
    "ap-seoul",
    "ap-singapore",
    "ap-tokyo",
    "eu-frankfurt",
    "na-ashburn",
    "na-siliconvalley",
    "na-toronto",
    "sa-saopaulo",
)

_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")
_DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
_REDIS_SCHEMES = ("redis", "rediss", "unix")
# Which token prefix each Slack secret must have; a swapped token is the classic mistake.
_SLACK_PREFIXES = {
    "slack_bot_token": ("xoxb-", "the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"),
    "slack_app_token": ("xapp-", "an app-level token (xapp-…) with connections:write"),
}


def variable(field: str) -> str:
    """The environment variable that sets a settings field."""
    return field.upper()


class _ConfigFileSource(PydanticBaseSettingsSource):
    """Values from the file named by RECBOT_CONFIG_FILE; environment variables win over it."""

    def get_field_value(
        self,
        field: FieldInfo,  # noqa: ARG002 - the base class's signature
        field_name: str,
    ) -> tuple[Any, str, bool]:
        # Unused: __call__ reads the whole file at once.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        name = os.environ.get(CONFIG_FILE_VARIABLE)
        if not name:
            return {}
        values = read_config_file(Path(name))
        known = set(self.settings_cls.model_fields)
        unknown = sorted(k for k in values if k.lower() not in known)
        if unknown:
            raise ConfigError(
                f"{CONFIG_FILE_VARIABLE} {name!r} sets unknown variable(s): "
                + ", ".join(unknown)
                + " (see docs/operations.md, Configuration)"
            )
        return {k.lower(): v for k, v in values.items() if v is not None and v != ""}


class Settings(BaseSettings):
    """Every variable is documented in docs/operations.md's configuration table."""

    # An empty variable (`FOO=` in a compose file) means "not set": the default applies.
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, env_ignore_empty=True)

    # Tencent Cloud
    tencentcloud_secret_id: SecretStr | None = None
    tencentcloud_secret_key: SecretStr | None = None
    tencentcloud_token: SecretStr | None = None
    tencentcloud_region: str = "ap-guangzhou"
    recbot_css_endpoint: str | None = None
    recbot_rate_limit: float = Field(default=20.0, gt=0, le=20)
    recbot_api_timeout: float = Field(default=10.0, gt=0)
    recbot_query_deadline: float = Field(default=20.0, gt=0)

    # Answers
    recbot_default_tz: str = "UTC"
    recbot_date_order: Literal["MDY", "DMY"] = "MDY"  # numeric dates "3/8" (docs/time-phrases.md)

    # HTTP mode: PORT as hosting platforms set it. Kept as text and read by `http_port()`, so a
    # stray PORT in a shell breaks only `recbot serve`, never `recbot ask` or `parse`.
    port: str | None = None

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None

    # Storage and replicas
    recbot_database_url: str = "sqlite:///recbot.sqlite3"
    recbot_redis_url: str | None = None
    recbot_redis_prefix: str = "recbot:"
    recbot_digests: bool = True  # false: no digests, and no channel-history scopes needed
    recbot_digest_tick_s: float = Field(default=5.0, gt=0, le=60)
    recbot_digest_lease_s: float = Field(default=120.0, gt=0)

    # CSS recording callbacks (docs/evidence.md): the callback template's key; unset = off.
    recbot_css_callback_key: SecretStr | None = None
    recbot_alert_lease_s: float = Field(default=30.0, gt=0, le=600)
    # How often the alert loop looks for stopped and silent tasks (bot/alerts/task_check.py).
    recbot_alert_task_check_s: float = Field(default=60.0, gt=0, le=3600)
    # The synced index of tasks (docs/index.md)
    recbot_index: bool = True
    recbot_index_hot_s: float = Field(default=60.0, gt=0)
    recbot_index_reconcile_s: float = Field(default=86400.0, gt=0)
    recbot_index_lease_s: float = Field(default=30.0, gt=0)
    recbot_index_max_age_s: float = Field(default=120.0, gt=0)
    recbot_index_now_age_s: float = Field(default=15.0, gt=0)
    recbot_index_far_refresh_s: float = Field(default=600.0, gt=0)
    recbot_index_far_max_age_s: float = Field(default=900.0, gt=0)
    # API calls an hour the steady-state sync may spend; 0: no budget (docs/index.md)
    recbot_index_sync_budget_per_h: float = Field(default=300.0, ge=0)

    # Access
    recbot_access_file: str | None = None

    # Team memory: who may read the audit trail and make names for every channel, and how
    # long the audit trail is kept (docs/team-memory.md)
    recbot_admins: str = ""
    recbot_audit_days: int = Field(default=90, ge=1, le=3650)

    # Operations
    recbot_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    recbot_log_format: Literal["auto", "json", "text"] = "auto"
    recbot_max_body_bytes: int = Field(default=1_000_000, ge=1_024, le=50_000_000)
    # Seconds `recbot serve` waits on SIGTERM for answers in flight (then tells their askers).
    recbot_drain_timeout: float = Field(default=25.0, gt=0, le=3600)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003 - replaced by our file
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _ConfigFileSource(settings_cls))

    # --- validation: each message is read after the variable's name ---------------------

    @field_validator(
        "tencentcloud_secret_id",
        "tencentcloud_secret_key",
        "tencentcloud_token",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "recbot_css_callback_key",
        mode="before",
    )
    @classmethod
    def _empty_secret_is_unset(cls, value: Any) -> Any:
        # `FOO=` in a file or a compose environment means "not set", not "the empty secret".
        if isinstance(value, str) and value == "":
            return None
        return value

    @field_validator(
        "tencentcloud_secret_id", "tencentcloud_secret_key", "tencentcloud_token", mode="after"
    )
    @classmethod
    def _no_stray_whitespace(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value() != value.get_secret_value().strip():
            # The value itself is never echoed.
            raise ValueError(
                "has leading or trailing whitespace (a classic cause of "
                "AuthFailure.SecretIdNotFound); remove it"
            )
        return value

    @field_validator("tencentcloud_region", mode="before")
    @classmethod
    def _css_region(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() not in CSS_REGIONS:
            raise ValueError(f"{value!r} is not a CSS region; one of: {', '.join(CSS_REGIONS)}")
        return value.strip() if isinstance(value, str) else value

    @field_validator("recbot_css_endpoint", mode="after")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        host = value
        if "://" in value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    f"{value!r} is not an endpoint; use a host name such as "
                    "live.intl.tencentcloudapi.com, or http://127.0.0.1:PORT for a simulator"
                )
            host = parts.netloc
        if not _HOST_PORT.match(host):
            raise ValueError(
                f"{value!r} is not an endpoint; use a host name such as "
                "live.intl.tencentcloudapi.com, or http://127.0.0.1:PORT for a simulator"
            )
        return value

    @field_validator("recbot_date_order", mode="before")
    @classmethod
    def _date_order(cls, value: object) -> object:
        # Imported here: the time-phrase grammar loads only when a phrase setting is read.
        from bot.phrase_settings import date_order_text

        return date_order_text(value)  # "dmy" -> "DMY"

    @field_validator("recbot_default_tz", mode="after")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        from bot.phrase_settings import zone_setting

        return zone_setting(value)  # "asia/tokyo" -> "Asia/Tokyo"

    @field_validator("slack_bot_token", "slack_app_token", mode="after")
    @classmethod
    def _slack_token_kind(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            return value
        prefix, what = _SLACK_PREFIXES[str(info.field_name)]
        if not value.get_secret_value().startswith(prefix):
            raise ValueError(f"must be {what}; the value set does not start with {prefix!r}")
        return value

    @field_validator("slack_api_url", mode="after")
    @classmethod
    def _slack_api_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL, e.g. https://slack.com/api/")
        return value

    @field_validator("recbot_database_url", mode="after")
    @classmethod
    def _database_url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].split("+", 1)[0] if "://" in value else ""
        if scheme not in _DATABASE_SCHEMES:
            # Only the scheme is echoed: the rest may hold a password.
            raise ValueError(
                f"is not a database URL (scheme {scheme or 'missing'!r}); use "
                "sqlite:///path/recbot.sqlite3 or postgresql+psycopg://user:pass@host/db"
            )
        return value

    @field_validator("recbot_redis_url", mode="after")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        scheme = urlsplit(value).scheme
        if scheme not in _REDIS_SCHEMES:
            raise ValueError(
                f"is not a Redis URL (scheme {scheme or 'missing'!r}); "
                "use redis://host:6379/0 or rediss://… for TLS"
            )
        return value

    @field_validator("recbot_access_file", mode="after")
    @classmethod
    def _access_file(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not Path(value).is_file():
            raise ValueError(f"{value!r} is not a readable file")
        return value

    @field_validator("recbot_log_level", mode="before")
    @classmethod
    def _log_level_any_case(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("recbot_log_format", mode="before")
    @classmethod
    def _log_format_any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _secret_pairs(self) -> Settings:
        if (self.tencentcloud_secret_id is None) != (self.tencentcloud_secret_key is None):
            have, missing = (
                ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")
                if self.tencentcloud_secret_id is not None
                else ("TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SECRET_ID")
            )
            raise ValueError(f"{missing} is not set but {have} is; set both or neither")
        if self.tencentcloud_token is not None and self.tencentcloud_secret_id is None:
            raise ValueError(
                "TENCENTCLOUD_TOKEN is set without TENCENTCLOUD_SECRET_ID and "
                "TENCENTCLOUD_SECRET_KEY; a temporary token needs its key pair"
            )
        return self

    def __repr_args__(self) -> Any:
        # SecretStr hides the keys and tokens; URLs may carry a password of their own.
        for name, value in super().__repr_args__():
            if name in _URL_FIELDS and isinstance(value, str):
                yield name, _without_password(value)
            else:
                yield name, value

    # --- what the commands ask ----------------------------------------------------------

    @property
    def admins(self) -> frozenset[str]:
        """RECBOT_ADMINS: Slack user ids, separated by commas or spaces."""
        return frozenset(self.recbot_admins.replace(",", " ").split())

    def http_port(self, default: int) -> int:
        """PORT as a port number (`default` when unset; 0: any free port); ConfigError naming
        it otherwise."""
        from bot.ports import port_setting

        return default if self.port is None else port_setting("PORT", self.port)

    @property
    def has_tencent_credentials(self) -> bool:
        return self.tencentcloud_secret_id is not None and self.tencentcloud_secret_key is not None

    def secret_values(self) -> tuple[str, ...]:
        """Every secret's plain value, for the log and output guards that mask them."""
        values = [getattr(self, name) for name in type(self).model_fields]
        secrets = [v.get_secret_value() for v in values if isinstance(v, SecretStr)]
        for url in (self.recbot_database_url, self.recbot_redis_url):
            password = urlsplit(url).password if url else None
            if password:
                secrets.append(password)
        return tuple(secrets)

    def require(self, *fields: str, why: str) -> None:
        """Raise ConfigError naming every field in `fields` that is not set, and why it is needed.

        e.g. `settings.require("slack_bot_token", "slack_signing_secret", why="HTTP mode")`.
        """
        missing = [variable(f) for f in fields if getattr(self, f) in (None, "")]
        if missing:
            raise ConfigError(
                "\n".join(f"{name} is not set; it is needed for {why}" for name in missing)
            )


_URL_FIELDS = frozenset({"recbot_database_url", "recbot_redis_url"})


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, each starting with the variable's name; secrets never echoed."""
    lines: list[str] = []
    for item in error.errors(include_url=False):
        loc = item.get("loc", ())
        field = str(loc[0]) if loc else ""
        message = str(item.get("msg", "is not valid"))
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if not field:  # a model-level rule: the message names its variables itself
            lines.append(message)
            continue
        secret = field in Settings.model_fields and _is_secret_field(field)
        given = item.get("input")
        bound = _bound(str(item.get("type", "")), item.get("ctx") or {}, field)
        if bound is not None:
            message = bound
        if item.get("type") != "value_error" and not secret and isinstance(given, str | int):
            message = f"{given!r}: {_plain(message)}"
        elif item.get("type") != "value_error":
            message = _plain(message)
        lines.append(f"{variable(field)} {message}")
    return "\n".join(lines)


# Why a bound exists, said after it ("at most 20: ...").
BOUND_REASONS: dict[str, str] = {
    "recbot_rate_limit": "DescribeRecordTask allows 20 requests a second per account",
    "recbot_digest_tick_s": "digests must be checked at least once a minute",
    "recbot_max_body_bytes": "Slack's requests are far smaller",
}

_BOUND_WORDS = {
    "less_than_equal": ("le", "must be at most {}"),
    "less_than": ("lt", "must be less than {}"),
    "greater_than_equal": ("ge", "must be at least {}"),
    "greater_than": ("gt", "must be more than {}"),
}


def _bound(kind: str, ctx: dict[str, Any], field: str) -> str | None:
    """A numeric bound in our words ("must be at most 20: ..."), not pydantic's."""
    words = _BOUND_WORDS.get(kind)
    if words is None or words[0] not in ctx:
        return None
    limit = ctx[words[0]]
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)
    reason = BOUND_REASONS.get(field)
    text = words[1].format(limit)
    return f"{text} ({reason})" if reason else text


def _is_secret_field(field: str) -> bool:
    annotation = str(Settings.model_fields[field].annotation)
    return "SecretStr" in annotation


def _plain(pydantic_message: str) -> str:
    # "Input should be greater than 0" reads better after the name as "should be greater than 0".
    if pydantic_message.startswith("Input should be"):
        return pydantic_message[len("Input ") :]
    return pydantic_message[:1].lower() + pydantic_message[1:]


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings once at start; raise ConfigError naming each problem."""
    try:
        settings = Settings(**overrides)
        remember_secrets(settings.secret_values())
        return settings
    except ValidationError as exc:
        message = describe_validation_error(exc)
    except ConfigError as exc:  # from the config file source
        message = exc.user_message
    # A value may hold a secret set elsewhere (a key pasted into an endpoint); never echo it.
    raise ConfigError(mask_secrets(message, configured_secrets(overrides))) from None


def configured_secrets(overrides: Mapping[str, Any]) -> tuple[str, ...]:
    """Every secret as given, before validation: the secret variables and URL passwords from
    `overrides`, the environment and the config file."""
    sources: list[Mapping[str, Any]] = [overrides, {k.lower(): v for k, v in os.environ.items()}]
    config_file = os.environ.get(CONFIG_FILE_VARIABLE)
    if config_file:
        try:
            values = read_config_file(Path(config_file))
        except (ConfigError, OSError):
            values = {}
        sources.append({k.lower(): v for k, v in values.items()})
    secrets: list[str] = []
    for source in sources:
        for name, value in source.items():
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            if not isinstance(text, str) or not text or name not in Settings.model_fields:
                continue
            if _is_secret_field(name):
                secrets.append(text)
            elif name in _URL_FIELDS and "://" in text and urlsplit(text).password:
                secrets.append(str(urlsplit(text).password))
    return tuple(secrets)


def unknown_variables(environ: Iterable[str] | None = None) -> tuple[str, ...]:
    """RECBOT_* names in the environment that no setting reads (likely typos)."""
    names = os.environ if environ is None else environ
    known = {variable(f) for f in Settings.model_fields} | {CONFIG_FILE_VARIABLE}
    return tuple(
        sorted(n for n in names if n.upper().startswith("RECBOT_") and n.upper() not in known)
    )
