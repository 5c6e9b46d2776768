"""ruff and mypy are part of the test suite, so the README's one test command covers them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean() -> None:
    # through the interpreter, so the [dev] install is enough whatever PATH says
    result = _run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    # the package folder is engine/certdoctor, so mypy finds it on MYPYPATH=engine like any src layout
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "-p", "certdoctor", "--config-file", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": str(ROOT / "engine")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
