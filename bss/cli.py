"""`switchboard bss ...`: run the simulator standalone, or reset its demo world."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from switchboard import clock
from switchboard.settings import get_settings

app = typer.Typer(help="The built-in BSS simulator (TM Forum Open APIs v4).", no_args_is_help=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8100,
    ssl_certfile: Annotated[str | None, typer.Option(help="Serve HTTPS with this cert")] = None,
    ssl_keyfile: Annotated[str | None, typer.Option(help="The certificate's key")] = None,
    ssl_ca_certs: Annotated[
        str | None, typer.Option(help="Demand client certificates signed by this CA (mTLS)")
    ] = None,
) -> None:
    """Serve the simulator over HTTP(S) (point SWITCHBOARD_BSS_URL at it)."""
    import ssl

    import uvicorn

    from bss.app import create_bss_app

    uvicorn.run(
        create_bss_app(get_settings()),
        host=host,
        port=port,
        log_level="warning",
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        ssl_ca_certs=ssl_ca_certs,
        ssl_cert_reqs=ssl.CERT_REQUIRED if ssl_ca_certs else ssl.CERT_NONE,
    )


@app.command()
def reset() -> None:
    """Drop the simulator's database and seed the Brightwave demo world again."""
    from bss.runtime import Simulator

    settings = get_settings()
    clock.configure(settings.clock_start)

    async def run() -> None:
        simulator = Simulator(
            database_url=settings.resolved_bss_database_url, clock_speed=settings.bss_clock_speed
        )
        try:
            await simulator.reset()
        finally:
            await simulator.close()

    asyncio.run(run())
    typer.echo(f"BSS demo world reset at {settings.resolved_bss_database_url}")
