"""`python -m bss serve --port N` (the same commands as `switchboard bss`)."""

from bss.cli import app

app()
