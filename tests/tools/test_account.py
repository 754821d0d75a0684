"""get_account_overview and get_usage against the real simulator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.tools.conftest import CustomerContext
from tools.catalog import days_away
from tools.registry import invoke_tool

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today

ALICE, BEN, CHLOE, GRACE, TOM = (
    "+447700900001",
    "+447700900002",
    "+447700900003",
    "+447700900007",
    "+447700900008",
)


async def test_the_overview_has_credit_data_and_renewal(customer: CustomerContext) -> None:
    outcome = await invoke_tool(await customer(ALICE), "get_account_overview", {})
    assert outcome.ok
    assert outcome.summary.startswith(
        "+447700900001 is on Bundle 10, credit £7.50, 3.2GB data left"
    )
    assert "renews on" in outcome.summary and "(in 9 days)" in outcome.summary  # world.yaml
    assert outcome.data["credit"] == "7.50" and outcome.data["plan"]["price"] == "10.00"
    assert outcome.data["roaming"] is False and outcome.data["other_lines"] == []


async def test_a_business_customer_sees_any_of_their_lines(customer: CustomerContext) -> None:
    outcome = await invoke_tool(await customer(GRACE), "get_account_overview", {"msisdn": TOM})
    assert outcome.ok and outcome.data["msisdn"] == TOM
    assert sorted(outcome.data["other_lines"]) == ["+447700900007", "+447700900009"]


async def test_someone_elses_line_is_refused(customer: CustomerContext) -> None:
    outcome = await invoke_tool(await customer(ALICE), "get_account_overview", {"msisdn": BEN})
    assert outcome.code == "not_yours" and "2.10" not in outcome.render()


async def test_usage_explains_the_extra_data_charge(customer: CustomerContext) -> None:
    outcome = await invoke_tool(await customer(CHLOE), "get_usage", {"period": "current"})
    assert outcome.ok and "£6.40" in outcome.summary and "Out-of-bundle data" in outcome.summary
    assert outcome.data["out_of_bundle_total"] == "6.40"
    previous = await invoke_tool(await customer(CHLOE), "get_usage", {"period": "previous"})
    assert previous.ok and previous.data["until"] == outcome.data["since"]
    bad = await invoke_tool(await customer(CHLOE), "get_usage", {"period": "last year"})
    assert bad.code == "invalid_input"


def test_how_far_away_a_date_is() -> None:
    today = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert days_away(datetime(2026, 12, 18, 0, 5, tzinfo=UTC), today) == " (in 21 days)"
    assert days_away(datetime(2026, 11, 28, 9, 0, tzinfo=UTC), today) == " (tomorrow)"
    assert days_away(datetime(2026, 11, 27, 1, 0, tzinfo=UTC), today) == " (today)"
    assert days_away(datetime(2026, 11, 20, tzinfo=UTC), today) == ""
