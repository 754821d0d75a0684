"""TMF701 process flows: the service requests (SIM swap, eSIM, port-in, device activation,
broadband installation). A flow is `active` while its task flows run one after another
(`new → active → completed`), then `completed`; each transition emits an event."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from bss.clock import iso, utcnow
from bss.context import Ctx
from bss.errors import bad_request, not_found, rule
from bss.events import emit
from bss.inventory import broadband_product, owned_product, product_type
from bss.shapes import char_value, characteristic, href, party, set_char, task_href

Doc = dict[str, Any]

# specification -> [(task name, simulated seconds it takes)]
FLOW_SPECS: dict[str, list[tuple[str, float]]] = {
    "sim_swap": [("verifyRequest", 60), ("dispatchSim", 3600), ("activateSim", 600)],
    "esim": [("generateProfile", 120), ("emailQrCode", 600), ("activateEsim", 600)],
    "port_in": [("validatePac", 300), ("schedulePort", 3600), ("portNumber", 7200)],
    "device_activation": [("registerDevice", 60), ("provisionDevice", 300)],
    "broadband_installation": [
        ("checkLine", 600),
        ("bookAppointment", 3600),
        ("installEngineer", 86400),
        ("activateService", 600),
    ],
}
NEEDS_LINE = {"sim_swap", "esim", "device_activation"}
PAC = re.compile(r"^[A-Z]{3}\d{6}$")
UK_MOBILE = re.compile(r"^\+447\d{9}$")
FLOW_FINAL = {"completed", "cancelled"}


def task_doc(flow_id: str, index: int, name: str, state: str, customer_id: str) -> Doc:
    """A task flow; it names its customer and its process flow (TMF701 `relatedParty`,
    `relatedEntity`), so each step's event says whose request moved."""
    tid = f"{flow_id}-T{index}"
    return {
        "id": tid,
        "href": task_href(flow_id, tid),
        "@type": "TaskFlow",
        "taskFlowSpecification": name,
        "state": state,
        "isMandatory": True,
        "priority": index,
        "completionMethod": "automatic",
        "relatedParty": [party(customer_id)],
        "relatedEntity": [
            {
                "id": flow_id,
                "href": href("processFlow", flow_id),
                "role": "processFlow",
                "@referredType": "ProcessFlow",
            }
        ],
    }


def flow_doc(
    *,
    flow_id: str,
    spec: str,
    customer_id: str,
    when: datetime,
    chars: list[Doc],
    entities: list[Doc],
    channel: list[Doc] | None = None,
) -> Doc:
    tasks = [
        task_doc(flow_id, i + 1, name, "new", customer_id)
        for i, (name, _) in enumerate(FLOW_SPECS[spec])
    ]
    doc: Doc = {
        "id": flow_id,
        "href": href("processFlow", flow_id),
        "@type": "ProcessFlow",
        "processFlowSpecification": spec,
        "processFlowDate": iso(when),
        "state": "active",
        "characteristic": chars,
        "relatedEntity": entities,
        "relatedParty": [party(customer_id)],
        "taskFlow": [
            {"id": t["id"], "href": t["href"], "@referredType": "TaskFlow"} for t in tasks
        ],
        "_tasks": tasks,
    }
    if channel:
        doc["channel"] = channel
    return doc


def public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def public_task(doc: Doc, task_id: str) -> Doc | None:
    return next((dict(t) for t in doc.get("_tasks", []) if t["id"] == task_id), None)


async def _validate(ctx: Ctx, spec: str, customer: Doc, body: Doc) -> list[Doc]:
    """Business checks; returns the relatedEntity list (the line the request is about)."""
    chars = {c.get("name"): c.get("value") for c in body.get("characteristic") or []}
    entities = [e for e in body.get("relatedEntity") or [] if e.get("@referredType") == "Product"]
    if spec in NEEDS_LINE:
        if not entities:
            raise bad_request(f"{spec} needs a relatedEntity with the line (Product) it is for")
        line = await owned_product(ctx, str(entities[0]["id"]), customer["id"])
        if product_type(line) != "mobileLine":
            raise rule("INELIGIBLE_PRODUCT", f"{line['id']} is not a mobile line")
        if spec == "device_activation" and not re.fullmatch(r"\d{15}", str(chars.get("imei", ""))):
            raise bad_request("device_activation needs characteristic imei (15 digits)")
    if spec == "port_in":
        if not PAC.match(str(chars.get("pacCode", "")).upper()):
            raise rule("INVALID_PAC", "A PAC is 3 letters followed by 6 digits, e.g. ABC123456")
        if not UK_MOBILE.match(str(chars.get("portingMsisdn", ""))):
            raise bad_request("port_in needs characteristic portingMsisdn, a UK mobile number")
    if spec == "broadband_installation":
        postcode = str(chars.get("postcode", ""))
        offering = str(chars.get("offering", "fibre-150"))
        plan = ctx.world.plan(offering)
        area = ctx.world.area(postcode)
        if plan is None or plan.kind != "broadband":
            raise rule("INELIGIBLE_OFFERING", f"{offering} is not a broadband plan")
        if area is None or not area.fibre:
            raise rule("NO_FIBRE_AT_ADDRESS", f"Home fibre is not available at {postcode or '?'}")
        if char_value(customer, "segment", key="characteristic") == "prepaid":
            raise rule("INELIGIBLE_OFFERING", "Home fibre needs a postpaid account")
    return [
        {
            "id": e["id"],
            "href": href("product", str(e["id"])),
            "role": e.get("role", "line"),
            "@referredType": "Product",
        }
        for e in entities
    ]


async def create_flow(ctx: Ctx, body: Doc, customer: Doc) -> Doc:
    spec = str(body.get("processFlowSpecification", ""))
    if spec not in FLOW_SPECS:
        raise bad_request(
            f"Unknown processFlowSpecification {spec!r}; use one of " + ", ".join(FLOW_SPECS),
            code="UNKNOWN_SPECIFICATION",
        )
    entities = await _validate(ctx, spec, customer, body)
    number = await ctx.repo.next_number("processFlow")
    chars = [characteristic(str(c["name"]), c["value"]) for c in body.get("characteristic") or []]
    doc = flow_doc(
        flow_id=f"PF-{3100 + number}",
        spec=spec,
        customer_id=customer["id"],
        when=utcnow(),
        chars=chars,
        entities=entities,
        channel=body.get("channel"),
    )
    await ctx.repo.put(
        "processFlow", doc, customer_id=customer["id"], due_at=ctx.clock.due_after(0)
    )
    await emit(ctx, "processFlow", "ProcessFlowCreateEvent", public(doc))
    return doc


async def step_flow(ctx: Ctx, doc: Doc) -> None:
    """Advance the running task by one transition (timer callback)."""
    if doc["state"] in FLOW_FINAL or doc["state"] == "hold":
        await ctx.repo.save("processFlow", doc, due_at=None)
        return
    tasks: list[Doc] = doc["_tasks"]
    current = next((t for t in tasks if t["state"] in ("new", "active")), None)
    if current is None:
        doc["state"] = "completed"
        await _apply(ctx, doc)
        await ctx.repo.save("processFlow", doc, due_at=None)
        await emit(ctx, "processFlow", "ProcessFlowStateChangeEvent", public(doc))
        return
    duration = dict(FLOW_SPECS[doc["processFlowSpecification"]])[current["taskFlowSpecification"]]
    if current["state"] == "new":
        current["state"] = "active"
        due = ctx.clock.due_after(duration)
    else:
        current["state"] = "completed"
        due = ctx.clock.due_after(0)
    await ctx.repo.save("processFlow", doc, due_at=due)
    await emit(ctx, "taskFlow", "TaskFlowStateChangeEvent", dict(current))


async def _apply(ctx: Ctx, doc: Doc) -> None:
    spec = doc["processFlowSpecification"]
    chars = {c["name"]: c["value"] for c in doc.get("characteristic") or []}
    customer_id = doc["relatedParty"][0]["id"]
    if spec in ("sim_swap", "esim") and doc.get("relatedEntity"):
        line = await ctx.repo.get("product", doc["relatedEntity"][0]["id"])
        if line is not None:
            digits = "".join(secrets.choice("0123456789") for _ in range(14))
            set_char(line, "iccid", "89441" + digits)
            set_char(line, "simType", "esim" if spec == "esim" else "physical")
            await ctx.repo.save("product", line)
            await emit(ctx, "product", "ProductAttributeValueChangeEvent", line)
    if spec == "broadband_installation":
        plan = ctx.world.plan(str(chars.get("offering", "fibre-150")))
        customer = await ctx.repo.get("customer", customer_id)
        if plan is not None and customer is not None:
            pid = f"bb-{doc['id'].lower()}"
            product = broadband_product(
                product_id=pid,
                customer_id=customer_id,
                account_id=customer["account"][0]["id"],
                plan=plan,
                service_id=f"BB-{doc['id']}",
                postcode=str(chars.get("postcode", "")),
                start=utcnow(),
            )
            await ctx.repo.put("product", product, customer_id=customer_id)
            await emit(ctx, "product", "ProductCreateEvent", product)


async def update_task(
    ctx: Ctx, flow_id: str, task_id: str, body: Doc, customer_id: str | None
) -> Doc:
    """PATCH a task flow: merge characteristics (customer input) or cancel the request."""
    doc = await ctx.repo.get("processFlow", flow_id)
    if doc is None or (customer_id and doc["relatedParty"][0]["id"] != customer_id):
        raise not_found("ProcessFlow", flow_id)
    task = next((t for t in doc["_tasks"] if t["id"] == task_id), None)
    if task is None:
        raise not_found("TaskFlow", task_id)
    for item in body.get("characteristic") or []:
        set_char(task, str(item["name"]), item["value"], key="characteristic")
    state = body.get("state")
    if state is not None and state != task["state"]:
        if state != "cancelled":
            raise rule(
                "INVALID_STATE_TRANSITION",
                f"A client may only cancel a task, not set it to {state}",
                409,
            )
        if doc["state"] in FLOW_FINAL:
            raise rule("INVALID_STATE_TRANSITION", f"{flow_id} is already {doc['state']}", 409)
        task["state"] = "cancelled"
        doc["state"] = "cancelled"
        await emit(ctx, "taskFlow", "TaskFlowStateChangeEvent", dict(task))
        await emit(ctx, "processFlow", "ProcessFlowStateChangeEvent", public(doc))
        await ctx.repo.save("processFlow", doc, due_at=None)
    else:
        await ctx.repo.save("processFlow", doc)
        await emit(ctx, "taskFlow", "TaskFlowAttributeValueChangeEvent", dict(task))
    return dict(task)
