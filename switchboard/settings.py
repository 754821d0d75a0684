"""The one settings class. Every setting is read from `SWITCHBOARD_*` environment variables
(or a `.env` file); nothing else in the code reads the environment."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from switchboard import currency as money_format
from switchboard.clock import parse_start
from switchboard.errors import ConfigError
from switchboard.files import create_private
from switchboard.hours import SupportHours

_FIXES: dict[str, str] = {
    "database_url": "Use sqlite+aiosqlite:///path/to.db or postgresql+asyncpg://user@host/db",
    "llm": "Use 'local' or 'openai:<model>', e.g. openai:gpt-4.1-mini",
    "embeddings": "Use 'local' or 'openai:<model>'",
    "mode": "Use 'demo' or 'production'",
    "support_hours": "Use e.g. 'Mon-Fri 08:00-20:00; Sat 09:00-13:00' or '24/7'",
    "time_zone": "Use an IANA time zone name, e.g. Europe/London",
    "widget_colour": "Use a hex colour, e.g. #123e7c",
    "notice_quiet_hours": "Use e.g. '21:00-08:00', or an empty value for none",
    "widget_logo_url": "Use a path on this server (/static/logo.png) or an https URL",
}


Trust = Literal["verified", "claimed", "anonymous"]


def _default_trust() -> dict[str, Trust]:
    return {"whatsapp": "verified", "sms": "claimed", "telegram": "anonymous"}


class Settings(BaseSettings):
    """Switchboard's configuration; see the README's table for each setting."""

    model_config = SettingsConfigDict(
        env_prefix="SWITCHBOARD_", env_file=".env", extra="ignore", frozen=True
    )

    mode: Literal["demo", "production"] = "demo"
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False

    database_url: str = ""
    redis_url: str | None = None

    chroma_path: Path | None = None
    chroma_url: str | None = None
    knowledge_dir: Path | None = None
    exemplars_dir: Path | None = None
    playbooks_dir: Path | None = None  # the operator's playbooks, beside the shipped ones
    embeddings: str = "local"
    embeddings_base_url: str | None = None
    embeddings_api_key: SecretStr | None = None

    llm: str = "local"
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_fallbacks: list[str] = Field(default_factory=list)
    llm_timeout_s: float = Field(default=30.0, gt=0, le=30.0)
    llm_max_tokens: int = Field(default=800, ge=16)
    llm_prompt_tokens: int = Field(default=6000, ge=500)
    llm_attempts: int = Field(default=2, ge=1, le=5)
    turn_timeout_s: float = Field(default=60.0, gt=0, le=600)
    # Turns that run at once in one process; 0: 4 with the local engine (CPU-bound: more only
    # slows them all and the API's own requests), 64 with a remote model (ADR 0012).
    max_concurrent_turns: int = Field(default=0, ge=0, le=10_000)

    bss_url: str | None = None
    # Where the operator's non-TMF coverage and outage API lives under `bss_url` (docs/bss.md)
    bss_extension_path: str = Field(default="/ext/v1", pattern=r"^/[A-Za-z0-9/_.-]*$")
    bss_timeout_s: float = Field(default=10.0, gt=0)
    bss_clock_speed: float = Field(default=60.0, gt=0)
    bss_database_url: str = ""
    # Credentials for the operator's BSS (tools/bss/auth.py); any combination, none by default.
    bss_api_key: SecretStr | None = None
    bss_api_key_header: str = Field(default="X-API-Key", min_length=1, max_length=64)
    bss_oauth_token_url: str | None = None
    bss_oauth_client_id: str | None = None
    bss_oauth_client_secret: SecretStr | None = None
    bss_oauth_scope: str | None = None
    bss_client_cert: Path | None = None
    bss_client_key: Path | None = None
    bss_ca_bundle: Path | None = None
    # What the built-in simulator demands of its clients (to test the above); none by default.
    bss_sim_api_key: SecretStr | None = None
    bss_sim_oauth_client_id: str | None = None
    bss_sim_oauth_client_secret: SecretStr | None = None
    bss_sim_token_ttl_s: int = Field(default=300, ge=1)
    # Run the demo world as if this instant were now (ISO date or date-time, UTC if no zone);
    # unset: the real today. Tests and evals set it (switchboard/clock.py, ADR 0013).
    clock_start: datetime | None = None

    token_secret: SecretStr | None = None
    jwt_public_key: str | None = None
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_issuer: str = "switchboard"
    jwt_audience: str = "switchboard-widget"
    token_ttl_s: int = Field(default=3600, ge=60)
    console_token: SecretStr | None = None

    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_access_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    # Approved WhatsApp templates (one body variable: the notice's text) for notices sent outside
    # the 24-hour customer service window: service notices and alerts, and marketing.
    whatsapp_template_utility: str = Field(default="switchboard_update", min_length=1)
    whatsapp_template_marketing: str = Field(default="switchboard_offer", min_length=1)
    whatsapp_template_language: str = Field(default="en_GB", min_length=2)
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    telegram_bot_token: SecretStr | None = None
    telegram_secret_token: SecretStr | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    # Where the SMS sender posts (Twilio's Messages API; a regional edge or a test double).
    twilio_api_url: str = "https://api.twilio.com"

    topup_min_per_transaction: float = Field(default=5.0, gt=0)
    topup_max_per_transaction: float = Field(default=50.0, gt=0)
    topup_max_per_day: float = Field(default=100.0, gt=0)
    spending_cap_max: float = Field(default=100.0, ge=0)  # a month, in the currency
    daily_spend_cap: float = Field(default=150.0, gt=0)
    action_ttl_s: int = Field(default=600, ge=10)
    # The recovery sweep (docs/decisions/0020-action-recovery.md): at start-up and every
    # `action_recovery_interval_s`, actions left confirmed/executing for `action_recovery_after_s`
    # are finished against the BSS with their idempotency key.
    action_recovery_interval_s: float = Field(default=30.0, gt=0)
    action_recovery_after_s: float = Field(default=60.0, ge=0)
    # Identity by channel strength (docs/decisions/0021-identity-by-channel.md). `verified`:
    # the channel proves the sender's number (WhatsApp); `claimed`: it does not (an SMS From
    # can be spoofed), so account reads wait for a one-time code texted to the line and writes
    # need step-up; `anonymous`: no account at all.
    channel_trust: dict[str, Trust] = Field(default_factory=_default_trust)
    # Per tool, what a claimed identity needs: `code` (the one-time code, once per
    # conversation), `step_up` (a fresh code for each write) or `never` (only signed in on the
    # web or app). Unlisted: reads `code`, writes `step_up`.
    claimed_tool_policy: dict[str, Literal["code", "step_up", "never"]] = Field(
        default_factory=dict
    )
    step_up_tools: list[str] = Field(default_factory=lambda: ["block_line", "unblock_line"])

    handoff_confidence_threshold: float = Field(default=0.35, ge=0, le=1)
    handoff_low_confidence_turns: int = Field(default=2, ge=1)
    # Knowledge gaps (docs/analytics.md): a turn answered below this confidence is a gap
    # (unset: the handoff threshold); questions whose average cosine is at least
    # `gaps_similarity` form one topic (measured in tests/api/test_gap_clustering.py).
    gaps_confidence_threshold: float | None = Field(default=None, ge=0, le=1)
    gaps_similarity: float = Field(default=0.4, gt=0, le=1)
    # Model prices for the cost estimate, USD per million tokens [prompt, completion] by model
    # name (e.g. {"gpt-4.1-mini": [0.4, 1.6]}); over the shipped table (switchboard/pricing.py).
    model_prices: dict[str, tuple[float, float]] = Field(default_factory=dict)
    # Customers who need attention: this many contacts about one capability within this many
    # days (2 = the automation rate's own "repeat contact").
    attention_window_days: int = Field(default=7, ge=1, le=90)
    attention_min_contacts: int = Field(default=2, ge=2)

    # Surveys (docs/decisions/0025-surveys.md): `survey_kind` (nps 0-10 or csat 1-5) is asked
    # after a resolved conversation, when the customer closes it or after `survey_idle_minutes`
    # of quiet (0: only on closing), at most once per customer per `survey_interval_days`.
    surveys: bool = True
    survey_kind: Literal["nps", "csat"] = "nps"
    survey_interval_days: int = Field(default=30, ge=0, le=365)
    survey_idle_minutes: float = Field(default=30.0, ge=0)
    # The operator's name as customers see it (replies, surveys, the widget's title), the
    # widget's colour and logo (a path on this server or an https URL; the page allows its origin).
    # Unset in demo mode with the built-in simulator: the demo world's
    # (bss.world.with_demo_identity); required in production.
    brand_name: str | None = Field(default=None, min_length=1, max_length=60)
    # Money as customers read it (switchboard/currency.py, Babel): an ISO 4217 currency (unset in
    # demo mode: the demo world's) and a CLDR locale for the number format.
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    locale: str = "en_GB"
    widget_colour: str = Field(default="#123e7c", pattern=r"^#[0-9a-fA-F]{6}$")
    widget_logo_url: str | None = Field(
        default=None, pattern=r"^(https://[A-Za-z0-9.-]+(:\d+)?)?/([^/\s\"'<>;][^\s\"'<>;]*)?$"
    )
    # The operator's time zone and when people answer (switchboard/hours.py): a handoff outside
    # these hours tells the customer when the team is back.
    time_zone: str = "Europe/London"
    support_hours: str = "24/7"
    # The agent desk (docs/desk.md): how long an agent's sign-in lasts, after how long a
    # conversation waiting for a person escalates to supervisors, and the helpdesk bridge — a
    # signed webhook on every handoff and a signed endpoint for the external desk's replies.
    agent_session_ttl_s: int = Field(default=8 * 3600, ge=60)
    desk_escalate_after_s: float = Field(default=300.0, gt=0)
    helpdesk_webhook_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    helpdesk_secret: SecretStr | None = None
    # Desk sign-in through the operator's OpenID Connect provider (authorization code + PKCE);
    # the claim below names an agent account that exists here (its role is ours to give).
    oidc_issuer: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(/\S*)?$")
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_username_claim: str = "preferred_username"

    # Proactive notices (docs/notices.md): none in the customer's quiet hours (in their time zone,
    # else `time_zone`; "" for none) — deferred to the end of them; at most `notice_daily_cap`
    # alerts and marketing notices per customer per 24 hours. `notice_worker` runs the notice
    # and outbox worker inside `serve` (turn it off where `switchboard worker` runs apart).
    notice_quiet_hours: str = Field(default="21:00-08:00", pattern=r"^(\d{2}:\d{2}-\d{2}:\d{2})?$")
    notice_daily_cap: int = Field(default=3, ge=0)
    notice_worker: bool = True
    notice_poll_s: float = Field(default=2.0, gt=0)
    # The schedule's alerts (api/notices/alerts.py): swept every `notice_sweep_interval_s`;
    # a renewal this many days ahead; a bill above the customer's median by this many spreads.
    notice_sweep_interval_s: float = Field(default=3600.0, gt=0)
    notice_renewal_days: int = Field(default=3, ge=0, le=60)
    notice_bill_shock_factor: float = Field(default=3.0, gt=0)
    # How long a claimed outbox row is left to its sender before another worker may retry it
    # (a worker killed mid-send: its row is sent again after this).
    outbox_lease_s: float = Field(default=60.0, gt=0)

    max_message_chars: int = Field(default=4000, ge=1)
    # Bytes a webhook body (WhatsApp, SMS, Telegram, BSS hub) may have; other routes allow
    # what the longest message needs. Counted as they arrive, chunked bodies included.
    max_webhook_bytes: int = Field(default=1_048_576, ge=1024)
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IPs or CIDRs). None by
    # default: behind no proxy, a client could otherwise name any address it likes.
    trusted_proxies: list[str] = Field(default_factory=list)
    rate_limit_per_minute: int = Field(default=30, ge=1)
    rate_limit_ip_per_minute: int = Field(default=120, ge=1)
    max_streams_per_conversation: int = Field(default=3, ge=1)
    conversation_token_budget: int = Field(default=200_000, ge=1000)
    max_tool_iterations: int = Field(default=5, ge=1)
    # GET /metrics needs the console token unless the port is only reachable by the scraper
    metrics_open: bool = False

    @field_validator("database_url", "bss_database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("unsupported database URL scheme")
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {value!r} (an IANA name, e.g. Europe/London)"
            raise ValueError(msg) from None
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        money_format.validate("GBP", value)  # ValueError names the locale
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str | None) -> str | None:
        if value is not None:
            money_format.validate(value, "en_GB")
        return value

    @property
    def brand(self) -> str:
        """The operator's name; a neutral phrase where none is configured (a bare test set-up)."""
        return self.brand_name or "your operator"

    @field_validator("support_hours")
    @classmethod
    def _readable_hours(cls, value: str) -> str:
        SupportHours.parse(value)  # ValueError says which part cannot be read
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def hours(self) -> SupportHours:
        return SupportHours.parse(self.support_hours)

    @field_validator("clock_start", mode="before")
    @classmethod
    def _clock_start(cls, value: object) -> object:
        return parse_start(value) if isinstance(value, str) else value

    @field_validator("llm", "embeddings")
    @classmethod
    def _known_model(cls, value: str) -> str:
        if value != "local" and not (value.startswith("openai:") and len(value) > len("openai:")):
            raise ValueError(f"unknown model {value!r}")
        return value

    @property
    def demo(self) -> bool:
        return self.mode == "demo"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'switchboard.db'}"

    @property
    def resolved_bss_database_url(self) -> str:
        return self.bss_database_url or f"sqlite+aiosqlite:///{self.data_dir / 'bss.db'}"

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    def resolved_token_secret(self) -> str:
        """The token-signing secret; in demo mode generated once and kept under `data_dir`."""
        return self._secret(self.token_secret, "SWITCHBOARD_TOKEN_SECRET", "token-secret")

    def resolved_console_token(self) -> str:
        """The bearer token of the agent console and admin API (generated in demo mode)."""
        return self._secret(self.console_token, "SWITCHBOARD_CONSOLE_TOKEN", "console-token")

    def _secret(self, value: SecretStr | None, setting: str, filename: str) -> str:
        fix = f"Set {setting} to a random string of 32+ characters"
        if value is not None:
            secret = value.get_secret_value()
            if len(secret) < 32:
                raise ConfigError(setting, "is shorter than 32 characters", fix)
            return secret
        if not self.demo:
            raise ConfigError(setting, "is required outside demo mode", fix)
        path = self.data_dir / filename
        create_private(path, secrets.token_urlsafe(48))  # 0600 from the start, never rewritten
        return path.read_text().strip()


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation failure into a one-line `ConfigError`."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        fix = _FIXES.get(field, "See the configuration table in the README")
        raise ConfigError(f"SWITCHBOARD_{field.upper()}", first["msg"], fix) from None
    remote_llm = settings.llm.startswith("openai:")
    if remote_llm and not settings.llm_base_url and not settings.llm_api_key:
        raise ConfigError(
            "SWITCHBOARD_LLM_API_KEY",
            f"is required for {settings.llm}",
            "Set SWITCHBOARD_LLM_API_KEY, or SWITCHBOARD_LLM_BASE_URL for a local server",
        )
    if settings.chroma_url and settings.chroma_path:
        raise ConfigError(
            "SWITCHBOARD_CHROMA_URL",
            "and SWITCHBOARD_CHROMA_PATH are both set",
            "Set only one: a server URL or a local directory",
        )
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, built once."""
    return load_settings()
