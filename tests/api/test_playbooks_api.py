"""Playbooks over the API, on the real runtime (local engine, built-in BSS simulator): an
operator's new journey from a folder, a broken file refused at start-up while the service runs
with the rest, the journey surviving a restart, and the three failures issue #18 quotes."""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from assistant.service.runtime import Runtime, build_runtime
from switchboard import clock
from switchboard.settings import Settings
from tests.api.conftest import ALICE, Frame, in_own_task, make_settings, parse_frames

pytestmark = pytest.mark.timeout(300)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "playbooks"
FARID = "+447700900006"  # his line is suspended as lost in the demo world
BROKEN = """\
name: broken
title: Broken
capability: faq
trigger:
  examples: [a broken journey]
steps:
  - id: first
    kind: call
    tool: reset_password
  - id: bye
    kind: exit
"""


@dataclass
class Client:
    http: httpx.AsyncClient
    runtime: Runtime

    async def conversation(self, msisdn: str = ALICE) -> tuple[str, dict[str, str]]:
        token = (await self.http.post("/v1/demo/session", json={"msisdn": msisdn})).json()
        headers = {"Authorization": f"Bearer {token['token']}"}
        self.http.cookies.clear()
        created = await self.http.post("/v1/conversations", headers=headers)
        assert created.status_code == 201, created.text
        return str(created.json()["conversation_id"]), headers

    async def say(self, cid: str, headers: dict[str, str], text: str) -> list[Frame]:
        body = {"text": text, "client_message_id": str(uuid.uuid4())}
        response = await self.http.post(
            f"/v1/conversations/{cid}/messages", json=body, headers=headers
        )
        assert response.status_code == 200, response.text
        frames = parse_frames(response.text)
        assert frames[-1].event == "turn.completed", frames[-1]
        return frames


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    return make_settings(tmp_path, bss_clock_speed=1e9, **overrides)


@asynccontextmanager
async def _serving(settings: Settings) -> AsyncIterator[Client]:
    @asynccontextmanager
    async def app_context() -> AsyncIterator[tuple[Any, Runtime]]:
        async with build_runtime(settings, with_retriever=False) as runtime:
            app = create_app(settings, runtime=runtime)
            async with app.router.lifespan_context(app):
                yield app, runtime

    async with in_own_task(app_context()) as (app, runtime):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Client(http, runtime)


def _events(frames: list[Frame], name: str) -> list[dict[str, Any]]:
    return [f.data for f in frames if f.event == name]


def _reply(frames: list[Frame]) -> str:
    return str(frames[-1].data["text"])


def _journey(frames: list[Frame]) -> dict[str, Any]:
    (state,) = _events(frames, "playbook.step")
    return state


async def test_an_operator_adds_a_journey_with_a_file_and_no_code(tmp_path: Path) -> None:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    shutil.copy(EXAMPLE / "billing_address.yaml", folder / "billing_address.yaml")
    async with _serving(_settings(tmp_path, playbooks_dir=folder)) as client:
        cid, headers = await client.conversation()
        first = await client.say(cid, headers, "I need to change my billing address")
        assert _journey(first)["playbook"] == "billing_address"
        assert "postcode of the new address" in _reply(first)
        await client.say(cid, headers, "SW4 7AA")
        checking = await client.say(cid, headers, "12 Clapham Road")
        assert "12 Clapham Road, SW4 7AA. Is that right?" in _reply(checking)
        done = await client.say(cid, headers, "yes")
        (handoff,) = _events(done, "handoff")
        assert "12 Clapham Road, SW4 7AA" in handoff["summary"]
        assert _journey(done)["status"] == "handed_off"
        assert done[-1].data["outcome"] == "handed_off"


async def test_a_broken_playbook_is_refused_with_file_line_and_the_service_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    shutil.copy(EXAMPLE / "billing_address.yaml", folder / "billing_address.yaml")
    with caplog.at_level(logging.WARNING, logger="assistant.playbooks.loader"):
        async with _serving(_settings(tmp_path, playbooks_dir=folder)) as client:
            library = client.runtime.service.deps.playbooks
            assert library is not None
            assert "broken" not in library.playbooks
            assert {"billing_address", "no_signal", "port_in"} <= set(library.playbooks)
            cid, headers = await client.conversation()
            frames = await client.say(cid, headers, "change my billing address")
            assert _journey(frames)["playbook"] == "billing_address"
    refused = [r.getMessage() for r in caplog.records if "playbook refused" in r.getMessage()]
    assert refused == [
        f"playbook refused: {folder / 'broken.yaml'}:9: unknown tool "
        "'reset_password' (tools/registry.py TOOL_SPECS)"
    ]


async def test_a_port_in_number_answered_to_which_number_is_not_call_forwarding(
    tmp_path: Path,
) -> None:
    async with _serving(_settings(tmp_path)) as client:
        cid, headers = await client.conversation()
        await client.say(cid, headers, "I want to bring my number over from another network")
        answer = await client.say(cid, headers, "07700 900123")
        assert _events(answer, "action.proposed") == []
        assert all(c["tool"] != "set_call_feature" for c in _events(answer, "tool.call"))
        assert "PAC" in _reply(answer)
        assert _journey(answer)["slots"]["number"] == "+447700900123"


async def test_detail_added_to_a_fault_report_keeps_the_postcode_and_yes_executes(
    tmp_path: Path,
) -> None:
    async with _serving(_settings(tmp_path)) as client:
        cid, headers = await client.conversation()
        first = await client.say(cid, headers, "no signal at home in M1 4BT, please report it")
        (quote,) = _events(first, "action.proposed")
        assert quote["tool"] == "report_fault" and quote["args"]["postcode"] == "M1 4BT"
        more = await client.say(cid, headers, "it also drops calls when I'm indoors")
        (amended,) = _events(more, "action.proposed")
        assert amended["args"]["postcode"] == "M1 4BT"
        assert "drops calls" in amended["args"]["description"]
        done = await client.say(cid, headers, "yes")
        (executed,) = _events(done, "action.executed")
        assert executed["action_id"] == amended["action_id"] and executed["status"] == "ok"
        assert "nothing" not in _reply(done).lower()


async def test_my_phone_turned_up_unblocks_it_after_a_yes_never_blocks(tmp_path: Path) -> None:
    async with _serving(_settings(tmp_path)) as client:
        cid, headers = await client.conversation(FARID)  # a verified (stepped-up) session
        frames = await client.say(cid, headers, "my phone turned up, unblock it")
        assert all(c["tool"] != "block_line" for c in _events(frames, "tool.call"))
        (quote,) = _events(frames, "action.proposed")
        assert quote["tool"] == "unblock_line" and quote["args"]["msisdn"] == FARID
        assert "Unblock" in _reply(frames)
        line = await client.runtime.bss.get_product(
            customer_id="cust-006", product_id="line-900006"
        )
        assert line.status == "suspended"  # nothing before the yes
        done = await client.say(cid, headers, "yes")
        (executed,) = _events(done, "action.executed")
        assert executed["action_id"] == quote["action_id"] and executed["status"] == "ok"
        assert _journey(done)["status"] == "done"
        line = await client.runtime.bss.get_product(
            customer_id="cust-006", product_id="line-900006"
        )
        assert line.status == "active"


async def test_a_journey_survives_a_restart(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    async with _serving(settings) as client:
        cid, headers = await client.conversation()
        first = await client.say(cid, headers, "I want to bring my number over")
        assert _journey(first)["step"] == "number"
    async with _serving(settings) as client:  # a new process: nothing kept in memory
        token = headers
        answer = await client.say(cid, token, "07700 900123")
        assert _journey(answer)["step"] == "pac"
        assert _journey(answer)["slots"]["number"] == "+447700900123"


async def test_back_after_hours_a_journey_resumes_or_starts_again(tmp_path: Path) -> None:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    shutil.copy(EXAMPLE / "billing_address.yaml", folder / "billing_address.yaml")
    async with _serving(_settings(tmp_path, playbooks_dir=folder)) as client:
        cid, headers = await client.conversation()
        await client.say(cid, headers, "no signal at home")  # no_signal: resume after 12 h
        with clock.use_clock(clock.now() + timedelta(hours=13)):
            back = await client.say(cid, headers, "M1 4BT")
        assert _reply(back).startswith("Welcome back. We were in the middle of your no signal")
        assert _journey(back)["slots"]["postcode"] == "M1 4BT"

        other, _ = await client.conversation()
        await client.say(other, headers, "change my billing address")  # restart after 48 h
        await client.say(other, headers, "SW4 7AA")
        with clock.use_clock(clock.now() + timedelta(hours=49)):
            again = await client.say(other, headers, "12 Clapham Road")
        assert "start your billing address change again" in _reply(again)
        assert (
            _journey(again)["step"] == "postcode"
            and _journey(again)["slots"].get("postcode") is None
        )


async def test_a_journey_follows_the_customer_to_another_conversation(tmp_path: Path) -> None:
    async with _serving(_settings(tmp_path)) as client:
        web, headers = await client.conversation()
        await client.say(web, headers, "I want to bring my number over")
        await client.say(web, headers, "07700 900123")  # the web chat now asks for the PAC
        other, _ = await client.conversation()  # the customer opens another channel
        unrelated = await client.say(other, headers, "what's my balance?")
        assert _events(unrelated, "playbook.step") == []  # a new request is not the journey
        phone, _ = await client.conversation()  # and another, where they send the PAC
        answer = await client.say(phone, headers, "ABC123456")
        (quote,) = _events(answer, "action.proposed")
        assert quote["tool"] == "start_service_request" and quote["args"]["kind"] == "port_in"
        assert quote["args"]["port_msisdn"] == "+447700900123"
        assert quote["args"]["pac_code"] == "ABC123456"
        assert _reply(answer).startswith("Welcome back. We were in the middle of your number")
        done = await client.say(phone, headers, "yes")
        assert _events(done, "action.executed")[0]["status"] == "ok"
