"""The wheel installs into a fresh virtual environment and its console script works there."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    # the packages are listed by hand (knowledge/ ships as certdoctor.knowledge, which discovery cannot
    # express); a folder left off would install editable but vanish from the wheel
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    engine = ROOT / "engine"
    folders = {".".join(init.parent.relative_to(engine).parts) for init in engine.rglob("__init__.py")}
    assert folders | {"certdoctor.knowledge"} == listed


@pytest.mark.slow
def test_wheel_installs_and_inspects(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheels = list(dist.glob("certdoctor-*.whl"))
    assert len(wheels) == 1
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheels[0])], check=True, capture_output=True)
    names = subprocess.run(
        [str(python), "-c", "import certdoctor, sys; print(certdoctor.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout
    assert "site-packages" in names
    for forbidden in ("engine", "knowledge"):
        probe = subprocess.run([str(python), "-c", f"import {forbidden}"], capture_output=True, cwd=tmp_path)
        assert probe.returncode != 0, f"the wheel installs a top-level '{forbidden}' package"
    result = subprocess.run(
        [str(env / "bin" / "certdoctor"), "inspect", str(ROOT / "examples" / "expe.der")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "expe.example.com" in result.stdout and "der" in result.stdout
    # the README's first command: the bundled example is diagnosed from the wheel (knowledge, facts, rules)
    case = ROOT / "examples" / "cases" / "ssh-tunnels-down" / "case.yaml"
    diagnosed = subprocess.run(
        [str(env / "bin" / "certdoctor"), "diagnose", str(case)], capture_output=True, text=True, cwd=tmp_path
    )
    assert diagnosed.returncode == 1, diagnosed.stderr
    assert "[ssh.intermediate-not-trusted]" in " ".join(diagnosed.stdout.splitlines()[:2])  # the title wraps
