"""The product names no operator and no currency (issue #21 part 5, ADR 0043): the operator's
name, currency and locale are settings, and in demo mode the demo world supplies them. Only the
demo world — the simulator (bss/), the demo knowledge base, exemplars and model assets
(knowledge/data/, knowledge/assets/), the eval suites and benchmarks, tests and docs — may say
"Brightwave" or "£"."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("api", "assistant", "tools", "switchboard", "cli", "deploy", "knowledge", "scripts")
DEMO_WORLD = ("knowledge/data/", "knowledge/assets/")
TEXT = {".py", ".js", ".html", ".css", ".yaml", ".yml", ".toml", ".sh", ".conf", ".ini", ""}
LITERAL = re.compile(r"brightwave|£", re.IGNORECASE)


def product_files() -> list[Path]:
    files = []
    for folder in PRODUCT:
        for path in sorted((ROOT / folder).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if not path.is_file() or "__pycache__" in relative or relative.startswith(DEMO_WORLD):
                continue
            if path.suffix in TEXT:
                files.append(path)
    return files


def test_no_operator_name_or_currency_sign_is_written_into_the_product() -> None:
    files = product_files()
    assert len(files) > 200
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LITERAL.search(line)
    ]
    assert found == []


def test_the_check_sees_a_literal_where_one_is_written() -> None:
    assert LITERAL.search('return f"Top up £{amount}"')
    assert LITERAL.search("I'm Brightwave's assistant")
    assert not LITERAL.search("I'm {OPERATOR}'s assistant, top up {money(10)}")
