"""A fake OpenAI-compatible server: `/v1/chat/completions`, streamed like the real one.

Streams `chat.completion.chunk` deltas (text in pieces, tool-call arguments split across
chunks), a usage chunk when `stream_options.include_usage` is set, then `data: [DONE]`; answers
non-streamed requests too. Each request takes the next reply of the script:

    {"text": "hi"}                                       a text reply
    {"tool_calls": [{"name": "top_up", "args": {...}}]}  tool calls (ids call_1, call_2, ...)
    {"status": 429, "retry_after": 0}                    an error status (429, 500, 503, ...)
    {"delay_s": 5, "text": "late"}                       wait before the first byte (timeouts)
    {"stall_after_first_s": 5, "text": "..."}            first chunk, then a stall

`FakeOpenAIServer` runs it with uvicorn on a free 127.0.0.1 port, so the real `openai` client
and `langchain-openai` talk to it over a socket; `requests` records every request body."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sse_starlette import EventSourceResponse

Reply = dict[str, Any]


def script_from_messages(messages: list[Any]) -> list[Reply]:
    """The server script equivalent of a `ScriptedChatModel` script of AIMessages."""
    script: list[Reply] = []
    for message in messages:
        if isinstance(message, dict):
            script.append(message)
            continue
        reply: Reply = {"text": message.content or ""}
        if message.tool_calls:
            reply["tool_calls"] = [
                {"name": c["name"], "args": c["args"]} for c in message.tool_calls
            ]
        script.append(reply)
    return script


class FakeOpenAI:
    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.usage = (42, 7)
        self.app = self._build()

    def load(self, script: list[Reply]) -> None:
        self.script = list(script)
        self.requests.clear()

    def _next(self) -> Reply:
        return self.script.pop(0) if self.script else {"text": "(script exhausted)"}

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions", response_model=None)
        async def completions(request: Request) -> Response:
            body = await request.json()
            self.requests.append(body)
            reply = self._next()
            if reply.get("delay_s"):
                await asyncio.sleep(float(reply["delay_s"]))
            status = int(reply.get("status", 200))
            if status != 200:
                headers = {"retry-after": str(reply.get("retry_after", 0))}
                kind = "rate_limit_error" if status == 429 else "server_error"
                error = {"error": {"message": f"fake {status}", "type": kind, "code": kind}}
                return JSONResponse(error, status_code=status, headers=headers)
            if body.get("stream"):
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                return EventSourceResponse(self._chunks(body, reply, include_usage), ping=600)
            return JSONResponse(self._completion(body, reply))

        return app

    def _tool_calls(self, reply: Reply) -> list[dict[str, Any]]:
        return [
            {
                "id": call.get("id", f"call_{i + 1}"),
                "type": "function",
                "function": {"name": call["name"], "arguments": json.dumps(call.get("args", {}))},
            }
            for i, call in enumerate(reply.get("tool_calls", []))
        ]

    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        calls = self._tool_calls(reply)
        message: dict[str, Any] = {"role": "assistant", "content": reply.get("text") or None}
        if calls:
            message["tool_calls"] = calls
        prompt, completion = self.usage
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }

    async def _chunks(
        self, body: dict[str, Any], reply: Reply, include_usage: bool
    ) -> AsyncIterator[str]:
        model = body.get("model", "fake")

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            return json.dumps(
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }
            )

        yield chunk({"role": "assistant", "content": ""})
        if reply.get("stall_after_first_s"):
            await asyncio.sleep(float(reply["stall_after_first_s"]))
        text = reply.get("text") or ""
        for i in range(0, len(text), 5):
            yield chunk({"content": text[i : i + 5]})
        for index, call in enumerate(self._tool_calls(reply)):
            args = call["function"]["arguments"]
            half = len(args) // 2
            head = {"name": call["function"]["name"], "arguments": ""}
            yield chunk({"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                                         "function": head}]})  # fmt: skip
            for part in (args[:half], args[half:]):
                yield chunk({"tool_calls": [{"index": index, "function": {"arguments": part}}]})
        yield chunk({}, "tool_calls" if reply.get("tool_calls") else "stop")
        if include_usage:
            prompt, completion = self.usage
            yield json.dumps(
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": model,
                    "choices": [],
                    "usage": {
                        "prompt_tokens": prompt,
                        "completion_tokens": completion,
                        "total_tokens": prompt + completion,
                    },
                }
            )
        yield "[DONE]"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class FakeOpenAIServer:
    """Runs `FakeOpenAI` with uvicorn on 127.0.0.1 in a thread (context manager)."""

    def __init__(self) -> None:
        self.fake = FakeOpenAI()
        self.port = _free_port()
        config = uvicorn.Config(
            self.fake.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=1,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake OpenAI server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
