"""Schemathesis against the published OpenAPI: no 5xx and no response outside the schema.

Every route but the conversation's event stream, which never ends (its resume point is fuzzed by
tests/api/test_fuzz_edges.py, with the signed webhook bodies); a turn's stream ends and is
fuzzed here. Requests carry a demo customer's token, so they reach
past authentication into the routes. The test also checks the served /openapi.json is the one
fuzzed."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from switchboard.settings import load_settings
from tests.api.conftest import ALICE, free_port
from tests.api.server import subprocess_server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    env = {
        "SWITCHBOARD_DATA_DIR": str(data_dir),
        "SWITCHBOARD_TOKEN_SECRET": "f" * 40,
        "SWITCHBOARD_RATE_LIMIT_PER_MINUTE": "100000",
        "SWITCHBOARD_RATE_LIMIT_IP_PER_MINUTE": "100000",
        # inbound channel secrets, so the webhooks reach their signature checks (unconfigured,
        # they answer 503 `channel_not_configured`: tests/api/channels/test_whatsapp.py)
        "SWITCHBOARD_WHATSAPP_APP_SECRET": "w" * 32,
        "SWITCHBOARD_WHATSAPP_VERIFY_TOKEN": "v" * 32,
        "SWITCHBOARD_TWILIO_AUTH_TOKEN": "t" * 32,
        "SWITCHBOARD_TELEGRAM_SECRET_TOKEN": "g" * 32,
        "SWITCHBOARD_HELPDESK_SECRET": "h" * 32,  # the helpdesk bridge's inbound events
    }
    with subprocess_server(env, port=free_port()) as base:
        token = httpx.post(f"{base}/v1/demo/session", json={"msisdn": ALICE}).json()["token"]
        yield base, {"Authorization": f"Bearer {token}"}


def _published_schema() -> dict[str, object]:
    """The OpenAPI the app publishes at /openapi.json (building it needs no runtime)."""
    settings = load_settings(token_secret="f" * 40, data_dir=Path(tempfile.gettempdir()))
    return create_app(settings, runtime=object()).openapi()


pytestmark = pytest.mark.slow
# Every published route: customer-facing, the channels' webhooks and the BSS listener (unsigned
# requests: their documented 401), and the console and admin routes (a customer token is not
# staff: their documented 401).
schema = schemathesis.openapi.from_dict(_published_schema()).exclude(
    path_regex=r"/conversations/\{conversation_id\}/events$"
)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(
    case: schemathesis.Case, served: tuple[str, dict[str, str]]
) -> None:
    base, auth = served
    case.call_and_validate(base_url=base, headers=auth)


def test_the_fuzzed_schema_is_the_served_one(served: tuple[str, dict[str, str]]) -> None:
    assert httpx.get(f"{served[0]}/openapi.json").json() == _published_schema()
