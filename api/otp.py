"""One-time codes that prove a customer holds a phone number (demo: the SMS lands in the outbox).

The code is stored hashed, expires after five minutes and allows five attempts; the comparison is
constant-time. A verified challenge cannot be used twice."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import OtpChallenge, OutboxMessage
from switchboard.errors import InvalidInputError, NotFoundError

OTP_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5


class WrongCodeError(InvalidInputError):
    code = "wrong_code"
    customer_message = "That code isn't right, or it has expired. Please ask for a new one."


def _hash(secret: str, challenge_id: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


async def start_challenge(
    sessionmaker: async_sessionmaker[Any], *, msisdn: str, secret: str, operator: str
) -> tuple[str, datetime]:
    """Create a challenge and queue the SMS with its code, in one transaction."""
    challenge_id = str(uuid.uuid4())
    code = f"{secrets.randbelow(1_000_000):06d}"
    expires_at = datetime.now(UTC) + OTP_TTL
    async with sessionmaker() as session, session.begin():
        session.add(
            OtpChallenge(
                id=challenge_id,
                msisdn=msisdn,
                code_hash=_hash(secret, challenge_id, code),
                expires_at=expires_at,
            )
        )
        session.add(
            OutboxMessage(
                channel="sms",
                recipient=msisdn,
                kind="otp",
                payload={
                    "text": f"Your {operator} verification code is {code}. It expires in 5 minutes."
                },
                dedupe_key=f"otp:{challenge_id}",
            )
        )
    return challenge_id, expires_at


async def verify_challenge(
    sessionmaker: async_sessionmaker[Any], *, challenge_id: str, code: str, secret: str
) -> str:
    """The verified msisdn, or WrongCodeError; each attempt counts, success consumes it."""
    async with sessionmaker() as session, session.begin():
        challenge = await session.get(OtpChallenge, challenge_id)
        if challenge is None:
            raise NotFoundError("no such challenge")
        expires_at = challenge.expires_at
        if expires_at.tzinfo is None:  # SQLite returns naive datetimes
            expires_at = expires_at.replace(tzinfo=UTC)
        usable = challenge.attempts < MAX_ATTEMPTS and expires_at > datetime.now(UTC)
        good = usable and hmac.compare_digest(
            challenge.code_hash, _hash(secret, challenge_id, code)
        )
        values: dict[str, Any] = {"attempts": OtpChallenge.attempts + 1}
        if good:
            values["verified_at"] = datetime.now(UTC)
        # The failed attempt is committed too (the error is raised after the transaction).
        done = await session.execute(
            update(OtpChallenge)
            .where(OtpChallenge.id == challenge_id, OtpChallenge.verified_at.is_(None))
            .values(**values)
        )
        msisdn: str = challenge.msisdn
    if not good or done.rowcount != 1:  # type: ignore[attr-defined]
        raise WrongCodeError(f"bad, expired or used otp {challenge_id}")
    return msisdn
