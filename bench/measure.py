"""Numbers the benches compute: percentiles of a sample, and a server's CPU and memory read from
/proc for its whole process tree (uvicorn's supervisor and its workers), so a server run in
another process is measured by its own counters, not by the load generator's clock."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

TICKS_PER_S = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def pct(values: list[float], q: float) -> float:
    """The nearest-rank `q` quantile (0..1) of `values` (not empty)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency_summary(seconds: list[float]) -> dict[str, float | None]:
    """p50/p95/p99/max/mean in milliseconds, one decimal; None for each when there is no sample."""
    keys = ("p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms")
    if not seconds:
        return dict.fromkeys(keys)
    ms = [s * 1000 for s in seconds]
    found = (pct(ms, 0.5), pct(ms, 0.95), pct(ms, 0.99), max(ms), statistics.fmean(ms))
    return {key: round(value, 1) for key, value in zip(keys, found, strict=True)}


def parse_stat(text: str) -> tuple[int, int]:
    """(parent pid, user + system CPU ticks) from a /proc/PID/stat line. The command name (field
    2) is in parentheses and may hold spaces or parentheses itself: fields are counted after the
    last ')'."""
    fields = text[text.rindex(")") + 2 :].split()
    # after the name: state(3) ppid(4) ... utime(14) stime(15), so index = field number - 3
    return int(fields[1]), int(fields[11]) + int(fields[12])


def parse_rss_kb(status: str) -> int:
    """VmRSS in kB from a /proc/PID/status text (0 for a process that has none, e.g. a zombie)."""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _stats() -> dict[int, tuple[int, int]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = parse_stat((entry / "stat").read_text())
            except (OSError, ValueError):
                continue  # the process ended while we looked
    return found


def tree(root: int) -> dict[int, int]:
    """The CPU ticks of `root` and every process below it, by pid."""
    stats = _stats()
    pids, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in stats.items() if ppid == parent and pid not in pids]
        pids.update(children)
        frontier.extend(children)
    return {pid: stats[pid][1] for pid in pids if pid in stats}


def tree_cpu_s(root: int) -> float:
    """CPU seconds used so far by `root`'s process tree (the processes alive now)."""
    return sum(tree(root).values()) / TICKS_PER_S


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root`'s process tree, MB (shared pages counted once per process)."""
    kb = 0
    for pid in tree(root):
        try:
            kb += parse_rss_kb(Path(f"/proc/{pid}/status").read_text())
        except OSError:
            continue
    return kb / 1024
