"""Desk sign-in through the operator's OpenID Connect provider (api/desk/oidc.py): `start`
sends the browser to the provider, `callback` checks what comes back and sets the same desk
session cookie as a password sign-in, then opens /console."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from api.deps import State, limit_ip
from api.desk import oidc
from api.desk.accounts import find_agent
from api.desk.session import COOKIE_NAME, issue_session
from api.errors import ERROR_RESPONSES
from api.hub import Hub
from switchboard.errors import UnauthorizedError

router = APIRouter(
    prefix="/v1/console",
    tags=["console"],
    dependencies=[Depends(limit_ip)],
    responses=ERROR_RESPONSES,
)
FLOW_PATH = "/v1/console/oidc"


class SignInOptions(BaseModel):
    password: bool
    oidc: bool


@router.get("/sign-in-options")
async def sign_in_options(state: State) -> SignInOptions:
    """How people may sign in to the desk (the page shows the provider's button when set)."""
    settings = state.settings
    return SignInOptions(password=True, oidc=bool(settings.oidc_issuer and settings.oidc_client_id))


@router.get("/oidc/start", response_class=RedirectResponse, status_code=302)
async def oidc_start(state: State) -> RedirectResponse:
    async with httpx.AsyncClient(timeout=10) as http:
        url, flow = await oidc.start(state.settings, http)
    response = RedirectResponse(url, status_code=302)
    secure = state.settings.public_base_url.startswith("https://")
    # Lax, not Strict: the provider sends the browser back with a cross-site top-level GET
    response.set_cookie(
        oidc.FLOW_COOKIE,
        flow,
        max_age=oidc.FLOW_TTL_S,
        path=FLOW_PATH,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    return response


@router.get("/oidc/callback", response_class=RedirectResponse, status_code=303)
async def oidc_callback(
    request: Request,
    state: State,
    hub: Hub,
    code: Annotated[str, Query(min_length=1, max_length=2048)],
    flow_state: Annotated[str, Query(alias="state", min_length=1, max_length=256)],
) -> RedirectResponse:
    async with httpx.AsyncClient(timeout=10) as http:
        username = await oidc.finish(
            state.settings,
            http,
            code=code,
            state=flow_state,
            cookie=request.cookies.get(oidc.FLOW_COOKIE),
        )
    agent = await find_agent(hub.sessionmaker, username)
    if agent is None:
        raise UnauthorizedError(f"no active desk account for {username}")
    response = RedirectResponse("/console", status_code=303)
    response.delete_cookie(oidc.FLOW_COOKIE, path=FLOW_PATH)
    response.set_cookie(
        COOKIE_NAME,
        issue_session(state.settings, agent),
        max_age=state.settings.agent_session_ttl_s,
        path="/v1/console",
        httponly=True,
        samesite="strict",
        secure=state.settings.public_base_url.startswith("https://"),
    )
    return response
