"""`switchboard playbooks check | show | schema`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from cli.playbooks import app

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "playbooks"
runner = CliRunner()


def test_check_passes_the_documented_example_and_refuses_a_broken_file(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["check", str(EXAMPLE)])
    assert ok.exit_code == 0, ok.output
    assert "ok      billing_address" in ok.output
    shutil.copy(EXAMPLE / "billing_address.yaml", tmp_path / "good.yaml")
    text = (EXAMPLE / "billing_address.yaml").read_text().replace("type: postcode", "type: zip")
    (tmp_path / "bad.yaml").write_text(text.replace("name: billing_address", "name: bad"))
    bad = runner.invoke(app, ["check", str(tmp_path)])
    assert bad.exit_code == 1
    assert "ok      billing_address" in bad.output
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "type: zip" in row)
    assert f"refused {tmp_path / 'bad.yaml'}:{line}: unknown slot type 'zip'" in bad.output


def test_check_without_a_folder_checks_the_shipped_playbooks() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok      ") >= 9


def test_show_prints_a_mermaid_flowchart() -> None:
    result = runner.invoke(app, ["show", "port_in"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("flowchart TD")
    assert 'number[/"ask number (phone)"/]' in result.output
    assert 'request -->|"declined"| stopped' in result.output
    missing = runner.invoke(app, ["show", "nope"])
    assert missing.exit_code == 1


def test_schema_is_json_schema_of_the_format() -> None:
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.output)
    assert schema["title"] == "Playbook" and "steps" in schema["properties"]
