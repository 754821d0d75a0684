"""A scripted chat model that streams like a real provider.

Each call to the model takes the next step of its script. A step is an `AIMessage` (text and/or
tool calls), a callable that builds one from the messages the model was given, or an exception
to raise before the first chunk. Streaming yields text in small pieces and tool calls as
`tool_call_chunks` with the JSON arguments split across chunks, then a usage chunk — the shape
`langchain-openai` produces — so `create_agent` exercises the same code path as with a provider.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field, PrivateAttr

Step = AIMessage | Callable[[list[BaseMessage]], AIMessage] | BaseException


def say(text: str, **metadata: Any) -> AIMessage:
    """A text reply; `metadata` goes to `response_metadata` (e.g. switchboard signals)."""
    return AIMessage(content=text, response_metadata=dict(metadata))


def call(tool: str, call_id: str = "call_1", **args: Any) -> AIMessage:
    """A reply that calls one tool."""
    return AIMessage(content="", tool_calls=[{"name": tool, "args": args, "id": call_id}])


class ScriptedChatModel(BaseChatModel):
    """Plays `script` one step per model call; records what it was shown in `seen`."""

    script: list[Any] = Field(default_factory=list)
    chunk_chars: int = 4
    delay_s: float = 0.0
    usage: tuple[int, int] = (10, 5)
    _cursor: list[int] = PrivateAttr(default_factory=lambda: [0])
    _seen: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _tools: list[str] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def seen(self) -> list[list[BaseMessage]]:
        return self._seen

    @property
    def bound_tools(self) -> list[str]:
        return self._tools

    @property
    def calls(self) -> int:
        return self._cursor[0]

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        self._tools[:] = [getattr(t, "name", None) or t.get("name", "?") for t in tools]
        return self

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        self._seen.append(list(messages))
        index = self._cursor[0]
        self._cursor[0] += 1
        if index >= len(self.script):
            return AIMessage(content="(script exhausted)")
        step = self.script[index]
        if isinstance(step, BaseException):
            raise step
        if callable(step) and not isinstance(step, AIMessage):
            built: AIMessage = step(messages)
            return built
        assert isinstance(step, AIMessage)
        return step

    def _chunks(self, message: AIMessage) -> Iterator[AIMessageChunk]:
        text = message.content if isinstance(message.content, str) else ""
        meta = dict(message.response_metadata)
        for i in range(0, len(text), self.chunk_chars):
            yield AIMessageChunk(content=text[i : i + self.chunk_chars])
        for index, tc in enumerate(message.tool_calls):
            raw = json.dumps(tc["args"])
            half = len(raw) // 2
            yield AIMessageChunk(
                content="",
                tool_call_chunks=[
                    tool_call_chunk(name=tc["name"], args=raw[:half], id=tc["id"], index=index)
                ],
            )
            yield AIMessageChunk(
                content="", tool_call_chunks=[tool_call_chunk(args=raw[half:], index=index)]
            )
        prompt, completion = self.usage
        yield AIMessageChunk(
            content="",
            response_metadata=meta,
            usage_metadata={
                "input_tokens": prompt,
                "output_tokens": completion,
                "total_tokens": prompt + completion,
            },
            chunk_position="last",
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self._next(messages)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chunks(self._next(messages)):
            yield ChatGenerationChunk(message=chunk)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        message = self._next(messages)
        for chunk in self._chunks(message):
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            yield ChatGenerationChunk(message=chunk)
