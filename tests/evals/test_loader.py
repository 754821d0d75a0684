from pathlib import Path

import pytest

from evals.loader import SUITES_DIR, load_suites
from evals.suite import Case

GOOD = """
name: tiny
cases:
  - id: topup-1
    customer: "+447700900001"
    turns:
      - user: top up £10
        expect: {capability: top_up, tools: [{name: top_up, args: {amount: 10}}], action: proposed}
      - user: "yes"
        expect: {action: executed}
    expect: {state: {balance_delta: 10}}
  - id: hello
    turns: ["hi"]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_good_suite_loads_with_shorthands(tmp_path: Path) -> None:
    loaded = load_suites([write(tmp_path, "a.yaml", GOOD)])
    assert loaded.problems == []
    (suite,) = loaded.suites
    first, hello = suite.cases
    assert first.turns[0].expect.capability == ["top_up"]
    assert first.turns[0].expect.tools[0].args == {"amount": 10}
    assert hello.anonymous and hello.turns[0].user == "hi"


@pytest.mark.parametrize(
    ("body", "case", "needle"),
    [
        ("  - id: x\n    turns: [{user: hi, expect: {capabilty: faq}}]\n", "'x' (#1)", "capabilty"),
        (
            "  - id: x\n    turns: [{user: hi, expect: {capability: weather}}]\n",
            "'x'",
            "unknown capability",
        ),
        ("  - id: x\n    customer: '+15550001'\n    turns: [hi]\n", "'x'", "demo msisdn"),
        (
            "  - id: x\n    turns: [{user: hi, expect: {tools: [refund_everything]}}]\n",
            "'x'",
            "unknown tool",
        ),
        ("  - id: x\n    turns: []\n", "'x'", "needs `turns`"),
        ("  - turns: [hi]\n", "#1", "id"),
    ],
)
def test_malformed_case_is_reported_with_file_case_and_reason(
    tmp_path: Path, body: str, case: str, needle: str
) -> None:
    bad = write(tmp_path, "bad.yaml", "name: bad\ncases:\n" + body)
    good = write(tmp_path, "good.yaml", GOOD)
    loaded = load_suites([bad, good])
    assert [s.name for s in loaded.suites] == ["tiny"]  # the other suite still loads
    (problem,) = loaded.problems
    assert problem.source == str(bad)
    assert problem.case is not None and problem.case.startswith(case)
    assert needle in problem.message
    assert str(bad) in str(problem) and needle in str(problem)


def test_invalid_yaml_and_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.yaml", "name: x\ncases: [\n")
    dup = write(
        tmp_path,
        "dup.yaml",
        "name: dup\ncases:\n  - {id: a, turns: [hi]}\n  - {id: a, turns: [yo]}\n",
    )
    clash = write(tmp_path, "clash.yaml", "name: clash\ncases:\n  - {id: hello, turns: [hi]}\n")
    loaded = load_suites([write(tmp_path, "a.yaml", GOOD), broken, dup, clash])
    messages = [str(p) for p in loaded.problems]
    assert any("invalid YAML at line" in m for m in messages)
    assert any("duplicate case id 'a'" in m for m in messages)
    assert any("already used" in m for m in messages)
    assert [s.name for s in loaded.suites] == ["tiny"]


def test_the_project_suites_are_valid_and_large_enough() -> None:
    loaded = load_suites([SUITES_DIR])
    assert loaded.problems == []
    cases: list[Case] = [c for s in loaded.suites for c in s.cases]
    assert len(cases) >= 300
    capabilities = {cap for c in cases for t in c.turns for cap in (t.expect.capability or [])}
    from assistant.events import CAPABILITIES

    assert set(CAPABILITIES) <= capabilities
