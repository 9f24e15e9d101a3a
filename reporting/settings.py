"""The one settings object, read once from the environment and an optional `.env` file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from dotenv import dotenv_values

from reporting.errors import SettingsError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///tallybot.db"
DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_ZALO_API_BASE_URL = "https://bot-api.zaloplatforms.com/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting tallybot reads; each field is the environment variable of the same name."""

    DATABASE_URL: str = DEFAULT_DATABASE_URL
    CAMPAIGN_FILE: str = ""
    TELEGRAM_BOT_TOKEN: str = ""
    TELEGRAM_API_BASE_URL: str = DEFAULT_TELEGRAM_API_BASE_URL
    TELEGRAM_MAX_RATE: int = 30
    TELEGRAM_BOT_USERNAME: str = ""
    ZALO_BOT_TOKEN: str = ""
    ZALO_API_BASE_URL: str = DEFAULT_ZALO_API_BASE_URL
    ZALO_MAX_RATE: int = 10
    ZALO_BOT_NAME: str = ""
    ZALO_BOT_LINK: str = ""
    PUBLIC_URL: str = ""
    HTTP_LISTEN: str = "127.0.0.1"
    HTTP_PORT: int = 8080
    WEBHOOK_SECRET: str = ""
    MEDIA_LINK_MINUTES: int = 10
    INVITE_DAYS: int = 14
    LOG_LEVEL: str = "INFO"

    @property
    def campaign_path(self) -> Path | None:
        """Returns the campaign file to load, or None for the bundled reference campaign."""
        return Path(self.CAMPAIGN_FILE) if self.CAMPAIGN_FILE else None


def load_settings(env: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Reads settings from `.env` (if present) overridden by the process environment."""
    dotenv_path = env_file if env_file is not None else Path(".env")
    values: dict[str, str] = {}
    if dotenv_path.is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if env is None else env)
    chosen: dict[str, object] = {}
    for field in fields(Settings):
        raw = values.get(field.name)
        if raw is None or raw == "":
            continue
        chosen[field.name] = _convert(field.name, raw, field.type)
    return Settings(**chosen)  # type: ignore[arg-type]


def _convert(name: str, raw: str, kind: object) -> object:
    if kind in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise SettingsError("settings.want_integer", name=name, value=raw) from None
    if name == "LOG_LEVEL":
        # logging takes only upper-case names and fails late, as an "unexpected" error
        if raw.strip().upper() not in LOG_LEVELS:
            choices = ", ".join(LOG_LEVELS)
            raise SettingsError("settings.want_one_of", name=name, value=raw, choices=choices)
        return raw.strip().upper()
    return raw.strip()
