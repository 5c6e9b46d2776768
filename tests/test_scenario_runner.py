"""`certdoctor scenarios run | coverage | mutate` on small libraries written here."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from certdoctor.answer import Answer, Diagnosis, EvidenceItem, FactRef
from certdoctor.case import Expectation
from certdoctor.cli import main
from certdoctor.diagnosis import shipped_engine
from certdoctor.lab import write_deployment
from certdoctor.scenarios.coverage import coverage
from certdoctor.scenarios.mutate import mutants, mutate
from certdoctor.scenarios.run import check, contradictions, discover, run

NTP_DOWN = {
    "title": "traversal zone down, NTP not synchronised",
    "origin": "Cisco admin guide",
    "symptoms": {"zone_status": "Failed"},
    "answers": {"ntp_synchronized": "no"},
}


def scenario(root: Path, name: str, expect: dict[str, object], body: dict[str, object] | None = None) -> Path:
    """Write one scenario file (a case plus expect) under root."""
    path = root / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({**(body or NTP_DOWN), "expect": expect}, sort_keys=False), encoding="utf-8")
    return path


def test_a_passing_library_exits_0_with_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario(tmp_path / "lib", "time/ntp", {"top": "time.not-synchronized", "excludes": ["upload.key-mismatch"]})
    assert main(["scenarios", "run", str(tmp_path / "lib")]) == 0
    out = capsys.readouterr().out
    assert "ok    time/ntp" in out
    assert "1 scenarios: 1 passed, 0 failed, 0 errors" in out


def test_a_failing_scenario_shows_expected_beside_actual(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario(tmp_path, "wrong", {"top": "zone.peer-address-mismatch", "excludes": ["time.not-synchronized"]})
    assert main(["scenarios", "run", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "top: expected zone.peer-address-mismatch" in out and "got time.not-synchronized" in out
    assert "excludes: time.not-synchronized is in the ranking (rank 1)" in out
    assert "expected                       | actual ranking" in out
    assert "| 1. time.not-synchronized" in out
    assert "why: an Expressway is not synchronised to" in out  # the evidence is shown
    assert max(len(line) for line in out.splitlines()) <= 100


def test_junit_and_json_for_machines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lib = tmp_path / "lib"
    scenario(lib, "time/ntp", {"top": "time.not-synchronized"})
    scenario(lib, "time/wrong", {"top": "cert.expired"})
    junit = tmp_path / "out" / "junit.xml"
    junit.parent.mkdir()
    assert main(["scenarios", "run", str(lib), "--junit", str(junit), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["passed"], report["failed"], report["errors"]) == (1, 1, 0)
    assert [r["name"] for r in report["results"]] == ["time/ntp", "time/wrong"]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["ntp"].get("classname") == "scenarios.time" and cases["ntp"].find("failure") is None
    failure = cases["wrong"].find("failure")
    assert failure is not None and "top: expected cert.expired" in (failure.get("message") or "")


def test_a_typo_in_an_expected_cause_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario(tmp_path, "typo", {"top": "time.not-synchronized", "excludes": ["cert.expird"]})
    assert main(["scenarios", "run", str(tmp_path)]) == 1
    assert "expect.excludes: unknown cause 'cert.expird'; did you mean 'cert.expired'?" in capsys.readouterr().out


def test_a_broken_scenario_is_an_error_row_and_the_rest_still_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario(tmp_path, "a-good", {"top": "time.not-synchronized"})
    scenario(tmp_path, "b-broken", {"top": "cert.expired"}, {"expressway_e": {"certificate": "missing.pem"}})
    assert main(["scenarios", "run", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "ok    a-good" in out
    assert "ERROR b-broken" in out and "expressway_e.certificate" in out and "missing.pem" in out


def test_bad_paths_are_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "run", str(tmp_path / "nope")]) == 2
    assert "nope: no such file or directory" in capsys.readouterr().err
    (tmp_path / "notes.yaml").write_text("title: not a scenario\n", encoding="utf-8")
    assert main(["scenarios", "run", str(tmp_path)]) == 2
    assert "no scenario files in it" in capsys.readouterr().err


def test_steps_expectation_checks_the_order(tmp_path: Path) -> None:
    ok = scenario(tmp_path, "ok", {"top": "time.not-synchronized", "steps": ["System > Time", "System > Time"]})
    steps = ["Network utilities", "System > Time"]
    swapped = scenario(tmp_path, "bad", {"top": "time.not-synchronized", "steps": steps})
    report, _ = run(discover([ok, swapped]))
    assert [r.status for r in report.results] == ["pass", "fail"]
    assert report.results[1].problems == ["steps: 'System > Time' is not among the top cause's steps after step 3"]


def test_coverage_fails_for_a_cause_without_a_near_miss_and_for_unfired_rules(tmp_path: Path) -> None:
    scenario(tmp_path, "ntp", {"top": "time.not-synchronized"})
    engine = shipped_engine()
    _, evaluated = run(discover([tmp_path]), engine)
    report = coverage(evaluated, engine.kb)
    row = next(c for c in report.causes if c.cause == "time.not-synchronized")
    assert (row.positive, row.near_miss) == (["ntp"], [])
    assert "time.not-synchronized: no near-miss scenario (expect excludes)" in report.problems
    assert "cert.expired: no positive scenario (expect top or includes)" in report.problems
    fired = {r.rule for r in report.rules if r.fired_in}
    assert "time.not-synchronized/ntp-not-synchronized" in fired
    assert "cert.expired/cert-expired: no scenario fires this rule" in report.problems
    assert not report.ok


def test_every_operator_makes_mutants_and_scenarios_catch_them(tmp_path: Path) -> None:
    kb = shipped_engine().kb
    assert {v.mutant.operator for v in mutants(kb)} == {
        "drop-condition",
        "flip-comparison",
        "zero-certainty",
        "swap-steps",
    }
    steps = ["System > Time", "System > Time", "Network utilities"]
    scenario(tmp_path, "ntp", {"top": "time.not-synchronized", "steps": steps})
    scenario(
        tmp_path,
        "in-sync",
        {"excludes": ["time.not-synchronized"]},
        {**NTP_DOWN, "answers": {"ntp_synchronized": "yes"}},
    )
    engine = shipped_engine()
    _, evaluated = run(discover([tmp_path]), engine)
    report = mutate(evaluated, engine.kb)
    caught = {m for op in ("zero-certainty", "flip-comparison") for m in [op] if report.by_operator[op][0]}
    assert caught == {"zero-certainty", "flip-comparison"}
    survivors = {m.id for m in report.survivors}
    assert "time.not-synchronized/ntp-not-synchronized:zero-certainty" not in survivors
    assert "time.not-synchronized/ntp-not-synchronized:flip-comparison:1" not in survivors
    assert "time.not-synchronized:swap-steps:2" not in survivors  # the steps expectation sees the swap
    assert "cert.expired/cert-expired:zero-certainty" in survivors  # nothing here exercises it
    assert 0 < report.score < 1


def test_a_generated_deployment_scenario_runs(tmp_path: Path) -> None:
    case = write_deployment(tmp_path / "dep", ["peer-address"], symptoms={"zone_status": "Failed"})
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    data["expect"] = {"top": "zone.peer-address-mismatch", "excludes": ["jabber.edge-domain-not-in-san"]}
    case.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    report, _ = run(discover([tmp_path]))
    assert report.ok and report.results[0].name == "dep/case"


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import io

    from certdoctor import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    scenario(tmp_path, "ntp", {"top": "time.not-synchronized"})
    scenario(tmp_path, "ntp2", {"top": "time.not-synchronized"})
    terminal = Terminal()
    monkeypatch.setattr(cli.sys, "stderr", terminal)
    assert main(["scenarios", "run", str(tmp_path)]) == 0
    drawn = terminal.getvalue()
    assert "[###############...............] 1/2 ntp" in drawn
    assert drawn.endswith("\r")  # and wiped before the table is printed
    piped = io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", piped)
    assert main(["scenarios", "run", str(tmp_path)]) == 0
    assert piped.getvalue() == ""


# ------------------------------------------------------------------ what the files decide (issue 12)


def _deployment_scenario(root: Path, name: str, faults: list[str], expect: dict[str, object]) -> Path:
    """A scenario on a generated deployment (zone Failed) with the given expectations."""
    case = write_deployment(root / name, faults, symptoms={"zone_status": "Failed"})
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    data.update(title=name, origin="test", expect=expect)
    case.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return case


def test_ruled_out_folded_and_decide_with_expectations(tmp_path: Path) -> None:
    good = _deployment_scenario(
        tmp_path,
        "good",
        ["peer-address"],
        {
            "top": "zone.peer-address-mismatch",
            "ruled_out": ["zone.ca-not-trusted", "zone.tls-verify-name-mismatch"],
            "folded": ["cert.name-mismatch"],
        },
    )
    bad = _deployment_scenario(
        tmp_path,
        "bad",
        ["peer-address"],
        {
            "ruled_out": ["zone.peer-address-mismatch", "cert.revoked"],
            "folded": ["cert.untrusted-ca"],
            "decide_with": ["zone.peer-address-mismatch", "crl.unavailable"],
        },
    )
    hypothesis = scenario(tmp_path / "lib", "hypothesis", {"decide_with": ["zone.ca-not-trusted"]})
    report, _ = run(discover([good, bad, hypothesis]))
    assert [r.status for r in report.results] == ["pass", "fail", "pass"]
    assert report.results[0].ruled_out[:2] and "zone.ca-not-trusted" in report.results[0].ruled_out
    assert report.results[0].ranking[0].folded == ["cert.name-mismatch"]
    assert report.results[1].problems == [
        "ruled_out: zone.peer-address-mismatch is not ruled out (it is ranked 1)",
        "ruled_out: cert.revoked is not ruled out",
        "folded: cert.untrusted-ca is not folded into a diagnosis",
        "decide_with: zone.peer-address-mismatch is ranked but does not name the files that would decide it",
        "decide_with: crl.unavailable is not in the ranking",
    ]
    assert report.results[2].ranking and any(d.decide_with for d in report.results[2].ranking)


def test_file_expectations_name_known_causes_and_are_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario(tmp_path, "typo", {"top": "time.not-synchronized", "ruled_out": ["zone.ca-not-trustd"]})
    scenario(tmp_path, "not-a-list", {"top": "time.not-synchronized", "decide_with": 3})
    assert main(["scenarios", "run", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "expect.ruled_out: unknown cause 'zone.ca-not-trustd'; did you mean 'zone.ca-not-trusted'?" in out
    assert "expect.decide_with: Input should be a valid list" in out


def test_a_failing_file_expectation_shows_what_the_files_ruled_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _deployment_scenario(tmp_path, "shown", ["peer-address"], {"top": "zone.ca-not-trusted"})
    assert main(["scenarios", "run", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "ruled out by the files:" in out and "folded: cert.name-mismatch" in out


def _answer(*items: tuple[str, str, str, object, str]) -> Answer:
    """An answer with one diagnosis whose evidence items are (sign, rule, fact, value, entity)."""
    evidence = [
        EvidenceItem(
            text=f"{fact}={value}",
            sign=sign,  # type: ignore[arg-type]
            rule=rule,
            entity=entity,
            facts=[FactRef(name=fact, value=value, entity=entity)],  # type: ignore[arg-type]
        )
        for sign, rule, fact, value, entity in items
    ]
    d = Diagnosis(cause="c", title="t", confidence=0.5, evidence=[], steps=[], references=[], evidence_items=evidence)
    return Answer(diagnoses=[d], findings=[], questions=[])


def test_evidence_and_counter_evidence_must_not_contradict() -> None:
    p1, p2 = "path:expressway_c<expe1.example.com", "path:expressway_c<expe2.example.com"
    missing = ("for", "ssh.intermediate-not-trusted/intermediate-missing", "trust.intermediate_missing", True, p1)
    other_path = ("against", "x/r", "trust.intermediate_missing", False, p2)
    same_path = ("against", "x/r", "trust.intermediate_missing", False, p1)
    assert contradictions(_answer(missing, other_path)) == []  # one path broken, another healthy: fine
    assert contradictions(_answer(missing, same_path)) == [
        "contradiction: c: evidence ssh.intermediate-not-trusted/intermediate-missing says trust.intermediate_missing "
        f"is True on {p1}, counter-evidence x/r says it is False"
    ]
    # a quantified rule rests on its aggregate fact: it speaks for every entity of its fact
    every = (
        "against",
        "ssh.intermediate-not-trusted/no-intermediate-missing",
        "q:ssh.intermediate-not-trusted/no-intermediate-missing",
        True,
        "case",
    )
    problems = contradictions(_answer(missing, every))
    assert len(problems) == 1 and "says it is False" in problems[0] and p1 in problems[0]
    # the check runs on every scenario, whatever its expect block says
    assert check(Expectation(), _answer(missing, same_path))[0].startswith("contradiction: c:")


def test_a_contradiction_on_one_entity_is_caught_and_two_entities_are_not_one() -> None:
    """Evidence and counter-evidence with opposite values of one fact: a contradiction on one entity only."""
    from certdoctor.answer import Answer, Diagnosis, EvidenceItem, FactRef

    def item(sign: str, value: bool, entity: str) -> EvidenceItem:
        fact = FactRef(name="zone.peer_address_on_e_cert", value=value, entity=entity)
        rule = "peer-address-not-on-e-cert" if sign == "for" else "peer-address-on-e-cert"
        return EvidenceItem(
            text=rule, sign=sign, rule=f"zone.peer-address-mismatch/{rule}", entity=entity, facts=[fact]
        )

    def answer(*items: EvidenceItem) -> Answer:
        d = Diagnosis(
            cause="zone.peer-address-mismatch",
            title="t",
            confidence=0.9,
            evidence=[],
            steps=[],
            references=[],
            evidence_items=list(items),
        )
        return Answer(diagnoses=[d], findings=[], questions=[])

    one = "path:expressway_c<edge2.example.com"
    other = "path:expressway_c<expe1.example.com"
    assert contradictions(answer(item("for", False, one), item("against", True, one)))
    assert not contradictions(answer(item("for", False, one), item("against", True, other)))


def test_coverage_asks_files_that_rule_a_cause_out_and_files_missing(tmp_path: Path) -> None:
    scenario(tmp_path, "ntp", {"top": "time.not-synchronized"})
    engine = shipped_engine()
    _, evaluated = run(discover([tmp_path]), engine)
    problems = coverage(evaluated, engine.kb).problems
    assert "zone.ca-not-trusted: no scenario whose files rule it out (expect ruled_out)" in problems
    assert "zone.ca-not-trusted: no scenario without its deciding files (expect decide_with)" in problems
    assert not any(p.startswith("time.not-synchronized: no scenario whose files") for p in problems)  # no rule_out
