"""The import contracts (pyproject [tool.importlinter], run by `make lint`) hold on the code and
catch a new arrow against the layers or a new import cycle: the check runs on a copy of the
packages with a deliberately wrong import added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("cli", "evals", "bench", "deploy", "api", "assistant", "tools", "knowledge", "bss")
LINT = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's packages and pyproject.toml, without data or caches."""
    target = tmp_path_factory.mktemp("layers")
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "data", "static", "*.npz")
    for package in (*PACKAGES, "switchboard"):
        shutil.copytree(ROOT / package, target / package, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}  # the copy, not the installed checkout
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=where, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_code_keeps_every_contract(copy: Path) -> None:
    result = _lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "arrow"),
    [
        ("tools/_probe.py", "import api.app\n", "tools._probe -> api.app"),  # tools know no HTTP
        ("switchboard/_probe.py", "from assistant import runtime\n", "switchboard._probe -> "),
        ("assistant/_probe.py", "import evals.cli\n", "assistant._probe -> evals.cli"),
        ("tools/_probe.py", "import bss.app\n", "tools._probe -> bss.app"),  # TMF over HTTP only
    ],
)
def test_an_arrow_against_the_layers_fails(
    copy: Path, module: str, source: str, arrow: str
) -> None:
    probe = copy / module
    probe.write_text(source)
    try:
        result = _lint(copy)
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "Layers: cli > " in result.stdout and "BROKEN" in result.stdout
    assert arrow in result.stdout


def test_an_import_cycle_inside_a_package_fails(copy: Path) -> None:
    first, second = copy / "tools" / "_ping.py", copy / "tools" / "_pong.py"
    first.write_text("from tools import _pong\n")
    second.write_text("from tools import _ping\n")
    try:
        result = _lint(copy)
    finally:
        first.unlink()
        second.unlink()
    assert result.returncode != 0
    assert "No cycles are allowed in tools" in result.stdout


def test_a_channel_reaching_back_up_to_the_hub_is_a_cycle_in_api(copy: Path) -> None:
    """api/hub.py composes the channels, the desk and the notices: none of them may import it."""
    probe = copy / "api" / "channels" / "_probe.py"
    probe.write_text("from api.hub import Hub\n")
    try:
        result = _lint(copy)
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "No cycles are allowed in api" in result.stdout
