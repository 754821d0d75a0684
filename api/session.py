"""The widget's session cookie: HttpOnly, SameSite=Lax, Secure behind https."""

from __future__ import annotations

from fastapi import Response

from api.auth import COOKIE_NAME
from api.deps import ApiState


def set_session_cookie(response: Response, token: str, state: ApiState) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=state.codec.ttl_s,
        httponly=True,
        samesite="lax",
        secure=state.settings.public_base_url.startswith("https://"),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/")
