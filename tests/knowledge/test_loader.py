from pathlib import Path

from knowledge.loader import load_articles
from tests.knowledge.conftest import write_articles

GOOD = "---\nid: kb-ok\ntitle: Fine\nurl: https://x/ok\n---\nSome body text.\n"


def test_articles_load_with_their_front_matter(articles: Path) -> None:
    result = load_articles([articles], root=articles)
    assert not result.problems
    docs = {d.id: d for d in result.documents}
    assert docs["kb-roaming"].tags == ("roaming", "travel", "abroad")
    assert docs["kb-top-up"].customer_types == ("prepaid",)
    assert docs["kb-bill"].customer_types == ("postpaid", "business")
    assert docs["kb-voicemail"].tags == ("voicemail", "222")
    assert docs["kb-roaming"].path == "roaming.md"


def test_yaml_articles_are_supported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: kb-y\ntitle: Y\nurl: https://x/y\nbody: |\n  Hello.\n")
    assert [d.id for d in load_articles([tmp_path]).documents] == ["kb-y"]


def test_bad_files_are_reported_by_file_and_line_and_skipped(tmp_path: Path) -> None:
    folder = write_articles(tmp_path / "kb", {"good.md": GOOD})
    (folder / "broken-yaml.md").write_text(
        "---\nid: kb-b\ntitle: [unclosed\nurl: https://x\n---\nbody\n"
    )
    (folder / "empty.md").write_text("  \n")
    (folder / "latin1.md").write_bytes(GOOD.replace("Some", "Caf\xe9").encode("latin-1"))
    (folder / "huge.md").write_text(GOOD + "x" * 600_000)
    (folder / "no-front-matter.md").write_text("# Just a heading\n")
    (folder / "bad-segment.md").write_text(
        "---\nid: kb-s\ntitle: S\nurl: https://x\ncustomer_type: gold\n---\nbody\n"
    )
    (folder / "missing-title.md").write_text("---\nid: kb-t\nurl: https://x\n---\nbody\n")
    (folder / "dup.md").write_text(GOOD)
    result = load_articles([folder], root=folder)
    assert [d.id for d in result.documents] == ["kb-ok"]
    problems = {p.path: p for p in result.problems}
    assert set(problems) == {
        "broken-yaml.md",
        "empty.md",
        "latin1.md",
        "huge.md",
        "no-front-matter.md",
        "bad-segment.md",
        "missing-title.md",
        "good.md",
    }
    assert problems["broken-yaml.md"].line in (3, 4)
    assert "malformed front matter" in problems["broken-yaml.md"].message
    assert problems["latin1.md"].line == 6 and "UTF-8" in problems["latin1.md"].message
    assert "larger than" in problems["huge.md"].message
    assert problems["bad-segment.md"].line == 5
    assert "title" in problems["missing-title.md"].message
    assert "duplicate id" in problems["good.md"].message  # dup.md sorts first and wins
    assert str(problems["empty.md"]) == "empty.md:1: file is empty"
    assert result.skipped_paths == set(problems)
