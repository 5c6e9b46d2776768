"""Running scenarios: find scenario files, diagnose each in one process, check its expectations."""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from certdoctor.answer import Answer
from certdoctor.case import Case, Expectation, read_case
from certdoctor.diagnosis import diagnose_traced, shipped_engine
from certdoctor.errors import CertdoctorError, InputError
from certdoctor.facts import Facts
from certdoctor.kb import KnowledgeBase
from certdoctor.rank import stands_clear
from certdoctor.rules import Conclusion, RuleEngine

SUFFIXES = (".yaml", ".yml", ".json")
#: A scenario is a case file with a top-level expect block (YAML `expect:` or JSON `"expect":`).
_EXPECT = re.compile(r'(?m)^(expect\s*:|\s*"expect"\s*:)')


class RankedCause(BaseModel):
    """One cause of the actual ranking, with the evidence that put it there."""

    cause: str
    confidence: float
    evidence: list[str] = []


class ScenarioResult(BaseModel):
    """The outcome of one scenario: pass, fail (with the problems) or error (bad scenario file)."""

    name: str = Field(description="the scenario's path below the directory it was found in, without suffix")
    path: str
    title: str | None = None
    origin: str | None = None
    status: Literal["pass", "fail", "error"]
    problems: list[str] = Field(default=[], description="each unmet expectation, or the error")
    expect: Expectation | None = None
    ranking: list[RankedCause] = []
    steps: list[str] = Field(default=[], description="the top cause's remediation steps")
    fired: list[str] = Field(default=[], description="the rules that fired, cause/rule")
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return self.status == "pass"


class RunReport(BaseModel):
    """Every scenario's result and the totals."""

    results: list[ScenarioResult]
    passed: int
    failed: int
    errors: int
    seconds: float

    @property
    def ok(self) -> bool:
        """True when every scenario passed."""
        return self.failed == 0 and self.errors == 0


@dataclass
class Evaluated:
    """A diagnosed scenario with what coverage and mutation need: its facts and the raw conclusions."""

    name: str
    path: Path
    case: Case
    facts: Facts
    conclusions: list[Conclusion]
    answer: Answer


def is_scenario(path: Path) -> bool:
    """Whether a file is a scenario (a case file with an expect block)."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(_EXPECT.search(head))


def discover(paths: Iterable[str | Path]) -> list[tuple[str, Path]]:
    """(name, path) of every scenario under the given files and directories, in a stable order."""
    found: list[tuple[str, Path]] = []
    for given in paths:
        root = Path(given)
        if root.is_file():
            found.append((root.with_suffix("").name, root))
            continue
        if not root.is_dir():
            raise InputError(str(root), "no such file or directory")
        files = sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES and p.is_file() and is_scenario(p))
        if not files:
            raise InputError(str(root), "no scenario files in it (case files with an expect: block)")
        found.extend((p.relative_to(root).with_suffix("").as_posix(), p) for p in files)
    return found


def _known(kb: KnowledgeBase, cause: str, where: str) -> str | None:
    """A problem when an expectation names a cause the catalogue does not have (a typo passes silently)."""
    ids = [c.id for c in kb.causes]
    if cause in ids:
        return None
    near = difflib.get_close_matches(cause, ids, n=1)
    return f"{where}: unknown cause '{cause}'" + (f"; did you mean '{near[0]}'?" if near else "")


def expectation_problems(expect: Expectation, kb: KnowledgeBase) -> list[str]:
    """Problems with the expect block itself: causes that are not in the catalogue."""
    named = [("expect.top", expect.top)] if expect.top and expect.top != "none" else []
    named += [("expect.includes", c) for c in expect.includes] + [("expect.excludes", c) for c in expect.excludes]
    named += [("expect.ranking", c) for c in expect.ranking]
    return [p for where, cause in named if (p := _known(kb, cause, where))]


def check(expect: Expectation, answer: Answer) -> list[str]:
    """Each unmet expectation, as a sentence; empty when the answer meets them all."""
    ranking = [d.cause for d in answer.diagnoses]
    problems: list[str] = []
    if expect.top == "none":
        if ranking:
            problems.append(f"top: expected no cause, got {', '.join(ranking)}")
    elif expect.top:
        if not ranking:
            problems.append(f"top: expected {expect.top}, got no cause")
        elif ranking[0] != expect.top:
            where = f" (ranked {ranking.index(expect.top) + 1})" if expect.top in ranking else " (not ranked)"
            problems.append(f"top: expected {expect.top}{where}, got {ranking[0]}")
    problems += [f"includes: {c} is not in the ranking" for c in expect.includes if c not in ranking]
    problems += [
        f"excludes: {c} is in the ranking (rank {ranking.index(c) + 1})" for c in expect.excludes if c in ranking
    ]
    if expect.ranking and ranking[: len(expect.ranking)] != expect.ranking:
        problems.append(f"ranking: expected it to begin {', '.join(expect.ranking)}; got {', '.join(ranking) or '-'}")
    if expect.clear is not None and stands_clear([d.confidence for d in answer.diagnoses]) != expect.clear:
        shown = ", ".join(f"{d.cause} {d.confidence:.0%}" for d in answer.diagnoses[:2]) or "no cause"
        problems.append(f"clear: expected the top cause {'' if expect.clear else 'not '}to stand clear; got {shown}")
    if expect.steps:
        steps = answer.diagnoses[0].steps if answer.diagnoses else []
        at = 0
        for wanted in expect.steps:
            hit = next((i for i in range(at, len(steps)) if wanted in steps[i]), None)
            if hit is None:
                problems.append(f"steps: '{wanted}' is not among the top cause's steps after step {at}")
                break
            at = hit + 1
    return problems


def evaluate(name: str, path: Path, engine: RuleEngine) -> Evaluated:
    """Diagnose one scenario file with the given engine; bad input raises InputError."""
    case = read_case(path)
    if case.expect is None:
        raise InputError(str(path), "not a scenario: it has no expect: block")
    traced = diagnose_traced(case, base_dir=path.resolve().parent, source=str(path), engine=engine, ask=False)
    return Evaluated(name, path, case, traced.facts, traced.conclusions, traced.answer)


def result_of(evaluated: Evaluated, kb: KnowledgeBase, seconds: float) -> ScenarioResult:
    """The checked result of an evaluated scenario."""
    case, answer = evaluated.case, evaluated.answer
    expect = case.expect or Expectation()
    problems = expectation_problems(expect, kb) or check(expect, answer)
    return ScenarioResult(
        name=evaluated.name,
        path=str(evaluated.path),
        title=case.title,
        origin=case.origin,
        status="fail" if problems else "pass",
        problems=problems,
        expect=expect,
        ranking=[RankedCause(cause=d.cause, confidence=d.confidence, evidence=d.evidence) for d in answer.diagnoses],
        steps=answer.diagnoses[0].steps if answer.diagnoses else [],
        fired=sorted({f"{c.cause}/{c.rule}" for c in evaluated.conclusions}),
        seconds=round(seconds, 4),
    )


Progress = Callable[[int, int, ScenarioResult], None]


def run(
    scenarios: Sequence[tuple[str, Path]],
    engine: RuleEngine | None = None,
    progress: Progress | None = None,
) -> tuple[RunReport, list[Evaluated]]:
    """Run every scenario in this process; a bad scenario file is an error result, never an abort."""
    rules = engine or shipped_engine()
    results: list[ScenarioResult] = []
    evaluated: list[Evaluated] = []
    start = time.perf_counter()
    for i, (name, path) in enumerate(scenarios, 1):
        t0 = time.perf_counter()
        try:
            ev = evaluate(name, path, rules)
        except CertdoctorError as exc:
            result = ScenarioResult(name=name, path=str(path), status="error", problems=[str(exc)])
        else:
            evaluated.append(ev)
            result = result_of(ev, rules.kb, time.perf_counter() - t0)
        results.append(result)
        if progress:
            progress(i, len(scenarios), result)
    report = RunReport(
        results=results,
        passed=sum(r.status == "pass" for r in results),
        failed=sum(r.status == "fail" for r in results),
        errors=sum(r.status == "error" for r in results),
        seconds=round(time.perf_counter() - start, 3),
    )
    return report, evaluated
