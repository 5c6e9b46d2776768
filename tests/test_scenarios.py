"""The scenario library in scenarios/: every scenario passes, and together they cover the knowledge base."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from certdoctor.diagnosis import shipped_engine
from certdoctor.scenarios.coverage import coverage
from certdoctor.scenarios.report import side_by_side
from certdoctor.scenarios.run import Evaluated, discover, evaluate, result_of, run

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIOS = discover([LIBRARY])
ENGINE = shipped_engine()


@pytest.mark.parametrize(("name", "path"), SCENARIOS, ids=[name for name, _ in SCENARIOS])
def test_scenario(name: str, path: Path) -> None:
    result = result_of(evaluate(name, path, ENGINE), ENGINE.kb, 0.0)
    assert result.title and result.origin, f"{name}: a scenario says what it represents and where it comes from"
    assert result.passed, "\n" + side_by_side(result)


@pytest.fixture(scope="module")
def evaluated() -> list[Evaluated]:
    """The whole library, run once in this process."""
    report, done = run(SCENARIOS, ENGINE)
    assert report.ok, [r.name for r in report.results if not r.passed]
    return done


def test_the_library_is_large_and_varied(evaluated: list[Evaluated]) -> None:
    groups = {ev.name.split("/")[0] for ev in evaluated}
    assert len(evaluated) >= 80
    assert {"healthy", "mixed", "symptom-only"} <= groups
    assert all(not ev.answer.diagnoses for ev in evaluated if ev.name.startswith("healthy/"))
    for ev in evaluated:
        if ev.name.startswith("mixed/") and ev.case.expect:  # two faults at once: both must show
            assert len({ev.case.expect.top, *ev.case.expect.includes} - {None, "none"}) >= 2, ev.name
    symptom_only = [ev for ev in evaluated if ev.name.startswith("symptom-only/")]
    assert symptom_only and all(not ev.facts.findings() for ev in symptom_only)  # no certificate was judged


def test_coverage_every_cause_positive_and_near_miss_every_rule_fired(evaluated: list[Evaluated]) -> None:
    report = coverage(evaluated, ENGINE.kb)
    assert report.ok, "\n".join(report.problems)
    assert all(len(c.positive) >= 2 for c in report.causes), [c.cause for c in report.causes if len(c.positive) < 2]


def test_generated_scenarios_are_reproducible(tmp_path: Path) -> None:
    """The generator writes the same bytes again: certificates, CRLs and case files."""
    subprocess.run([sys.executable, str(LIBRARY / "generate.py"), str(tmp_path)], check=True, capture_output=True)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(written) > 80
    differ = [
        str(p) for p in written if not (LIBRARY / p).is_file() or not filecmp.cmp(tmp_path / p, LIBRARY / p, False)
    ]
    assert not differ, f"regenerate with python scenarios/generate.py: {differ[:5]}"
    pool = {p.name for p in (LIBRARY / "certs").iterdir()}
    stale = pool - {p.name for p in (tmp_path / "certs").iterdir()}
    assert not stale, f"scenarios/certs holds files no scenario uses any more: {sorted(stale)[:5]}"


def test_files_rule_causes_out_and_missing_files_keep_them_as_hypotheses(evaluated: list[Evaluated]) -> None:
    """Every cause the files can decide is ruled out by some scenario's files and awaits them in another."""
    decidable = {c.id for c in ENGINE.kb.causes if c.rule_out is not None}
    ruled_out = {r.cause for ev in evaluated for r in ev.answer.ruled_out}
    awaiting = {d.cause for ev in evaluated for d in ev.answer.diagnoses if d.decide_with}
    assert decidable <= ruled_out, sorted(decidable - ruled_out)
    assert decidable <= awaiting, sorted(decidable - awaiting)
    for ev in evaluated:
        ranked = {d.cause for d in ev.answer.diagnoses}
        assert not ranked & {r.cause for r in ev.answer.ruled_out}, ev.name  # ruled out is never ranked too
        assert all(r.reason for r in ev.answer.ruled_out), ev.name
        assert all(d.decide_with is None or d.cause in decidable for d in ev.answer.diagnoses), ev.name


def test_one_path_broken_another_healthy_without_contradiction(evaluated: list[Evaluated]) -> None:
    """A cluster whose first Expressway-E node needs an intermediate Expressway-C lacks, the second does not."""
    ev = next(e for e in evaluated if e.name == "ssh.intermediate-not-trusted/one-e-node-under-new-intermediate")
    top = ev.answer.diagnoses[0]
    assert top.cause == "ssh.intermediate-not-trusted"
    assert top.entities == ["path:expressway_c<expe1.example.com"]
    healthy = [(v, e) for v, e in ev.facts.instances()["trust.intermediate_missing"] if v is False]
    assert "path:expressway_c<expe2.example.com" in {e for _, e in healthy}  # the healthy path is known ...
    assert not any(
        i.sign == "against" and "intermediate" in i.rule for i in top.evidence_items
    )  # ... and not held against it
    peers = next(e for e in evaluated if e.name == "zone.peer-address-mismatch/one-of-two-peers-renamed")
    assert not peers.answer.diagnoses[0].counter_evidence
