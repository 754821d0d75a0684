"""The BSS client the tools use: an async httpx client over the TM Forum Open APIs, returning
typed models (`tools.bss.models`) and raising typed errors (`tools.bss.errors`).

- Every method takes keyword-only arguments; customer-scoped calls take the verified
  `customer_id` and refuse (as "not found") anything that belongs to someone else.
- Every write takes an `idempotency_key`, sent as the `Idempotency-Key` header; only reads
  and keyed writes are retried (transport errors, timeouts, 502/503/504), with backoff.
- `make_bss_client(settings, app=...)` talks to `settings.bss_url`, or, when it is unset, to
  the app it is given (the built-in simulator, built by the composition root) in-process
  through `httpx.ASGITransport`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from switchboard.errors import ConfigError
from tools.bss.auth import OAuth2ClientCredentials, bss_auth, tls_context
from tools.bss.balance import BalanceApi
from tools.bss.communication import NotificationApi, slug
from tools.bss.extension import CoverageApi
from tools.bss.flows import ServiceRequestApi
from tools.bss.ordering import OrderingApi
from tools.bss.tickets import TicketApi
from tools.bss.transport import HUB_PATHS, ASGIApp, Closer, SuspensionReason

if TYPE_CHECKING:
    from switchboard.settings import Settings

__all__ = ["HUB_PATHS", "BssClient", "SuspensionReason", "make_bss_client", "no_bss", "slug"]


class BssClient(
    BalanceApi, OrderingApi, TicketApi, ServiceRequestApi, CoverageApi, NotificationApi
):
    """Typed, customer-scoped access to the BSS, one TMF API per module (tools/bss/party.py,
    inventory, catalog, balance, ordering, billing, tickets, flows, extension, communication)
    over one transport (tools/bss/transport.py). Use as `async with` or call `aclose()`."""


def make_bss_client(
    settings: Settings, *, app: ASGIApp | None = None, on_close: Closer | None = None
) -> BssClient:
    """A client for `settings.bss_url`, or, when it is unset, for `app` in-process — the built-in
    simulator, which the composition root builds (`assistant.service.runtime`, the evals, the
    CLI): the client speaks TMF over a transport and knows nothing of the simulator. `on_close`
    runs when the client closes (e.g. to release a simulator the client is the only user of)."""
    timeout = httpx.Timeout(settings.bss_timeout_s)
    if settings.bss_url:
        auth, headers = bss_auth(settings)
        http = httpx.AsyncClient(
            base_url=settings.bss_url,
            timeout=timeout,
            auth=auth,
            headers=headers,
            verify=tls_context(settings),
        )
        closing = auth.aclose if isinstance(auth, OAuth2ClientCredentials) else None
        return BssClient(
            http,
            on_close=closing,
            sender=settings.brand,
            extension_path=settings.bss_extension_path,
        )
    if app is None:
        raise ConfigError(
            "SWITCHBOARD_BSS_URL",
            "unset, and no in-process BSS was given",
            "Set it to the operator's TMF base URL, or pass the built-in simulator "
            "(bss.app.create_bss_app) as `app`",
        )
    transport = httpx.ASGITransport(app=app)
    return BssClient(
        httpx.AsyncClient(transport=transport, base_url="http://bss.internal", timeout=timeout),
        on_close=on_close,
        sender=settings.brand,
        extension_path=settings.bss_extension_path,
    )


def no_bss() -> BssClient:
    """The client of a runtime built without a BSS (`build_runtime(with_bss=False)`): every call
    fails as a BSS that cannot be reached, which the tools already answer for."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no BSS is configured for this runtime", request=request)

    transport = httpx.MockTransport(refuse)
    return BssClient(
        httpx.AsyncClient(transport=transport, base_url="http://no-bss.invalid"), max_retries=0
    )
