"""Habits of the code (issue 13): the type checker is clean on the pure packages, no function is too complex.

The packages and options are those of ``[tool.mypy]`` and ``[tool.ruff.lint]`` in pyproject.toml, so the test, CI and
a developer's ``.venv/bin/mypy`` / ``.venv/bin/ruff check`` at the repository root agree. mypy keeps its cache in
.mypy_cache (ignored by git): the first run on a fresh clone takes about a minute, later ones a few seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = {"common", "scoring", "sources", "checks"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_type_checker_covers_the_pure_packages() -> None:
    assert PURE_PACKAGES <= set(_pyproject()["tool"]["mypy"]["files"])


@pytest.mark.slow  # about a minute on a fresh clone (no .mypy_cache): the slow tier and CI
def test_type_checker_is_clean_on_the_pure_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is not installed (the dev group: uv sync --group dev)")
    monkeypatch.chdir(ROOT)  # the configured files are relative to the repository root
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml")])
    assert status == 0, f"mypy (run `.venv/bin/mypy` at the repository root to see the same):\n{stdout}{stderr}"


def _ruff() -> str | None:
    beside = Path(sys.executable).with_name("ruff")
    return str(beside) if beside.exists() else shutil.which("ruff")


def test_no_function_over_the_complexity_limit() -> None:
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed (the dev group: uv sync --group dev)")
    lint = _pyproject()["tool"]["ruff"]["lint"]
    assert "C90" in lint["select"], "the complexity limit (ruff C90, mccabe) is part of the lint"
    done = subprocess.run([ruff, "check", "--select", "C90", "--output-format", "concise", "--no-cache", "."],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (f"functions over max-complexity {lint['mccabe']['max-complexity']}: split them into "
                                  f"named steps\n{done.stdout}{done.stderr}")
