"""search_knowledge: passages with citations, for anyone, filtered by the customer's type."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from knowledge import Passage
from switchboard.settings import Settings
from tests.tools.helpers import make_context
from tools.knowledge import SECTION_EXTRA
from tools.registry import invoke_tool


class ShelfRetriever:
    """A retriever over a fixed shelf of passages; remembers what it was asked."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.asked: list[tuple[str, int, str | None]] = []

    async def search(
        self, query: str, *, k: int = 5, customer_type: str | None = None
    ) -> list[Passage]:
        self.asked.append((query, k, customer_type))
        return self.passages[:k]

    async def sections(
        self, query: str, *, k: int = 6, customer_type: str | None = None, topic: str | None = None
    ) -> list[Passage]:
        return await self.search(query, k=k, customer_type=customer_type)


def _passage(doc_id: str, section: str) -> Passage:
    return Passage(
        doc_id=doc_id,
        title=f"Title {doc_id}",
        url=f"/help/{doc_id}",
        section=section,
        text=f"Text of {doc_id} {section}.",
        chunk_id=f"{doc_id}#{section}",
        score=0.8,
    )


async def test_passages_come_back_with_one_citation_per_document(
    settings: Settings, sessionmaker: async_sessionmaker[Any], make_conversation: Any
) -> None:
    conversation_id = await make_conversation(None)
    shelf = ShelfRetriever(
        [
            _passage("roaming", "zone-1"),
            _passage("roaming", "zone-2"),
            _passage("voicemail", "setup"),
        ]
    )
    ctx = make_context(settings, sessionmaker, conversation_id, retriever=shelf, customer_id=None)
    outcome = await invoke_tool(ctx, "search_knowledge", {"query": "  roaming in Spain ", "k": 3})
    assert outcome.ok and [p.doc_id for p in outcome.passages] == [
        "roaming",
        "roaming",
        "voicemail",
    ]
    assert [c.doc_id for c in outcome.citations] == ["roaming", "voicemail"]
    assert shelf.asked == [("roaming in Spain", 3 + SECTION_EXTRA, None)]
    assert "Text of voicemail setup." in outcome.render()


async def test_the_customer_type_filters_the_search(
    settings: Settings, sessionmaker: async_sessionmaker[Any], conversation_id: str
) -> None:
    shelf = ShelfRetriever([])
    ctx = make_context(
        settings, sessionmaker, conversation_id, retriever=shelf, customer_type="postpaid"
    )
    outcome = await invoke_tool(ctx, "search_knowledge", {"query": "spending cap"})
    assert outcome.ok and outcome.passages == [] and "Nothing" in outcome.summary
    assert shelf.asked == [("spending cap", 4 + SECTION_EXTRA, "postpaid")]


async def test_without_a_retriever_the_customer_is_offered_a_person(
    settings: Settings, sessionmaker: async_sessionmaker[Any], conversation_id: str
) -> None:
    ctx = make_context(settings, sessionmaker, conversation_id)
    outcome = await invoke_tool(ctx, "search_knowledge", {"query": "fees"})
    assert outcome.code == "knowledge_unavailable" and outcome.offer_human
