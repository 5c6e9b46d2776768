"""The pipeline: case -> facts -> rules -> ranking -> Answer. Pure apart from reading the case's files."""

from __future__ import annotations

import functools
import string
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from certdoctor.answer import Answer, ChoiceOut, Diagnosis, QuestionOut, StepOut
from certdoctor.case import Case, CertificateSource, read_case, unknown_field_warnings
from certdoctor.facts import Facts, derive
from certdoctor.kb import Cause, KnowledgeBase, Lang, Step, load_knowledge
from certdoctor.rank import Action, combine_all, pc_order, score_questions
from certdoctor.rules import Conclusion, RuleEngine

#: Causes shown in the step plan, and questions returned.
PLAN_CAUSES = 3
MAX_QUESTIONS = 5

_DEVICE = {
    "expressway_c": "On Expressway-C",
    "expressway_e": "On Expressway-E",
    "all_expressways": "On every Expressway (each cluster peer)",
    "cucm": "On Unified CM",
    "ca": "With the certificate authority",
    "client": "On the client",
    "network": "In the network",
    "ntp": "On the NTP setup",
}
_DEVICE_NL = {
    "expressway_c": "Op Expressway-C",
    "expressway_e": "Op Expressway-E",
    "all_expressways": "Op elke Expressway (elke clusterpeer)",
    "cucm": "Op Unified CM",
    "ca": "Bij de certificeringsinstantie",
    "client": "Op de client",
    "network": "In het netwerk",
    "ntp": "Bij de NTP-instellingen",
}


class _Template(string.Formatter):
    """Fills {param} from the matched facts; an unknown placeholder stays as written."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, "{" + key + "}")
        return super().get_value(key, args, kwargs)


_FORMAT = _Template()


def render_step(step: Step, lang: Lang) -> str:
    """'On Expressway-C, go to <menu>: <text>'."""
    where = (_DEVICE_NL if lang == "nl" else _DEVICE)[step.device]
    text = step.text.get(lang)
    if step.menu:
        go = "ga naar" if lang == "nl" else "go to"
        return f"{where}, {go} {step.menu}: {text}"
    return f"{where}: {text}"


@functools.cache
def shipped_engine() -> RuleEngine:
    """The rules engine for the shipped knowledge base, compiled once per process."""
    return RuleEngine(load_knowledge())


def _evidence(cause: Cause, conclusions: list[Conclusion], lang: Lang) -> tuple[list[str], list[str]]:
    """Rendered evidence (for) and counter-evidence (against), without repeats."""
    rules = {r.id: r for r in cause.rules}
    pro: list[str] = []
    con: list[str] = []
    for c in conclusions:
        text = _FORMAT.format(rules[c.rule].evidence.get(lang), **c.params())
        bucket = pro if c.certainty > 0 else con
        if text not in bucket:
            bucket.append(text)
    return pro, con


def rank(
    kb: KnowledgeBase,
    facts: Facts,
    conclusions: list[Conclusion],
    lang: Lang = "en",
    answered: Sequence[str] = (),
    *,
    ask: bool = True,
) -> Answer:
    """Combine conclusions per cause, order causes and steps, pick the questions to ask (unless not ask)."""
    by_cause: dict[str, list[Conclusion]] = defaultdict(list)
    for c in conclusions:
        by_cause[c.cause].append(c)
    diagnoses: list[Diagnosis] = []
    for cause_id, found in by_cause.items():
        cause = kb.cause(cause_id)
        per_rule: dict[str, float] = {}
        for c in found:
            per_rule[c.rule] = c.certainty  # a rule counts once, however many instances matched
        confidence = combine_all(per_rule.values())
        if confidence <= 0:
            continue
        pro, con = _evidence(cause, found, lang)
        diagnoses.append(
            Diagnosis(
                cause=cause.id,
                title=cause.title.get(lang),
                confidence=round(confidence, 4),
                evidence=pro,
                counter_evidence=con,
                steps=[render_step(s, lang) for s in cause.steps],
                references=cause.references(lang),
                rules=sorted(f"{cause.id}/{r}" for r in per_rule),
                checks=[c.get(lang) for c in cause.checks],
            )
        )
    diagnoses.sort(key=lambda d: (-d.confidence, d.cause))
    top = diagnoses[:PLAN_CAUSES]
    total = sum(d.confidence for d in top) or 1.0
    actions = [Action(kb.cause(d.cause), d.confidence / total) for d in top]
    plan = [
        StepOut(cause=a.cause.id, device=s.device, cost=s.cost, menu=s.menu, text=render_step(s, lang))
        for a in pc_order(actions)
        for s in a.cause.steps
    ]
    questions = [
        QuestionOut(
            id=s.question.id,
            text=s.question.text.get(lang),
            field=s.question.field,
            impact=round(s.impact, 4),
            choices=[ChoiceOut(value=c.value, label=c.label.get(lang)) for c in s.question.choices],
        )
        for s in (score_questions(kb, facts.values(), answered)[:MAX_QUESTIONS] if ask else [])
    ]
    return Answer(
        diagnoses=diagnoses,
        findings=facts.findings(),
        questions=questions,
        plan=plan,
        unrecognized=[f"{name}: {text}" for name, text in facts.recognition.unrecognised],
    )


@dataclass(frozen=True)
class Traced:
    """A diagnosis with what led to it: the derived facts and the rules' raw conclusions."""

    facts: Facts
    conclusions: list[Conclusion]
    answer: Answer


def diagnose_traced(
    case: Case,
    *,
    base_dir: Path | None = None,
    source: str = "case",
    lang: Lang = "en",
    at: datetime | None = None,
    kb: KnowledgeBase | None = None,
    engine: RuleEngine | None = None,
    answered: Sequence[str] = (),
    ask: bool = True,
) -> Traced:
    """Diagnose a parsed case and keep its facts and conclusions (scenario coverage and mutation need them)."""
    knowledge = kb or (engine.kb if engine else load_knowledge())
    rules = engine or (shipped_engine() if kb is None else RuleEngine(knowledge))
    facts = derive(case, CertificateSource(base_dir, source), knowledge, at)
    conclusions = rules.evaluate(facts.items)
    answer = rank(knowledge, facts, conclusions, lang, [*case.answers, *answered], ask=ask)
    answer.warnings = unknown_field_warnings(case)
    return Traced(facts, conclusions, answer)


def diagnose_case(
    case: Case,
    *,
    base_dir: Path | None = None,
    source: str = "case",
    lang: Lang = "en",
    at: datetime | None = None,
    kb: KnowledgeBase | None = None,
    engine: RuleEngine | None = None,
    answered: Sequence[str] = (),
) -> Answer:
    """Diagnose a parsed case; certificate paths are resolved against base_dir."""
    return diagnose_traced(
        case, base_dir=base_dir, source=source, lang=lang, at=at, kb=kb, engine=engine, answered=answered
    ).answer


def diagnose_file(path: str | Path, *, lang: Lang = "en", at: datetime | None = None) -> Answer:
    """Read a case file and diagnose it."""
    case = read_case(path)
    return diagnose_case(case, base_dir=Path(path).resolve().parent, source=str(path), lang=lang, at=at)
