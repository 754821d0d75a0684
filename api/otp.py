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
    """The verified msisdn, or WrongCodeError; each attempt counts, success consumes it.

    A guess is judged only after it claimed one of the `MAX_ATTEMPTS` attempts with one
    conditional UPDATE (`attempts < MAX_ATTEMPTS`): concurrent guesses cannot all read the same
    count and pass it together. The claim is committed before the code is compared."""
    now = datetime.now(UTC)
    async with sessionmaker() as session, session.begin():
        claimed = await session.execute(
            update(OtpChallenge)
            .where(
                OtpChallenge.id == challenge_id,
                OtpChallenge.attempts < MAX_ATTEMPTS,
                OtpChallenge.verified_at.is_(None),
                OtpChallenge.expires_at > now,
            )
            .values(attempts=OtpChallenge.attempts + 1)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            exists = await session.get(OtpChallenge, challenge_id)
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        if exists is None:
            raise NotFoundError("no such challenge")
        raise WrongCodeError(f"expired, used or exhausted otp {challenge_id}")
    async with sessionmaker() as session, session.begin():
        challenge = await session.get(OtpChallenge, challenge_id)
        assert challenge is not None
        good = hmac.compare_digest(challenge.code_hash, _hash(secret, challenge_id, code))
        done = 0
        if good:
            result = await session.execute(
                update(OtpChallenge)
                .where(OtpChallenge.id == challenge_id, OtpChallenge.verified_at.is_(None))
                .values(verified_at=datetime.now(UTC))
            )
            done = result.rowcount  # type: ignore[attr-defined]
        msisdn: str = challenge.msisdn
    if done != 1:
        raise WrongCodeError(f"bad or used otp {challenge_id}")
    return msisdn
