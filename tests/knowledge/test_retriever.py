from pathlib import Path

import pytest

from knowledge.factory import build_retriever, ingest
from knowledge.fusion import FusionOptions
from knowledge.retriever import Retriever
from switchboard.settings import Settings
from tests.knowledge.conftest import FakeEmbedder, write_articles


@pytest.fixture
async def retriever(kb_settings: Settings, embedder: FakeEmbedder) -> Retriever:
    await ingest(kb_settings, embedder=embedder)
    return build_retriever(kb_settings, embedder=embedder)


async def test_passages_carry_citations_and_normalised_scores(retriever: Retriever) -> None:
    passages = await retriever.search("how do I change my voicemail PIN", k=3)
    top = passages[0]
    assert (top.doc_id, top.title, top.url) == (
        "kb-voicemail",
        "Setting up voicemail",
        "https://help.example/voicemail",
    )
    assert top.section == "Changing your PIN"
    assert top.score == pytest.approx(1.0)
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert len({p.doc_id for p in passages}) == len(passages)


async def test_raw_signals_are_exposed(retriever: Retriever) -> None:
    result = await retriever.search_result("voicemail pin", k=3)
    s = result.signals
    assert s.top_dense > 0.3 and s.top_bm25 > 0 and s.top_coverage == 1.0
    assert s.margin == pytest.approx(result.passages[0].score - result.passages[1].score)
    assert result.passages[0].signals == s
    one = await retriever.search_result("voicemail pin", k=1)
    assert one.signals.margin == pytest.approx(s.margin)
    assert s.relevance == 1.0
    nothing = await retriever.search_result("zzzz qqqq", k=3)
    assert nothing.signals.top_bm25 == 0 and nothing.signals.top_coverage == 0
    # an unrelated query still gets a ranking, but its scores say it is unrelated
    assert nothing.signals.relevance == 0 and all(p.score == 0 for p in nothing.passages)


async def test_customer_type_filters_out_other_segments(retriever: Retriever) -> None:
    prepaid = {
        p.doc_id for p in await retriever.search("bill due date", k=5, customer_type="prepaid")
    }
    postpaid = {
        p.doc_id for p in await retriever.search("bill due date", k=5, customer_type="postpaid")
    }
    assert "kb-bill" not in prepaid and "kb-bill" in postpaid
    assert "kb-top-up" in prepaid and "kb-top-up" not in postpaid
    assert "kb-roaming" in prepaid & postpaid


async def test_locale_filter(retriever: Retriever) -> None:
    assert await retriever.search("voicemail", locale="fr") == []
    with pytest.raises(ValueError):
        await retriever.search("voicemail", customer_type="gold")


async def test_typos_are_corrected_against_the_corpus(retriever: Retriever) -> None:
    result = await retriever.search_result("voicemial pin", k=3)
    assert result.signals.corrected_query == "voicemail pin"
    assert result.passages[0].doc_id == "kb-voicemail"


async def test_each_mode_ranks_on_its_own(retriever: Retriever) -> None:
    for mode in ("dense", "bm25", "hybrid"):
        result = await retriever.search_result("top up credit limit", k=2, mode=mode)  # type: ignore[arg-type]
        assert result.passages[0].doc_id == "kb-top-up", mode
    bm25 = await retriever.search_result("top up", k=2, mode="bm25")
    assert all(p.dense_score is None for p in bm25.passages)


async def test_fusion_weights_change_the_order(
    kb_settings: Settings, embedder: FakeEmbedder
) -> None:
    await ingest(kb_settings, embedder=embedder)
    dense_only = build_retriever(
        kb_settings, embedder=embedder, fusion=FusionOptions(bm25_weight=0.0)
    )
    d = await dense_only.search_result("bill", k=4)
    plain = await dense_only.search_result("bill", k=4, mode="dense")
    assert [p.doc_id for p in d.passages] == [p.doc_id for p in plain.passages]


async def test_an_empty_store_returns_nothing(settings: Settings, embedder: FakeEmbedder) -> None:
    retriever = build_retriever(settings, embedder=embedder)
    assert await retriever.search("anything") == []
    assert await retriever.search("   ") == []


async def test_a_new_ingestion_is_picked_up(
    kb_settings: Settings, embedder: FakeEmbedder, retriever: Retriever
) -> None:
    assert (await retriever.search("voicemail"))[0].doc_id == "kb-voicemail"
    assert kb_settings.knowledge_dir is not None
    (kb_settings.knowledge_dir / "esim.md").write_text(
        "---\nid: kb-esim\ntitle: Getting an eSIM\nurl: https://x/esim\n---\n"
        "Ask for an e-SIM QR code.\n"
    )
    await ingest(kb_settings, embedder=embedder)
    await retriever.refresh(force=True)
    assert (await retriever.search("esim qr code"))[0].doc_id == "kb-esim"


async def test_a_rare_segment_is_still_found_by_the_dense_ranking(
    settings: Settings, tmp_path: Path, embedder: FakeEmbedder
) -> None:
    articles = {
        f"p{i}.md": f"---\nid: kb-p{i}\ntitle: Prepaid tip {i}\nurl: https://x/{i}\n"
        f"customer_type: prepaid\n---\nPrepaid bundle advice number {i}.\n"
        for i in range(12)
    }
    articles["biz.md"] = (
        "---\nid: kb-biz\ntitle: Business lines\nurl: https://x/biz\ncustomer_type: business\n"
        "---\nAdd a line to your business account from the portal.\n"
    )
    kb = settings.model_copy(update={"knowledge_dir": write_articles(tmp_path / "kb", articles)})
    await ingest(kb, embedder=embedder)
    retriever = build_retriever(kb, embedder=embedder, fusion=FusionOptions(candidates=3))
    result = await retriever.search_result("portal", k=3, customer_type="business", mode="dense")
    assert [p.doc_id for p in result.passages] == ["kb-biz"]


async def test_sections_rank_chunks_and_boost_the_segment_without_hiding_others(
    retriever: Retriever,
) -> None:
    # issue 15: a prepaid customer asking about bills before switching still gets the answer
    prepaid = await retriever.sections("bill due date", k=6, customer_type="prepaid")
    assert "kb-bill" in {p.doc_id for p in prepaid}
    plain = await retriever.sections("bill due date", k=6)
    # the boost changes the order, never the score a refusal decision reads
    assert {p.chunk_id: p.score for p in prepaid} == pytest.approx(
        {p.chunk_id: p.score for p in plain if p.chunk_id in {q.chunk_id for q in prepaid}}
    )
    assert len(prepaid) <= 6 and all(0 <= p.score <= 1 for p in prepaid)
    nothing = await retriever.sections("zzzz qqqq", k=3)
    assert all(p.score == 0 for p in nothing)


async def test_sections_boost_the_asked_topic_without_hiding_others(retriever: Retriever) -> None:
    # issue 15: "can I pay cash for credit" recognised as top_up ranks the top-up article higher
    plain = await retriever.sections("pay money each month", k=6)
    on_topic = await retriever.sections("pay money each month", k=6, topic="top_up")
    rank = {p.doc_id: i for i, p in enumerate(plain)}
    boosted = {p.doc_id: i for i, p in enumerate(on_topic)}
    assert "kb-top-up" in boosted and "kb-bill" in boosted  # none is excluded
    assert boosted["kb-top-up"] < rank["kb-top-up"]  # moved up, the others keep their place
    # the boost changes the order, never the score a refusal decision reads
    assert {p.chunk_id: p.score for p in on_topic} == pytest.approx(
        {p.chunk_id: p.score for p in plain if p.chunk_id in {q.chunk_id for q in on_topic}}
    )
