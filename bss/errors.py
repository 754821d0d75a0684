"""TMF `Error` bodies: every business-rule refusal and unknown id answers with one."""

from __future__ import annotations

from typing import Any


class TmfError(Exception):
    """A refusal the simulator answers with a TMF `Error` body (`code`, `reason`, `status`)."""

    def __init__(self, status: int, code: str, reason: str, message: str | None = None) -> None:
        super().__init__(f"{status} {code}: {reason}")
        self.status = status
        self.code = code
        self.reason = reason
        self.message = message

    def body(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "@type": "Error",
            "code": self.code,
            "reason": self.reason,
            "status": str(self.status),
        }
        if self.message:
            doc["message"] = self.message
        return doc


def not_found(kind: str, rid: str) -> TmfError:
    return TmfError(404, "NOT_FOUND", f"{kind} {rid} does not exist")


def bad_request(reason: str, code: str = "INVALID_REQUEST") -> TmfError:
    return TmfError(400, code, reason)


def rule(code: str, reason: str, status: int = 422) -> TmfError:
    """A business rule the request broke (insufficient balance, ineligible offering, ...)."""
    return TmfError(status, code, reason)
