"""`certdoctor scenarios run | coverage | mutate` on small libraries written here."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from certdoctor.cli import main
from certdoctor.diagnosis import shipped_engine
from certdoctor.lab import write_deployment
from certdoctor.scenarios.coverage import coverage
from certdoctor.scenarios.mutate import mutants, mutate
from certdoctor.scenarios.run import discover, run

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
        "drop-condition", "flip-comparison", "zero-certainty", "swap-steps"
    }
    steps = ["System > Time", "System > Time", "Network utilities"]
    scenario(tmp_path, "ntp", {"top": "time.not-synchronized", "steps": steps})
    scenario(tmp_path, "in-sync", {"excludes": ["time.not-synchronized"]},
             {**NTP_DOWN, "answers": {"ntp_synchronized": "yes"}})
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
