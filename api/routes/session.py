"""The widget's session: turn a customer token into the HttpOnly cookie, read it, end it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Response

from api.auth import Identity
from api.deps import Caller, MaybeCaller, State, limit_ip
from api.errors import ERROR_RESPONSES
from api.schemas import SessionInfo
from api.session import clear_session_cookie, set_session_cookie

router = APIRouter(
    prefix="/v1/session",
    tags=["session"],
    dependencies=[Depends(limit_ip)],
    responses=ERROR_RESPONSES,
)


@router.post("", status_code=200)
async def start_session(
    caller: Caller, state: State, response: Response, authorization: str = Header()
) -> SessionInfo:
    """Exchange the operator-signed token (`Authorization: Bearer`) for the session cookie."""
    set_session_cookie(response, authorization.partition(" ")[2].strip(), state)
    return _info(caller)


@router.get("")
async def read_session(caller: MaybeCaller) -> SessionInfo:
    """Who the current token or cookie belongs to (`signed_in: false` for nobody)."""
    if caller is None:
        return SessionInfo(signed_in=False, msisdn=None, segment=None, verified=False)
    return _info(caller)


@router.delete("", status_code=204)
async def end_session(response: Response) -> None:
    """Sign out: the cookie is removed."""
    clear_session_cookie(response)


def _info(caller: Identity) -> SessionInfo:
    return SessionInfo(
        signed_in=caller.signed_in,
        msisdn=caller.msisdn,
        segment=caller.segment,
        verified=caller.verified,
    )
