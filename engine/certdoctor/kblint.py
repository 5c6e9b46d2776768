"""Lint of the knowledge base (`certdoctor kb check`): what validation alone cannot see."""

from __future__ import annotations

from certdoctor.kb import Cause, Condition, FactSpec, FactValue, KnowledgeBase, Rule, Strict


class LintProblem(Strict):
    """One knowledge-base problem found by `certdoctor kb check`."""

    file: str
    key: str
    problem: str


def lint(kb: KnowledgeBase) -> list[LintProblem]:
    """Unknown fact names, wrong value types, duplicate ids, unreachable causes, steps without a device."""
    problems: list[LintProblem] = []
    seen: dict[str, str] = {}
    for cause in kb.causes:
        where = f"causes/{cause.id}.yaml"
        if cause.id in seen:
            problems.append(LintProblem(file=where, key="id", problem=f"duplicate cause id {cause.id}"))
        seen[cause.id] = where
        rule_ids = [r.id for r in cause.rules]
        for dup in {r for r in rule_ids if rule_ids.count(r) > 1}:
            problems.append(LintProblem(file=where, key="rules", problem=f"duplicate rule id {dup}"))
        step_ids = [s.id for s in cause.steps]
        for dup in {s for s in step_ids if step_ids.count(s) > 1}:
            problems.append(LintProblem(file=where, key="steps", problem=f"duplicate step id {dup}"))
        for i, rule in enumerate(cause.rules):
            for j, cond in enumerate(rule.when):
                spec = kb.facts.get(cond.fact)
                key = f"rules[{i}].when[{j}].fact"
                if spec is None:
                    problems.append(LintProblem(file=where, key=key, problem=f"unknown fact '{cond.fact}'"))
                    continue
                for value in _tested_values(cond):
                    message = _type_problem(spec, value)
                    if message:
                        problems.append(LintProblem(file=where, key=key, problem=f"{cond.fact}: {message}"))
        problems += _lint_rule_out_and_subsumption(kb, cause, where)
        if not any(r.certainty > 0 for r in cause.rules):
            problems.append(
                LintProblem(
                    file=where,
                    key="rules",
                    problem="no rule with positive certainty: the cause can never rank",
                )
            )
        elif not any(_reachable(kb, r) for r in cause.rules if r.certainty > 0):
            problems.append(
                LintProblem(
                    file=where,
                    key="rules",
                    problem="no positive rule can fire: every one tests a value no source or question produces",
                )
            )
    for q in kb.questions:
        for cond in q.moot_when:
            if cond.fact not in kb.facts:
                problems.append(
                    LintProblem(file="questions.yaml", key=f"{q.id}.moot_when", problem=f"unknown fact '{cond.fact}'")
                )
        for c in q.choices:
            for name, value in c.sets.items():
                spec = kb.facts.get(name)
                where = f"questions.yaml:{q.id}"
                if spec is None:
                    problems.append(
                        LintProblem(file="questions.yaml", key=f"{q.id}.{c.value}", problem=f"unknown fact '{name}'")
                    )
                elif (message := _type_problem(spec, value)) is not None:
                    problems.append(LintProblem(file=where, key=f"{c.value}", problem=f"{name}: {message}"))
    for s in kb.symptoms:
        for name, value in s.sets.items():
            spec = kb.facts.get(name)
            if spec is None:
                problems.append(LintProblem(file="symptoms.yaml", key=s.id, problem=f"unknown fact '{name}'"))
            elif (message := _type_problem(spec, value)) is not None:
                problems.append(LintProblem(file="symptoms.yaml", key=s.id, problem=f"{name}: {message}"))
    qids = [q.id for q in kb.questions]
    for dup in {q for q in qids if qids.count(q) > 1}:
        problems.append(LintProblem(file="questions.yaml", key=dup, problem="duplicate question id"))
    return problems


def _lint_rule_out_and_subsumption(kb: KnowledgeBase, cause: Cause, where: str) -> list[LintProblem]:
    """A rule-out decides from certificate facts only; a subsumed cause exists and is not the cause itself."""
    problems: list[LintProblem] = []
    if cause.rule_out is not None:
        for j, cond in enumerate(cause.rule_out.faults):
            spec = kb.facts.get(cond.fact)
            key = f"rule_out.faults[{j}].fact"
            if spec is None:
                problems.append(LintProblem(file=where, key=key, problem=f"unknown fact '{cond.fact}'"))
            elif spec.source != "certificates":
                problems.append(
                    LintProblem(file=where, key=key, problem=f"{cond.fact} comes from {spec.source}, not from files")
                )
            elif message := next(filter(None, (_type_problem(spec, v) for v in _tested_values(cond))), None):
                problems.append(LintProblem(file=where, key=key, problem=f"{cond.fact}: {message}"))
    known = {c.id for c in kb.causes}
    for general in cause.subsumes:
        if general == cause.id or general not in known:
            problems.append(LintProblem(file=where, key="subsumes", problem=f"'{general}' is not another cause"))
    return problems


def _tested_values(cond: Condition) -> list[FactValue]:
    if cond.is_ is not None:
        return [cond.is_]
    if cond.is_not is not None:
        return [cond.is_not]
    if cond.one_of is not None:
        return list(cond.one_of)
    return [cond.lt if cond.lt is not None else cond.gt or 0.0]


def _type_problem(spec: FactSpec, value: FactValue) -> str | None:
    expected = {"bool": (bool,), "str": (str,), "number": (int, float)}[spec.type]
    if isinstance(value, bool) and spec.type != "bool":
        return f"value {value!r} is a bool but the fact is {spec.type}"
    if not isinstance(value, expected):
        return f"value {value!r} is not a {spec.type}"
    if spec.values is not None and isinstance(value, str) and value not in spec.values:
        return f"value '{value}' is not one of {spec.values}"
    return None


def _reachable(kb: KnowledgeBase, rule: Rule) -> bool:
    """Some source could produce values satisfying every condition of the rule."""
    for cond in rule.when:
        spec = kb.facts.get(cond.fact)
        if spec is None:
            return False
        if spec.type == "bool":
            candidates: list[FactValue] = [True, False]
        elif spec.values is not None:
            candidates = list(spec.values)
        else:
            continue
        if not any(cond.holds(v) for v in candidates):
            return False
    return True
