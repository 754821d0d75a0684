"""HTTP routes: conversations, sessions and demo identity, health; and `channel_routers`, those of
the messaging channels, the desk, the admin API and the notices — the first carries the channels'
lifespan (bridge task group, outbox worker, BSS hub subscription)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import admin, console, desk, helpdesk, notices, oidc, webhooks

channel_routers: tuple[APIRouter, ...] = (
    webhooks.router,
    console.router,
    oidc.router,
    desk.router,
    helpdesk.router,
    admin.router,
    admin.reports,
    notices.router,
)

__all__ = ["channel_routers"]
