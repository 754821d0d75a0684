"""The OpenAI-compatible embedder against a small in-process server; the local model's
contract is covered by test_model.py (marked `model`)."""

from typing import Any

import httpx
import numpy as np
import pytest
from fastapi import FastAPI, Request
from pydantic import SecretStr

from knowledge.embedding import (
    Embedder,
    LocalEmbedder,
    OpenAIEmbedder,
    get_embedder,
    make_embedder,
)
from switchboard.errors import ConfigError, ServiceUnavailableError
from switchboard.settings import Settings


def embeddings_server(seen: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/embeddings")
    async def embeddings(request: Request) -> dict[str, Any]:
        body = await request.json()
        seen.append({"body": body, "auth": request.headers.get("authorization")})
        if body["input"] == ["fail"]:
            return {"oops": True}
        rows = [
            {"index": i, "embedding": [float(len(t)), 1.0, 0.0]}
            for i, t in enumerate(body["input"])
        ]
        return {"object": "list", "data": list(reversed(rows)), "model": body["model"]}

    return app


async def test_openai_embedder_batches_orders_and_normalises() -> None:
    seen: list[dict[str, Any]] = []
    embedder = OpenAIEmbedder(
        model="text-embedding-3-small",
        base_url="http://test/v1",
        api_key="sk-test",
        batch_size=2,
        transport=httpx.ASGITransport(app=embeddings_server(seen)),
    )
    vectors = await embedder.embed(["a", "bbb", "cc"])
    await embedder.aclose()
    assert vectors.shape == (3, 3) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[0, 0] < vectors[2, 0] < vectors[1, 0]  # rows kept in input order
    assert [s["body"]["input"] for s in seen] == [["a", "bbb"], ["cc"]]
    assert seen[0]["auth"] == "Bearer sk-test"
    assert seen[0]["body"]["model"] == "text-embedding-3-small"
    assert embedder.model_id == "openai:text-embedding-3-small"
    assert isinstance(embedder, Embedder)


async def test_a_broken_endpoint_is_a_service_error() -> None:
    embedder = OpenAIEmbedder(
        model="m",
        base_url="http://test/v1",
        transport=httpx.ASGITransport(app=embeddings_server([])),
    )
    with pytest.raises(ServiceUnavailableError):
        await embedder.embed(["fail"])
    await embedder.aclose()


def test_settings_pick_the_embedder(settings: Settings) -> None:
    assert isinstance(make_embedder(settings), LocalEmbedder)
    assert get_embedder(settings) is get_embedder(settings)
    remote = settings.model_copy(
        update={"embeddings": "openai:nomic", "embeddings_base_url": "http://127.0.0.1:11434/v1"}
    )
    assert make_embedder(remote).model_id == "openai:nomic"
    keyed = settings.model_copy(
        update={"embeddings": "openai:te3", "embeddings_api_key": SecretStr("sk")}
    )
    assert make_embedder(keyed).model_id == "openai:te3"
    with pytest.raises(ConfigError, match="EMBEDDINGS_API_KEY"):
        make_embedder(settings.model_copy(update={"embeddings": "openai:te3"}))


async def test_local_embedder_with_no_texts_does_not_load_the_model() -> None:
    embedder = LocalEmbedder()
    assert (await embedder.embed([])).shape == (0, 384)
    assert embedder._session is None
