"""The admin API (bearer: the console token, for automation): the audit trail of actions, the
outbox, one-article edits of the knowledge base and the desk's agents. The dashboard's reads
(`reports`: analytics, surveys, gaps, attention) also take a supervisor's desk session."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel

from api import attention, gaps
from api.analytics import Report, Satisfaction, ScaleSummary, default_period, report, satisfaction
from api.channels.outbox import OutboxRow, list_outbox
from api.deps import State, require_staff
from api.desk.accounts import AGENT_ID_PATTERN, AgentIn, AgentOut, list_agents, save_agent
from api.desk.session import staff_or_supervisor
from api.errors import ERROR_RESPONSES, ConflictError
from api.gap_scope import shared_scope
from api.hub import Hub
from api.surveys import SurveyOut
from knowledge.embedding import get_embedder
from knowledge.factory import ingest, remove_article
from switchboard import clock
from switchboard.errors import InvalidInputError, NotFoundError
from tools import audit

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[Depends(require_staff)],
    responses=ERROR_RESPONSES,
)
# What the operator dashboard reads: also open to a supervisor's desk session.
reports = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[Depends(staff_or_supervisor)],
    responses=ERROR_RESPONSES,
)
Text = Annotated[str | None, Query(max_length=64)]


@router.get("/audit")
async def audit_log(
    hub: Hub,
    customer: Text = None,
    action: Text = None,
    event: Text = None,
    conversation: Text = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[audit.AuditRecord]:
    """Audit entries oldest first: `action` is an action id or a tool name (`top_up`)."""
    return await audit.query(
        hub.sessionmaker,
        customer_id=customer,
        action=action,
        event=event,
        conversation_id=conversation,
        since=since,
        limit=limit,
    )


@router.get("/outbox")
async def outbox(
    hub: Hub,
    status: Text = None,
    channel: Text = None,
    conversation: Text = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[OutboxRow]:
    """Outbound channel messages, oldest first: in demo mode without channel credentials this
    is where the assistant's WhatsApp, SMS and Telegram answers go."""
    return await list_outbox(
        hub.sessionmaker, status=status, channel=channel, conversation_id=conversation, limit=limit
    )


ArticleName = Annotated[
    str, PathParam(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}\.(md|markdown|yaml|yml)$")
]
MAX_ARTICLE_BYTES = 256 * 1024


class ArticleChange(BaseModel):
    """What an upload or removal did to the knowledge base."""

    path: str
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    chunks_embedded: int = 0


def _knowledge_folder(state: State) -> Path:
    folder = state.settings.knowledge_dir
    if folder is None or not folder.is_dir():
        raise ConflictError(
            "set SWITCHBOARD_KNOWLEDGE_DIR to a writable folder of articles to edit them here",
            code="knowledge_dir_not_set",
        )
    return folder


@router.put("/knowledge/articles/{name}")
async def put_article(name: ArticleName, request: Request, state: State) -> ArticleChange:
    """Add or replace one article (the request body is the file: Markdown with front matter,
    or YAML) and index it; the other articles are not touched. A file that does not load is
    refused and the old one kept."""
    folder = _knowledge_folder(state)
    body = await request.body()
    if len(body) > MAX_ARTICLE_BYTES:
        raise InvalidInputError(f"an article is at most {MAX_ARTICLE_BYTES} bytes")
    staged = state.settings.data_dir / "article-uploads" / name
    await asyncio.to_thread(_write, staged, body)
    try:
        check = await ingest(state.settings, paths=[staged], dry_run=True)
        if check.problems or not (check.added or check.updated or check.unchanged):
            detail = "; ".join(p.message for p in check.problems) or "no article in the file"
            raise InvalidInputError(f"{name}: {detail}")
        await asyncio.to_thread(staged.replace, folder / name)
    finally:
        await asyncio.to_thread(staged.unlink, missing_ok=True)
    report = await ingest(state.settings, paths=[folder / name])
    return ArticleChange(
        path=name,
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        chunks_embedded=report.chunks_embedded,
    )


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


@router.delete("/knowledge/articles/{name}")
async def delete_article(name: ArticleName, state: State) -> ArticleChange:
    """Remove one article's file and its passages from the index."""
    folder = _knowledge_folder(state)
    target = folder / name
    if not target.is_file():
        raise NotFoundError(f"no article file {name}")
    await asyncio.to_thread(target.unlink)
    removed = await remove_article(state.settings, path=name)
    return ArticleChange(path=name, removed=removed)


@reports.get("/analytics")
async def analytics_report(
    hub: Hub,
    state: State,
    since: datetime | None = None,
    until: datetime | None = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    segment: Annotated[
        Literal["prepaid", "postpaid", "business", "anonymous"] | None, Query()
    ] = None,
    capability: Annotated[str | None, Query(max_length=32)] = None,
) -> Report:
    """The operator's numbers for conversations started in [since, until) (default: the last 30
    days): automation rate against the 80% target, containment, handoffs by reason, action
    outcomes, latency, tokens and their estimated cost, capabilities, channels, hours and a row
    per day."""
    start, end = default_period(clock.now())
    return await report(
        hub.sessionmaker,
        since=since or start,
        until=until or end,
        channel=channel,
        segment=segment,
        capability=capability,
        model=state.settings.llm,
        prices=state.settings.model_prices,
    )


class SurveyReport(BaseModel):
    since: datetime
    until: datetime
    summary: dict[str, ScaleSummary]  # nps, csat
    satisfaction: Satisfaction
    surveys: list[SurveyOut]


@reports.get("/surveys")
async def surveys(
    hub: Hub,
    state: State,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: Annotated[Literal["nps", "csat"] | None, Query()] = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> SurveyReport:
    """Surveys asked in [since, until) (default: the last 30 days), newest first, with their
    answers and comments; NPS and CSAT over the period (definitions: docs/analytics.md)."""
    start, end = default_period(clock.now())
    since, until = since or start, until or end
    happy, kinds = await satisfaction(hub.sessionmaker, since=since, until=until, channel=channel)
    rows = await state.surveys.list(
        since=since, until=until, kind=kind, channel=channel, limit=limit
    )
    return SurveyReport(
        since=since, until=until, summary=kinds, satisfaction=happy, surveys=list(rows)
    )


@reports.get("/gaps")
async def knowledge_gaps(
    hub: Hub,
    state: State,
    since: datetime | None = None,
    until: datetime | None = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
) -> gaps.GapReport:
    """Knowledge gaps in [since, until) (default: the last 30 days): questions handed off for
    want of an answer, refused although telco, or answered with low confidence, grouped into
    topics ranked by volume, with examples."""
    settings = state.settings
    start, end = default_period(clock.now())
    embedder = get_embedder(settings)
    threshold = settings.gaps_confidence_threshold
    return await gaps.report(
        hub.sessionmaker,
        embedder=embedder,
        in_scope=shared_scope(settings),
        since=since or start,
        until=until or end,
        channel=channel,
        threshold=settings.handoff_confidence_threshold if threshold is None else threshold,
        similarity=settings.gaps_similarity,
    )


@reports.get("/attention")
async def customers_needing_attention(
    hub: Hub, state: State, as_of: datetime | None = None
) -> attention.AttentionReport:
    """Customers to look at as of `as_of` (default now): repeat contacts about one capability
    within `attention_window_days`, or far more contacts than their own usual rate; each flag
    with the conversations that show it."""
    return await attention.report(
        hub.sessionmaker,
        as_of=as_of or clock.now(),
        window_days=state.settings.attention_window_days,
        min_contacts=state.settings.attention_min_contacts,
    )


@router.put("/agents/{agent_id}")
async def save_desk_agent(
    agent_id: Annotated[str, PathParam(pattern=AGENT_ID_PATTERN)], body: AgentIn, hub: Hub
) -> AgentOut:
    """Create an agent of the desk or replace their name, role, password and active flag."""
    return await save_agent(hub.sessionmaker, agent_id, body)


@router.get("/agents")
async def desk_agents(hub: Hub) -> list[AgentOut]:
    return await list_agents(hub.sessionmaker)
