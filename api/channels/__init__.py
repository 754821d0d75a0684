"""Messaging channels (WhatsApp, SMS, Telegram), the outbox, the human-agent console, the
admin API and BSS notifications. `routers` is what the app includes; the first one carries
the channels' lifespan (bridge task group, outbox worker, BSS hub subscription)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import admin, console, desk, helpdesk, notices, oidc, webhooks

routers: tuple[APIRouter, ...] = (
    webhooks.router,
    console.router,
    oidc.router,
    desk.router,
    helpdesk.router,
    admin.router,
    admin.reports,
    notices.router,
)

__all__ = ["routers"]
