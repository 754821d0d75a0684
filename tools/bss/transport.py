"""The transport the BSS client's TMF API modules share (tools/bss/client.py composes them):
the API paths, the retrying HTTP call, typed errors and the ownership check."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, Self, TypeVar

import httpx

from tools.bss.auth import BssAuthError
from tools.bss.errors import (
    BssBusinessError,
    BssConflictError,
    BssNotFoundError,
    BssProtocolError,
    BssUnavailableError,
)
from tools.bss.models.tmf import Doc as Doc  # the API modules' name for a TMF document

ASGIApp = Callable[..., Awaitable[None]]  # what httpx.ASGITransport runs (the simulator's app)
Closer = Callable[[], Awaitable[None]]


class _Owned(Protocol):
    """A TMF resource model that names the customer it belongs to."""

    @property
    def customer_id(self) -> str | None: ...

    @classmethod
    def from_tmf(cls, doc: Doc) -> Self: ...


_R = TypeVar("_R", bound=_Owned)
CUSTOMER = "/tmf-api/customerManagement/v4"
INVENTORY = "/tmf-api/productInventory/v4"
CATALOG = "/tmf-api/productCatalogManagement/v4"
BALANCE = "/tmf-api/prepayBalanceManagement/v4"
ORDERING = "/tmf-api/productOrderingManagement/v4"
BILL = "/tmf-api/customerBillManagement/v4"
PAYMENT = "/tmf-api/paymentManagement/v4"
TICKET = "/tmf-api/troubleTicket/v4"
FLOW = "/tmf-api/processFlowManagement/v4"
COMMUNICATION = "/tmf-api/communicationManagement/v4"
INTERACTION = "/tmf-api/partyInteraction/v4"
HUB_PATHS: dict[str, str] = {
    "customer": CUSTOMER,
    "inventory": INVENTORY,
    "catalog": CATALOG,
    "balance": BALANCE,
    "ordering": ORDERING,
    "bill": BILL,
    "ticket": TICKET,
    "processFlow": FLOW,
    "communication": COMMUNICATION,
    "partyInteraction": INTERACTION,
}
RETRY_STATUS = {502, 503, 504}
SuspensionReason = Literal["lost", "stolen", "customerRequest", "fraud"]


def _party(customer_id: str) -> list[Doc]:
    return [{"id": customer_id, "role": "customer", "@referredType": "Customer"}]


def _channel(channel: str | None) -> Doc:
    return {"channel": [{"id": channel, "name": channel}]} if channel else {}


class BssTransport:
    """The HTTP side every TMF API client shares: one httpx client, retries for reads and keyed
    writes, TMF error bodies as typed errors, and the ownership check of customer-scoped reads."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        max_retries: int = 2,
        backoff_s: float = 0.2,
        on_close: Callable[[], Awaitable[None]] | None = None,
        sender: str = "Switchboard",
        extension_path: str = "/ext/v1",
    ) -> None:
        """`sender` signs the messages sent through TMF681 (the operator's name);
        `extension_path` is where the operator's non-TMF coverage and outage API lives."""
        self._http = http
        self._sender = sender
        self._extension = extension_path.rstrip("/")
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._on_close = on_close

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._on_close is not None:
            await self._on_close()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Doc | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        safe = method in ("GET", "DELETE") or idempotency_key is not None
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        attempt = 0
        while True:
            try:
                response = await self._http.request(
                    method, path, params=params, json=json, headers=headers
                )
            except BssAuthError as exc:
                raise BssUnavailableError(f"{method} {path}: credentials: {exc}") from exc
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                if safe and attempt < self._max_retries:
                    attempt += 1
                    await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
                    continue
                raise BssUnavailableError(f"{method} {path}: {type(exc).__name__}") from exc
            if response.status_code in RETRY_STATUS and safe and attempt < self._max_retries:
                attempt += 1
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
                continue
            return self._decode(method, path, response)

    @staticmethod
    def _decode(method: str, path: str, response: httpx.Response) -> Any:
        if response.status_code == 204:
            return None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success:
            if body is None:
                raise BssProtocolError(f"{method} {path}: response is not JSON")
            return body
        if response.status_code in (401, 403):  # our credentials: the operator's to fix
            raise BssUnavailableError(
                f"{method} {path}: HTTP {response.status_code} (check the BSS credentials)",
                status=response.status_code,
            )
        if response.status_code >= 500 or response.status_code == 429:
            raise BssUnavailableError(
                f"{method} {path}: HTTP {response.status_code}", status=response.status_code
            )
        code = str((body or {}).get("code") or f"HTTP_{response.status_code}")
        reason = str((body or {}).get("reason") or response.reason_phrase)
        if response.status_code == 404:
            raise BssNotFoundError(reason, code=code)
        if response.status_code == 409 and code == "IDEMPOTENCY_CONFLICT":
            raise BssConflictError(reason, code=code)
        raise BssBusinessError(
            code, reason, status=response.status_code, message=(body or {}).get("message")
        )

    async def _list(self, path: str, **params: Any) -> list[Doc]:
        body = await self._call(
            "GET", path, params={k: v for k, v in params.items() if v is not None}
        )
        if not isinstance(body, list):
            raise BssProtocolError(f"GET {path}: expected a list")
        return body

    @staticmethod
    def _own(doc_owner: str | None, customer_id: str, what: str, rid: str) -> None:
        if doc_owner != customer_id:
            raise BssNotFoundError(f"{what} {rid} is not on this customer's account")

    async def _get_owned(self, model: type[_R], path: str, *, customer_id: str) -> _R:
        """GET one resource; another customer's is reported as not found (no existence leak)."""
        resource = model.from_tmf(await self._call("GET", path))
        self._own(resource.customer_id, customer_id, model.__name__, path.rsplit("/", 1)[-1])
        return resource

    async def _list_owned(self, model: type[_R], path: str, *, customer_id: str) -> list[_R]:
        """The customer's resources at `path`, filtered by relatedParty and checked again here."""
        docs = await self._list(path, **{"relatedParty.id": customer_id})
        return [r for r in map(model.from_tmf, docs) if r.customer_id == customer_id]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
