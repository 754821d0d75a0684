"""Argument validation at the boundary: normalised values in, and, whatever a model sends,
no crash and no BSS call for an invalid argument (property-based, hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.settings import Settings, load_settings
from tests.tools.helpers import TrippedBss, make_context
from tools.failures import ToolRefusal
from tools.money import currency_of
from tools.registry import TOOL_SPECS, invoke_tool
from tools.schemas import (
    ChangePlanArgs,
    CheckCoverageArgs,
    DisputeChargeArgs,
    SetCallFeatureArgs,
    StartServiceRequestArgs,
    TopUpArgs,
)
from tools.validation import normalise_amount, normalise_msisdn, normalise_postcode


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+447700900001", "+447700900001"),
        ("07700 900123", "+447700900123"),
        ("+44 (0)7700 900999", "+447700900999"),
        ("+1 202 555 0123", "+12025550123"),
    ],
)
def test_phone_numbers_become_e164(raw: str, e164: str) -> None:
    assert normalise_msisdn(raw) == e164


@pytest.mark.parametrize("raw", ["", "hello", "+4477009000012", "12", "07700", 447700900001, None])
def test_not_phone_numbers_are_refused(raw: Any) -> None:
    with pytest.raises(ValueError, match="phone number"):
        normalise_msisdn(raw)


@pytest.mark.parametrize(
    ("raw", "amount"), [("10", "10.00"), (12.5, "12.50"), ("£7.25", "7.25"), (5, "5.00")]
)
def test_amounts_are_exact_pence(raw: Any, amount: str) -> None:
    assert normalise_amount(raw) == Decimal(amount)


@pytest.mark.parametrize("raw", ["ten", "1e400", "NaN", "inf", -5, "10.001", True, [10], 10**9])
def test_bad_amounts_are_refused(raw: Any) -> None:
    with pytest.raises(ValueError, match="amount"):
        normalise_amount(raw)


@pytest.mark.parametrize(
    ("raw", "postcode"), [("ls2 7hy", "LS2 7HY"), ("LS27HY", "LS2 7HY"), ("sw1a", "SW1A")]
)
def test_postcodes_are_normalised(raw: str, postcode: str) -> None:
    assert normalise_postcode(raw) == postcode


def test_models_refuse_identity_and_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        TopUpArgs.model_validate({"amount": 10, "customer_id": "cust-002"})
    with pytest.raises(ValidationError):
        TopUpArgs.model_validate({"amount": 10, "currency": "euros"})  # not an ISO code
    with pytest.raises(ValidationError):
        TopUpArgs.model_validate({"amount": 0})
    with pytest.raises(ValidationError):
        ChangePlanArgs.model_validate({"offer_id": "Unlimited; DROP TABLE"})


def test_free_text_never_carries_card_numbers() -> None:
    args = DisputeChargeArgs.model_validate(
        {"bill_id": "bill-1", "reason": "charged twice on card 4242 4242 4242 4242\x07"}
    )
    assert args.reason == "charged twice on card [card]"


def test_per_kind_rules() -> None:
    with pytest.raises(ValidationError, match="forward"):
        SetCallFeatureArgs.model_validate({"feature": "call_forwarding", "enabled": True})
    ok = SetCallFeatureArgs.model_validate(
        {"feature": "call_forwarding", "enabled": True, "forward_to": "07700900123"}
    )
    assert ok.forward_to == "+447700900123"
    with pytest.raises(ValidationError, match="PAC"):
        StartServiceRequestArgs.model_validate({"kind": "port_in"})
    with pytest.raises(ValidationError):
        StartServiceRequestArgs.model_validate(
            {"kind": "port_in", "port_msisdn": "07700900123", "pac_code": "AB"}
        )
    assert CheckCoverageArgs.model_validate({"postcode": "ls2 7hy"}).postcode == "LS2 7HY"


def test_every_tool_schema_is_a_closed_json_object() -> None:
    for spec in TOOL_SPECS.values():
        schema = spec.args_model.model_json_schema()
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert "customer_id" not in schema["properties"]
        assert spec.description, spec.name


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["+447700900001", "07700900002", "10", "-1", "data-5gb", "LS2", "BILL-1"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def tool_calls(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(TOOL_SPECS)))
    fields = [*TOOL_SPECS[name].args_model.model_fields, "customer_id", "confirm"]
    args = draw(st.dictionaries(st.sampled_from(fields), JSON, max_size=5))
    return name, args


@given(call=tool_calls())
@hsettings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
async def test_no_input_crashes_a_tool_and_invalid_input_never_reaches_the_bss(
    call: tuple[str, dict[str, Any]],
    settings: Settings,
    sessionmaker: async_sessionmaker[Any],
    conversation_id: str,
) -> None:
    name, args = call
    bss = TrippedBss()
    ctx = make_context(settings, sessionmaker, conversation_id, bss=bss, retriever=bss)
    outcome = await invoke_tool(ctx, name, args)
    assert outcome.tool == name and outcome.summary
    try:
        TOOL_SPECS[name].args_model.model_validate(args)
    except ValidationError:
        assert outcome.status == "error" and outcome.code == "invalid_input"
        assert bss.used == []
    assert "Traceback" not in outcome.render()


def test_a_currency_other_than_the_operators_is_refused() -> None:
    """The schema takes any ISO code; the operator's currency is a setting (ADR 0043), so the
    tool refuses the others before anything is quoted."""
    gbp = load_settings(currency="GBP")
    assert currency_of(gbp) == "GBP" and currency_of(gbp, "gbp") == "GBP"
    with pytest.raises(ToolRefusal) as refused:
        currency_of(gbp, "EUR")
    assert refused.value.code == "INVALID_CURRENCY"
    assert currency_of(load_settings(currency="EUR", locale="de_DE"), "EUR") == "EUR"
