"""Loading playbooks: the shipped ones load clean; a bad file is refused with file:line and the
reason, and the other files still load."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from assistant.playbooks.diagram import mermaid
from assistant.playbooks.format import Playbook
from assistant.playbooks.loader import load_file, load_for, load_library, shipped_dir

SHIPPED = {
    "no_signal",
    "sim_swap",
    "lost_phone",
    "found_phone",
    "port_in",
    "port_out",
    "broadband_install",
    "bill_dispute",
    "payment_arrangement",
}

GOOD = """\
name: good
title: A good one
capability: faq
trigger:
  examples: [a good example]
steps:
  - id: ask_code
    kind: ask
    slot: code
    type: postcode
    prompt: "Postcode?"
  - id: look
    kind: call
    tool: check_coverage
    args: {postcode: "{code}"}
    save_as: cov
  - id: bye
    kind: exit
    text: "{cov.summary}"
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_shipped_playbooks_load_without_a_problem() -> None:
    library = load_for(None)
    assert library.problems == []
    assert set(library.playbooks) == SHIPPED
    for name in SHIPPED:
        assert library.sources[name].parent == shipped_dir()


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ("tool: check_coverage", "tool: check_weather", 14, "unknown tool 'check_weather'"),
        ("type: postcode", "type: colour", 10, "unknown slot type 'colour'"),
        ("tool: check_coverage", "tool: top_up", 14, "top_up changes the account"),
        ("    kind: exit\n", "    kind: say\n", 17, "leads nowhere"),
        ("{cov.summary}", "{weather}", 19, "{weather} is not a slot"),
        ('prompt: "Postcode?"', 'prompt: "Postcode?"\n    next: bye', 13, "'look' is unreachable"),
        ("capability: faq", "capability: weather", 3, "unknown capability 'weather'"),
        ("capability: faq", "capability: faq\nfollow_up: faq", 4, "follow_up: Input should be"),
        ("  - id: look", "  - idd: look", 12, "steps.1.call.idd: Extra inputs"),
        ("slot: code", "slot: code: x", 9, "not valid YAML: mapping values are not allowed"),
    ],
)
def test_a_bad_playbook_is_refused_with_file_line_and_reason(
    tmp_path: Path, old: str, new: str, line: int, reason: str
) -> None:
    assert old in GOOD
    path = _write(tmp_path, "bad.yaml", GOOD.replace(old, new))
    playbook, problems = load_file(path)
    assert playbook is None
    assert problems, "the bad file was accepted"
    shown = [str(p) for p in problems]
    assert any(s.startswith(f"{path}:{line}: ") and reason in s for s in shown), shown


def test_a_quote_of_a_tool_without_confirmation_and_a_missing_exit_are_refused(
    tmp_path: Path,
) -> None:
    text = GOOD.replace("kind: call\n    tool: check_coverage", "kind: quote\n    tool: get_bills")
    text = text.replace('    args: {postcode: "{code}"}\n    save_as: cov\n', "")
    text = text.replace('  - id: bye\n    kind: exit\n    text: "{cov.summary}"\n', "")
    path = _write(tmp_path, "no_exit.yaml", text)
    _, problems = load_file(path)
    shown = " | ".join(str(p) for p in problems)
    assert "get_bills is not a write tool" in shown
    assert "no exit" in shown


def test_an_option_slot_needs_options_from_a_saved_result(tmp_path: Path) -> None:
    text = GOOD.replace("type: postcode", "type: option")
    _, problems = load_file(_write(tmp_path, "no_options.yaml", text))
    assert any("an `option` slot needs `options`" in str(p) for p in problems)
    text = GOOD.replace(
        "type: postcode",
        "type: option\n    options: {from: weather.items, value: id, label: name}",
    )
    _, problems = load_file(_write(tmp_path, "unknown_list.yaml", text))
    assert any("options from 'weather.items': no saved result" in str(p) for p in problems)


def test_one_broken_file_does_not_stop_the_others(tmp_path: Path) -> None:
    _write(tmp_path, "good.yaml", GOOD)
    _write(
        tmp_path,
        "broken.yaml",
        GOOD.replace("name: good", "name: broken").replace("type: postcode", "type: colour"),
    )
    library = load_library([shipped_dir(), tmp_path])
    assert "good" in library.playbooks and "broken" not in library.playbooks
    assert SHIPPED <= set(library.playbooks)
    assert [p.path.name for p in library.problems] == ["broken.yaml"]


def test_a_missing_folder_is_reported_not_fatal(tmp_path: Path) -> None:
    library = load_for(tmp_path / "nowhere")
    assert SHIPPED <= set(library.playbooks)
    assert "no such folder" in str(library.problems[0])


def test_the_schema_and_the_diagram() -> None:
    schema = Playbook.model_json_schema()
    assert {"name", "trigger", "steps"} <= set(schema["required"])
    kinds = {d.get("properties", {}).get("kind", {}).get("const") for d in schema["$defs"].values()}
    assert {"ask", "call", "branch", "say", "quote", "handoff", "exit"} <= kinds
    chart = mermaid(load_for(None).playbooks["no_signal"])
    assert chart.startswith("flowchart TD")
    assert 'ticket[["quote report_fault' in chart
    assert 'ticket -->|"declined"| not_reported' in chart
    assert 'outage -->|"contains Known issue"| outage_exit' in chart


def test_the_documented_schema_is_the_format() -> None:
    documented = Path(__file__).resolve().parents[3] / "docs" / "playbooks.schema.json"
    assert json.loads(documented.read_text()) == Playbook.model_json_schema(), (
        "stale: switchboard playbooks schema > docs/playbooks.schema.json"
    )
