"""Latency of the local engine, in-process: a knowledge turn and a tool-call turn.

    .venv/bin/python -m bench.local_engine_bench [--turns 200]

A *knowledge turn* is two model calls, as the agent makes them: the customer's question ->
`search_knowledge` call, then the passages -> the extractive answer with citations. A
*tool-call turn* is the customer's request -> `top_up` call, then the quote -> the reply.
Tools are not run (their latency belongs to the tools' and knowledge's benchmarks): each
ToolMessage is built from a fixed, realistic ToolOutcome. Targets (issue #6): p95 <= 50 ms.
Messages vary per turn (no caching helps); the first call loads the model and is excluded.

With `--turn-loop` the same two kinds of turn also run through the whole turn loop
(`assistant.service.runtime.build_runtime`: SQLite event log, the built-in BSS simulator, the
knowledge index, the real tools) as Alice (prepaid demo customer); that number includes the tools,
retrieval and storage, and is reported as the turn's `latency_ms` from `turn.completed`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from assistant.local import LocalChatModel, make_local_model
from tools.outcome import PassageOut, ToolOutcome, ok
from tools.schemas import ARGS_MODELS

ROOT = Path(__file__).resolve().parents[1]
CPU_MS: list[float] = []  # CPU time per turn, all threads: a load-independent cost
QUESTIONS = [
    "what does the unlimited plan include",
    "how do i set up voicemail",
    "whats the cancellation fee if i leave early",
    "how much is roaming in spain",
    "is there a late payment fee",
    "can i keep my number if i join",
    "how much does a text cost on pay as you go",
    "which countries are in zone 2",
]
REQUESTS = [
    "top up £10",
    "put a tenner on my phone please",
    "add 20 quid to my mobile",
    "top me up 15 pounds",
    "can you top up my account by £30",
    "recharge my phone with a fiver",
]
PASSAGES = [
    PassageOut(
        doc_id=f"kb-doc-{i}",
        title=f"Help article {i}",
        text=(
            "Roaming in Zone 1 costs £2.25 per day you use your phone there. Voicemail is set "
            "up by dialling 222 and following the prompts; the default PIN is 0000. Leaving "
            "during the minimum term costs the remaining monthly charges. A late payment fee "
            "of £5 applies after the due date. Unlimited includes unlimited data, calls and "
            "texts, Zone 1 roaming and 5G."
        ),
        score=0.8 - i / 10,
    )
    for i in range(4)
]


def _turn(
    model: LocalChatModel, text: str, outcome: Callable[[str], ToolOutcome]
) -> tuple[float, AIMessage]:
    bound = model.bind_tools(_named_tools())
    cpu = time.process_time()
    start = time.perf_counter()
    messages: list[BaseMessage] = [HumanMessage(text)]
    first = bound.invoke(messages)
    assert isinstance(first, AIMessage) and first.tool_calls, first
    call = first.tool_calls[0]
    result = outcome(call["name"])
    messages += [
        first,
        ToolMessage(result.render(), tool_call_id=call["id"], name=call["name"], artifact=result),
    ]
    final = bound.invoke(messages)
    assert isinstance(final, AIMessage)
    wall = (time.perf_counter() - start) * 1000
    CPU_MS.append((time.process_time() - cpu) * 1000)
    return wall, final


def _named_tools() -> list[dict[str, object]]:
    out = []
    for name, model in ARGS_MODELS.items():
        schema = model.model_json_schema()
        out.append({"type": "function", "function": {"name": name, "parameters": schema}})
    return out


def _knowledge(_: str) -> ToolOutcome:
    return ok("search_knowledge", "Found 4 passage(s).", passages=PASSAGES)


def _quote(name: str) -> ToolOutcome:
    return ok(name, "Top up £10.00 to 07700 900001 from your card ending 4242.")


def _stats(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"{label:28} n={len(samples):4}  p50={statistics.median(samples):6.1f} ms  "
        f"p95={p95:6.1f} ms  max={ordered[-1]:6.1f} ms"
    )


async def _turn_loop(model: LocalChatModel, turns: int) -> None:
    import tempfile
    from dataclasses import dataclass

    from assistant.service.runtime import build_runtime
    from switchboard.settings import load_settings

    @dataclass(frozen=True)
    class Alice:
        customer_id: str | None
        msisdn: str | None = "+447700900001"
        segment: str | None = "prepaid"
        verified: bool = True
        channel: str = "web"
        anonymous_id: str | None = None

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp), bss_clock_speed=1e9)
        async with build_runtime(settings, model=model) as runtime:
            found = await runtime.bss.find_customer_by_msisdn(msisdn="+447700900001")
            who = Alice(customer_id=found.id)
            service = runtime.service
            results: dict[str, list[float]] = {"knowledge": [], "tool": []}
            for i in range(turns + 1):
                for kind, texts in (("knowledge", QUESTIONS), ("tool", REQUESTS)):
                    cid = await service.start_conversation(who)
                    text = texts[i % len(texts)]
                    events = [e async for e in service.handle_message(cid, who, text, f"m{i}")]
                    done = next(e for e in events if e.type == "turn.completed")
                    if i:  # the first turn of each kind warms up
                        results[kind].append(float(done.data["latency_ms"]))
            _stats("turn loop: knowledge turn", results["knowledge"])
            _stats("turn loop: tool-call turn", results["tool"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--turn-loop", action="store_true", help="also through the turn loop")
    args = parser.parse_args()
    model = make_local_model(cache_dir=ROOT / "var" / "cache")
    _turn(model, QUESTIONS[0], _knowledge)  # load the model and warm the caches
    knowledge, tool = [], []
    for i in range(args.turns):
        suffix = "" if i < len(QUESTIONS) else f" ({i})"
        knowledge.append(_turn(model, QUESTIONS[i % len(QUESTIONS)] + suffix, _knowledge)[0])
        tool.append(_turn(model, REQUESTS[i % len(REQUESTS)] + suffix, _quote)[0])
    _stats("knowledge turn (2 calls)", knowledge)
    _stats("tool-call turn (2 calls)", tool)
    _stats("CPU time per turn (both)", CPU_MS[1:])
    if args.turn_loop:
        import asyncio

        asyncio.run(_turn_loop(model, max(10, args.turns // 4)))


if __name__ == "__main__":
    main()
