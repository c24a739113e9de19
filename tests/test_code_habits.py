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
    done = subprocess.run(
        [ruff, "check", "--select", "C90", "--output-format", "concise", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (
        f"functions over max-complexity {lint['mccabe']['max-complexity']}: split them into "
        f"named steps\n{done.stdout}{done.stderr}"
    )


def test_no_exception_to_the_complexity_limit() -> None:
    """The limit holds everywhere: no per-file ignore of C901 in pyproject.toml, no noqa comment for it in the code."""
    ignores = _pyproject()["tool"]["ruff"]["lint"].get("per-file-ignores", {})
    assert not {f: codes for f, codes in ignores.items() if any(c.startswith("C90") for c in codes)}
    excluded = {".venv", ".tools", "data", "wheelhouse"}
    marked = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if not excluded & set(p.relative_to(ROOT).parts) and "noqa: " + "C901" in p.read_text(encoding="utf-8")
    ]
    assert not marked


def test_code_is_formatted() -> None:
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed (the dev group: uv sync --group dev)")
    done = subprocess.run([ruff, "format", "--check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"run `make format`:\n{done.stdout}{done.stderr}"
