"""The API over the real runtime (local engine, BSS simulator, knowledge base) for loopback
servers: `uvicorn --factory tests.api.real_app:create_real_app`. Only the embedding model is
replaced by the knowledge tests' fast hashing embedder, so start-up takes seconds, not minutes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api.app import create_app
from switchboard.settings import Settings, load_settings


@asynccontextmanager
async def real_runtime(settings: Settings) -> AsyncIterator[Any]:
    from assistant.service.runtime import build_runtime
    from knowledge import build_retriever, ensure_ingested
    from tests.knowledge.conftest import FakeEmbedder

    embedder = FakeEmbedder()
    await ensure_ingested(settings, embedder=embedder)
    retriever = build_retriever(settings, embedder=embedder)
    async with build_runtime(settings, retriever=retriever, ingest=False) as runtime:
        yield runtime


def create_real_app() -> FastAPI:
    settings = load_settings()
    return create_app(settings, runtime=real_runtime(settings))
