"""Run cases through a `Driver`, concurrently, each on its own isolated session; score them.

The runner knows nothing about the assistant's internals: a driver opens a session per case
(evals/driver.py builds one over the real runtime; tests use a scripted one)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from evals.result import CaseResult, TurnRecord
from evals.scoring import score
from evals.suite import Case, Suite
from evals.transcript import Event, fold

Progress = Callable[[CaseResult], None]


class Session(Protocol):
    """One case's conversation on its own isolated state."""

    async def send(self, text: str) -> list[Event]: ...

    async def confirm(self, action_id: str) -> list[Event]: ...

    async def state(self) -> dict[str, Any] | None: ...

    async def aclose(self) -> None: ...


class Driver(Protocol):
    model: str

    async def open(self, case: Case) -> Session: ...


class CustomerSimulator(Protocol):
    """Plays the customer of a `simulate` case: the next message, or None when done."""

    async def next_message(self, case: Case, turns: Sequence[TurnRecord]) -> str | None: ...


class Judge(Protocol):
    async def grade(self, *, question: str, answer: str, rubric: str) -> dict[str, Any]: ...


async def _scripted(case: Case, session: Session) -> list[TurnRecord]:
    records: list[TurnRecord] = []
    for index, turn in enumerate(case.turns):
        started = time.perf_counter()
        if turn.confirm_action:
            pending = [p for r in records for p in r.proposed]
            if not pending:
                raise RuntimeError(f"turn {index}: confirm_action but no action was proposed")
            events = await session.confirm(str(pending[-1]["action_id"]))
        else:
            events = await session.send(turn.user)
        record = fold(index, turn.user, events, confirm_action=turn.confirm_action)
        record.wall_ms = (time.perf_counter() - started) * 1000
        records.append(record)
    return records


async def _simulated(
    case: Case, session: Session, simulator: CustomerSimulator
) -> list[TurnRecord]:
    assert case.simulate is not None
    records: list[TurnRecord] = []
    for index in range(case.simulate.max_turns):
        if index == 0 and case.simulate.opener:
            text: str | None = case.simulate.opener
        else:
            text = await simulator.next_message(case, records)
        if text is None:
            break
        started = time.perf_counter()
        record = fold(index, text, await session.send(text))
        record.wall_ms = (time.perf_counter() - started) * 1000
        records.append(record)
        if record.handoff is not None:
            break
    return records


async def _judge(case: Case, records: list[TurnRecord], judge: Judge) -> None:
    for turn, record in zip(case.turns, records, strict=False):
        if turn.expect.judge:
            record.judge = await judge.grade(
                question=turn.user, answer=record.text, rubric=turn.expect.judge
            )


async def run_case(
    suite: Suite,
    case: Case,
    driver: Driver,
    *,
    simulator: CustomerSimulator | None = None,
    judge: Judge | None = None,
) -> CaseResult:
    """Run one case on a fresh session and score it; a crash is recorded, never raised."""
    result = CaseResult(suite=suite.name, case=case)
    simulate = case.simulate is not None and simulator is not None
    if not case.turns and not simulate:
        return result.model_copy(update={"skipped": "needs a model to simulate the customer"})
    if simulate:  # a simulated conversation is checked only against the conversation's goals
        case = case.model_copy(update={"turns": []})
        result = result.model_copy(update={"case": case})
    started = time.perf_counter()
    session = await driver.open(case)
    try:
        result.state_before = await session.state()
        if simulate:
            assert simulator is not None
            result.turns = await _simulated(case, session, simulator)
        else:
            result.turns = await _scripted(case, session)
            if judge is not None:
                await _judge(case, result.turns, judge)
        result.state_after = await session.state()
    except Exception as exc:  # a crashing case must not stop the run; it fails with the reason
        result.error = f"{type(exc).__name__}: {exc}"
    except asyncio.CancelledError:
        # The runner never cancels a case itself (Ctrl-C is KeyboardInterrupt), so this is a
        # cancellation leaking out of the assistant (e.g. a turn deadline): it fails this case only.
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        result.error = "CancelledError: a turn was cancelled inside the assistant"
    finally:
        await session.aclose()
    result.duration_s = time.perf_counter() - started
    return score(result)


async def run_cases(
    cases: Sequence[tuple[Suite, Case]],
    driver: Driver,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    simulator: CustomerSimulator | None = None,
    judge: Judge | None = None,
) -> list[CaseResult]:
    """Run every case with at most `jobs` at a time; results keep the input order."""
    gate = asyncio.Semaphore(max(1, jobs))

    async def one(suite: Suite, case: Case) -> CaseResult:
        async with gate:
            result = await run_case(suite, case, driver, simulator=simulator, judge=judge)
        if progress is not None:
            progress(result)
        return result

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(s, c)) for s, c in cases]
    return [t.result() for t in tasks]
