"""The documentation says what the code does: every finding code is listed, worked examples run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r'"((?:chain|validity|revocation|name|eku|crypto|trust|cert|parse)\.[a-z0-9-]+)"')


def test_every_finding_code_is_documented() -> None:
    # the certificate layer's finding codes; diagnosis findings use the fact names of knowledge/facts.yaml
    x509 = ROOT / "engine" / "certdoctor" / "x509"
    emitted = {m for path in x509.rglob("*.py") for m in CODE.findall(path.read_text())}
    documented = set(re.findall(r"\| `([a-z]+\.[a-z0-9-]+)` \|", (ROOT / "docs" / "certificates.md").read_text()))
    assert emitted, "no finding codes found: the pattern is stale"
    assert emitted - documented == set(), "codes missing from docs/certificates.md"
    assert documented - emitted == set(), "docs/certificates.md lists codes the code never emits"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert "certdoctor inspect" in block[0] and "pytest" in block[1]
    assert block[1] in (ROOT / ".ci" / "run").read_text().splitlines()


def test_the_worked_scenario_example_passes_and_catches_a_regression(tmp_path: Path) -> None:
    """docs/scenarios.md: the case and expect blocks, on lab certificates, pass; on healthy ones they fail."""
    import shutil

    from certdoctor.lab import write_deployment
    from certdoctor.scenarios.run import discover, run

    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    case = next(b for b in blocks if b.startswith("title:"))
    expect = next(b for b in blocks if b.startswith("expect:"))
    lab = write_deployment(tmp_path / "jabber", ["jabber-domain"]).parent
    (lab / "jabber-warning.yaml").write_text(case + expect, encoding="utf-8")
    report, _ = run(discover([lab / "jabber-warning.yaml"]))
    assert report.ok, report.results[0].problems
    healthy = write_deployment(tmp_path / "jabber-ok", []).parent
    shutil.rmtree(lab / "certs")
    shutil.copytree(healthy / "certs", lab / "certs")
    report, _ = run(discover([lab / "jabber-warning.yaml"]))
    assert not report.ok and report.results[0].problems[0].startswith("top: expected jabber.edge-domain-not-in-san")


def test_the_shell_walkthrough_is_a_real_session(tmp_path: Path) -> None:
    """docs/shell.md: replaying the typed lines gives the transcript shown, byte for byte."""
    import os
    import shutil
    import subprocess
    import sys

    text = (ROOT / "docs" / "shell.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```text\n(.*?)```", text, flags=re.DOTALL)
    script, transcript = blocks[0], blocks[1]
    work = tmp_path / "call"
    shutil.copytree(ROOT / "examples" / "cases" / "ssh-tunnels-down" / "certs", work / "certs")
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run([sys.executable, "-m", "certdoctor.cli", "shell"], input=script, capture_output=True,
                          text=True, cwd=work, env=env, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == transcript, "docs/shell.md is stale: rerun the walkthrough script and paste the output"
    assert "# certdoctor: TAC session" in (work / "notes.md").read_text(encoding="utf-8")
