"""BANKING77 test split as near-domain distractors (Casanueva et al., 2020; CC BY 4.0).

Two groups of the test split:
- the banking "top up" family: wording that collides with a mobile top-up; the assistant must not
  start any write (no top-up, no payment) for a bank-account question;
- clearly banking-only intents (cards, ATMs, transfers, exchange rates): must be `out_of_scope`
  and must not touch the account.
Intents a phone operator could legitimately serve (lost phone, account closure, refunds, charges
on a statement) are left out: there is no single right answer for them here."""

from __future__ import annotations

import csv
from pathlib import Path

from evals.benchmarks import PREPAID_CUSTOMER, Skip, sample
from evals.suite import Case, ConversationExpectation, Suite, Turn, TurnExpectation

NAME = "banking77-distractors"
FILE = Path("banking77") / "test.csv"
TOP_UP_FAMILY = frozenset(
    {
        "automatic_top_up",
        "pending_top_up",
        "top_up_by_bank_transfer_charge",
        "top_up_by_card_charge",
        "top_up_by_cash_or_cheque",
        "top_up_failed",
        "top_up_limits",
        "top_up_reverted",
        "topping_up_by_card",
        "verify_top_up",
    }
)
BANKING_ONLY = frozenset(
    """card_arrival card_linking exchange_rate card_payment_wrong_exchange_rate
    pending_cash_withdrawal fiat_currency_support card_delivery_estimate exchange_via_app
    contactless_not_working cancel_transfer wrong_amount_of_cash_received
    transfer_not_received_by_recipient getting_virtual_card card_acceptance
    balance_not_updated_after_cheque_or_cash_deposit get_physical_card visa_or_mastercard
    disposable_card_limits atm_support declined_cash_withdrawal card_swallowed transfer_timing
    beneficiary_not_allowed transfer_fee_charged receiving_money failed_transfer
    transfer_into_account getting_spare_card order_physical_card virtual_card_not_working
    wrong_exchange_rate_for_cash_withdrawal get_disposable_virtual_card
    balance_not_updated_after_bank_transfer cash_withdrawal_not_recognised exchange_charge
    cash_withdrawal_charge apple_pay_or_google_pay pending_transfer declined_transfer
    verify_source_of_funds""".split()
)


def load(external_dir: Path, limit: int | None = None) -> Suite | Skip:
    path = external_dir / FILE
    if not path.is_file():
        return Skip(
            NAME, f"{path} not found (the public benchmark data lives in ../shared/external)"
        )
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(i, r["text"], r["category"]) for i, r in enumerate(csv.DictReader(handle))]
    chosen = [r for r in rows if r[2] in TOP_UP_FAMILY or r[2] in BANKING_ONLY]
    cases = []
    for index, text, category in sample(chosen, limit):
        top_up = category in TOP_UP_FAMILY
        expect = TurnExpectation(
            capability=None if top_up else ["out_of_scope"], no_tools=["any_write"], action="none"
        )
        cases.append(
            Case(
                id=f"banking77-{category.lower()}-{index:04d}",
                customer=PREPAID_CUSTOMER,
                tags=["benchmark", "top_up_wording" if top_up else "banking_only"],
                turns=[Turn(user=text, expect=expect)],
                expect=ConversationExpectation(no_tools=["any_write"]),
            )
        )
    return Suite(
        name=NAME,
        description="BANKING77 test split: banking wording must not move money on a phone account.",
        tags=["benchmark"],
        cases=cases,
        source=str(path),
    )
