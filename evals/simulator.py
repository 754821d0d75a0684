"""An LLM plays the customer of a `simulate` case, towards the case's goal (needs a real model)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage

from evals.result import TurnRecord
from evals.suite import Case

DONE = "[DONE]"
_PROMPT = """You are role-playing a customer of Brightwave Mobile, a UK phone operator, chatting
with its digital assistant. Your goal and situation:

{goal}

Write only your next message to the assistant: short, natural, in the first person. Do not
invent account details beyond the goal. When your goal is met, when you have been handed to a
human agent, or when the conversation cannot progress, reply exactly {done}."""


class LlmCustomer:
    def __init__(self, model: str, *, chat_model: Any = None) -> None:
        if chat_model is None:
            from assistant.models import make_chat_model
            from switchboard.settings import get_settings

            chat_model = make_chat_model(model, get_settings())
        self.chat_model = chat_model

    async def next_message(self, case: Case, turns: Sequence[TurnRecord]) -> str | None:
        assert case.simulate is not None
        transcript = "\n".join(f"You: {t.user}\nAssistant: {t.text}" for t in turns)
        messages = [
            SystemMessage(content=_PROMPT.format(goal=case.simulate.goal, done=DONE)),
            HumanMessage(content=f"The conversation so far:\n{transcript or '(none)'}"),
        ]
        reply = await self.chat_model.ainvoke(messages)
        text = str(reply.content).strip()
        return None if not text or DONE in text else text
