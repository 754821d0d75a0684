"""How often the language detector (assistant/language.py) takes English for another language,
and whether it names the language of requests written in others.

    python -m evals.languages

English: the project's exemplars and eval suites, and — when ../shared is there — the dev sets
written outside the team and the CLINC150/BANKING77 test splits (read, never copied). Foreign:
tests/assistant/data/foreign_requests.tsv (telco requests in the 18 languages of
assistant/data/languages.yaml, written by the team)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import yaml

from assistant.language import language_of
from evals.benchmarks import DEFAULT_EXTERNAL_DIR

ROOT = Path(__file__).resolve().parents[1]
DEV_DIR = DEFAULT_EXTERNAL_DIR.parent / "dev"
FOREIGN_FILE = ROOT / "tests" / "assistant" / "data" / "foreign_requests.tsv"


def own_english() -> list[str]:
    texts: list[str] = []
    for path in sorted((ROOT / "knowledge" / "data" / "exemplars").glob("*.yaml")):
        for phrases in (yaml.safe_load(path.read_text()) or {}).get("intents", {}).values():
            texts.extend(str(p) for p in phrases)
    for path in sorted((ROOT / "evals" / "suites").glob("*.yaml")):
        for case in (yaml.safe_load(path.read_text()) or {}).get("cases", []):
            texts.extend(str(turn["user"]) for turn in case.get("turns", []) if "user" in turn)
    return texts


def outside_english(dev: Path = DEV_DIR, external: Path = DEFAULT_EXTERNAL_DIR) -> list[str]:
    """Customer English nobody here wrote; empty when ../shared is absent."""
    texts: list[str] = []
    if not dev.is_dir():
        return texts
    for name in ("requests.csv", "knowledge.csv"):
        with (dev / name).open(encoding="utf-8") as handle:
            texts += [row["text"] for row in csv.DictReader(handle)]
    for line in (dev / "dialogues.jsonl").read_text(encoding="utf-8").splitlines():
        texts += json.loads(line)["turns"]
    for path in (
        external / "clinc150" / "clinc150_test_flat.csv",
        external / "banking77" / "test.csv",
    ):
        if path.is_file():
            with path.open(encoding="utf-8") as handle:
                rows = csv.reader(handle)
                next(rows)
                texts += [row[0] for row in rows]
    return texts


def foreign() -> list[tuple[str, str]]:
    lines = FOREIGN_FILE.read_text(encoding="utf-8").splitlines()
    return [(code, text) for code, text in (line.split("\t", 1) for line in lines)]


def main() -> int:
    for name, texts in (("own English", own_english()), ("outside English", outside_english())):
        wrong = [t for t in texts if language_of(t) != "en"]
        print(f"{name}: {len(wrong)} of {len(texts)} taken for another language {wrong[:5]}")  # noqa: T201
    pairs = foreign()
    right = sum(language_of(text) == code for code, text in pairs)
    print(f"foreign requests: {right} of {len(pairs)} named in their own language")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
