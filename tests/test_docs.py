"""The documentation lists every finding code the code can emit, so users can look each one up."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r'"((?:chain|validity|revocation|name|eku|crypto|trust|cert|parse)\.[a-z0-9-]+)"')


def test_every_finding_code_is_documented() -> None:
    # the certificate layer's finding codes; diagnosis findings use the fact names of knowledge/facts.yaml
    emitted = {m for path in (ROOT / "engine" / "x509").rglob("*.py") for m in CODE.findall(path.read_text())}
    documented = set(re.findall(r"\| `([a-z]+\.[a-z0-9-]+)` \|", (ROOT / "docs" / "certificates.md").read_text()))
    assert emitted, "no finding codes found: the pattern is stale"
    assert emitted - documented == set(), "codes missing from docs/certificates.md"
    assert documented - emitted == set(), "docs/certificates.md lists codes the code never emits"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert "certdoctor inspect" in block[0] and "pytest" in block[1]
    assert block[1] in (ROOT / ".ci" / "run").read_text().splitlines()
