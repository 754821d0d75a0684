"""The README stays true: it opens with the two commands and documents every setting."""

from __future__ import annotations

from pathlib import Path

from switchboard.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_opens_with_the_two_commands() -> None:
    head = README.read_text().splitlines()[:12]
    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_every_setting_is_in_the_configuration_table() -> None:
    text = README.read_text()
    missing = []
    for name in Settings.model_fields:
        variable = f"SWITCHBOARD_{name.upper()}"
        family = f"SWITCHBOARD_{name.split('_')[0].upper()}_*"
        if variable not in text and family not in text:
            missing.append(variable)
    assert not missing, f"document these settings in the README: {missing}"
