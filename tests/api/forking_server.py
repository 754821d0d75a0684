"""A launcher that pays the imports once and forks a fresh server process per request, so a test
that kills servers with SIGKILL twenty times does not pay twenty interpreter start-ups.

Reads a port per line on stdin, forks a child that serves `tests.api.crash_app` there (its own
process: its own event loop, database connections and BSS), and answers the child's pid."""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    import uvicorn

    import assistant.service.runtime  # noqa: F401  (the heavy imports, before any fork)
    import knowledge  # noqa: F401
    from tests.api.crash_app import create_crash_app

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed children are reaped by the kernel
    for line in sys.stdin:
        port = int(line)
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            uvicorn.run(create_crash_app(), host="127.0.0.1", port=port, log_level="warning")
            os._exit(0)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
