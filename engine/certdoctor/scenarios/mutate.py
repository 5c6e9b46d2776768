"""Rule-data mutation check: change the knowledge base a little and see whether some scenario notices.

Each mutant changes one cause (drop a condition, flip a comparison, zero a certainty, swap two steps).
A mutant is caught when a scenario that passes on the real knowledge base fails on the mutant. The
scenarios' facts and conclusions come from the real engine once; a mutant cause is evaluated by the
rules' Python twin (rank.rule_firings, held equal to the compiled rules by tests/test_twin.py), because
durable_rules' C core corrupts memory on rulesets made of many near-copies of one cause (seen here:
"free(): invalid size" with 14 mutants of cert.unsupported-oid in one ruleset). Only scenarios whose
conclusions for the mutated cause change are ranked again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from pydantic import BaseModel, Field

from certdoctor.diagnosis import rank
from certdoctor.kb import Cause, Condition, KnowledgeBase, Rule
from certdoctor.rank import rule_firings
from certdoctor.rules import Conclusion, Instance, joined
from certdoctor.scenarios.run import Evaluated, check

Operator = Literal["drop-condition", "flip-comparison", "zero-certainty", "swap-steps"]
OPERATORS: tuple[Operator, ...] = ("drop-condition", "flip-comparison", "zero-certainty", "swap-steps")


class Mutant(BaseModel):
    """One change to the knowledge base data, and the scenarios that caught it."""

    id: str = Field(description="cause/rule:operator[:n], stable across runs")
    cause: str
    operator: Operator
    change: str = Field(description="what was changed, in words")
    caught_by: list[str] = []


class MutationReport(BaseModel):
    """The mutation score: the share of mutants some scenario catches; the survivors to look at."""

    mutants: int
    caught: int
    score: float
    by_operator: dict[str, list[int]] = Field(description="operator -> [caught, mutants]")
    survivors: list[Mutant]


@dataclass(frozen=True)
class _Variant:
    mutant: Mutant
    cause: Cause


def _describe(cond: Condition) -> str:
    for op, value in (("is", cond.is_), ("is_not", cond.is_not), ("one_of", cond.one_of), ("lt", cond.lt)):
        if value is not None:
            return f"{cond.fact} {op} {value!r}"
    return f"{cond.fact} gt {cond.gt!r}"


def _flipped(cond: Condition, kb: KnowledgeBase) -> Condition | None:
    """The opposite test on the same fact, or None when it cannot be expressed."""
    blank = {"is_": None, "is_not": None, "one_of": None, "lt": None, "gt": None}
    if isinstance(cond.is_, bool):
        return cond.model_copy(update={**blank, "is_": not cond.is_})
    if cond.is_ is not None:
        return cond.model_copy(update={**blank, "is_not": cond.is_})
    if cond.is_not is not None:
        return cond.model_copy(update={**blank, "is_": cond.is_not})
    if cond.one_of is not None:
        spec = kb.facts.get(cond.fact)
        values: list[bool | int | float | str] = (
            [True, False] if spec and spec.type == "bool" else list(spec.values or []) if spec else []
        )
        rest = [v for v in values if v not in cond.one_of]
        return cond.model_copy(update={**blank, "one_of": rest}) if rest else None
    if cond.lt is not None:
        return cond.model_copy(update={**blank, "gt": cond.lt})
    return cond.model_copy(update={**blank, "lt": cond.gt})


def _with_rule(cause: Cause, index: int, rule: Rule) -> Cause:
    rules = list(cause.rules)
    rules[index] = rule
    return cause.model_copy(update={"rules": rules})


def mutants(kb: KnowledgeBase) -> Iterator[_Variant]:
    """Every mutant of the knowledge base, cause by cause, in a stable order."""
    for cause in kb.causes:
        for i, rule in enumerate(cause.rules):
            key = f"{cause.id}/{rule.id}"
            if len(rule.when) > 1:
                for j, cond in enumerate(rule.when):
                    when = [c for k, c in enumerate(rule.when) if k != j]
                    if rule.about is not None and not any(joined(rule.model_copy(update={"when": when}))):
                        continue  # no condition left on what the rule is about: the compiler refuses it
                    yield _Variant(
                        Mutant(
                            id=f"{key}:drop-condition:{j + 1}",
                            cause=cause.id,
                            operator="drop-condition",
                            change=f"rule {rule.id}: dropped condition {_describe(cond)}",
                        ),
                        _with_rule(cause, i, rule.model_copy(update={"when": when})),
                    )
            for j, cond in enumerate(rule.when):
                flipped = _flipped(cond, kb)
                if flipped is None:
                    continue
                when = [flipped if k == j else c for k, c in enumerate(rule.when)]
                yield _Variant(
                    Mutant(
                        id=f"{key}:flip-comparison:{j + 1}",
                        cause=cause.id,
                        operator="flip-comparison",
                        change=f"rule {rule.id}: {_describe(cond)} became {_describe(flipped)}",
                    ),
                    _with_rule(cause, i, rule.model_copy(update={"when": when})),
                )
            yield _Variant(
                Mutant(
                    id=f"{key}:zero-certainty",
                    cause=cause.id,
                    operator="zero-certainty",
                    change=f"rule {rule.id}: certainty {rule.certainty} became 0",
                ),
                _with_rule(cause, i, rule.model_copy(update={"certainty": 0.0})),
            )
        for j in range(len(cause.steps) - 1):
            steps = list(cause.steps)
            steps[j], steps[j + 1] = steps[j + 1], steps[j]
            yield _Variant(
                Mutant(
                    id=f"{cause.id}:swap-steps:{j + 1}",
                    cause=cause.id,
                    operator="swap-steps",
                    change=f"steps {steps[j + 1].id} and {steps[j].id} swapped",
                ),
                cause.model_copy(update={"steps": steps}),
            )


def _firings(conclusions: Sequence[Conclusion], cause: str) -> set[tuple[str, str, float]]:
    return {(c.rule, c.entity, c.certainty) for c in conclusions if c.cause == cause}


def mutate(evaluated: Sequence[Evaluated], kb: KnowledgeBase, operators: Sequence[str] = OPERATORS) -> MutationReport:
    """Run every mutant over the scenarios that pass on the real knowledge base; score the catches."""
    passing = [ev for ev in evaluated if ev.case.expect and not check(ev.case.expect, ev.answer)]
    instances = {ev.name: ev.facts.instances() for ev in passing}
    results = [_judge(v, passing, instances, kb) for v in mutants(kb) if v.mutant.operator in operators]
    caught = [m for m in results if m.caught_by]
    by_operator: dict[str, list[int]] = {
        op: [sum(1 for m in caught if m.operator == op), sum(1 for m in results if m.operator == op)]
        for op in OPERATORS
        if op in operators
    }
    return MutationReport(
        mutants=len(results),
        caught=len(caught),
        score=round(len(caught) / len(results), 4) if results else 1.0,
        by_operator=by_operator,
        survivors=[m for m in results if not m.caught_by],
    )


def _judge(
    variant: _Variant,
    passing: Sequence[Evaluated],
    instances: dict[str, dict[str, list[Instance]]],
    kb: KnowledgeBase,
) -> Mutant:
    """Which passing scenarios fail once the cause is replaced by this mutant."""
    cause = variant.cause
    mutated_kb = kb.model_copy(update={"causes": [cause if c.id == cause.id else c for c in kb.causes]})
    caught: list[str] = []
    for ev in passing:
        found = instances[ev.name]
        after = {(r.id, entity, r.certainty) for r in cause.rules for entity in rule_firings(r, found)}
        steps_matter = bool(ev.case.expect and ev.case.expect.steps) and variant.mutant.operator == "swap-steps"
        if after == _firings(ev.conclusions, cause.id) and not steps_matter:
            continue  # the cause concludes exactly as before, on the same entities: the answer cannot change
        # a rule firing on an entity it fired on before keeps the engine's conclusions there (its evidence lines)
        mine: list[Conclusion] = []
        for rule, entity, certainty in sorted(after):
            same = [c for c in ev.conclusions if (c.cause, c.rule, c.entity) == (cause.id, rule, entity)]
            mine += [replace(c, certainty=certainty) for c in same] or [
                Conclusion(cause.id, rule, certainty, (), entity)
            ]
        conclusions = [c for c in ev.conclusions if c.cause != cause.id] + mine
        answer = rank(mutated_kb, ev.facts, conclusions, "en", list(ev.case.answers), ask=False)
        if ev.case.expect and check(ev.case.expect, answer):
            caught.append(ev.name)
    return variant.mutant.model_copy(update={"caught_by": caught})


def mutation_text(report: MutationReport, survivors: int = 40) -> str:
    """The score per operator and the first survivors."""
    lines = [f"mutation score: {report.caught}/{report.mutants} mutants caught ({report.score:.1%})"]
    for op, (hit, total) in report.by_operator.items():
        lines.append(f"  {op:<16} {hit:>4}/{total:<4} caught")
    if report.survivors:
        lines.append(f"survivors ({len(report.survivors)}; first {min(survivors, len(report.survivors))}):")
        lines += [f"  {m.id}: {m.change}" for m in report.survivors[:survivors]]
    return "\n".join(lines)
