"""The seeded demo world matches docs/demo-world.md and the issue's minimum, and resets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from bss.cli import app as bss_cli
from bss.clock import iso
from bss.world import load_world
from switchboard import clock
from switchboard.settings import Settings

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today

DOC = Path(__file__).resolve().parents[2] / "docs" / "demo-world.md"
MSISDN = re.compile(r"\+447700\d{6}")


def _table(section: str) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8").split(section, 1)[1].split("\n## ", 1)[0]
    rows = [
        [c.strip().strip("`") for c in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|")
    ]
    return rows[2:]


def test_catalog_agrees_with_the_demo_world_page() -> None:
    world = load_world()
    plans = {row[0]: row for row in _table("## Plans")}
    assert set(plans) == {p.id for p in world.plans}
    for plan in world.plans:
        assert f"£{plan.price:g}" in plans[plan.id][3], plan.id
    addons = {row[0]: row for row in _table("## Add-ons")}
    assert set(addons) == {a.id for a in world.addons}
    for addon in world.addons:
        assert f"£{addon.price:g}" in addons[addon.id][2], addon.id
    assert len(world.plans) >= 6 and len(world.addons) >= 8


def test_customers_agree_with_the_demo_world_page() -> None:
    world = load_world()
    documented = {}
    for row in _table("## Customers"):
        for msisdn in MSISDN.findall(row[0]):
            documented[msisdn] = (row[1].split(" (")[0], row[3].split(" ")[0])
    seeded = {
        line["msisdn"]: (c["name"], line["plan"]) for c in world.customers for line in c["lines"]
    }
    assert seeded == documented
    assert len(world.customers) >= 12
    segments = {c["segment"] for c in world.customers}
    assert segments == {"prepaid", "postpaid", "business"}


async def test_seeded_world_has_every_situation_and_only_drama_numbers(
    http: httpx.AsyncClient,
) -> None:
    inventory = "/tmf-api/productInventory/v4/product"
    products = (await http.get(inventory)).json()
    assert [p["id"] for p in products if p["status"] == "suspended"] == ["line-900006"]
    roaming = [
        p
        for p in products
        if {"name": "visitedCountry", "value": "ES", "valueType": "string"}
        in p["productCharacteristic"]
    ]
    assert [p["id"] for p in roaming] == ["line-900005"]
    assert any(
        c == {"name": "roaming", "value": True, "valueType": "boolean"}
        for c in roaming[0]["productCharacteristic"]
    )
    assert (
        len(
            [
                p
                for p in products
                if p["relatedParty"][0]["id"] == "cust-007"
                and p["productOffering"]["id"] == "business-unlimited"
            ]
        )
        == 3
    )
    assert any("productType" in json.dumps(p) and '"device"' in json.dumps(p) for p in products)
    bills = (await http.get("/tmf-api/customerBillManagement/v4/customerBill")).json()
    overdue = [
        b
        for b in bills
        if b["remainingAmount"]["value"] > 0
        and b["paymentDueDate"] < iso(clock.now())
        and b["relatedParty"][0]["id"] == "cust-004"
    ]
    assert len(overdue) == 1
    orders = (
        await http.get(
            "/tmf-api/productOrderingManagement/v4/productOrder", params={"state": "inProgress"}
        )
    ).json()
    assert [o["id"] for o in orders] == ["ORD-2001"]
    tickets = (
        await http.get("/tmf-api/troubleTicket/v4/troubleTicket", params={"status": "inProgress"})
    ).json()
    assert {t["id"] for t in tickets} == {"TT-1001", "OUT-4101"}
    numbers: set[str] = set()
    for path in (
        "/tmf-api/customerManagement/v4/customer",
        inventory,
        "/tmf-api/prepayBalanceManagement/v4/bucket",
    ):
        numbers |= set(MSISDN.findall((await http.get(path)).text))
    assert numbers and all(900000 <= int(n[-6:]) <= 900999 for n in numbers)


def test_cli_reset_restores_the_demo_world(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(bss_cli, ["reset"], env={"SWITCHBOARD_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "bss.db").exists()
    assert "reset" in result.output
