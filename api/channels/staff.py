"""The admin bearer, for automation: `Authorization: Bearer <settings.resolved_console_token()>`."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from api.channels.hub import ChannelHub, get_hub
from api.deps import State
from switchboard.errors import UnauthorizedError


async def require_staff(request: Request, state: State) -> None:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    expected = state.settings.resolved_console_token()
    given = token.strip().encode("utf-8", "surrogateescape")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, expected.encode()):
        raise UnauthorizedError("missing or wrong console token")


def hub_dependency(request: Request) -> ChannelHub:
    return get_hub(request.app)


Staff = Annotated[None, Depends(require_staff)]
Hub = Annotated[ChannelHub, Depends(hub_dependency)]
