"""The one settings object: `.env.example` mirrors it, `.env` is read, the environment wins."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from reporting.errors import SettingsError
from reporting.settings import DEFAULT_DATABASE_URL, Settings, load_settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def _example() -> dict[str, str]:
    """Returns the KEY=value lines of `.env.example` (comments skipped)."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    found = [match.groups() for line in lines if (match := ASSIGNMENT.match(line.strip()))]
    keys = [key for key, _ in found]
    assert len(keys) == len(set(keys)), "a setting is listed twice in .env.example"
    return dict(found)


def test_env_example_lists_exactly_the_settings_fields() -> None:
    assert set(_example()) == {field.name for field in fields(Settings)}


def test_env_example_shows_the_defaults() -> None:
    defaults = Settings()
    for key, value in _example().items():
        assert value == str(getattr(defaults, key)), key


def test_no_env_and_no_dotenv_gives_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(env={}, env_file=tmp_path / ".env")
    assert settings == Settings()
    assert settings.DATABASE_URL == DEFAULT_DATABASE_URL
    assert settings.campaign_path is None


def test_dotenv_is_read(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("INVITE_DAYS=7\nCAMPAIGN_FILE=other.toml\n# LOG_LEVEL=DEBUG\n")
    settings = load_settings(env={}, env_file=dotenv)
    assert settings.INVITE_DAYS == 7
    assert settings.campaign_path == Path("other.toml")
    assert settings.LOG_LEVEL == "INFO"


def test_environment_overrides_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("DATABASE_URL=sqlite+aiosqlite:///from-file.db\nHTTP_PORT=9000\n")
    env = {"DATABASE_URL": "sqlite+aiosqlite:///from-env.db"}
    settings = load_settings(env=env, env_file=dotenv)
    assert settings.DATABASE_URL == "sqlite+aiosqlite:///from-env.db"
    assert settings.HTTP_PORT == 9000


def test_process_environment_is_used_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    settings = load_settings(env_file=tmp_path / ".env")
    assert settings.TELEGRAM_BOT_TOKEN == "123:abc"


def test_empty_value_keeps_the_default(tmp_path: Path) -> None:
    settings = load_settings(env={"HTTP_PORT": "", "LOG_LEVEL": ""}, env_file=tmp_path / "x")
    assert (settings.HTTP_PORT, settings.LOG_LEVEL) == (8080, "INFO")


def test_values_are_trimmed(tmp_path: Path) -> None:
    env = {"LOG_LEVEL": " DEBUG ", "INVITE_DAYS": " 3 "}
    settings = load_settings(env=env, env_file=tmp_path / ".env")
    assert (settings.LOG_LEVEL, settings.INVITE_DAYS) == ("DEBUG", 3)


@pytest.mark.parametrize("value", ["abc", "14 days", "1.5"])
def test_bad_integer_is_a_settings_error_naming_the_setting(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="INVITE_DAYS"):
        load_settings(env={"INVITE_DAYS": value}, env_file=tmp_path / ".env")


def test_log_level_is_checked_and_upper_cased(tmp_path: Path) -> None:
    assert load_settings(env={"LOG_LEVEL": "warning"}, env_file=tmp_path / ".env").LOG_LEVEL == (
        "WARNING"
    )
    with pytest.raises(SettingsError, match="LOG_LEVEL"):
        load_settings(env={"LOG_LEVEL": "VERBOSE"}, env_file=tmp_path / ".env")


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.LOG_LEVEL = "DEBUG"  # type: ignore[misc]


def test_a_bad_setting_is_said_in_the_reader_s_language(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(env={"LOG_LEVEL": "VERBOSE"}, env_file=tmp_path / ".env")
    assert refused.value.message("vi") == (
        "Cấu hình LOG_LEVEL='VERBOSE': cần một trong các giá trị"
        " DEBUG, INFO, WARNING, ERROR, CRITICAL."
    )
    assert refused.value.message("en") == (
        "Setting LOG_LEVEL='VERBOSE': expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL."
    )
