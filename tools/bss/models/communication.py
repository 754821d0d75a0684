"""Talking to the customer through the BSS: TMF681 messages, TMF683 party interactions, and the
hub subscriptions that tell us what changed."""

from __future__ import annotations

from typing import ClassVar, Literal

from tools.bss.models.tmf import FieldMap, Frozen, TmfModel, at

HubApi = Literal[
    "customer",
    "inventory",
    "catalog",
    "balance",
    "ordering",
    "bill",
    "ticket",
    "processFlow",
    "communication",
    "partyInteraction",
]


class Subscription(Frozen):
    id: str
    callback: str
    query: str | None = None
    api: HubApi


class Interaction(TmfModel):
    """A TMF683 party interaction: the operator's record of one contact with a customer."""

    id: str
    status: str
    direction: str
    reason: str
    channel: str | None = None

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "status": at("status", default=""),
        "direction": at("direction", default=""),
        "reason": at("reason", default=""),
        "channel": at("channel", 0, "id"),
    }


class Message(TmfModel):
    id: str
    state: str
    message_type: str
    content: str

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "state": at("state", default=""),
        "message_type": at("messageType", default=""),
        "content": at("content", default=""),
    }
