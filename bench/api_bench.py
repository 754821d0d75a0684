"""What the API adds to a turn, and what idle SSE streams cost.

    .venv/bin/python -m bench.api_bench [--concurrency 50] [--rounds 3] [--streams 1000]
        [--turn-loop real|fake|both] [--load burst|staggered|both] [--think-s 15]

1. **Time to first token (TTFT) overhead.** The real runtime (local engine, BSS simulator, the
   knowledge base indexed with the fast test embedder) in this process, served by uvicorn on
   loopback in this same process; the customers are a load generator in a process of its own
   (bench/api_load.py), as real clients are, so its CPU is not charged to the server's event
   loop (until 2026-11-27 the client shared that loop; `cpu_ms_per_turn.client` is its cost).
   The service is wrapped to time, inside each request, the turn loop's own TTFT (from
   `handle_message` being called to its first `token` event); the API's added time of that
   request (`api_added`) is the client's TTFT of `POST /v1/conversations/{id}/messages` minus
   the turn loop's — paired per request, so the (large, load-dependent) turn time cancels out,
   but the time a request waits on the shared event loop behind other turns' work does not.
   Target: p95 <= 20 ms. Two load models, both with `--concurrency` conversations:

   - **burst** (`ttft_<loop>`): each round starts `--concurrency` turns at the same instant,
     each in a new conversation; `--rounds` rounds, alternating with the same turns run
     directly in-process (no API) for context and for the CPU comparison. The worst case: every
     request's pre-turn work queues behind the 49 others' on one event loop.
   - **staggered** (`ttft_<loop>_staggered`): `--concurrency` customers, each sending
     `--rounds` messages in one conversation; each message follows the previous reply after an
     exponentially distributed think time (mean `--think-s`, seeded by `--seed`), the first
     ones arriving spread the same way: a closed-loop population of chatting customers. With
     the default 15 s it offers about 1.2 turns/s, a rate this machine sustains (the JSON's
     `turns_per_s` and `cpu_busy_fraction`, the share of one core the process kept busy).

   `--turn-loop fake` swaps in an instant scripted turn loop: with the CPU-bound local engine
   sharing the event loop, a request's await also waits behind other turns' engine work, so the
   fake run isolates what the API itself costs. `cpu_ms_per_turn` (burst) is this process's CPU
   per turn on each path, load-independent; the staggered `cpu_ms_per_turn_api` also carries
   the runtime's background work (the BSS simulator) over the run's idle time.
   Fifty concurrent turns write many events at once: SQLite's single writer on a busy two-core
   machine can exceed its lock timeout, so `--database-url` takes PostgreSQL.
2. **Idle streams.** The same app under uvicorn in a subprocess (one worker); `--streams`
   conversations each hold `GET /events` open. Reports the worker's RSS before and after, per
   stream, and /healthz latency while they are held.

Both share two cores with the load generator: read the numbers as an upper bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections import Counter
from typing import Any

import uvloop

from bench.api_harness import ROOT, Harness, served
from bench.idle_streams import idle_streams
from bench.measure import pct


def _failures(outcomes: list[Any]) -> Counter[str]:
    return Counter(
        f"{type(o).__name__}: {str(o)[:160]}" for o in outcomes if isinstance(o, BaseException)
    )


def _series(summary: dict[str, Any], series: dict[str, list[float]]) -> dict[str, Any]:
    for name, values in series.items():
        ms = [v * 1000 for v in values]
        summary[name] = {
            "p50_ms": round(pct(ms, 0.5), 1),
            "p95_ms": round(pct(ms, 0.95), 1),
            "max_ms": round(max(ms), 1),
            "mean_ms": round(statistics.fmean(ms), 1),
        }
    return summary


async def burst(h: Harness, concurrency: int, rounds: int, loop: str) -> dict[str, Any]:
    """Load model 1: each round starts `concurrency` turns at the same instant."""
    direct: list[float] = []
    via_api: list[float] = []
    added: list[float] = []
    added_from_call: list[float] = []  # with the load generator's own queue (see api_load.py)
    errors: Counter[str] = Counter()
    cpu_s = {"direct": 0.0, "api": 0.0, "client": 0.0}  # per path; the client's own process
    for r in range(rounds * 2):
        cpu_start = time.process_time()
        if r % 2 == 0:
            outcomes = await asyncio.gather(
                *(h.direct(n) for n in range(concurrency)), return_exceptions=True
            )
            direct.extend(o for o in outcomes if isinstance(o, float))
            errors.update(_failures(outcomes))
            cpu_s["direct"] += time.process_time() - cpu_start
        else:
            answer = await h.via_api("burst", concurrency=concurrency)
            via_api.extend(answer["client"])
            added.extend(answer["added"])
            added_from_call.extend(answer["added_from_call"])
            errors.update(answer["failures"])
            cpu_s["api"] += time.process_time() - cpu_start
            cpu_s["client"] += answer["cpu_s"]
    turns = rounds * concurrency
    summary: dict[str, Any] = {
        "load_model": "burst",
        "turn_loop": loop,
        "concurrency": concurrency,
        "turns_per_path": len(direct),
        "failed_turns": sum(errors.values()),
        "failures": dict(errors.most_common(5)),
        "load_average_1m": round(os.getloadavg()[0], 1),
        # Load-independent: the server process's CPU per turn on each path, their difference
        # (the API's own CPU cost per turn) and the load generator's, in its own process.
        "cpu_ms_per_turn": {
            "direct": round(cpu_s["direct"] * 1000 / turns, 2),
            "api": round(cpu_s["api"] * 1000 / turns, 2),
            "api_added": round((cpu_s["api"] - cpu_s["direct"]) * 1000 / turns, 2),
            "client": round(cpu_s["client"] * 1000 / turns, 2),
        },
    }
    series = {"direct_ttft": direct, "api_ttft": via_api, "api_added": added}
    return _series(summary, {**series, "api_added_from_call": added_from_call})


async def staggered(
    h: Harness, concurrency: int, rounds: int, loop: str, think_s: float, seed: int
) -> dict[str, Any]:
    """Load model 2: `concurrency` customers, each sending `rounds` messages in one conversation,
    the next one an exponentially distributed think time (mean `think_s`) after the previous
    reply ended; the first messages arrive spread the same way. Through the API only."""
    cpu_start = time.process_time()
    answer = await h.via_api(
        "staggered", concurrency=concurrency, rounds=rounds, think_s=think_s, seed=seed
    )
    cpu, elapsed = time.process_time() - cpu_start, answer["elapsed_s"]
    turns = len(answer["added"])
    summary: dict[str, Any] = {
        "load_model": "staggered",
        "turn_loop": loop,
        "concurrency": concurrency,
        "think_s_mean": think_s,
        "turns": turns,
        "failed_turns": sum(answer["failures"].values()),
        "failures": dict(Counter(answer["failures"]).most_common(5)),
        "turns_per_s": round(turns / elapsed, 2),
        "load_average_1m": round(os.getloadavg()[0], 1),
        # The server process's CPU per turn (turn loop and API), and the share of one core it
        # kept busy: well under 1 means the offered load is one the loop can sustain.
        "cpu_ms_per_turn_api": round(cpu * 1000 / max(1, turns), 2),
        "cpu_busy_fraction": round(cpu / elapsed, 2),
        "cpu_ms_per_turn_client": round(answer["cpu_s"] * 1000 / max(1, turns), 2),
    }
    series = {"turn_loop_ttft": answer["turn"], "api_ttft": answer["client"]}
    added = {"api_added": answer["added"], "api_added_from_call": answer["added_from_call"]}
    return _series(summary, {**series, **added})


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument(
        "--database-url",
        default="",
        help="e.g. postgresql+asyncpg://postgres@127.0.0.1/sb_api_bench; default a fresh SQLite",
    )
    parser.add_argument(
        "--turn-loop",
        choices=["real", "fake", "both"],
        default="both",
        help="real: the local engine; fake: an instant scripted loop (the API's own cost alone)",
    )
    parser.add_argument(
        "--load",
        choices=["burst", "staggered", "both"],
        default="both",
        help="burst: each round starts all turns at once; staggered: think-time arrivals",
    )
    parser.add_argument(
        "--think-s",
        type=float,
        default=15.0,
        help="staggered: mean think time between a reply and the next message (exponential)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-ttft", action="store_true")
    parser.add_argument("--skip-streams", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    if not args.skip_ttft:
        loops = ["fake", "real"] if args.turn_loop == "both" else [args.turn_loop]
        for loop in loops:
            async with served(args.concurrency, args.database_url, loop) as harness:
                if args.load in ("burst", "both"):
                    found = await burst(harness, args.concurrency, args.rounds, loop)
                    results[f"ttft_{loop}"] = found
                    print(json.dumps(found, indent=2))
                if args.load in ("staggered", "both"):
                    found = await staggered(
                        harness, args.concurrency, args.rounds, loop, args.think_s, args.seed
                    )
                    results[f"ttft_{loop}_staggered"] = found
                    print(json.dumps(found, indent=2))
    if not args.skip_streams:
        results["idle_streams"] = await idle_streams(args.streams)
        print(json.dumps(results["idle_streams"], indent=2))
    out = ROOT / "artifacts" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "api_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    uvloop.run(main())  # the loop `switchboard serve` runs on (uvicorn picks uvloop when installed)
