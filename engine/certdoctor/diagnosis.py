"""The pipeline: case -> facts -> rules -> ranking -> Answer. Pure apart from reading the case's files."""

from __future__ import annotations

import functools
import string
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from certdoctor import plan
from certdoctor.answer import (
    Answer,
    ChoiceOut,
    Diagnosis,
    EvidenceItem,
    FactRef,
    QuestionOut,
    RuledOut,
)
from certdoctor.case import Case, CertificateSource, read_case, unknown_field_warnings
from certdoctor.facts import Facts, derive
from certdoctor.kb import Cause, FactValue, KnowledgeBase, Lang, Step, load_knowledge
from certdoctor.rank import ScoredQuestion, combine_all, score_questions, stands_clear
from certdoctor.reasons_nl import dutch_reason
from certdoctor.rules import Conclusion, RuleEngine, decode

#: Questions returned.
MAX_QUESTIONS = 5


class _Template(string.Formatter):
    """Fills {param} from the matched facts; an unknown placeholder stays as written."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, "{" + key + "}")
        return super().get_value(key, args, kwargs)


_FORMAT = _Template()


def render_step(step: Step, lang: Lang) -> str:
    """'On Expressway-C, go to <menu>: <text>', placeholders in their generic words (the catalogue's form)."""
    return plan.render(plan.Instance("", step, step.device, [], [], {}), lang)


@functools.cache
def shipped_engine() -> RuleEngine:
    """The rules engine for the shipped knowledge base, compiled once per process."""
    return RuleEngine(load_knowledge())


def _evidence(cause: Cause, conclusions: list[Conclusion], lang: Lang) -> list[EvidenceItem]:
    """Each conclusion as an evidence item (sentence, sign, rule, entity, facts), without repeats."""
    rules = {r.id: r for r in cause.rules}
    items: list[EvidenceItem] = []
    seen: set[tuple[str, str]] = set()
    for c in conclusions:
        params = c.params()
        if lang == "nl":  # the path reasons the x509 layer words in English
            params = {k: dutch_reason(v) if isinstance(v, str) else v for k, v in params.items()}
        text = _FORMAT.format(rules[c.rule].evidence.get(lang), **params)
        sign: Literal["for", "against"] = "for" if c.certainty > 0 else "against"
        if (sign, text) in seen:
            continue
        seen.add((sign, text))
        facts = [
            FactRef(name=str(f["name"]), value=decode(f.get("value")), entity=str(f.get("entity", "case")))
            for f in c.facts
        ]
        items.append(
            EvidenceItem(
                text=text, sign=sign, rule=f"{cause.id}/{c.rule}", entity=c.entity, facts=facts, certainty=c.certainty
            )
        )
    return items


def decidable(cause: Cause, facts: Facts, instances: Mapping[str, Sequence[tuple[FactValue, str]]]) -> bool:
    """The case holds what decides the cause: the files its rule-out needs, and an instance of every deciding fact."""
    decision = cause.rule_out
    return (
        decision is not None
        and set(decision.needs) <= facts.given
        and all(instances.get(name) for name in decision.facts())
    )


def refuted(cause: Cause, facts: Facts, instances: Mapping[str, Sequence[tuple[FactValue, str]]]) -> bool:
    """The case's files decide the cause and refute it everywhere: decidable, and no instance shows a fault."""
    if cause.rule_out is None or not decidable(cause, facts, instances):
        return False
    return not any(cond.holds(value) for cond in cause.rule_out.faults for value, _ in instances[cond.fact])


def _fold_subsumed(diagnoses: list[Diagnosis], kb: KnowledgeBase) -> list[Diagnosis]:
    """A general cause resting on the finding a specific one explains is folded into the specific one."""
    shown = {d.cause: d for d in diagnoses}
    folded: set[str] = set()
    for d in diagnoses:
        if not d.entities:  # the specific cause must rest on a finding from the files, not on symptoms alone
            continue
        for general in kb.cause(d.cause).subsumes:
            other = shown.get(general)
            if other is not None and general not in folded and other.confidence <= d.confidence:
                d.folded.append(general)
                folded.add(general)
    return [d for d in diagnoses if d.cause not in folded]


def rank(
    kb: KnowledgeBase,
    facts: Facts,
    conclusions: list[Conclusion],
    lang: Lang = "en",
    answered: Sequence[str] = (),
    *,
    ask: bool = True,
) -> Answer:
    """Combine conclusions per cause, rule out what the files refute, fold subsumed causes, order the plan."""
    by_cause: dict[str, list[Conclusion]] = defaultdict(list)
    for c in conclusions:
        by_cause[c.cause].append(c)
    instances = facts.instances()
    diagnoses: list[Diagnosis] = []
    ruled_out: list[RuledOut] = []
    bindings: dict[str, plan.Binding] = {}
    for cause_id, found in sorted(by_cause.items()):
        cause = kb.cause(cause_id)
        if refuted(cause, facts, instances):
            if any(c.certainty > 0 for c in found) and cause.rule_out is not None:
                ruled_out.append(
                    RuledOut(cause=cause.id, title=cause.title.get(lang), reason=cause.rule_out.reason.get(lang))
                )
            continue
        per_rule: dict[str, float] = {}
        for c in found:
            per_rule[c.rule] = c.certainty  # a rule counts once, however many entities it matched
        confidence = combine_all(per_rule.values())
        if confidence <= 0:
            continue
        items = _evidence(cause, found, lang)
        decided = cause.rule_out is None or decidable(cause, facts, instances)
        bindings[cause.id] = plan.bind(found)
        entities = sorted({c.entity for c in found if c.certainty > 0 and c.entity != "case"})
        diagnoses.append(
            Diagnosis(
                cause=cause.id,
                title=cause.title.get(lang),
                confidence=round(confidence, 4),
                evidence=[e.text for e in items if e.sign == "for"],
                counter_evidence=[e.text for e in items if e.sign == "against"],
                evidence_items=items,
                entities=entities,
                from_files=bool(entities) or _from_files(kb, found),
                decide_with=None if decided or cause.rule_out is None else cause.rule_out.decide_with.get(lang),
                steps=[render_step(s, lang) for s in cause.steps],
                references=cause.references(lang),
                rules=sorted(f"{cause.id}/{r}" for r in per_rule),
                checks=[c.get(lang) for c in cause.checks],
            )
        )
    diagnoses.sort(key=lambda d: (-d.confidence, d.cause))
    diagnoses = _fold_subsumed(diagnoses, kb)
    questions = [
        QuestionOut(
            id=s.question.id,
            text=s.question.text.get(lang),
            field=s.question.field,
            impact=round(s.impact, 4),
            choices=[ChoiceOut(value=c.value, label=c.label.get(lang)) for c in s.question.choices],
        )
        for s in (_questions(kb, facts, instances, diagnoses, answered, conclusions) if ask else [])
    ]
    return Answer(
        diagnoses=diagnoses,
        findings=facts.findings(),
        questions=questions,
        plan=plan.build_plan(kb, diagnoses, bindings, instances, lang),
        unrecognized=[f"{name}: {text}" for name, text in facts.recognition.unrecognised],
        ruled_out=ruled_out,
        lang=lang,
    )


def _questions(
    kb: KnowledgeBase,
    facts: Facts,
    instances: dict[str, list[tuple[FactValue, str]]],
    diagnoses: Sequence[Diagnosis],
    answered: Sequence[str],
    conclusions: Sequence[Conclusion],
) -> list[ScoredQuestion]:
    """The questions worth asking: none once the leading cause stands clear; else those that can change the lead."""
    if stands_clear([d.confidence for d in diagnoses]):
        return []
    excluded = {c.id for c in kb.causes if c.rule_out is not None and refuted(c, facts, instances)}
    fired = {(c.cause, c.rule) for c in conclusions}  # what the engine fired: no need to ask its Python twin
    return score_questions(kb, instances, answered, excluded, fired)[:MAX_QUESTIONS]


def _from_files(kb: KnowledgeBase, found: Sequence[Conclusion]) -> bool:
    """Some evidence for the cause rests on a fact read from the case's files (not only on symptoms)."""
    sources = {
        f.get("name"): kb.facts[str(f.get("name"))].source
        for c in found
        for f in c.facts
        if c.certainty > 0
        if str(f.get("name")) in kb.facts
    }
    return "certificates" in sources.values()


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
    answer.warnings = unknown_field_warnings(case) + facts.notes  # unknown fields, files that cannot be read
    if case.symptoms.description:  # said back, so the customer can check and correct what was read
        from certdoctor.understand import said_back, understand

        understood = understand(case.symptoms.description)
        answer.understood = said_back(understood, lang) if understood.shown(lang) else None
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
