"""Files only their owner may read: secrets and database files are created 0600 from the start.

`open(..., "w")` followed by `chmod` leaves a window in which the file has the umask's mode
(often 0644); `os.open(..., O_CREAT | O_EXCL, 0o600)` never does."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE = 0o600


def create_private(path: Path, text: str) -> bool:
    """Write `text` to a new file created 0600; False (nothing written) if it already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return True


def private_sqlite_file(url: str) -> None:
    """Make the SQLite file behind `url` exist with mode 0600 (an empty file is an empty
    database), and take group/other access away from one created earlier. SQLite creates its
    `-wal` and `-shm` files with the database file's mode, so they follow."""
    if not url.startswith("sqlite"):
        return
    raw = url.split("///", 1)[-1].split("?", 1)[0]
    if not raw or raw == ":memory:" or raw.startswith("file::memory:"):
        return
    path = Path(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    for member in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if member.stat().st_mode & 0o077:
                member.chmod(PRIVATE)
