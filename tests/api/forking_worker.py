"""A launcher that pays the imports once and forks a fresh `switchboard worker` per request, so a
test that kills workers with SIGKILL twenty times does not pay twenty interpreter start-ups.

Reads a line per worker on stdin, forks a child that runs the worker with the launcher's
environment (its own process: its own event loop and database connections), and answers the
child's pid."""

from __future__ import annotations

import asyncio
import os
import signal
import sys


def main() -> None:
    from cli.notify import run_worker  # the heavy imports, before any fork
    from switchboard import clock
    from switchboard.settings import get_settings

    # the world's clock starts now, in the launcher: every child continues it (a child that
    # started it afresh would run behind the test by the time the launcher has been up)
    clock.configure(get_settings().clock_start)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed children are reaped by the kernel
    for _line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            asyncio.run(run_worker(get_settings()))
            os._exit(0)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
