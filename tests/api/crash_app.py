"""The API over the real conversation service, tools and built-in BSS simulator, with a scripted
model that quotes a £5 top-up on every message, for the kill -9 test:
`uvicorn --factory tests.api.crash_app:create_crash_app`. No knowledge base: start-up takes
about as long as the imports."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from switchboard.settings import load_settings
from tests.fakes.scripted_model import ScriptedChatModel, call, say


def create_crash_app() -> FastAPI:
    from assistant.service.runtime import build_runtime

    settings = load_settings()
    model = ScriptedChatModel(script=[call("top_up", amount=5), say("£5, shall I?")] * 500)
    runtime = build_runtime(settings, model=model, with_retriever=False)
    return create_app(settings, runtime=runtime)
