"""Knowledge-base coverage of a scenario library: causes with positives and near misses, rules that fired."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from certdoctor.kb import KnowledgeBase
from certdoctor.scenarios.run import Evaluated


class CauseCoverage(BaseModel):
    """How the scenarios exercise one cause."""

    cause: str
    positive: list[str] = Field(description="scenarios whose expect names it as top or includes it")
    near_miss: list[str] = Field(description="scenarios whose expect excludes it")
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


def coverage(evaluated: Sequence[Evaluated], kb: KnowledgeBase) -> CoverageReport:
    """Coverage of the knowledge base by the evaluated scenarios (firings are the engine's own)."""
    fired: dict[str, list[str]] = {f"{c.id}/{r.id}": [] for c in kb.causes for r in c.rules}
    for ev in evaluated:
        for key in sorted({f"{c.cause}/{c.rule}" for c in ev.conclusions}):
            fired.setdefault(key, []).append(ev.name)
    causes: list[CauseCoverage] = []
    problems: list[str] = []
    for cause in kb.causes:
        positive = [
            ev.name
            for ev in evaluated
            if ev.case.expect and (ev.case.expect.top == cause.id or cause.id in ev.case.expect.includes)
        ]
        near = [ev.name for ev in evaluated if ev.case.expect and cause.id in ev.case.expect.excludes]
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
