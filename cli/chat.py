"""`switchboard chat`: a terminal conversation with the assistant, in-process or with a server."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from rich.console import Console

from switchboard.settings import Settings

console = Console(highlight=False)
Reader = Callable[[], str]


class ChatError(Exception):
    """Why a chat could not start, in one line a person can act on."""


def demo_number(raw: str) -> str:
    """A number as typed (`07700 900001`, `447700900001`) in E.164, or a ChatError."""
    from tools.validation import normalise_msisdn

    try:
        return normalise_msisdn(raw)
    except ValueError:
        raise ChatError(
            f"{raw!r} is not a phone number; use a demo number such as +447700900001 "
            "(`GET /v1/demo/customers` lists them)"
        ) from None


def _show(event_type: str, data: dict[str, Any]) -> None:
    """Print one turn event the way the widget would show it."""
    if event_type == "token":
        console.print(data["text"], end="")
    elif event_type == "citation":
        console.print(f"\n  [dim]source: {data['title']} — {data['url']}[/]", end="")
    elif event_type == "action.proposed":
        console.print(f"\n  [bold yellow]quote[/] {data['summary']} (reply yes or no)", end="")
    elif event_type == "action.executed":
        console.print(f"\n  [bold green]action {data['status']}[/]", end="")
    elif event_type == "handoff":
        console.print(f"\n  [bold magenta]handed to a person[/] ({data['reason']})", end="")
    elif event_type == "agent.message":
        console.print(f"\n[bold magenta]{data['agent']}:[/] {data['text']}", end="")
    elif event_type == "error":
        console.print(f"\n[red]{data['message']}[/]", end="")
    elif event_type == "turn.completed":
        console.print(
            f"\n  [dim]{data['capability']} · {data['outcome']} · "
            f"confidence {data['confidence']:.2f} · {data['latency_ms']} ms[/]"
        )


def _prompt(read: Reader) -> str | None:
    try:
        return read()
    except (EOFError, KeyboardInterrupt):
        return None


async def chat_in_process(settings: Settings, msisdn: str | None, read: Reader) -> None:
    """Run the whole assistant in this process (built-in BSS, local knowledge, chosen model)."""
    from api.auth import Identity
    from assistant.service.runtime import build_runtime

    async with build_runtime(settings) as runtime:
        identity = Identity(
            customer_id=None,
            msisdn=None,
            segment=None,
            verified=False,
            channel="web",
            anonymous_id=f"anon-{uuid.uuid4()}",
        )
        if msisdn:
            msisdn = demo_number(msisdn)
            customer = await runtime.bss.find_customer_by_msisdn(msisdn=msisdn)
            if customer is None:
                raise ChatError(f"no demo customer has the number {msisdn}")
            identity = Identity(
                customer_id=customer.id,
                msisdn=msisdn,
                segment=customer.segment,
                verified=True,
                channel="web",
            )
            console.print(f"[dim]signed in as {customer.name} ({msisdn})[/]")
        conversation_id = await runtime.service.start_conversation(identity)
        while (text := _prompt(read)) is not None:
            if text.strip() in {"/quit", "/exit"}:
                break
            async for event in runtime.service.handle_message(
                conversation_id, identity, text, str(uuid.uuid4())
            ):
                _show(event.type, event.data)


async def _sse(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    event_type, data = "message", ""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            event_type = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()
        elif not line and data:
            yield event_type, json.loads(data)
            event_type, data = "message", ""


async def chat_with_server(url: str, msisdn: str | None, read: Reader) -> None:
    """Talk to a running server through the public API, like the widget does."""
    try:
        await _chat_with_server(url, msisdn, read)
    except httpx.InvalidURL as exc:
        raise ChatError(f"{url!r} is not a URL ({exc}); e.g. http://127.0.0.1:8000") from None
    except httpx.TransportError as exc:
        reason = str(exc) or exc.__class__.__name__
        raise ChatError(f"cannot reach {url}: {reason}; is `switchboard serve` running?") from None


def _refused(response: httpx.Response, what: str) -> ChatError:
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.reason_phrase
    return ChatError(f"{what} was refused ({response.status_code}): {message}")


async def _chat_with_server(url: str, msisdn: str | None, read: Reader) -> None:
    if not url.startswith(("http://", "https://")):
        raise ChatError(f"{url!r} is not an http(s) URL; e.g. http://127.0.0.1:8000")
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        headers: dict[str, str] = {}
        if msisdn:
            msisdn = demo_number(msisdn)
            session = await client.post("/v1/demo/session", json={"msisdn": msisdn})
            if session.status_code != 200:
                raise _refused(session, f"signing in as {msisdn}")
            headers["Authorization"] = f"Bearer {session.json()['token']}"
        created = await client.post("/v1/conversations", headers=headers)
        if created.status_code not in (200, 201):
            raise _refused(created, "starting a conversation")
        conversation_id = created.json()["conversation_id"]
        if not msisdn and created.json().get("token"):  # anonymous sessions get their own token
            headers["Authorization"] = f"Bearer {created.json()['token']}"
        while (text := _prompt(read)) is not None:
            if text.strip() in {"/quit", "/exit"}:
                break
            body = {"text": text, "client_message_id": str(uuid.uuid4())}
            async with client.stream(
                "POST", f"/v1/conversations/{conversation_id}/messages", json=body, headers=headers
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                    console.print(f"[red]{response.json()['error']['message']}[/]")
                    continue
                async for event_type, data in _sse(response):
                    _show(event_type, data)


def console_reader() -> str:
    sys.stdout.write("\nyou> ")
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")
