"""What production mode refuses at start-up: the demo defaults an operator must replace (the
built-in simulator, a database file under the data directory, a local public URL, generated
secrets, the demo world's name and currency), each as a `ConfigError` naming the setting and
the fix. `switchboard serve` checks before binding a port."""

from __future__ import annotations

from switchboard.errors import ConfigError
from switchboard.settings import Settings


def check_production(settings: Settings) -> None:
    """In production mode, refuse the demo defaults an operator must replace (ConfigError)."""
    if settings.demo:
        return
    settings.resolved_token_secret()
    settings.resolved_console_token()
    if not settings.bss_url:
        raise ConfigError(
            "SWITCHBOARD_BSS_URL",
            "is unset, which serves the built-in demo BSS simulator",
            "Set it to the base URL of the operator's TMF Open APIs (and their credentials)",
        )
    if not settings.database_url:
        raise ConfigError(
            "SWITCHBOARD_DATABASE_URL",
            "is unset, which keeps conversations in a SQLite file under the data directory",
            "Set a PostgreSQL URL (postgresql+asyncpg://…), or an explicit sqlite+aiosqlite "
            "URL for a single node",
        )
    if "127.0.0.1" in settings.public_base_url or "localhost" in settings.public_base_url:
        raise ConfigError(
            "SWITCHBOARD_PUBLIC_BASE_URL",
            f"is {settings.public_base_url}, a local address",
            "Set the https URL customers and webhooks reach Switchboard at",
        )
    if not settings.brand_name or not settings.currency:
        raise ConfigError(
            "SWITCHBOARD_BRAND_NAME" if not settings.brand_name else "SWITCHBOARD_CURRENCY",
            "is unset (the demo world's operator name and currency are for demo mode)",
            "Set the operator's name as customers know it and its ISO 4217 currency, e.g. "
            "SWITCHBOARD_BRAND_NAME=Acme SWITCHBOARD_CURRENCY=EUR SWITCHBOARD_LOCALE=de_DE",
        )
