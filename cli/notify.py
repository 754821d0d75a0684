"""`switchboard worker` and `switchboard notify outage|campaign`: the notice worker apart from
the server, and the operator's triggers from a terminal (a dry run prints the audience)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import anyio
import httpx
import typer

from api.channels.outbox import OutboxWorker
from api.hub import build_senders
from api.notices.dispatch import NoticeDispatcher
from api.notices.publish import Summary
from api.notices.triggers import notify_campaign, notify_outage
from switchboard import clock
from switchboard.bus import EventBus, InProcessBus
from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.migrate import upgrade_async
from switchboard.errors import SwitchboardError
from switchboard.settings import Settings, get_settings

app = typer.Typer(help="Proactive notices: outages and campaigns.", no_args_is_help=True)


@dataclass
class Parts:
    sessionmaker: Any
    bus: EventBus
    bss: Any


@asynccontextmanager
async def parts(settings: Settings, *, with_bss: bool = True) -> AsyncIterator[Parts]:
    """The database (migrated), the bus and the BSS client the worker and triggers use. The
    built-in simulator is opened without its clock: the server's copy runs that."""
    clock.configure(settings.clock_start)
    await upgrade_async(settings.resolved_database_url)
    async with AsyncExitStack() as stack:
        engine = make_engine(settings.resolved_database_url)
        stack.push_async_callback(engine.dispose)
        bus: EventBus = InProcessBus()
        if settings.redis_url:
            from switchboard.redis_bus import RedisBus

            bus = await stack.enter_async_context(RedisBus.connect(settings.redis_url))
        bss = None
        if with_bss:
            from tools.bss.client import make_bss_client

            bss_app = None
            if not settings.bss_url:
                from bss.app import create_bss_app

                bss_app = create_bss_app(settings, run_worker=False)
                await stack.enter_async_context(bss_app.router.lifespan_context(bss_app))
            bss = make_bss_client(settings, app=bss_app)
            stack.push_async_callback(bss.aclose)
        yield Parts(make_sessionmaker(engine), bus, bss)


async def run_worker(settings: Settings) -> None:
    """Send due notices and deliver the outbox until SIGTERM or SIGINT (then finish the notice
    or message in hand and stop)."""
    async with parts(settings) as found, httpx.AsyncClient(timeout=10.0) as http:
        outbox = OutboxWorker(
            found.sessionmaker,
            build_senders(settings, http),
            lease=timedelta(seconds=settings.outbox_lease_s),
        )
        notices = NoticeDispatcher(found.sessionmaker, found.bus, settings, on_outbox=outbox.wake)

        async def stop_on_signal() -> None:
            with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
                async for _ in signals:
                    await notices.stop()
                    await outbox.stop()
                    return

        async with anyio.create_task_group() as tg:
            tg.start_soon(stop_on_signal)
            tg.start_soon(outbox.run)
            await notices.run()
            await outbox.stop()
            tg.cancel_scope.cancel()


def _at(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _print(summary: Summary) -> None:
    verb = "would notify" if summary.dry_run else "notified"
    held = ", ".join(f"{r}: {n}" for r, n in sorted(summary.suppressed.items())) or "none"
    typer.echo(
        f"{summary.kind} {summary.ref}: {summary.audience} customers; {verb} "
        f"{summary.send_now} now, {summary.deferred} deferred (quiet hours), "
        f"{sum(summary.suppressed.values())} suppressed ({held}), "
        f"{summary.already} already notified"
    )


async def _outage(settings: Settings, **args: Any) -> Summary:
    async with parts(settings) as found:
        return await notify_outage(found.sessionmaker, found.bss, settings, **args)


async def _campaign(settings: Settings, **args: Any) -> Summary:
    async with parts(settings) as found:
        return await notify_campaign(found.sessionmaker, found.bss, settings, **args)


DryRun = Annotated[bool, typer.Option("--dry-run", help="Count the audience; send nothing")]
At = Annotated[str | None, typer.Option(help="Decide as of this ISO instant (default: now)")]


@app.command("outage")
def outage(
    outage_id: Annotated[str, typer.Argument(help="The outage's id, e.g. OUT-4101")],
    state: Annotated[Literal["opened", "updated", "resolved"], typer.Option()] = "opened",
    district: Annotated[
        list[str] | None, typer.Option(help="A district or postcode (repeat); default: the BSS's")
    ] = None,
    title: Annotated[str | None, typer.Option(help="What is wrong; default: the BSS's")] = None,
    text: Annotated[str | None, typer.Option(help="The whole message, instead of ours")] = None,
    dry_run: DryRun = False,
    at: At = None,
) -> None:
    """Tell the customers at an outage's districts (those who opted out are not told; those in
    their quiet hours are told when they end)."""
    settings = get_settings()
    try:
        summary = asyncio.run(
            _outage(
                settings,
                outage_id=outage_id,
                state=state,
                districts=district or None,
                title=title,
                text=text,
                dry_run=dry_run,
                now=_at(at),
            )
        )
    except SwitchboardError as exc:
        typer.echo(f"switchboard notify outage: {exc}", err=True)
        raise typer.Exit(2) from None
    _print(summary)


@app.command("campaign")
def campaign(
    campaign_id: Annotated[str, typer.Argument(help="The campaign's id (each reaches one once)")],
    text: Annotated[str, typer.Option(help="The message")],
    segment: Annotated[Literal["prepaid", "postpaid", "business"] | None, typer.Option()] = None,
    dry_run: DryRun = False,
    at: At = None,
) -> None:
    """An offer or survey to a segment: only customers who said yes to marketing get it."""
    settings = get_settings()
    try:
        summary = asyncio.run(
            _campaign(
                settings,
                campaign_id=campaign_id,
                text=text,
                segment=segment,
                dry_run=dry_run,
                now=_at(at),
            )
        )
    except SwitchboardError as exc:
        typer.echo(f"switchboard notify campaign: {exc}", err=True)
        raise typer.Exit(2) from None
    _print(summary)
