from pathlib import Path

import pytest

from knowledge.factory import (
    KnowledgeSourceError,
    build_retriever,
    ensure_ingested,
    ingest,
    open_store,
)
from switchboard.errors import ConfigError
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


async def test_a_deleted_article_stays_until_pruned(
    kb_settings: Settings, articles: Path, embedder: FakeEmbedder
) -> None:
    await ingest(kb_settings, embedder=embedder)
    retriever = build_retriever(kb_settings, embedder=embedder)
    assert (await retriever.search("voicemail pin"))[0].doc_id == "kb-voicemail"
    (articles / "voicemail.md").unlink()
    kept = await ingest(kb_settings, embedder=embedder)
    assert kept.removed == [] and kept.stale == {"kb-voicemail": "voicemail.md"}
    assert "kb-voicemail" in await doc_ids(kb_settings, embedder)
    planned = await ingest(kb_settings, embedder=embedder, prune=True, dry_run=True)
    assert planned.removed == ["kb-voicemail"] and planned.chunks_deleted > 0
    assert "kb-voicemail" in await doc_ids(kb_settings, embedder)  # a dry run writes nothing
    report = await ingest(kb_settings, embedder=embedder, prune=True)
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


async def test_one_new_article_is_added_without_touching_the_rest(
    kb_settings: Settings, tmp_path: Path, embedder: FakeEmbedder
) -> None:
    await ingest(kb_settings, embedder=embedder)
    before = await doc_ids(kb_settings, embedder)
    new = tmp_path / "elsewhere" / "new.md"
    new.parent.mkdir()
    new.write_text("---\nid: kb-new\ntitle: New\nurl: https://x/n\n---\nHello there.\n")
    report = await ingest(kb_settings, embedder=embedder, paths=[new])
    assert report.added == ["kb-new"] and report.removed == [] and report.chunks_deleted == 0
    assert await doc_ids(kb_settings, embedder) == before | {"kb-new"}


async def test_explicit_paths_with_prune_are_the_whole_article_set(
    kb_settings: Settings, articles: Path, embedder: FakeEmbedder
) -> None:
    await ingest(kb_settings, embedder=embedder)
    report = await ingest(kb_settings, embedder=embedder, paths=[articles / "bill.md"], prune=True)
    assert report.unchanged == ["kb-bill"] and report.chunks_embedded == 0
    assert report.removed == ["kb-roaming", "kb-top-up", "kb-voicemail"]
    assert await doc_ids(kb_settings, embedder) == {"kb-bill"}


@pytest.mark.parametrize("prune", [False, True])
async def test_a_missing_path_is_an_error_and_removes_nothing(
    kb_settings: Settings, tmp_path: Path, embedder: FakeEmbedder, prune: bool
) -> None:
    await ingest(kb_settings, embedder=embedder)
    before = await open_store(kb_settings, embedder).metadata_by_id()
    with pytest.raises(KnowledgeSourceError, match="no such file or folder"):
        await ingest(kb_settings, embedder=embedder, paths=[tmp_path / "no-such"], prune=prune)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(KnowledgeSourceError, match="holds no article"):
        await ingest(kb_settings, embedder=embedder, paths=[empty], prune=True)
    assert await open_store(kb_settings, embedder).metadata_by_id() == before


async def test_a_mistyped_knowledge_dir_stops_start_up_and_removes_nothing(
    kb_settings: Settings, tmp_path: Path, embedder: FakeEmbedder
) -> None:
    await ensure_ingested(kb_settings, embedder=embedder)
    before = await open_store(kb_settings, embedder).metadata_by_id()
    typo = kb_settings.model_copy(update={"knowledge_dir": tmp_path / "artcles"})
    with pytest.raises(ConfigError, match="SWITCHBOARD_KNOWLEDGE_DIR"):
        await ensure_ingested(typo, embedder=embedder)
    empty = tmp_path / "empty"
    empty.mkdir()
    report = await ensure_ingested(
        kb_settings.model_copy(update={"knowledge_dir": empty}), embedder=embedder
    )
    assert report.removed == [] and len(report.stale) == 4
    assert await open_store(kb_settings, embedder).metadata_by_id() == before
