"""The real driver: a runtime per case over the real BSS simulator, with a scripted chat model."""

from evals.driver import make_driver
from evals.runner import run_cases
from evals.suite import Suite
from tests.fakes.scripted_model import ScriptedChatModel, call, say

SUITE = Suite.model_validate(
    {
        "name": "driver",
        "cases": [
            {
                "id": "topup",
                "customer": "+447700900001",
                "turns": [
                    {
                        "user": "top up £10",
                        "expect": {
                            "action": "proposed",
                            "tools": [{"name": "top_up", "args": {"amount": 10}}],
                        },
                    },
                    {"user": "yes", "expect": {"action": "executed"}},
                ],
                "expect": {"state": {"balance_delta": 10, "plan": "bundle-10"}},
            },
            {
                "id": "topup-again",
                "customer": "+447700900001",
                "turns": [
                    {"user": "top up £10", "expect": {"action": "proposed"}},
                    {"confirm_action": True, "expect": {"action": "executed"}},
                ],
                "expect": {"state": {"balance_delta": 10}},
            },
        ],
    }
)


async def test_cases_run_on_isolated_bss_state_through_the_service() -> None:
    model = ScriptedChatModel(
        script=[
            call("top_up", amount=10),
            say("Shall I top up £10?"),
            call("top_up", amount=10),
            say("Shall I top up £10?"),
        ]
    )
    async with make_driver("local", chat_model=model, knowledge=False) as driver:
        results = await run_cases([(SUITE, c) for c in SUITE.cases], driver)
    for result in results:
        assert result.error is None, result.error
        assert result.passed, list(result.failed_checks)
        # each case starts from Alice's seeded £7.50, so the second top-up is not cumulative
        assert result.state_before and result.state_before["balance"] == 7.5
        assert result.state_after and result.state_after["balance"] == 17.5
        assert result.money_violations == []
