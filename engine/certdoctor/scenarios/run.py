"""Running scenarios: find scenario files, diagnose each in one process, check its expectations."""

from __future__ import annotations

import difflib
import functools
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from certdoctor.answer import Answer, Diagnosis
from certdoctor.case import Case, Expectation, read_case
from certdoctor.diagnosis import diagnose_traced, shipped_engine
from certdoctor.errors import CertdoctorError, InputError
from certdoctor.facts import Facts
from certdoctor.kb import Condition, FactValue, KnowledgeBase, Rule, load_knowledge
from certdoctor.rank import stands_clear
from certdoctor.rules import Conclusion, RuleEngine

SUFFIXES = (".yaml", ".yml", ".json")
#: A scenario is a case file with a top-level expect block (YAML `expect:` or JSON `"expect":`).
_EXPECT = re.compile(r'(?m)^(expect\s*:|\s*"expect"\s*:)')


#: The expect keys about what the case's files decide.
FILE_KEYS = ("ruled_out", "folded", "decide_with")


class RankedCause(BaseModel):
    """One cause of the actual ranking, with the evidence that put it there."""

    cause: str
    confidence: float
    evidence: list[str] = []
    folded: list[str] = Field(default=[], description="general causes folded into this one")
    decide_with: str | None = Field(default=None, description="the files that would decide this hypothesis")


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
    ruled_out: list[str] = Field(default=[], description="the causes the answer rules out on the files")
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
    for key in ("includes", "excludes", "ranking", *FILE_KEYS):
        named += [(f"expect.{key}", c) for c in getattr(expect, key)]
    return [p for where, cause in named if (p := _known(kb, cause, where))]


# ------------------------------------------------------------------------------ contradictions

#: A claim an evidence item makes about one fact of one entity ('*': every entity of the fact, as a
#: quantified rule says): the fact has this value, or (negated) it does not.
_Claim = tuple[str, str, FactValue, bool]
_EVERY = "*"


def _rule_of(kb: KnowledgeBase, key: str) -> Rule | None:
    cause_id, _, rule_id = key.partition("/")
    cause = next((c for c in kb.causes if c.id == cause_id), None)
    return next((r for r in cause.rules if r.id == rule_id), None) if cause else None


def _condition_claims(cond: Condition, negate: bool) -> list[tuple[FactValue, bool]]:
    """What a condition holding on every entity says about each entity's value (is / is_not only)."""
    if cond.is_ is not None:
        return [(cond.is_, negate)]
    if cond.is_not is not None:
        return [(cond.is_not, not negate)]
    return []


def _claims(diagnosis: Diagnosis, kb: KnowledgeBase | None) -> dict[str, list[tuple[_Claim, str]]]:
    """Per sign, the claims its evidence items make, each with the rule that made it.

    An item's facts are the instances it rests on: 'fact = value on entity'. A quantified rule may rest on
    its aggregate fact ('q:cause/rule'), which stands for every entity: its conditions are then read from
    the knowledge base, as holding on every entity (quantifier all) or on none (quantifier none).
    """
    claims: dict[str, list[tuple[_Claim, str]]] = {"for": [], "against": []}
    for item in diagnosis.evidence_items:
        for fact in item.facts:
            if not fact.name.startswith("q:"):
                claims[item.sign].append(((fact.name, fact.entity, fact.value, False), item.rule))
                continue
            rule = _rule_of(kb or _shipped_kb(), fact.name[2:])
            if rule is None or rule.quantifier == "any":
                continue
            for cond in rule.when:
                for value, negated in _condition_claims(cond, rule.quantifier == "none"):
                    claims[item.sign].append(((cond.fact, _EVERY, value, negated), item.rule))
    return claims


def _opposed(a: _Claim, b: _Claim) -> bool:
    """Whether two claims on one fact cannot both be true of one entity."""
    if a[0] != b[0] or not (a[1] == b[1] or _EVERY in (a[1], b[1])):
        return False
    same = type(a[2]) is type(b[2]) and a[2] == b[2]
    if a[3] and b[3]:
        return False
    return same if a[3] != b[3] else not same


@functools.cache
def _shipped_kb() -> KnowledgeBase:
    return load_knowledge()


def contradictions(answer: Answer, kb: KnowledgeBase | None = None) -> list[str]:
    """Evidence and counter-evidence of one diagnosis that assert opposite values of one fact of one entity.

    Checked on every scenario, whatever its expect block says; kb (default: the shipped one) gives the
    conditions of quantified rules whose evidence rests on their aggregate fact.
    """
    problems: list[str] = []
    for d in answer.diagnoses:
        claims = _claims(d, kb)
        for pro, pro_rule in claims["for"]:
            for con, con_rule in claims["against"]:
                if _opposed(pro, con):
                    entity = pro[1] if pro[1] != _EVERY else con[1]
                    entity = "every entity" if entity == _EVERY else entity
                    problems.append(
                        f"contradiction: {d.cause}: evidence {pro_rule} says {pro[0]} is "
                        f"{'not ' if pro[3] else ''}{pro[2]!r} on {entity}, counter-evidence {con_rule} says it is "
                        f"{'not ' if con[3] else ''}{con[2]!r}"
                    )
    return list(dict.fromkeys(problems))


def check(expect: Expectation, answer: Answer) -> list[str]:
    """Each unmet expectation, as a sentence; empty when the answer meets them all.

    Whatever the block says, evidence and counter-evidence of a diagnosis must never contradict each other.
    """
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
    return problems + file_problems(expect, answer) + contradictions(answer)


def file_problems(expect: Expectation, answer: Answer) -> list[str]:
    """Unmet expectations about what the files decide: causes ruled out, folded, or waiting for files."""
    full = expect
    ranking = [d.cause for d in answer.diagnoses]
    ruled_out = [r.cause for r in answer.ruled_out]
    problems = [
        f"ruled_out: {c} is not ruled out" + (f" (it is ranked {ranking.index(c) + 1})" if c in ranking else "")
        for c in full.ruled_out
        if c not in ruled_out
    ]
    folded = {general for d in answer.diagnoses for general in d.folded}
    problems += [
        f"folded: {c} is not folded into a diagnosis" + (" (it is ranked on its own)" if c in ranking else "")
        for c in full.folded
        if c not in folded
    ]
    hypotheses = {d.cause: d.decide_with for d in answer.diagnoses}
    for c in full.decide_with:
        if c not in hypotheses:
            problems.append(f"decide_with: {c} is not in the ranking")
        elif not hypotheses[c]:
            problems.append(f"decide_with: {c} is ranked but does not name the files that would decide it")
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
    full: Expectation | None = expect
    return ScenarioResult(
        name=evaluated.name,
        path=str(evaluated.path),
        title=case.title,
        origin=case.origin,
        status="fail" if problems else "pass",
        problems=problems,
        expect=full,
        ranking=[
            RankedCause(
                cause=d.cause, confidence=d.confidence, evidence=d.evidence, folded=d.folded, decide_with=d.decide_with
            )
            for d in answer.diagnoses
        ],
        ruled_out=[r.cause for r in answer.ruled_out],
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
