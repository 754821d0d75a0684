"""`--jobs N`: N worker processes, each with its own driver (model, index, runtimes), so the
CPU-bound local engine uses every core and no in-process state is shared between cases.

Each worker builds its driver once (in its own event loop) and then runs the cases it is sent;
results come back as JSON in the order the cases were given."""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import AbstractAsyncContextManager
from typing import Any

from evals.result import CaseResult
from evals.suite import Case, Suite

_worker: dict[str, Any] = {}


def _start_worker(model: str, settings: dict[str, Any]) -> None:
    from evals.driver import make_driver, make_judge, make_simulator

    loop = asyncio.new_event_loop()
    manager: AbstractAsyncContextManager[Any] = make_driver(model, **settings)
    driver = loop.run_until_complete(manager.__aenter__())
    _worker.update(
        loop=loop,
        driver=driver,
        simulator=make_simulator(model),
        judge=make_judge(model),
    )
    atexit.register(lambda: loop.run_until_complete(manager.__aexit__(None, None, None)))


def _run_one(suite_json: str, case_json: str) -> str:
    from evals.evidence import annotate_grounding
    from evals.runner import run_case

    suite = Suite.model_validate_json(suite_json)
    case = Case.model_validate_json(case_json)
    driver = _worker["driver"]
    result: CaseResult = _worker["loop"].run_until_complete(
        run_case(suite, case, driver, simulator=_worker["simulator"], judge=_worker["judge"])
    )
    for turn in result.turns:
        annotate_grounding(turn, driver.shared.texts)
    return result.model_dump_json()


def run_in_processes(
    cases: Sequence[tuple[Suite, Case]],
    *,
    model: str,
    jobs: int,
    settings: dict[str, Any] | None = None,
    progress: Callable[[CaseResult], None] | None = None,
) -> list[CaseResult]:
    """Run `cases` on `jobs` worker processes; results keep the input order."""
    context = multiprocessing.get_context("spawn")
    results: list[CaseResult | None] = [None] * len(cases)
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(model, settings or {}),
    ) as pool:
        futures = {
            pool.submit(
                _run_one,
                suite.model_copy(update={"cases": []}).model_dump_json(),
                case.model_dump_json(),
            ): index
            for index, (suite, case) in enumerate(cases)
        }
        for future in as_completed(futures):
            result = CaseResult.model_validate_json(future.result())
            results[futures[future]] = result
            if progress is not None:
                progress(result)
    return [r for r in results if r is not None]
