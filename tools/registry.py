"""The tool catalogue (CONTRACT.md §2) and the one door every call goes through.

`build_tools(ctx)` gives the chat model LangChain tools that are closures over the turn's
verified context: the model can choose *what* to do, never *for whom*. Each call returns
`(text for the model, ToolOutcome)` (`response_format="content_and_artifact"`). Arguments are
validated here, by our pydantic models, so a bad argument becomes an error outcome the model
can react to, before any BSS call, and never an exception."""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import ValidationError

from tools import (
    account,
    addons,
    audit,
    billing,
    call_features,
    coverage,
    faults,
    handoff,
    knowledge,
    plans,
    requests_status,
    roaming,
    service_requests,
    sim_line,
    topup,
)
from tools.actions import Executor
from tools.context import TurnContext, context_from
from tools.failures import ToolRefusal, describe_failure
from tools.outcome import ToolOutcome, error
from tools.schemas import ARGS_MODELS, ToolArgs

log = logging.getLogger(__name__)

Handler = Callable[[TurnContext, Any], Awaitable[ToolOutcome]]

SIGN_IN = (
    "I need to know it's you before I can look at or change an account. Please sign in, or "
    "verify your number, and I'll carry on."
)
STEP_UP = (
    "For your security this needs a verified identity. Please verify your number with the "
    "one-time code we send you (or sign in), then ask again."
)

VERIFY_BY_CODE = (
    "Before I look at the account I need to check this phone is yours: please reply with the "
    "6-digit code we've just texted to this number."
)
STEP_UP_BY_CODE = (
    "To make a change by text message I need one more check: please reply with the new 6-digit "
    "code we've just texted to this number, then ask me again."
)
STEP_UP_ELSEWHERE = (
    "For your security I can't make changes to the account over text message. You can do it "
    "signed in on our website or app, or I can put you through to a person."
)


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    args_model: type[ToolArgs]
    capability: str  # the main capability id (PRODUCT.md); `capabilities` lists all
    capabilities: tuple[str, ...]
    is_write: bool
    needs_sign_in: bool
    needs_confirmation: bool
    description: str
    handler: Handler
    executor: Executor | None = None


def _spec(
    name: str,
    caps: str,
    handler: Handler,
    executor: Executor | None = None,
    *,
    write: bool = False,
    sign_in: bool = True,
    confirm: bool | None = None,
) -> ToolSpec:
    doc = (handler.__doc__ or "").strip()
    capabilities = tuple(caps.split())
    return ToolSpec(
        name=name,
        args_model=ARGS_MODELS[name],
        capability=capabilities[0],
        capabilities=capabilities,
        is_write=write,
        needs_sign_in=sign_in,
        needs_confirmation=write if confirm is None else confirm,
        description=" ".join(doc.split()),
        handler=handler,
        executor=executor,
    )


TOOL_SPECS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        _spec("get_account_overview", "balance_usage", account.get_account_overview),
        _spec("get_usage", "balance_usage", account.get_usage),
        _spec("list_offers", "plan_change addons_limits", plans.list_offers),
        _spec("get_bills", "billing_payments", billing.get_bills),
        _spec("get_request_status", "request_status", requests_status.get_request_status),
        _spec("check_coverage", "coverage_faults", coverage.check_coverage, sign_in=False),
        _spec("search_knowledge", "faq", knowledge.search_knowledge, sign_in=False),
        _spec("top_up", "top_up", topup.top_up, topup.execute_top_up, write=True),
        _spec(
            "change_plan", "plan_change", plans.change_plan, plans.execute_change_plan, write=True
        ),
        _spec("renew_plan", "renewal", plans.renew_plan, plans.execute_renew_plan, write=True),
        _spec("buy_addon", "addons_limits", addons.buy_addon, addons.execute_buy_addon, write=True),
        _spec(
            "set_spending_cap",
            "addons_limits",
            addons.set_spending_cap,
            addons.execute_set_spending_cap,
            write=True,
        ),
        _spec(
            "set_roaming", "roaming", roaming.set_roaming, roaming.execute_set_roaming, write=True
        ),
        _spec(
            "set_call_feature",
            "call_features",
            call_features.set_call_feature,
            call_features.execute_set_call_feature,
            write=True,
        ),
        _spec(
            "pay_bill", "billing_payments", billing.pay_bill, billing.execute_pay_bill, write=True
        ),
        _spec(
            "set_autopay",
            "billing_payments",
            billing.set_autopay,
            billing.execute_set_autopay,
            write=True,
        ),
        _spec(
            "dispute_charge",
            "billing_payments",
            billing.dispute_charge,
            billing.execute_dispute_charge,
            write=True,
        ),
        _spec(
            "report_fault",
            "coverage_faults",
            faults.report_fault,
            faults.execute_report_fault,
            write=True,
        ),
        _spec(
            "block_line", "sim_line", sim_line.block_line, sim_line.execute_block_line, write=True
        ),
        _spec(
            "unblock_line",
            "sim_line",
            sim_line.unblock_line,
            sim_line.execute_unblock_line,
            write=True,
        ),
        _spec(
            "start_service_request",
            "sim_line coverage_faults",
            service_requests.start_service_request,
            service_requests.execute_start_service_request,
            write=True,
        ),
        _spec(
            "transfer_to_human",
            "human_agent retention",
            handoff.transfer_to_human,
            write=True,
            confirm=False,
            sign_in=False,
        ),
    )
}

READ_TOOLS = tuple(name for name, spec in TOOL_SPECS.items() if not spec.is_write)
WRITE_TOOLS = tuple(name for name, spec in TOOL_SPECS.items() if spec.is_write)
# The writes a customer must confirm (every write but `transfer_to_human`, CONTRACT.md §4).
CONFIRMED_TOOLS = tuple(name for name, spec in TOOL_SPECS.items() if spec.needs_confirmation)
ANONYMOUS_TOOLS = tuple(name for name, spec in TOOL_SPECS.items() if not spec.needs_sign_in)
EXECUTORS: dict[str, Executor] = {
    name: spec.executor for name, spec in TOOL_SPECS.items() if spec.executor is not None
}


def _explain(exc: ValidationError) -> str:
    parts = []
    for item in exc.errors()[:3]:
        field = ".".join(str(p) for p in item["loc"]) or "arguments"
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{field}: {message}")
    return "I couldn't use those details (" + "; ".join(parts) + ")."


async def invoke_tool(
    ctx: TurnContext, name: str, raw_args: Mapping[str, Any] | None
) -> ToolOutcome:
    """Run one tool call for the turn's customer and return its outcome; never raises."""
    spec = TOOL_SPECS.get(name)
    if spec is None:
        return error(name, "unknown_tool", f"There is no tool called {name[:48]!r}.")
    if spec.needs_sign_in and not ctx.signed_in:
        return error(name, "sign_in_required", SIGN_IN)
    if not isinstance(raw_args, Mapping):
        return error(name, "invalid_input", "The tool arguments must be an object.")
    try:
        args = spec.args_model.model_validate(dict(raw_args))
    except ValidationError as exc:
        return error(name, "invalid_input", _explain(exc))
    refused = claimed_gate(ctx, spec) or line_user_gate(ctx, spec)
    if refused is not None:
        outcome = refused
    elif spec.is_write and name in ctx.settings.step_up_tools and not ctx.verified:
        outcome = error(name, "step_up_required", STEP_UP)
    else:
        outcome = await _run(ctx, spec, args)
    if spec.is_write and not outcome.ok:
        await _audit_refusal(ctx, spec, args, outcome)
    return outcome


# Tools about the whole account (its bills, payments, every order and ticket): a business
# line user sees and acts on their own lines only, so these are for the account's admin.
ACCOUNT_WIDE_TOOLS = (
    "get_bills",
    "pay_bill",
    "set_autopay",
    "dispute_charge",
    "get_request_status",
)
ADMIN_ONLY = (
    "That's for your company's account administrator: I can help with your own line here. "
    "Your administrator can sign in to manage the whole account."
)


def line_user_gate(ctx: TurnContext, spec: ToolSpec) -> ToolOutcome | None:
    """A business line user may not use the account-wide tools."""
    if ctx.lines is None or spec.name not in ACCOUNT_WIDE_TOOLS:
        return None
    return error(spec.name, "account_admin_required", ADMIN_ONLY)


def claimed_gate(ctx: TurnContext, spec: ToolSpec) -> ToolOutcome | None:
    """The refusal for an identity a spoofable channel only claims, per
    `settings.claimed_tool_policy`: `code` tools wait for the one-time code (once per
    conversation), `step_up` tools for a fresh code each (`ctx.stepped_up`), `never` tools are
    for the signed-in web or app only."""
    if not ctx.claimed or not spec.needs_sign_in:
        return None
    default = "step_up" if spec.is_write else "code"
    need = ctx.settings.claimed_tool_policy.get(spec.name, default)
    if need == "code":
        return None if ctx.verified else error(spec.name, "verification_required", VERIFY_BY_CODE)
    if need == "step_up":
        if ctx.stepped_up:
            return None
        return error(spec.name, "step_up_required", STEP_UP_BY_CODE)
    return error(spec.name, "step_up_required", STEP_UP_ELSEWHERE, offer_human=True)


async def _run(ctx: TurnContext, spec: ToolSpec, args: ToolArgs) -> ToolOutcome:
    try:
        return await spec.handler(ctx, args)
    except ToolRefusal as refusal:
        return error(spec.name, refusal.code, refusal.message, offer_human=refusal.offer_human)
    except Exception as exc:
        failure = describe_failure(exc)
        if failure.code == "internal_error":
            log.exception("tool %s failed", spec.name)
        return error(spec.name, failure.code, failure.message, offer_human=failure.offer_human)


async def _audit_refusal(
    ctx: TurnContext, spec: ToolSpec, args: ToolArgs, outcome: ToolOutcome
) -> None:
    """A write the tool layer refused (someone else's line, a limit, no step-up) is audited."""
    try:
        async with ctx.sessionmaker() as session, session.begin():
            audit.record(
                session,
                actor=f"assistant:{ctx.turn_id}",
                event="refused",
                tool=spec.name,
                customer_id=ctx.customer_id,
                conversation_id=ctx.conversation_id,
                args=args.model_dump(mode="json"),
                detail=f"{outcome.code}: {outcome.summary}"[:1000],
            )
    except Exception:  # the audit must never turn a refusal into a crash
        log.exception("could not audit a refused %s", spec.name)


@functools.cache
def _json_schema(model: type[ToolArgs]) -> dict[str, Any]:
    """A tool's argument schema, generated once: pydantic builds it anew on every call, and it
    was 40% of a local-engine turn's CPU when every turn built its tools (bench/api_bench.py)."""
    return model.model_json_schema()


def _tool(ctx: TurnContext | None, spec: ToolSpec) -> BaseTool:
    async def run(config: RunnableConfig, **kwargs: Any) -> tuple[str, ToolOutcome]:
        outcome = await invoke_tool(ctx or context_from(config), spec.name, kwargs)
        return outcome.render(), outcome

    return StructuredTool.from_function(
        coroutine=run,
        name=spec.name,
        description=spec.description,
        args_schema=copy.deepcopy(_json_schema(spec.args_model)),
        response_format="content_and_artifact",
    )


def build_tools(ctx: TurnContext, *, names: tuple[str, ...] | None = None) -> list[BaseTool]:
    """The tools for one turn, bound to its verified identity. Anonymous turns still get every
    tool (so the model can say why it can't act); account tools answer with a sign-in request."""
    return [_tool(ctx, spec) for name, spec in TOOL_SPECS.items() if names is None or name in names]


@functools.cache
def _shared_catalogue() -> tuple[BaseTool, ...]:
    return tuple(_tool(None, spec) for spec in TOOL_SPECS.values())


def shared_tools(ctx: TurnContext) -> tuple[BaseTool, ...]:
    """The tools of every turn, built once (a `ToolFactory`, so `ctx` is not used): each call
    finds its turn's context in the run's config (`tools.context.turn_config`), so the agent
    graph over them is compiled once too (assistant/turn/agent.py, ADR 0053)."""
    return _shared_catalogue()


async def requote(ctx: TurnContext, action_id: str) -> ToolOutcome:
    """Quote an expired (or failed) action again from its stored arguments, for this
    conversation's customer only: the turn loop's answer to a "yes" that came too late."""
    from tools.actions import get_action

    action = await get_action(ctx.sessionmaker, action_id)
    if (
        action is None
        or action.customer_id != ctx.customer_id
        or action.conversation_id != ctx.conversation_id
    ):
        return error("requote", "not_found", "I couldn't find that request.")
    model = TOOL_SPECS[action.tool].args_model
    raw = {k: v for k, v in action.args.items() if k in model.model_fields}
    return await invoke_tool(ctx, action.tool, raw)
