"""The answer (docs/answer.md): pydantic models and the text and Markdown renderers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from certdoctor.x509.findings import Finding


class _Model(BaseModel):
    """Answer models build their schemas on first use (fast start-up)."""

    model_config = ConfigDict(defer_build=True)


class StepOut(_Model):
    """One remediation step as shown to the user."""

    cause: str
    device: str
    cost: str
    menu: str | None = None
    text: str


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


def _percent(x: float) -> str:
    return f"{round(x * 100)}%"


def render_text(answer: Answer, *, width_steps: int = 3) -> str:
    """Top to bottom for a TAC engineer: cause, confidence, why, steps; then questions."""
    lines: list[str] = []
    for w in answer.warnings:
        lines.append(f"warning: {w}")
    if not answer.diagnoses:
        lines.append("No documented cause matches what is known.")
    for i, d in enumerate(answer.diagnoses, start=1):
        lines.append(f"{i}. {d.title}  [{d.cause}]  confidence {_percent(d.confidence)}")
        for e in d.evidence:
            lines.append(f"   why: {e}")
        for e in d.counter_evidence:
            lines.append(f"   against: {e}")
        if i <= width_steps:
            for n, s in enumerate(d.steps, start=1):
                lines.append(f"   step {n}: {s}")
            for check in d.checks:
                lines.append(f"   then check: {check}")
    if answer.plan:
        lines.append("")
        lines.append("Suggested order (likely and cheap first):")
        for n, step in enumerate(answer.plan, start=1):
            lines.append(f"  {n:>2}. [{step.cause}] {step.text}")
    if answer.questions:
        lines.append("")
        lines.append("Questions that would sharpen this:")
        for q in answer.questions[:5]:
            choices = " / ".join(c.value for c in q.choices)
            lines.append(f"  - {q.text} ({choices})")
    if answer.unrecognized:
        lines.append("")
        lines.append("Text not recognised (kept for the record):")
        lines += [f"  - {t}" for t in answer.unrecognized]
    return "\n".join(lines)


def render_markdown(answer: Answer, title: str | None = None) -> str:
    """For case notes: symptoms recognised, ranked causes with evidence and steps, questions."""
    lines = [f"# certdoctor: {title}" if title else "# certdoctor diagnosis", ""]
    if not answer.diagnoses:
        lines += ["No documented cause matches what is known.", ""]
    for i, d in enumerate(answer.diagnoses, start=1):
        lines += [f"## {i}. {d.title} (`{d.cause}`, {_percent(d.confidence)})", "", "**Evidence**", ""]
        lines += [f"- {e}" for e in d.evidence]
        if d.counter_evidence:
            lines += ["", "**Against**", ""] + [f"- {e}" for e in d.counter_evidence]
        lines += ["", "**Steps**", ""] + [f"{n}. {s}" for n, s in enumerate(d.steps, start=1)]
        if d.checks:
            lines += ["", "**Then check**", ""] + [f"- {c}" for c in d.checks]
        if d.references:
            lines += ["", "References: " + "; ".join(d.references)]
        lines.append("")
    failing = [f for f in answer.findings if f.severity in ("error", "warning")]
    if failing:
        lines += ["## Certificate findings", ""] + [f"- `{f.code}` {f.message}" for f in failing] + [""]
    if answer.questions:
        lines += (
            ["## Open questions", ""]
            + [f"- {q.text} ({', '.join(c.value for c in q.choices)})" for q in answer.questions[:5]]
            + [""]
        )
    if answer.unrecognized:
        lines += ["## Unrecognised text", ""] + [f"- `{t}`" for t in answer.unrecognized] + [""]
    return "\n".join(lines)
