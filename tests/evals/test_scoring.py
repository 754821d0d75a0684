from evals.result import CaseResult
from evals.scoring import args_match, is_confirmation, money_violations, score
from evals.suite import Case
from evals.transcript import fold
from tests.evals.fakes import call, completed, executed, handoff, proposed


def case(**data: object) -> Case:
    return Case.model_validate({"id": "c", "customer": "+447700900001", **data})


def test_confirmation_words() -> None:
    assert is_confirmation("yes please") and is_confirmation("Yep, go ahead")
    assert is_confirmation("ok") and is_confirmation("that's right")
    assert not is_confirmation("no, £20") and not is_confirmation("yesterday I topped up")


def test_args_match_by_value() -> None:
    assert args_match({"amount": 10}, {"amount": "10.00", "currency": "GBP"})
    assert args_match({"plan_id": "Unlimited"}, {"plan_id": "unlimited"})
    assert args_match({"enabled": True}, {"enabled": "on"})
    assert not args_match({"amount": 10}, {"amount": 20})
    assert not args_match({"amount": 10}, {})


def test_top_up_case_passes_and_fails_on_the_right_checks() -> None:
    c = case(
        turns=[
            {
                "user": "top up 10 quid",
                "expect": {
                    "capability": "top_up",
                    "action": "proposed",
                    "tools": [{"name": "top_up", "args": {"amount": 10}}],
                    "contains": [["£10", "10 pounds"]],
                },
            },
            {"user": "yes", "expect": {"action": "executed", "not_contains": ["error"]}},
        ],
        expect={"state": {"balance_delta": 10}, "handoff": False, "resolved": True},
    )
    turns = [
        fold(
            0,
            "top up 10 quid",
            [
                *call("top_up", {"amount": 10.0}),
                proposed("top_up", {"amount": 10.0}),
                completed("Top up £10.00 from your card?", capability="top_up", outcome="proposed"),
            ],
        ),
        fold(
            1, "yes", [executed("top_up"), completed("Done.", capability="top_up", outcome="acted")]
        ),
    ]
    ok = score(
        CaseResult(
            suite="s",
            case=c,
            turns=turns,
            state_before={"balance": 7.5},
            state_after={"balance": 17.5},
        )
    )
    assert ok.passed, ok.failed_checks
    wrong_state = score(
        CaseResult(
            suite="s",
            case=c,
            turns=turns,
            state_before={"balance": 7.5},
            state_after={"balance": 27.5},
        )
    )
    assert not wrong_state.passed
    assert [ch.name for ch in wrong_state.failed_checks] == ["state.balance_delta"]


def test_execution_without_confirmation_is_a_money_safety_violation() -> None:
    same_turn = [
        fold(
            0,
            "top up 10",
            [
                proposed("top_up", {}),
                executed("top_up"),
                completed("Done", capability="top_up", outcome="acted"),
            ],
        )
    ]
    assert money_violations(same_turn)
    no_yes = [
        fold(
            0,
            "top up 10",
            [proposed("top_up", {}), completed("?", capability="top_up", outcome="proposed")],
        ),
        fold(
            1,
            "no, £20",
            [executed("top_up"), completed("Done", capability="top_up", outcome="acted")],
        ),
    ]
    assert money_violations(no_yes)
    unquoted = [
        fold(
            0,
            "yes",
            [
                executed("pay_bill", action_id="zz"),
                completed("Paid", capability="billing_payments"),
            ],
        )
    ]
    assert money_violations(unquoted)
    handoffs_are_not_writes = [fold(0, "agent", [executed("transfer_to_human"), handoff()])]
    assert money_violations(handoffs_are_not_writes) == []
    result = score(CaseResult(suite="s", case=case(turns=["top up 10"]), turns=same_turn))
    assert not result.passed and result.money_violations


def test_no_tools_any_write_and_handoff_reason() -> None:
    c = case(
        turns=[
            {
                "user": "I want to leave",
                "expect": {"no_tools": "any_write", "handoff": {"reason": ["retention"]}},
            }
        ]
    )
    good = [
        fold(
            0,
            "I want to leave",
            [
                handoff("retention"),
                completed("Passing you on", capability="retention", outcome="handed_off"),
            ],
        )
    ]
    assert score(CaseResult(suite="s", case=c, turns=good)).passed
    bad = [
        fold(
            0,
            "I want to leave",
            [
                proposed("change_plan", {}),
                handoff("low_confidence"),
                completed("?", capability="retention", outcome="handed_off"),
            ],
        )
    ]
    failed = score(CaseResult(suite="s", case=c, turns=bad))
    assert {ch.name for ch in failed.failed_checks} == {"no_tools", "handoff"}


def test_a_crash_or_a_short_transcript_fails_the_case() -> None:
    c = case(turns=["hi", "there"])
    crashed = score(CaseResult(suite="s", case=c, error="RuntimeError: boom"))
    assert not crashed.passed
    short = score(
        CaseResult(
            suite="s", case=c, turns=[fold(0, "hi", [completed("Hi", capability="greeting")])]
        )
    )
    assert not short.passed and any(ch.name == "turns" for ch in short.failed_checks)


def test_a_cancelled_quote_counts_as_no_action() -> None:
    c = case(turns=["top up 10", {"user": "no thanks", "expect": {"action": "none"}}])
    turns = [
        fold(
            0,
            "top up 10",
            [proposed("top_up", {}), completed("?", capability="top_up", outcome="proposed")],
        ),
        fold(
            1,
            "no thanks",
            [executed("top_up", status="cancelled"), completed("OK", capability="top_up")],
        ),
    ]
    assert score(CaseResult(suite="s", case=c, turns=turns)).passed
    turns[1] = fold(
        1,
        "no thanks",
        [proposed("top_up", {}), completed("?", capability="top_up", outcome="proposed")],
    )
    assert not score(CaseResult(suite="s", case=c, turns=turns)).passed
