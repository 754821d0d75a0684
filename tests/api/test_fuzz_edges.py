"""Hypothesis fuzz of the edges schemathesis cannot reach: the SSE resume point (header and
query) and the three webhook bodies *with valid signatures*, so the fuzz gets past
authentication into the parsers. Against a real server process (real conversation service,
channel bridge and BSS simulator; scripted model). Asserts no response >= 500, and that no
stream slot is left taken afterwards. Each test prints how many cases it ran."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.api.channels.conftest import spec
from tests.api.conftest import ALICE, free_port
from tests.api.server import subprocess_server

pytestmark = pytest.mark.slow
APP_SECRET, TWILIO_TOKEN, TELEGRAM_SECRET = "w" * 32, "t" * 32, "g" * 32
CAP = 2  # streams per conversation
EXAMPLES = 120
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Served:
    base: str
    headers: dict[str, str]
    conversation_id: str
    statuses: Counter[int] = field(default_factory=Counter)

    def record(self, response: httpx.Response) -> None:
        self.statuses[response.status_code] += 1
        assert response.status_code < 500, response.text


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    port = free_port()
    env = {
        "SWITCHBOARD_DATA_DIR": str(tmp_path_factory.mktemp("fuzz-edges")),
        "SWITCHBOARD_TOKEN_SECRET": "f" * 40,
        "SWITCHBOARD_RATE_LIMIT_PER_MINUTE": "1000000",
        "SWITCHBOARD_RATE_LIMIT_IP_PER_MINUTE": "1000000",
        "SWITCHBOARD_MAX_STREAMS_PER_CONVERSATION": str(CAP),
        "SWITCHBOARD_WHATSAPP_APP_SECRET": APP_SECRET,
        "SWITCHBOARD_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "SWITCHBOARD_TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "SWITCHBOARD_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SWITCHBOARD_BSS_CLOCK_SPEED": "1000000000",
    }
    factory = "tests.api.crash_app:create_crash_app"
    with subprocess_server(env, port=port, factory=factory, start_timeout_s=120) as base:
        token = httpx.post(f"{base}/v1/demo/session", json={"msisdn": ALICE}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        cid = httpx.post(f"{base}/v1/conversations", headers=headers).json()["conversation_id"]
        yield Served(base, headers, cid)


def _all_slots_free(served: Served) -> bool:
    """`CAP` streams of the conversation open at once (then closed)."""
    path = f"{served.base}/v1/conversations/{served.conversation_id}/events"
    with httpx.Client(headers=served.headers, timeout=10) as client:
        opened = [client.send(client.build_request("GET", path), stream=True) for _ in range(CAP)]
        ok = all(r.status_code == 200 for r in opened)
        for response in opened:
            response.close()
    return ok


# Header bytes a client can send (h11 refuses control characters): ASCII and obs-text.
HEADER_BYTES = st.binary(min_size=0, max_size=24).map(
    lambda raw: bytes(b for b in raw if b in (9, 32) or 33 <= b <= 126 or b >= 128).strip()
)
EVENT_IDS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: str(n).encode()),
    HEADER_BYTES,
)
AFTER = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), st.text(max_size=24))


def test_fuzzed_resume_points_never_5xx_and_never_keep_a_slot(served: Served) -> None:
    path = f"{served.base}/v1/conversations/{served.conversation_id}/events"
    cases = 0

    @FUZZ
    @given(last_event_id=st.none() | EVENT_IDS, after=st.none() | AFTER)
    def resume(last_event_id: bytes | None, after: str | None) -> None:
        nonlocal cases
        cases += 1
        headers: dict[str, Any] = dict(served.headers)
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        params = {"after": after} if after is not None else {}
        with (
            httpx.Client(timeout=10) as client,
            client.stream("GET", path, headers=headers, params=params) as response,
        ):
            served.record(response)

    resume()
    deadline = time.monotonic() + 10  # a closed stream gives its slot back within moments
    while not _all_slots_free(served):
        assert time.monotonic() < deadline, "a stream slot was left taken"
        time.sleep(0.2)
    print(f"resume fuzz: {cases} cases, statuses {dict(served.statuses)}")


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _replaced(example: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copied = copy.deepcopy(example)
    holder = copied
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return copied


def mutations(example: Any) -> st.SearchStrategy[Any]:
    """The valid example with one part replaced by any JSON value — or any JSON at all."""
    swapped = st.tuples(st.sampled_from(_paths(example)), JSON).map(
        lambda pair: _replaced(example, *pair)
    )
    return st.one_of(swapped, swapped, JSON)


def _count(name: str, served: Served, cases: int) -> None:
    print(f"{name} fuzz: {cases} cases, statuses so far {dict(served.statuses)}")


def test_signed_whatsapp_bodies_never_5xx(served: Served) -> None:
    example = spec("whatsapp/inbound-text-message.webhook.json")
    cases = 0

    @FUZZ
    @given(payload=mutations(example))
    def post(payload: Any) -> None:
        nonlocal cases
        cases += 1
        body = json.dumps(payload).encode()
        digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        response = httpx.post(
            f"{served.base}/v1/webhooks/whatsapp",
            content=body,
            headers={"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"},
            timeout=30,
        )
        served.record(response)

    post()
    _count("whatsapp", served, cases)


def test_telegram_updates_never_5xx(served: Served) -> None:
    cases = 0
    examples = [
        spec(f"telegram/{name}.json") for name in ("update-text-message", "update-callback-query")
    ]

    @FUZZ
    @given(payload=st.one_of(*(mutations(e) for e in examples)))
    def post(payload: Any) -> None:
        nonlocal cases
        cases += 1
        response = httpx.post(
            f"{served.base}/v1/webhooks/telegram",
            json=payload,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
            timeout=30,
        )
        served.record(response)

    post()
    _count("telegram", served, cases)


VALUES = st.text(max_size=40)
FORM_NAMES = st.sampled_from(["MessageSid", "SmsMessageSid", "From", "To", "Body", "NumMedia"])


def test_signed_sms_forms_never_5xx(served: Served) -> None:
    cases = 0
    url = f"{served.base}/v1/webhooks/sms"

    @FUZZ
    @given(
        form=st.dictionaries(
            FORM_NAMES | st.text(min_size=1, max_size=8), st.text(max_size=40), max_size=6
        )
    )
    def post(form: dict[str, str]) -> None:
        nonlocal cases
        cases += 1
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
        response = httpx.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)
        served.record(response)

    post()
    _count("sms", served, cases)
