"""The one-time-code dialogue of a *claimed* messaging identity (an SMS From can be spoofed).

Account reads of a claimed identity wait for a code texted to the claimed line: a spoofer sends
from Alice's number but the code goes to Alice's phone. When a turn's account tool was refused
for want of it, a challenge starts (its SMS goes through the outbox); a reply that is just the
code proves the line for the rest of that conversation. A write needs step-up: a fresh code
for each one (`stepped_up`, used up by the next write the assistant runs), or only the signed-in
web or app, per `settings.claimed_tool_policy`. docs/decisions/0021-identity-by-channel.md."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.otp import start_challenge, verify_challenge
from switchboard.db.eventlog import StoredEvent
from switchboard.db.models import Conversation
from switchboard.errors import SwitchboardError
from tools.registry import STEP_UP_BY_CODE, VERIFY_BY_CODE, WRITE_TOOLS

CODE = re.compile(r"^\s*(\d{6})\s*$")
CONFIRMED = "Thanks, that's confirmed. What would you like to know about your account?"
STEPPED_UP = "Thanks, that's confirmed. Ask me again and I'll go ahead."
WRONG = "That code isn't right or has expired. Ask me again and I'll send a new one."


class CodeDialogue:
    """State lives in the conversation: `otp_challenge` and its `otp_purpose` (verify or
    step_up), `code_verified`, `stepped_up`."""

    def __init__(self, sessionmaker: async_sessionmaker[Any], *, secret: str, brand: str) -> None:
        self._sessionmaker = sessionmaker
        self._secret = secret
        self._brand = brand

    async def _state(self, conversation_id: str) -> dict[str, Any]:
        async with self._sessionmaker() as session:
            row = await session.get(Conversation, conversation_id, populate_existing=True)
            return dict(row.state or {}) if row is not None else {}

    async def _update(self, conversation_id: str, **changes: Any) -> None:
        async with self._sessionmaker() as session, session.begin():
            row = await session.get(Conversation, conversation_id, with_for_update=True)
            assert row is not None
            state = {**dict(row.state or {}), **changes}
            values: dict[str, Any] = {"state": state}
            if changes.get("code_verified"):
                values["verified"] = True
            await session.execute(
                update(Conversation).where(Conversation.id == conversation_id).values(**values)
            )

    async def standing(self, conversation_id: str) -> tuple[bool, bool]:
        """(gave the code in this conversation, holds a fresh code for one write)."""
        state = await self._state(conversation_id)
        return bool(state.get("code_verified")), bool(state.get("stepped_up"))

    async def answer_code(self, conversation_id: str, text: str) -> str | None:
        """The reply to a message that is a code for the pending challenge; None otherwise."""
        match = CODE.match(text)
        state = await self._state(conversation_id)
        challenge = state.get("otp_challenge")
        if match is None or not challenge:
            return None
        try:
            await verify_challenge(
                self._sessionmaker, challenge_id=challenge, code=match.group(1), secret=self._secret
            )
        except SwitchboardError:
            await self._update(conversation_id, otp_challenge=None)
            return WRONG
        step_up = state.get("otp_purpose") == "step_up"
        await self._update(
            conversation_id, otp_challenge=None, code_verified=True, stepped_up=step_up
        )
        return STEPPED_UP if step_up else CONFIRMED

    async def after_turn(
        self, conversation_id: str, msisdn: str, events: list[StoredEvent]
    ) -> None:
        """A write the turn ran used up the step-up; a tool that waited for a code gets one
        texted to the line (one challenge pending at a time)."""
        if any(e.type == "tool.call" and e.data.get("tool") in WRITE_TOOLS for e in events):
            await self._update(conversation_id, stepped_up=False)
        refusals = {e.data.get("summary") for e in events if e.type == "tool.result"}
        purpose = (
            "step_up"
            if STEP_UP_BY_CODE in refusals
            else "verify"
            if VERIFY_BY_CODE in refusals
            else None
        )
        state = await self._state(conversation_id)
        if purpose is None or (state.get("otp_challenge") and state.get("otp_purpose") == purpose):
            return
        challenge_id, _ = await start_challenge(
            self._sessionmaker, msisdn=msisdn, secret=self._secret, operator=self._brand
        )
        await self._update(conversation_id, otp_challenge=challenge_id, otp_purpose=purpose)
