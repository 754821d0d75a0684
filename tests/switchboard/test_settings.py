"""Settings: defaults that need no server, and one-line actionable errors for mistakes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from switchboard.errors import ConfigError
from switchboard.settings import load_settings


def test_defaults_are_the_embedded_ones(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'switchboard.db'}"
    assert settings.llm == "local"
    assert settings.bss_url is None
    assert settings.redis_url is None
    assert settings.resolved_chroma_path == tmp_path / "chroma"


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"llm": "gpt-4"}, "SWITCHBOARD_LLM"),
        ({"database_url": "mysql://x"}, "SWITCHBOARD_DATABASE_URL"),
        ({"port": 70000}, "SWITCHBOARD_PORT"),
        ({"llm": "openai:gpt-4.1-mini"}, "SWITCHBOARD_LLM_API_KEY"),
        ({"chroma_url": "http://x", "chroma_path": "/tmp/x"}, "SWITCHBOARD_CHROMA_URL"),
        ({"locale": "xx_QQ"}, "SWITCHBOARD_LOCALE"),
        ({"currency": "POUNDS"}, "SWITCHBOARD_CURRENCY"),
        ({"currency": "XYZ"}, "SWITCHBOARD_CURRENCY"),
    ],
)
def test_a_wrong_setting_is_named_with_a_fix(overrides: dict[str, object], setting: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(**overrides)
    message = str(caught.value)
    assert message.startswith(setting)
    assert "\n" not in message


def test_the_token_secret_is_generated_once_in_demo_mode(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    first = settings.resolved_token_secret()
    assert len(first) >= 32
    assert load_settings(data_dir=tmp_path).resolved_token_secret() == first


def test_the_token_secret_is_required_outside_demo_mode(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SWITCHBOARD_TOKEN_SECRET"):
        load_settings(data_dir=tmp_path, mode="production").resolved_token_secret()


SECRETS = {"SWITCHBOARD_TOKEN_SECRET": "t" * 40, "SWITCHBOARD_CONSOLE_TOKEN": "c" * 40}


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"SWITCHBOARD_LLM": "gpt4"}, "SWITCHBOARD_LLM"),
        ({"SWITCHBOARD_DATABASE_URL": "oracle://db"}, "SWITCHBOARD_DATABASE_URL"),
        ({"SWITCHBOARD_MODE": "production"}, "SWITCHBOARD_TOKEN_SECRET"),
        ({"SWITCHBOARD_MODE": "production", **SECRETS}, "SWITCHBOARD_BSS_URL"),
        (
            {
                "SWITCHBOARD_MODE": "production",
                **SECRETS,
                "SWITCHBOARD_BSS_URL": "https://b.example",
            },
            "SWITCHBOARD_DATABASE_URL",
        ),
        (
            {
                "SWITCHBOARD_MODE": "production",
                **SECRETS,
                "SWITCHBOARD_BSS_URL": "https://bss.example",
                "SWITCHBOARD_DATABASE_URL": "postgresql+asyncpg://db.example/switchboard",
            },
            "SWITCHBOARD_PUBLIC_BASE_URL",
        ),
        (
            {
                "SWITCHBOARD_MODE": "production",
                **SECRETS,
                "SWITCHBOARD_BSS_URL": "https://bss.example",
                "SWITCHBOARD_DATABASE_URL": "postgresql+asyncpg://db.example/switchboard",
                "SWITCHBOARD_PUBLIC_BASE_URL": "https://help.example",
            },
            "SWITCHBOARD_BRAND_NAME",
        ),
        (
            {
                "SWITCHBOARD_MODE": "production",
                **SECRETS,
                "SWITCHBOARD_BSS_URL": "https://bss.example",
                "SWITCHBOARD_DATABASE_URL": "postgresql+asyncpg://db.example/switchboard",
                "SWITCHBOARD_PUBLIC_BASE_URL": "https://help.example",
                "SWITCHBOARD_BRAND_NAME": "Acme",
            },
            "SWITCHBOARD_CURRENCY",
        ),
    ],
)
def test_the_cli_stops_with_one_line_and_a_non_zero_exit(
    env: dict[str, str], setting: str, tmp_path: Path
) -> None:
    command = "serve" if "SWITCHBOARD_MODE" in env else "db"
    args = [command] if command == "serve" else ["db", "upgrade"]
    result = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        env={**os.environ, "SWITCHBOARD_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]
