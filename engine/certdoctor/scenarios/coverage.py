"""Knowledge-base coverage of a scenario library: causes with positives and near misses, rules that fired."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from pydantic import BaseModel, Field

from certdoctor.case import Expectation
from certdoctor.kb import KnowledgeBase
from certdoctor.scenarios.run import Evaluated


class CauseCoverage(BaseModel):
    """How the scenarios exercise one cause."""

    cause: str
    positive: list[str] = Field(
        description="scenarios whose expect names it as top, includes it, folds it or awaits files for it"
    )
    near_miss: list[str] = Field(description="scenarios whose expect excludes it or rules it out")
    rules_fired: int
    rules: int


class RuleCoverage(BaseModel):
    """Whether any scenario fired one rule."""

    rule: str = Field(description="cause/rule")
    fired_in: list[str] = Field(description="the scenarios in which it fired")


class CoverageReport(BaseModel):
    """Per cause and per rule coverage; `problems` lists what makes it fail."""

    scenarios: int
    causes: list[CauseCoverage]
    rules: list[RuleCoverage]
    problems: list[str]

    @property
    def ok(self) -> bool:
        """True when every cause has a positive and a near miss and every rule fired."""
        return not self.problems


class Roles(NamedTuple):
    """What one scenario expects of the causes it names."""

    positive: set[str]  # top, includes, folded, decide_with
    near_miss: set[str]  # excludes, ruled_out
    ruled_out: set[str]  # refuted by the files
    decide_with: set[str]  # a hypothesis waiting for the files that decide it


def expected_roles(expect: Expectation) -> Roles:
    """The causes a scenario is positive for, a near miss for, rules out on its files, or awaits files for."""
    full = expect
    positive = {expect.top, *expect.includes, *full.folded, *full.decide_with} - {None, "none"}
    ruled_out = set(full.ruled_out)
    return Roles({str(c) for c in positive}, {*expect.excludes, *ruled_out}, ruled_out, set(full.decide_with))


def coverage(evaluated: Sequence[Evaluated], kb: KnowledgeBase) -> CoverageReport:
    """Coverage of the knowledge base by the evaluated scenarios (firings are the engine's own).

    A cause whose files can rule it out (`rule_out`) also needs a scenario whose files do (expect
    ruled_out) and one that lacks them, where it stays a hypothesis naming them (expect decide_with).
    """
    fired: dict[str, list[str]] = {f"{c.id}/{r.id}": [] for c in kb.causes for r in c.rules}
    for ev in evaluated:
        for key in sorted({f"{c.cause}/{c.rule}" for c in ev.conclusions}):
            fired.setdefault(key, []).append(ev.name)
    causes: list[CauseCoverage] = []
    problems: list[str] = []
    roles = [(ev.name, expected_roles(ev.case.expect)) for ev in evaluated if ev.case.expect]
    for cause in kb.causes:
        positive = [name for name, r in roles if cause.id in r.positive]
        near = [name for name, r in roles if cause.id in r.near_miss]
        rule_keys = [f"{cause.id}/{r.id}" for r in cause.rules]
        causes.append(
            CauseCoverage(
                cause=cause.id,
                positive=positive,
                near_miss=near,
                rules_fired=sum(bool(fired[k]) for k in rule_keys),
                rules=len(rule_keys),
            )
        )
        if not positive:
            problems.append(f"{cause.id}: no positive scenario (expect top or includes)")
        if not near:
            problems.append(f"{cause.id}: no near-miss scenario (expect excludes)")
        if cause.rule_out is not None:
            if not any(cause.id in r.ruled_out for _, r in roles):
                problems.append(f"{cause.id}: no scenario whose files rule it out (expect ruled_out)")
            if not any(cause.id in r.decide_with for _, r in roles):
                problems.append(f"{cause.id}: no scenario without its deciding files (expect decide_with)")
    rules = [RuleCoverage(rule=k, fired_in=v) for k, v in fired.items()]
    problems += [f"{r.rule}: no scenario fires this rule" for r in rules if not r.fired_in]
    return CoverageReport(scenarios=len(evaluated), causes=causes, rules=rules, problems=problems)


def coverage_text(report: CoverageReport) -> str:
    """The per-cause table, then every problem."""
    width = max(len(c.cause) for c in report.causes) if report.causes else 10
    lines = [f"{'cause':<{width}}  positive  near-miss  rules fired"]
    for c in report.causes:
        lines.append(f"{c.cause:<{width}}  {len(c.positive):>8}  {len(c.near_miss):>9}  {c.rules_fired:>5}/{c.rules}")
    total = len(report.rules)
    hit = sum(bool(r.fired_in) for r in report.rules)
    lines.append(f"{report.scenarios} scenarios; {hit}/{total} rules fired by at least one scenario")
    lines += [f"missing: {p}" for p in report.problems]
    lines.append("coverage ok" if report.ok else f"coverage FAILS: {len(report.problems)} problem(s)")
    return "\n".join(lines)
