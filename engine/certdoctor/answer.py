"""The answer (docs/answer.md): pydantic models and the text and Markdown renderers."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from certdoctor.wording import choice_word, say
from certdoctor.x509.findings import Finding


class _Model(BaseModel):
    """Answer models build their schemas on first use (fast start-up)."""

    model_config = ConfigDict(defer_build=True)


class CertificateRef(_Model):
    """A certificate a step acts on (a CA to append, a certificate to upload), named so it can be found."""

    subject: str
    serial: str | None = None
    sha256: str | None = Field(default=None, description="SHA-256 fingerprint of the DER, hex")
    key_id: str | None = Field(default=None, description="subjectKeyIdentifier, hex")
    issuer: str | None = None


class StepOut(_Model):
    """One remediation step as shown to the user."""

    cause: str
    device: str
    cost: str
    menu: str | None = None
    text: str
    causes: list[str] = Field(default=[], description="every cause this step addresses (merged steps)")
    targets: list[str] = Field(default=[], description="the nodes or trusted CA lists the step acts on")
    certificates: list[CertificateRef] = Field(
        default=[], description="certificates the step uploads or appends (`certdoctor fix` writes them)"
    )


class FactRef(_Model):
    """A fact an evidence item rests on: its name, its value, and the entity it is about."""

    name: str
    value: bool | int | float | str
    entity: str = Field(description="'case', or kind:key such as 'path:expressway_c<expe1.example.com'")


class EvidenceItem(_Model):
    """One piece of evidence, checkable by a bot: the sentence, its sign, the rule, entity and facts."""

    text: str
    sign: Literal["for", "against"]
    rule: str = Field(description="the knowledge-base rule, cause/rule")
    entity: str = Field(description="what the evidence is about: 'case', or kind:key")
    facts: list[FactRef]
    certainty: float = Field(default=0.0, description="the rule's certainty factor: how strongly it counts")


class Diagnosis(_Model):
    """One ranked cause: how sure, why, and how to fix it."""

    cause: str
    title: str
    confidence: float = Field(ge=0, le=1)
    evidence: list[str]
    steps: list[str]
    references: list[str]
    counter_evidence: list[str] = Field(default=[], description="evidence that lowered the confidence")
    rules: list[str] = Field(default=[], description="the knowledge-base rules that fired, cause/rule")
    checks: list[str] = Field(default=[], description="follow-up checks once the steps are done")
    evidence_items: list[EvidenceItem] = Field(default=[], description="the evidence with its facts and entity")
    entities: list[str] = Field(default=[], description="the entities the cause was found on (not 'case')")
    folded: list[str] = Field(default=[], description="general causes resting on the same finding, folded in")
    from_files: bool = Field(
        default=False, description="a fault in the case's files supports it; else a hypothesis from symptoms"
    )
    decide_with: str | None = Field(
        default=None, description="a hypothesis from symptoms: the files that would decide it, when missing"
    )


class RuledOut(_Model):
    """A cause the case's files refute on every entity: not ranked, whatever the symptoms say."""

    cause: str
    title: str
    reason: str


class ChoiceOut(_Model):
    """One possible answer to a question."""

    value: str
    label: str


class QuestionOut(_Model):
    """A question whose answer would sharpen the ranking."""

    id: str
    text: str
    choices: list[ChoiceOut] = []
    field: str | None = Field(default=None, description="the case-file field the answer fills")
    impact: float = Field(description="expected change of the cause certainties if answered")


class Answer(_Model):
    """What certdoctor concludes about a case (docs/answer.md)."""

    diagnoses: list[Diagnosis]
    findings: list[Finding]
    questions: list[QuestionOut]
    plan: list[StepOut] = Field(default=[], description="steps across the top causes in P/C order")
    unrecognized: list[str] = Field(default=[], description="pasted text no catalogue entry matched")
    warnings: list[str] = Field(default=[], description="unknown case fields and similar")
    understood: str | None = Field(
        default=None,
        description="what was read from the customer's own words (symptoms.description), said back to be checked",
    )
    ruled_out: list[RuledOut] = Field(default=[], description="causes the files refute, with the reason")
    lang: Literal["en", "nl"] = Field(default="en", description="the language of the texts")
    markdown: str | None = Field(
        default=None, description="the concise Markdown rendering, ready to show (HTTP and MCP fill it for bots)"
    )


#: The concise answer: lines and columns, causes and evidence lines shown, questions, unrecognised texts.
MAX_LINES, WIDTH = 40, 100
SHOWN_CAUSES, SHOWN_WHY, SHOWN_QUESTIONS, SHOWN_TEXTS = 3, 2, 3, 3


@dataclass(frozen=True)
class Budget:
    """How much the concise text shows: evidence lines per cause, questions, ruled-out causes in one line each."""

    why: int
    questions: int
    one_line: bool
    why_lines: int | None = None  # screen lines one piece of evidence may take (None: all)


#: Budgets from generous to tight: the concise text takes the first that fits in MAX_LINES.
BUDGETS = (
    Budget(SHOWN_WHY, SHOWN_QUESTIONS, False),
    Budget(1, SHOWN_QUESTIONS, False),
    Budget(1, 2, False),
    Budget(1, 2, True),
    Budget(1, 1, True),
    Budget(1, 1, True, 3),
    Budget(1, 0, True, 2),
)


def label(key: str, lang: str) -> str:
    """A label of the rendered answer in lang (English or Dutch), from the one wording catalogue."""
    return say(key, lang)


def choices(q: QuestionOut, lang: str, sep: str) -> str:
    """A question's choices as the answer lists them: values in English, Dutch words (ja / nee) in Dutch."""
    return sep.join(choice_word(c.value, c.label, lang) for c in q.choices)


def _percent(x: float) -> str:
    return f"{round(x * 100)}%"


def _wrap(text: str, indent: str, first: str | None = None, width: int = WIDTH) -> list[str]:
    """Text wrapped to width: the first line after `first` (default indent), the rest after indent."""
    return textwrap.wrap(
        text,
        width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=True,
    ) or [first or indent]


def entity_name(entity: str) -> str:
    """What an entity is called in a sentence: the checked node of a path, the key of the rest."""
    kind, _, key = entity.partition(":")
    return key.partition("<")[2] if kind == "path" else key


def strongest(d: Diagnosis, lang: str = "en", limit: int = SHOWN_WHY) -> list[str]:
    """The strongest evidence, one line per rule naming every entity where it holds (no finding said twice)."""
    groups: dict[str, list[EvidenceItem]] = {}
    for item in d.evidence_items:
        if item.sign == "for":
            groups.setdefault(item.rule, []).append(item)
    if not groups:  # an answer without items (older or hand-made): the sentences as they are
        return d.evidence[:limit]
    ranked = sorted(groups.values(), key=lambda g: (-g[0].certainty, g[0].entity == "case"))
    lines: list[str] = []
    covered: set[str] = set()
    for group in ranked:
        entities = {i.entity for i in group} - {"case"}
        if len(lines) == limit or (entities and entities <= covered):  # the same finding again, in other words
            continue
        covered |= entities
        first = group[0].text
        others = [n for n in dict.fromkeys(entity_name(i.entity) for i in group[1:]) if n and n not in first]
        lines.append(first + (f" ({label('also', lang)}: {', '.join(others)})" if others else ""))
    return lines


def _numbers(answer: Answer) -> dict[str, int]:
    """Each cause's number in the ranking; a folded cause has the number of the cause it is folded into."""
    numbers: dict[str, int] = {}
    for i, d in enumerate(answer.diagnoses, start=1):
        numbers[d.cause] = i
        for general in d.folded:
            numbers.setdefault(general, i)
    return numbers


def _shown(answer: Answer) -> tuple[list[Diagnosis], list[Diagnosis]]:
    """The causes shown in full (found on the files; without any, the hypotheses) and the other hypotheses."""
    found = [d for d in answer.diagnoses if d.from_files]
    rest = [d for d in answer.diagnoses if not d.from_files]
    return (found, rest) if found else (rest, [])


def _step_causes(step: StepOut, numbers: dict[str, int]) -> str:
    """'[1, 2]': the numbers of the causes a plan step addresses."""
    refs = dict.fromkeys(str(numbers.get(c, c)) for c in (step.causes or [step.cause]))
    return f"[{', '.join(refs)}]"


def render_text(answer: Answer, *, verbose: bool = False) -> str:
    """For a TAC engineer, top to bottom: concise (at most MAX_LINES lines of WIDTH columns), or everything."""
    if verbose:
        return _verbose_text(answer)
    lines: list[str] = []
    for budget in BUDGETS:  # the first that fits: fewer evidence lines, then questions, then one line per item
        lines = _concise_text(answer, budget)
        if len(lines) <= MAX_LINES:
            break
    return "\n".join(lines)


def _more(lang: str, shown: int, total: int, indent: str) -> list[str]:
    """'and N more (--verbose shows them)' when not everything is shown."""
    return [indent + label("more", lang).format(n=total - shown)] if total > shown else []


def _concise_text(answer: Answer, budget: Budget) -> list[str]:
    """The concise text within one budget (evidence lines per cause, questions, one line per ruled-out cause)."""
    lang = answer.lang
    out = [line for w in answer.warnings for line in _wrap(f"{label('warning', lang)}: {w}", "  ")]
    out += _wrap(answer.understood, "  ") if answer.understood else []
    detailed, hypotheses = _shown(answer)
    numbers = _numbers(answer)
    if not answer.diagnoses:
        out.append(label("none", lang))
    for d in detailed[:SHOWN_CAUSES]:
        n = numbers[d.cause]
        out += _wrap(f"{d.title} [{d.cause}]  {label('confidence', lang)} {_percent(d.confidence)}", "   ", f"{n}. ")
        why = f"   {label('why', lang)}: "
        for line in strongest(d, lang, budget.why):
            out += _cut(_wrap(line, " " * len(why), why), budget.why_lines)
        if d.folded:
            out += _wrap(f"{label('folded', lang)}: {', '.join(d.folded)}", "     ", "   ")
        if d.decide_with:
            out += _wrap(f"{label('decide', lang)}: {d.decide_with}", "     ", "   ")
    out += _more(lang, SHOWN_CAUSES, len(detailed), "   ")
    if answer.ruled_out:
        out += ["", label("ruled_out", lang)]
        for r in answer.ruled_out:
            item = f"  - {r.cause}: {r.reason}"
            out += [_clip(item)] if budget.one_line else _wrap(item[4:], "    ", "  - ")
    if hypotheses:
        out += ["", label("hypotheses", lang)]
        for d in hypotheses[:SHOWN_CAUSES]:
            item, first = f"{_percent(d.confidence)} [{d.cause}] {d.title}", f"  {numbers[d.cause]}. "
            out += [_clip(first + item)] if budget.one_line else _wrap(item, "     ", first)
            if d.decide_with:
                out += _wrap(f"{label('decide', lang)}: {d.decide_with}", "       ", "     ")
        out += _more(lang, SHOWN_CAUSES, len(hypotheses), "     ")
    if answer.plan:
        out += ["", label("plan", lang)]
        for n, step in enumerate(answer.plan, start=1):
            out += _wrap(f"{_step_causes(step, numbers)} {step.text}", "      ", f"  {n:>2}. ")
    if answer.questions and budget.questions:
        out += ["", label("questions", lang)]
        for q in answer.questions[: budget.questions]:
            out += _wrap(f"{q.text} ({choices(q, lang, ' / ')})", "    ", "  - ")
    if answer.unrecognized:
        out += ["", label("unrecognised", lang)]
        out += [_clip(f"  - {t}") for t in answer.unrecognized[:SHOWN_TEXTS]]
        out += _more(lang, SHOWN_TEXTS, len(answer.unrecognized), "    ")
    return out


def _cut(lines: list[str], keep: int | None) -> list[str]:
    """Wrapped lines cut to the first `keep`, the last ending in an ellipsis when something was left out."""
    if keep is None or len(lines) <= keep:
        return lines
    return [*lines[: keep - 1], _clip(lines[keep - 1] + " …")]


def _clip(line: str, width: int = WIDTH) -> str:
    """One line cut to width with an ellipsis."""
    return line if len(line) <= width else line[: width - 1] + "…"


def _verbose_text(answer: Answer, width_steps: int = 3) -> str:
    """Everything, one line per item: every cause with all its evidence, steps and checks; plan; questions."""
    lang = answer.lang
    lines = [f"{label('warning', lang)}: {w}" for w in answer.warnings]
    lines += [answer.understood] if answer.understood else []
    if not answer.diagnoses:
        lines.append(label("none", lang))
    numbers = _numbers(answer)
    for i, d in enumerate(answer.diagnoses, start=1):
        lines.append(f"{i}. {d.title}  [{d.cause}]  {label('confidence', lang)} {_percent(d.confidence)}")
        lines += [f"   {label('why', lang)}: {e}" for e in d.evidence]
        lines += [f"   {label('against', lang)}: {e}" for e in d.counter_evidence]
        if d.folded:
            lines.append(f"   {label('folded', lang)}: {', '.join(d.folded)}")
        if d.decide_with:
            lines.append(f"   {label('decide', lang)}: {d.decide_with}")
        if i <= width_steps:
            lines += [f"   {label('step', lang)} {n}: {s}" for n, s in enumerate(d.steps, start=1)]
            lines += [f"   {label('then', lang)}: {c}" for c in d.checks]
    if answer.ruled_out:
        lines += ["", label("ruled_out", lang)] + [f"  - {r.cause}: {r.reason}" for r in answer.ruled_out]
    if answer.plan:
        lines += ["", label("plan", lang)]
        lines += [f"  {n:>2}. {_step_causes(s, numbers)} {s.text}" for n, s in enumerate(answer.plan, start=1)]
    if answer.questions:
        lines += ["", label("questions", lang)]
        lines += [f"  - {q.text} ({choices(q, lang, ' / ')})" for q in answer.questions]
    if answer.unrecognized:
        lines += ["", label("unrecognised", lang)] + [f"  - {t}" for t in answer.unrecognized]
    return "\n".join(lines)


def render_markdown(answer: Answer, title: str | None = None, *, verbose: bool = False) -> str:
    """For case notes and bots: the concise answer (the text's content) in Markdown, or everything if verbose."""
    lang = answer.lang
    lines = [f"# certdoctor: {title}" if title else f"# {label('title', lang)}", ""]
    lines += [f"> {label('warning', lang)}: {w}" for w in answer.warnings] + ([""] if answer.warnings else [])
    lines += [f"*{answer.understood}*", ""] if answer.understood else []
    if not answer.diagnoses:
        lines += [label("none", lang), ""]
    if verbose:
        return "\n".join(lines + _verbose_markdown(answer))
    detailed, hypotheses = _shown(answer)
    numbers = _numbers(answer)
    for d in detailed[:SHOWN_CAUSES]:
        lines += [f"## {numbers[d.cause]}. {d.title} (`{d.cause}`, {_percent(d.confidence)})", ""]
        lines += [f"- {e}" for e in strongest(d, lang)]
        if d.folded:
            lines.append(f"- {label('folded', lang)}: " + ", ".join(f"`{c}`" for c in d.folded))
        if d.decide_with:
            lines.append(f"- {label('decide', lang)}: {d.decide_with}")
        if d.references:  # case notes keep where the cause is documented
            lines += ["", f"{label('references', lang)}: " + "; ".join(d.references)]
        lines.append("")
    if len(detailed) > SHOWN_CAUSES:
        lines += [label("more", lang).format(n=len(detailed) - SHOWN_CAUSES), ""]
    if answer.ruled_out:
        lines += [f"## {label('ruled_out', lang).rstrip(':')}", ""]
        lines += [f"- `{r.cause}`: {r.reason}" for r in answer.ruled_out] + [""]
    if hypotheses:
        lines += [f"## {label('hypotheses', lang).rstrip(':')}", ""]
        for d in hypotheses[:SHOWN_CAUSES]:
            decide = f"; {label('decide', lang)}: {d.decide_with}" if d.decide_with else ""
            lines.append(f"- {numbers[d.cause]}. {d.title} (`{d.cause}`, {_percent(d.confidence)}){decide}")
        lines.append("")
    lines += _plan_markdown(answer, numbers)
    if answer.questions:
        lines += [f"## {label('open', lang)}", ""]
        lines += [f"- {q.text} ({choices(q, lang, ', ')})" for q in answer.questions[:SHOWN_QUESTIONS]]
        lines.append("")
    if answer.unrecognized:
        lines += [f"## {label('unrecognised', lang).rstrip(':')}", ""] + [f"- `{t}`" for t in answer.unrecognized]
        lines.append("")
    return "\n".join(lines)


def _plan_markdown(answer: Answer, numbers: dict[str, int]) -> list[str]:
    """The plan as a numbered list, each step with the numbers of the causes it addresses."""
    if not answer.plan:
        return []
    lines = [f"## {label('plan', answer.lang).rstrip(':')}", ""]
    lines += [f"{n}. {_step_causes(s, numbers)} {s.text}" for n, s in enumerate(answer.plan, start=1)]
    return [*lines, ""]


def _verbose_markdown(answer: Answer) -> list[str]:
    """Every cause with all its evidence, steps, checks and references; the plan; failing findings; questions."""
    lang = answer.lang
    lines: list[str] = []
    numbers = _numbers(answer)
    for i, d in enumerate(answer.diagnoses, start=1):
        lines += [f"## {i}. {d.title} (`{d.cause}`, {_percent(d.confidence)})", "", f"**{label('evidence', lang)}**"]
        lines += [""] + [f"- {e}" for e in d.evidence]
        if d.counter_evidence:
            lines += ["", f"**{label('against', lang).capitalize()}**", ""] + [f"- {e}" for e in d.counter_evidence]
        if d.folded:
            lines += ["", f"{label('folded', lang).capitalize()}: " + ", ".join(f"`{c}`" for c in d.folded)]
        lines += ["", f"**{label('steps', lang)}**", ""] + [f"{n}. {s}" for n, s in enumerate(d.steps, start=1)]
        if d.checks:
            lines += ["", f"**{label('then', lang).capitalize()}**", ""] + [f"- {c}" for c in d.checks]
        if d.references:
            lines += ["", f"{label('references', lang)}: " + "; ".join(d.references)]
        lines.append("")
    if answer.ruled_out:
        lines += [f"## {label('ruled_out', lang).rstrip(':')}", ""]
        lines += [f"- `{r.cause}` ({r.title}): {r.reason}" for r in answer.ruled_out] + [""]
    lines += _plan_markdown(answer, numbers)
    failing = [f for f in answer.findings if f.severity in ("error", "warning")]
    if failing:
        lines += [f"## {label('findings', lang)}", ""] + [f"- `{f.code}` {f.message}" for f in failing] + [""]
    if answer.questions:
        lines += [f"## {label('open', lang)}", ""]
        lines += [f"- {q.text} ({choices(q, lang, ', ')})" for q in answer.questions] + [""]
    if answer.unrecognized:
        lines += [f"## {label('unrecognised', lang).rstrip(':')}", ""] + [f"- `{t}`" for t in answer.unrecognized]
        lines.append("")
    return lines
