from pathlib import Path

from knowledge.factory import build_retriever, ingest, open_store
from switchboard.settings import Settings
from tests.knowledge.conftest import FakeEmbedder


async def doc_ids(settings: Settings, embedder: FakeEmbedder) -> set[str]:
    meta = await open_store(settings, embedder).metadata_by_id()
    return {m["doc_id"] for m in meta.values()}


async def test_first_ingest_adds_everything(kb_settings: Settings, embedder: FakeEmbedder) -> None:
    report = await ingest(kb_settings, embedder=embedder)
    assert sorted(report.added) == ["kb-bill", "kb-roaming", "kb-top-up", "kb-voicemail"]
    assert report.chunks_embedded == report.chunks_total > 4
    assert not report.problems
    assert await doc_ids(kb_settings, embedder) == set(report.added)


async def test_reingesting_unchanged_articles_embeds_nothing(
    kb_settings: Settings, embedder: FakeEmbedder
) -> None:
    first = await ingest(kb_settings, embedder=embedder)
    calls = embedder.calls
    again = await ingest(kb_settings, embedder=embedder)
    assert embedder.calls == calls
    assert (again.added, again.updated, again.removed) == ([], [], [])
    assert sorted(again.unchanged) == sorted(first.added)
    assert again.chunks_total == first.chunks_total


async def test_an_edit_reembeds_only_the_changed_chunk(
    kb_settings: Settings, articles: Path, embedder: FakeEmbedder
) -> None:
    await ingest(kb_settings, embedder=embedder)
    path = articles / "roaming.md"
    path.write_text(path.read_text().replace("£2.25 per day", "£2.50 per day"))
    embedder.texts.clear()
    report = await ingest(kb_settings, embedder=embedder)
    assert report.updated == ["kb-roaming"] and report.chunks_embedded == 1
    assert "£2.50" in embedder.texts[0] and report.chunks_deleted == 1
    passages = await build_retriever(kb_settings, embedder=embedder).search("roaming price per day")
    assert "£2.50" in passages[0].text


async def test_a_deleted_article_disappears_from_the_index(
    kb_settings: Settings, articles: Path, embedder: FakeEmbedder
) -> None:
    await ingest(kb_settings, embedder=embedder)
    retriever = build_retriever(kb_settings, embedder=embedder)
    assert (await retriever.search("voicemail pin"))[0].doc_id == "kb-voicemail"
    (articles / "voicemail.md").unlink()
    report = await ingest(kb_settings, embedder=embedder)
    assert report.removed == ["kb-voicemail"]
    assert "kb-voicemail" not in await doc_ids(kb_settings, embedder)
    await retriever.refresh(force=True)
    assert all(p.doc_id != "kb-voicemail" for p in await retriever.search("voicemail pin"))


async def test_a_bad_document_is_skipped_and_the_index_loses_nothing(
    kb_settings: Settings, articles: Path, embedder: FakeEmbedder
) -> None:
    await ingest(kb_settings, embedder=embedder)
    before = await open_store(kb_settings, embedder).metadata_by_id()
    # an existing article is broken, a new one is fine, a new one is not UTF-8
    (articles / "roaming.md").write_text("---\nid: kb-roaming\ntitle: [oops\n---\nbody\n")
    (articles / "new.md").write_text("---\nid: kb-new\ntitle: New\nurl: https://x/n\n---\nHello.\n")
    (articles / "binary.md").write_bytes(b"---\nid: kb-bin\n\xff\xfe\n")
    report = await ingest(kb_settings, embedder=embedder)
    assert {(p.path, p.line) for p in report.problems} == {("roaming.md", 3), ("binary.md", 3)}
    assert report.added == ["kb-new"] and report.removed == []
    after = await open_store(kb_settings, embedder).metadata_by_id()
    assert set(before) <= set(after)
    assert "kb-roaming" in {m["doc_id"] for m in after.values()}


async def test_rebuild_starts_from_an_empty_index(
    kb_settings: Settings, embedder: FakeEmbedder
) -> None:
    first = await ingest(kb_settings, embedder=embedder)
    report = await ingest(kb_settings, embedder=embedder, rebuild=True)
    assert sorted(report.added) == sorted(first.added)
    assert report.chunks_embedded == first.chunks_embedded == report.chunks_total


async def test_explicit_paths_are_the_whole_article_set(
    kb_settings: Settings, articles: Path, embedder: FakeEmbedder
) -> None:
    await ingest(kb_settings, embedder=embedder)
    report = await ingest(kb_settings, embedder=embedder, paths=[articles / "bill.md"])
    assert report.unchanged == ["kb-bill"] and report.chunks_embedded == 0
    assert report.removed == ["kb-roaming", "kb-top-up", "kb-voicemail"]
    assert await doc_ids(kb_settings, embedder) == {"kb-bill"}
