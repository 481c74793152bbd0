"""One typed settings object, read once at start from the environment and passed down."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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


class Settings(BaseSettings):
    """Every variable is documented in the README's configuration table."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

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

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None

    # Storage and replicas
    recbot_database_url: str = "sqlite:///recbot.sqlite3"
    recbot_redis_url: str | None = None

    # Access
    recbot_access_file: str | None = None

    # Operations
    recbot_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    recbot_log_format: Literal["auto", "json", "text"] = "auto"

    @property
    def has_tencent_credentials(self) -> bool:
        return self.tencentcloud_secret_id is not None and self.tencentcloud_secret_key is not None

    def secret_values(self) -> tuple[str, ...]:
        """Every secret's plain value, for the log and output guards that mask them."""
        values = (getattr(self, name) for name in type(self).model_fields)
        return tuple(v.get_secret_value() for v in values if isinstance(v, SecretStr))


def load_settings() -> Settings:
    return Settings()
