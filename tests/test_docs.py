"""The documentation says what the code does: every finding code is listed, worked examples run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

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
    done = subprocess.run(
        [sys.executable, "-m", "certdoctor.cli", "shell"],
        input=script,
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == transcript, "docs/shell.md is stale: rerun the walkthrough script and paste the output"
    assert "# certdoctor: TAC session" in (work / "notes.md").read_text(encoding="utf-8")


def _schema_fields(schema: dict[str, Any]) -> set[str]:
    """Every property name anywhere in a JSON Schema (its own and those of its $defs)."""
    names = set(schema.get("properties", {}))
    for definition in schema.get("$defs", {}).values():
        names |= set(definition.get("properties", {}))
    return names


@pytest.mark.parametrize("which", ["case", "answer"])
def test_the_shipped_schemas_are_the_generated_ones(which: str, capsys: pytest.CaptureFixture[str]) -> None:
    from certdoctor.cli import main

    assert main(["schema", which]) == 0
    shipped = f"docs/schema/{which}.schema.json"
    assert json.loads((ROOT / shipped).read_text()) == json.loads(capsys.readouterr().out), (
        f"{shipped} is stale: certdoctor schema {which} > {shipped}"
    )


@pytest.mark.parametrize("which", ["case", "answer"])
def test_every_field_of_the_schema_is_described(which: str) -> None:
    doc = (ROOT / "docs" / ("case-file.md" if which == "case" else "answer.md")).read_text(encoding="utf-8")
    assert f"(schema/{which}.schema.json)" in doc
    schema = json.loads((ROOT / "docs" / "schema" / f"{which}.schema.json").read_text())
    rows = set(re.findall(r"^\| `(?:[a-z_\[\]]+\.)?([a-z0-9_]+)`", doc, flags=re.MULTILINE))
    rows |= set(re.findall(r"^\| `[a-z_]+`, `([a-z_]+)`", doc, flags=re.MULTILINE))  # "| `a`, `b` |": two fields
    assert _schema_fields(schema) - rows == set(), "fields with no row in the doc's tables"


def _doc_example(doc: str, language: str) -> str:
    block = re.search(rf"## An example\n.*?```{language}\n(.*?)```", doc, flags=re.DOTALL)
    assert block, f"no {language} example"
    return block.group(1)


@pytest.fixture(scope="module")
def case_file_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/case-file.md's example, saved next to the certificates of `python -m certdoctor.lab DIR peer-address`."""
    from certdoctor.lab import write_deployment

    lab = write_deployment(tmp_path_factory.mktemp("case-file") / "deployment", ["peer-address"]).parent
    path = lab / "example.yaml"
    path.write_text(_doc_example((ROOT / "docs" / "case-file.md").read_text(encoding="utf-8"), "yaml"), "utf-8")
    return path


def _diagnose(case: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "certdoctor.cli", "diagnose", str(case), *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_case_file_example_loads_cleanly_and_finds_the_peer_address(case_file_example: Path) -> None:
    done = _diagnose(case_file_example)
    assert done.returncode == 1 and done.stderr == ""  # a cause found; no field unknown or misspelled
    first = " ".join(line.strip() for line in done.stdout.splitlines()[:2])  # the title wraps at 100 columns
    assert first.startswith("1. The Expressway-C traversal zone peer address is not a name on the Expressway-E")
    assert "[zone.peer-address-mismatch]" in first


def test_the_answer_example_is_that_case_s_answer_shortened(case_file_example: Path) -> None:
    """docs/answer.md: valid by the published schema, and every part of it is in the real answer."""
    real = json.loads(_diagnose(case_file_example, "--format", "json").stdout)
    doc = (ROOT / "docs" / "answer.md").read_text(encoding="utf-8")
    example = json.loads(_doc_example(doc, "json"))
    jsonschema.validate(example, json.loads((ROOT / "docs" / "schema" / "answer.schema.json").read_text()))
    stale = "docs/answer.md is stale: diagnose docs/case-file.md's example with --format json and paste the parts"
    shown, top = example["diagnoses"][0], real["diagnoses"][0]
    whole = ("evidence", "steps")  # shown in part
    assert {k: v for k, v in shown.items() if k not in whole} == {k: v for k, v in top.items() if k not in whole}, stale
    assert set(shown["evidence"]) <= set(top["evidence"]) and set(shown["steps"]) <= set(top["steps"]), stale
    assert all(finding in real["findings"] for finding in example["findings"]), stale
    assert example["questions"] == real["questions"][: len(example["questions"])], stale
    assert example["plan"] == real["plan"][: len(example["plan"])], stale
    counts = (len(real["diagnoses"]), len(real["findings"]), len(real["questions"]), len(real["plan"]))
    said = "ranks {} causes, shows every evidence line and step of each, lists {} findings, {} questions and {} plan"
    assert said.format(*counts) in " ".join(doc.split()), stale


#: References to development material that sits beside the repository, which users of certdoctor do not have.
OUTSIDE = re.compile(
    # [t], [w]: the pattern does not match its own source
    r"\.\./shared\b|\bshared/(?:data|con[t]ract|design|domain)\b|[\"']shared[\"']\s*/|\bcon[t]ract\b"
    r"|\b(?:domain|design|durable-rules-notes)\.md\b|seed-express[w]ay-certificates",
    flags=re.IGNORECASE,
)
#: May locate CI data that sits beside the clone (the x509-limbo oracle reads it from an environment variable).
MAY_LOCATE_CI_DATA = {".ci/run"}  # CI infrastructure: it points the limbo tests at the copy CI lays beside the clone


def test_nothing_refers_to_material_outside_the_repository() -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, timeout=60)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the tracked files are unknown")
    found = []
    for name in sorted(set(listed.stdout.decode().split("\0")) - {""} - MAY_LOCATE_CI_DATA):
        path = ROOT / name
        if not path.is_file():  # deleted in the work tree
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
            if OUTSIDE.search(line):
                found.append(f"{name}:{number}: {line.strip()[:100]}")
    assert found == [], "say it in the repository (docs/case-file.md, docs/answer.md, ...):\n" + "\n".join(found)


def test_every_link_in_the_docs_leads_to_a_file_in_the_repository() -> None:
    broken = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor
            path = (doc.parent / target.split("#")[0]).resolve()
            if not path.exists() or ROOT not in path.parents:
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert broken == []
