"""Demo identity (CONTRACT §5), only in demo mode: pick a seeded customer, or verify by OTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.auth import Identity
from api.customers import DemoCustomer, find_demo_customer
from api.deps import State, limit_ip
from api.errors import ERROR_RESPONSES, NotAvailableError
from api.otp import start_challenge, verify_challenge
from api.records import demo_outbox
from api.schemas import (
    DemoCustomerOut,
    DemoSessionIn,
    Msisdn,
    OtpStarted,
    OtpStartIn,
    OtpVerifyIn,
    OutboxItem,
    SessionToken,
)
from api.session import set_session_cookie
from switchboard.errors import NotFoundError


async def demo_only(state: State) -> None:
    if not state.settings.demo:
        raise NotAvailableError("demo endpoint in production mode")


router = APIRouter(
    prefix="/v1/demo",
    tags=["demo"],
    dependencies=[Depends(demo_only), Depends(limit_ip)],
    responses=ERROR_RESPONSES,
)


@router.get("/customers")
async def list_demo_customers(state: State) -> list[DemoCustomerOut]:
    """The seeded demo customers, one per line."""
    customers = await state.runtime.customers.demo_customers()
    return [DemoCustomerOut(msisdn=c.msisdn, name=c.name, segment=c.segment) for c in customers]


@router.post("/session")
async def demo_session(body: DemoSessionIn, state: State, response: Response) -> SessionToken:
    """Sign in as a seeded demo customer; the token is also set as the session cookie."""
    customer = await _customer(state, body.msisdn)
    return _session(state, response, customer)


@router.post("/otp", status_code=201)
async def start_otp(body: OtpStartIn, state: State) -> OtpStarted:
    """Send a one-time code to a demo customer's phone (it lands in the demo outbox)."""
    await _customer(state, body.msisdn)
    challenge_id, expires_at = await start_challenge(
        state.runtime.sessionmaker,
        msisdn=body.msisdn,
        secret=state.settings.resolved_token_secret(),
        operator=state.settings.brand,
    )
    return OtpStarted(challenge_id=challenge_id, expires_at=expires_at)


@router.post("/otp/verify")
async def verify_otp(body: OtpVerifyIn, state: State, response: Response) -> SessionToken:
    """Prove the phone with its code; answers a verified session token."""
    msisdn = await verify_challenge(
        state.runtime.sessionmaker,
        challenge_id=body.challenge_id,
        code=body.code,
        secret=state.settings.resolved_token_secret(),
    )
    return _session(state, response, await _customer(state, msisdn))


@router.get("/outbox")
async def read_outbox(state: State, msisdn: Annotated[Msisdn, Query()]) -> list[OutboxItem]:
    """The demo phone: messages sent to a demo number (newest first)."""
    await _customer(state, msisdn)
    return await demo_outbox(state.runtime.sessionmaker, msisdn=msisdn)


async def _customer(state: State, msisdn: str) -> DemoCustomer:
    customer = await find_demo_customer(state.runtime.customers, msisdn)
    if customer is None:
        raise NotFoundError(f"{msisdn} is not a demo customer")
    return customer


def _session(state: State, response: Response, customer: DemoCustomer) -> SessionToken:
    identity = Identity(
        customer_id=customer.customer_id,
        msisdn=customer.msisdn,
        segment=customer.segment,
        verified=True,
        lines=tuple(customer.lines) if customer.lines is not None else None,
    )
    token = state.codec.issue(identity)
    set_session_cookie(response, token, state)
    return SessionToken(token=token, expires_in=state.codec.ttl_s)
