"""The cause reference (docs/causes.md), generated from knowledge/ so it can never disagree with it."""

from __future__ import annotations

from certdoctor.diagnosis import render_step
from certdoctor.kb import Condition, KnowledgeBase


def _condition(cond: Condition) -> str:
    if cond.is_ is not None:
        return f"`{cond.fact}` is `{str(cond.is_).lower() if isinstance(cond.is_, bool) else cond.is_}`"
    if cond.is_not is not None:
        return f"`{cond.fact}` is not `{cond.is_not}`"
    if cond.one_of is not None:
        return f"`{cond.fact}` is one of " + ", ".join(f"`{v}`" for v in cond.one_of)
    if cond.lt is not None:
        return f"`{cond.fact}` < {cond.lt}"
    return f"`{cond.fact}` > {cond.gt}"


def cause_reference(kb: KnowledgeBase) -> str:
    """Markdown: every cause with its origin, rules (conditions, certainty, evidence) and steps."""
    lines = [
        "# Cause reference",
        "",
        "Generated from `knowledge/` by `certdoctor kb doc`; do not edit by hand (a test compares them).",
        f"{len(kb.causes)} causes, {sum(len(c.rules) for c in kb.causes)} rules.",
        "",
    ]
    lines += [f"- [`{c.id}`](#{c.id.replace('.', '')}) {c.title.en}" for c in kb.causes]
    for c in kb.causes:
        lines += ["", f"## {c.id}", "", f"**{c.title.en}** / *{c.title.nl}*", ""]
        lines += [f"Origin: {ref}" for ref in c.references()]
        lines += ["", "| rule | when | certainty | evidence |", "|---|---|---|---|"]
        for r in c.rules:
            when = " and ".join(_condition(cond) for cond in r.when)
            if r.quantifier != "any" or r.about:
                scope = {"all": "for every", "none": "for no", "any": "on one"}[r.quantifier]
                when = f"{scope} {r.about or 'instance'}: {when}"
            evidence = r.evidence.en.replace("|", "\\|")
            lines.append(f"| `{r.id}` | {when} | {r.certainty:+.2f} | {evidence} |")
        lines += ["", "Steps:", ""]
        lines += [f"{i}. ({s.cost}) {render_step(s, 'en')}" for i, s in enumerate(c.steps, start=1)]
        if c.rule_out:
            faults = " or ".join(_condition(f) for f in c.rule_out.faults)
            needs = ", ".join(f"`{n}`" for n in c.rule_out.needs) or "the deciding facts"
            lines += [
                "",
                f"Ruled out when the case holds {needs} and no instance shows a fault ({faults}): "
                f"{c.rule_out.reason.en}. Decided by: {c.rule_out.decide_with.en}.",
            ]
        if c.subsumes:
            lines += ["", "Folds in: " + ", ".join(f"`{g}`" for g in c.subsumes)]
        if c.checks:
            lines += ["", "Then check:", ""] + [f"- {check.en}" for check in c.checks]
    return "\n".join(lines) + "\n"
