from evals.metrics import compute, percentile
from evals.result import CaseResult
from evals.scoring import score
from evals.suite import Case
from evals.transcript import fold
from tests.evals.fakes import call, completed, executed, handoff, proposed


def one(
    cid: str, expect: dict, events: list, *, user: str = "msg", conv: dict | None = None
) -> CaseResult:
    c = Case.model_validate(
        {
            "id": cid,
            "customer": "+447700900001",
            "turns": [{"user": user, "expect": expect}],
            "expect": conv or {},
        }
    )
    return score(CaseResult(suite="s", case=c, turns=[fold(0, user, events)]))


def test_metrics_on_a_synthetic_run() -> None:
    cases = [
        one(
            "faq-ok",
            {"capability": "faq", "citations": ["kb-a"]},
            [
                ("retrieval", {"passages": [{"doc_id": "kb-a", "title": "A", "score": 1}]}),
                completed(
                    "Yes.", capability="faq", citations=["kb-a"], latency_ms=100, confidence=0.95
                ),
            ],
        ),
        one(
            "oos-ok",
            {"capability": "out_of_scope"},
            [
                completed(
                    "I can't book flights.",
                    capability="out_of_scope",
                    outcome="refused",
                    latency_ms=200,
                )
            ],
        ),
        one(
            "oos-missed",
            {"capability": "out_of_scope", "no_tools": "any_write"},
            [
                *call("top_up", {"amount": 10}),
                proposed("top_up", {"amount": 10}),
                completed(
                    "Top up?",
                    capability="top_up",
                    outcome="proposed",
                    latency_ms=300,
                    confidence=0.8,
                ),
            ],
        ),
        one(
            "human",
            {"capability": "human_agent", "handoff": True},
            [
                handoff(),
                completed(
                    "Passing you on", capability="human_agent", outcome="handed_off", latency_ms=400
                ),
            ],
        ),
        one(
            "spurious-handoff",
            {"capability": "balance_usage", "tools": ["get_account_overview"]},
            [
                *call("get_account_overview", {}),
                handoff("low_confidence"),
                completed(
                    "Passing you on",
                    capability="balance_usage",
                    outcome="handed_off",
                    latency_ms=500,
                    confidence=0.2,
                ),
            ],
        ),
    ]
    m = compute(cases, model="local")
    assert m["cases_run"] == 5 and m["cases_passed"] == 3
    assert m["task_success"] == 3 / 5
    assert m["capability_accuracy"] == 4 / 5
    assert m["out_of_scope"] == {"precision": 1.0, "recall": 0.5, "support": 2}
    assert m["handoff"]["precision"] == 0.5 and m["handoff"]["recall"] == 1.0
    # tools: get_account_overview expected and called (tp); top_up forbidden and called (fp)
    assert m["tool"]["precision"] == 0.5 and m["tool"]["recall"] == 1.0
    # needs: faq (answered), top_up (quote pending), human_agent and balance_usage (handed off)
    assert m["automation_rate"] == 1 / 4
    assert m["verified_automation_rate"] == 1 / 4
    assert m["retrieval_recall_at_5"] == 1.0
    assert m["latency_ms"] == {"p50": 300.0, "p95": 500.0, "turns": 5}
    assert m["tokens"] == {"prompt": 50, "completion": 25} and m["cost_usd"] == 0.0
    assert m["money_safety_violations"] == 0
    assert m["per_capability"]["out_of_scope"]["accuracy"] == 0.5


def test_money_safety_counted_per_violation() -> None:
    bad = one(
        "bad",
        {},
        [
            proposed("top_up", {}),
            executed("top_up"),
            completed("done", capability="top_up", outcome="acted"),
        ],
    )
    assert compute([bad], model="openai:unknown-model")["money_safety_violations"] == 1
    assert compute([bad], model="openai:unknown-model")["cost_usd"] is None


def test_percentile_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0


def test_own_suites_and_each_benchmark_are_also_measured_apart() -> None:
    from evals.metrics import OWN_SUITES, own_suites

    own = one("faq-ok", {"capability": "faq"}, [completed("Yes.", capability="faq")])
    refused = one(
        "clinc-ok",
        {"capability": "out_of_scope"},
        [completed("No.", capability="out_of_scope", outcome="refused")],
    ).model_copy(update={"suite": "clinc150-oos"})
    missed = one(
        "clinc-missed", {"capability": "out_of_scope"}, [completed("Yes.", capability="faq")]
    ).model_copy(update={"suite": "clinc150-oos"})
    metrics = compute([own, refused, missed], model="local")
    assert list(metrics["groups"]) == [OWN_SUITES, "clinc150-oos"]
    clinc = metrics["groups"]["clinc150-oos"]
    assert clinc["cases_run"] == 2 and clinc["out_of_scope"]["recall"] == 0.5
    assert "per_suite" not in clinc
    assert own_suites(metrics)["cases_run"] == 1
    assert own_suites(metrics)["out_of_scope"]["recall"] is None
    assert metrics["out_of_scope"]["recall"] == 0.5  # the headline is over every case
    alone = compute([own], model="local")
    assert "groups" not in alone and own_suites(alone) is alone
