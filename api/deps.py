"""FastAPI dependencies: the app's state, the caller's identity, ownership and limits.

Routes take these as `Annotated` aliases and stay a few lines long."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Path, Request

from api.auth import COOKIE_NAME, Identity, TokenCodec, line_user_key
from api.errors import ForbiddenError, TokenBudgetError, TooManyStreamsError
from api.limits import Limits
from api.lookup import ConversationLookup, ConversationRow
from api.runtime import ApiRuntime
from api.sse import StreamLease, TurnRunner
from api.surveys import SurveyDesk
from switchboard.errors import NotFoundError, RateLimitedError, UnauthorizedError
from switchboard.settings import Settings

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(slots=True)
class ApiState:
    settings: Settings
    runtime: ApiRuntime
    codec: TokenCodec
    limits: Limits
    turns: TurnRunner
    lookup: ConversationLookup
    surveys: SurveyDesk
    ping_s: float = 15.0


async def get_state(request: Request) -> ApiState:
    # async: FastAPI runs a plain `def` dependency in its threadpool, a thread hop per request.
    state: ApiState = request.app.state.api
    return state


State = Annotated[ApiState, Depends(get_state)]


def _client_ip(request: Request) -> str:
    # The socket's peer; X-Forwarded-For only when it came from `settings.trusted_proxies`
    # (the app's proxy-headers middleware rewrote the client then).
    return request.client.host if request.client else "unknown"


async def limit_ip(request: Request, state: State) -> None:
    """Every /v1 request counts against its client IP."""
    ip = _client_ip(request)
    wait = await state.limits.hit(f"ip:{ip}", limit=state.settings.rate_limit_ip_per_minute)
    if wait:
        raise RateLimitedError(f"ip {ip} over limit", retry_after=wait)


def _check_origin(request: Request, settings: Settings) -> None:
    """Cookie-authenticated writes must come from our own pages (CSRF), beside SameSite=Lax."""
    origin = request.headers.get("origin")
    if origin is None or request.method in _SAFE_METHODS:
        return
    own = {f"{request.url.scheme}://{request.url.netloc}"}
    public = urlsplit(settings.public_base_url)
    own.add(f"{public.scheme}://{public.netloc}")
    if origin not in own:
        raise ForbiddenError(f"cross-site origin {origin!r}")


async def optional_identity(request: Request, state: State) -> Identity | None:
    """The caller's identity from `Authorization: Bearer` or the session cookie, if any."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError("malformed Authorization header")
        return state.codec.verify(token.strip())
    cookie = request.cookies.get(COOKIE_NAME)
    if cookie:
        _check_origin(request, state.settings)
        return state.codec.verify(cookie)
    return None


MaybeCaller = Annotated[Identity | None, Depends(optional_identity)]


async def required_identity(identity: MaybeCaller) -> Identity:
    if identity is None:
        raise UnauthorizedError("no customer token")
    return identity


Caller = Annotated[Identity, Depends(required_identity)]

ConversationId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@dataclass(frozen=True, slots=True)
class OwnedConversation:
    id: str
    identity: Identity
    status: str
    last_event_id: int
    tokens_used: int


async def owned_conversation(
    conversation_id: ConversationId, identity: Caller, state: State
) -> OwnedConversation:
    """The conversation if `identity` owns it; 404 otherwise (never 403: no existence oracle)."""
    row = await state.lookup.find(conversation_id)
    if row is None or not _owns(identity, row):
        raise NotFoundError(f"conversation {conversation_id} not found or not owned")
    return OwnedConversation(row.id, identity, row.status, row.last_event_id, row.tokens_used)


def _owns(identity: Identity, row: ConversationRow) -> bool:
    if identity.customer_id is not None:
        if row.customer_id != identity.customer_id:
            return False
        # a business line user's conversations are theirs alone, not the account's
        mine = identity.channel_user_id
        if mine is not None:
            return row.channel_user_id == mine
        return not (row.channel_user_id or "").startswith(line_user_key(""))
    return row.customer_id is None and row.channel_user_id == identity.anonymous_id


Owned = Annotated[OwnedConversation, Depends(owned_conversation)]


async def limit_customer(request: Request, identity: Caller, state: State) -> None:
    """Writes (messages, confirmations) count against the customer; anonymous sessions of one
    client IP share one budget (a new session is free to mint, so it must not be a new budget)."""
    key = f"who:{identity.customer_id}"
    if identity.customer_id is None:
        key = f"anon-ip:{_client_ip(request)}"
    wait = await state.limits.hit(key, limit=state.settings.rate_limit_per_minute)
    if wait:
        raise RateLimitedError(f"{identity.owner} over limit", retry_after=wait)


def check_token_budget(conversation: OwnedConversation, settings: Settings) -> None:
    if conversation.tokens_used >= settings.conversation_token_budget:
        raise TokenBudgetError(f"conversation {conversation.id} spent its token budget")


async def stream_lease(conversation: OwnedConversation, state: ApiState) -> StreamLease:
    """One of the conversation's `max_streams_per_conversation` slots, or 429. Called in the
    route's body, never as a dependency: FastAPI runs dependencies before it validates the
    other parameters, so a slot taken there would leak on a 422."""
    limits, cid = state.limits, conversation.id
    lease = await limits.acquire_stream(cid, cap=state.settings.max_streams_per_conversation)
    if lease is None:
        raise TooManyStreamsError(f"conversation {cid} has too many open streams", retry_after=5)

    async def refresh() -> None:
        await limits.refresh_stream(cid, lease)

    async def release() -> None:
        await limits.release_stream(cid, lease)

    return StreamLease(refresh=refresh, release=release)


async def require_staff(request: Request, state: State) -> None:
    """The admin bearer, for automation: `Authorization: Bearer <the console token>`."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    expected = state.settings.resolved_console_token()
    given = token.strip().encode("utf-8", "surrogateescape")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, expected.encode()):
        raise UnauthorizedError("missing or wrong console token")
