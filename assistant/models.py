"""Chat models by setting: `local` (the offline engine) or `openai:<model>` (any
OpenAI-compatible endpoint through langchain-openai), with retries before the first token and
an optional fallback chain.

The provider SDK's own retries are off (`max_retries=0`): once a token has reached the customer a
retry would repeat it, so `ResilientChatModel` retries and falls back only while nothing has been
streamed, and gives up with `ModelUnavailableError` when every model fails."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import RunnableConfig
from pydantic import Field, PrivateAttr

from switchboard.errors import ConfigError, SwitchboardError
from switchboard.settings import Settings

log = logging.getLogger(__name__)
_NOSTREAM = "nostream"  # langgraph's tag: keep the inner model's chunks out of the message stream
LocalFactory = Callable[[Settings], BaseChatModel]


class ModelUnavailableError(SwitchboardError):
    code = "model_unavailable"
    customer_message = (
        "Sorry, I'm having trouble answering right now. "
        "Would you like me to put you through to a person?"
    )
    http_status = 503


def _retryable(exc: BaseException) -> bool:
    """Worth another try on the same model: timeouts, connection errors, 429 and 5xx."""
    if isinstance(exc, TimeoutError | asyncio.TimeoutError | ConnectionError):
        return True
    status = getattr(exc, "status_code", None)
    if status == 429:
        body = str(getattr(exc, "body", "") or exc)
        return "insufficient_quota" not in body and "spend_limit" not in body
    if isinstance(status, int):
        return status >= 500 or status == 408
    name = type(exc).__name__
    return name in {"APITimeoutError", "APIConnectionError", "ReadTimeout", "ConnectTimeout"}


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    try:
        return float(headers.get("retry-after", ""))
    except ValueError:
        return None


_BOUND_KEPT = 32


class ResilientChatModel(BaseChatModel):
    """Tries each candidate in order; each gets `attempts` tries, but only until its first chunk.

    A chunk must arrive within `first_token_timeout_s` and every later one within
    `stall_timeout_s`; after the first chunk an error propagates (no retry, no repeat)."""

    candidates: list[Any]  # chat models, or chat models with tools bound
    attempts: int = 2
    first_token_timeout_s: float = 15.0
    stall_timeout_s: float = 30.0
    backoff_s: float = 0.25
    max_backoff_s: float = 2.0
    labels: list[str] = Field(default_factory=list)
    _bound: dict[tuple[Any, ...], tuple[ResilientChatModel, tuple[Any, ...]]] = PrivateAttr(
        default_factory=dict
    )

    @property
    def _llm_type(self) -> str:
        return "switchboard-resilient"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ResilientChatModel:  # type: ignore[override]
        """Each candidate with `tools` bound, once per tool set: the agent binds at every model
        call, and converting the catalogue's schemas to the provider's format each time cost
        ~4 ms a call (issue #23). An entry holds its tools, so no other can take their ids."""
        key = (tuple(id(tool) for tool in tools), repr(sorted(kwargs.items())))
        found = self._bound.get(key)
        if found is None:
            bound = [c.bind_tools(tools, **kwargs) for c in self.candidates]
            copy = self.model_copy(update={"candidates": bound})
            found = self._bound[key] = (copy, tuple(tools))
            if len(self._bound) > _BOUND_KEPT:  # tools built per turn (tests' fakes)
                del self._bound[next(iter(self._bound))]
        return found[0]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        last: BaseException | None = None
        for candidate in self.candidates:
            try:
                message = candidate.invoke(messages, stop=stop, **kwargs)
                return ChatResult(generations=[ChatGeneration(message=message)])
            except Exception as exc:
                last = exc
        raise ModelUnavailableError(f"every model failed: {last!r}") from last

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        result = self._generate(messages, stop, run_manager, **kwargs)
        message = result.generations[0].message
        yield ChatGenerationChunk(message=AIMessageChunk(**message.model_dump(exclude={"type"})))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        merged: AIMessageChunk | None = None
        async for chunk in self._astream(messages, stop, run_manager, **kwargs):
            merged = chunk.message if merged is None else merged + chunk.message  # type: ignore[assignment]
        assert merged is not None
        return ChatResult(generations=[ChatGeneration(message=merged)])

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        # The inner model's own chunks stay out of langgraph's message stream (this wrapper
        # re-emits them), so a customer never sees a token twice.
        config: RunnableConfig = {"tags": [_NOSTREAM]}
        last: BaseException | None = None
        for index, candidate in enumerate(self.candidates):
            for attempt in range(self.attempts):
                stream = candidate.astream(messages, config, stop=stop, **kwargs)
                try:
                    first = await asyncio.wait_for(anext(stream), self.first_token_timeout_s)
                except StopAsyncIteration:
                    return
                except Exception as exc:
                    await stream.aclose()
                    last = exc
                    label = self.labels[index] if index < len(self.labels) else str(index)
                    log.warning("model %s attempt %d failed: %r", label, attempt + 1, exc)
                    if not _retryable(exc) or attempt + 1 == self.attempts:
                        break
                    delay = _retry_after(exc) or self.backoff_s * 2**attempt
                    await asyncio.sleep(min(delay, self.max_backoff_s))
                    continue
                yield ChatGenerationChunk(message=first)
                while True:  # past the first chunk: errors propagate, nothing is retried
                    try:
                        chunk = await asyncio.wait_for(anext(stream), self.stall_timeout_s)
                    except StopAsyncIteration:
                        return
                    yield ChatGenerationChunk(message=chunk)
        raise ModelUnavailableError(f"every model failed; last error: {last!r}") from last


def model_name(spec: str) -> str:
    """The provider's model name in a spec: `openai:gpt-4.1-mini` → `gpt-4.1-mini`."""
    return spec.split(":", 1)[1] if spec.startswith("openai:") else spec


def make_http_client(settings: Settings) -> Any:
    """The async HTTP client for OpenAI-compatible calls: 5 s to connect, the LLM timeout for
    the rest. The runtime owns it and closes it on shutdown (langchain-openai's default client
    is cached per process and outlives event loops)."""
    import httpx2
    import openai

    timeout = httpx2.Timeout(settings.llm_timeout_s, connect=min(5.0, settings.llm_timeout_s))
    return openai.DefaultAsyncHttpxClient(timeout=timeout)


def _openai_model(spec: str, settings: Settings, **client_kwargs: Any) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return ChatOpenAI(
        model=model_name(spec),
        base_url=settings.llm_base_url,
        api_key=key,  # type: ignore[arg-type]
        timeout=settings.llm_timeout_s,
        max_retries=0,
        streaming=True,
        stream_usage=True,
        max_tokens=settings.llm_max_tokens,  # type: ignore[call-arg]
        **client_kwargs,
    )


def _local_model(settings: Settings, local_factory: LocalFactory | None) -> BaseChatModel:
    if local_factory is not None:
        return local_factory(settings)
    try:
        from assistant.local import make_local_model  # type: ignore[attr-defined]
    except ImportError as exc:
        raise ConfigError(
            "SWITCHBOARD_LLM", "the local engine is not available", "Install Switchboard fully"
        ) from exc
    model: BaseChatModel = make_local_model(settings)
    return model


def make_chat_model(
    spec: str,
    settings: Settings,
    *,
    local_factory: LocalFactory | None = None,
    fallbacks: Sequence[str] | None = None,
    **client_kwargs: Any,
) -> BaseChatModel:
    """Build the chat model for `spec` with the fallback chain (`settings.llm_fallbacks` unless
    given). `client_kwargs` go to ChatOpenAI (tests pass an `http_async_client`)."""
    specs = [spec, *(settings.llm_fallbacks if fallbacks is None else fallbacks)]
    models: list[BaseChatModel] = []
    for item in specs:
        if item == "local":
            models.append(_local_model(settings, local_factory))
        elif item.startswith("openai:") and len(item) > len("openai:"):
            models.append(_openai_model(item, settings, **client_kwargs))
        else:
            raise ConfigError(
                "SWITCHBOARD_LLM", f"unknown model {item!r}", "Use 'local' or 'openai:<model>'"
            )
    if len(models) == 1 and spec == "local":
        return models[0]  # the local engine cannot time out or rate-limit
    return ResilientChatModel(
        candidates=models,
        labels=specs,
        first_token_timeout_s=min(settings.llm_timeout_s, 30.0),
        stall_timeout_s=min(settings.llm_timeout_s, 30.0),
        attempts=settings.llm_attempts,
    )
