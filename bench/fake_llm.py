"""A fake OpenAI-compatible model with a fixed time to first token and a fixed token rate.

    .venv/bin/python -m bench.fake_llm --port 8711 [--ttft-ms 300] [--tokens-per-s 50]
        [--tokens 30]

`POST /v1/chat/completions` (streamed or not) answers every request with the same text reply:
it waits `--ttft-ms`, sends the first content token, then one token every 1/`--tokens-per-s`
seconds, then a usage chunk and `[DONE]` — a stand-in for a hosted model whose latency is known,
so that bench/http_bench.py can subtract it and report what the assistant adds. `GET /stats`
counts the completions requested (a turn that asks the model twice before its first token pays
the model's TTFT twice). The scripted fake for tests is tests/fakes/openai_server.py; this one
has no script, only timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sse_starlette import EventSourceResponse

WORDS = "Our unlimited plan includes calls texts and data in the UK with roaming in Europe".split()


def create_fake_llm(ttft_s: float, tokens_per_s: float, tokens: int) -> FastAPI:
    app = FastAPI()
    counts = {"completions": 0}
    text = [f"{WORDS[i % len(WORDS)]} " for i in range(tokens)]

    def chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return json.dumps(
            {
                "id": "chatcmpl-bench",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [choice],
            }
        )

    async def stream(model: str, include_usage: bool) -> AsyncIterator[str]:
        await asyncio.sleep(ttft_s)
        yield chunk(model, {"role": "assistant", "content": ""})
        for i, token in enumerate(text):
            if i:
                await asyncio.sleep(1 / tokens_per_s)
            yield chunk(model, {"content": token})
        yield chunk(model, {}, "stop")
        if include_usage:
            usage = {
                "prompt_tokens": 200,
                "completion_tokens": tokens,
                "total_tokens": 200 + tokens,
            }
            last = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 0}
            yield json.dumps({**last, "model": model, "choices": [], "usage": usage})
        yield "[DONE]"

    @app.post("/v1/chat/completions", response_model=None)
    async def completions(request: Request) -> Response:
        body = await request.json()
        counts["completions"] += 1
        model = str(body.get("model", "fake"))
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return EventSourceResponse(stream(model, include_usage), ping=600)
        await asyncio.sleep(ttft_s + (tokens - 1) / tokens_per_s)
        message = {"role": "assistant", "content": "".join(text)}
        return JSONResponse(
            {
                "id": "chatcmpl-bench",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 200, "completion_tokens": tokens},
            }
        )

    @app.get("/stats")
    async def stats() -> dict[str, int]:
        return dict(counts)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ttft-ms", type=float, default=300)
    parser.add_argument("--tokens-per-s", type=float, default=50)
    parser.add_argument("--tokens", type=int, default=30)
    args = parser.parse_args()
    app = create_fake_llm(args.ttft_ms / 1000, args.tokens_per_s, args.tokens)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
