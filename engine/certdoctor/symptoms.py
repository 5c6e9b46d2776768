"""Recognise pasted text (upload errors, zone status, logs, alarms, Jabber warnings) as symptom facts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from certdoctor.case import Symptoms
from certdoctor.kb import FactValue, KnowledgeBase, SymptomPattern

_QUOTES = str.maketrans({c: " " for c in "\"'`“”‘’«»"})


def normalise(text: str) -> str:
    """Case-folded, quotes removed, whitespace collapsed: how pasted text is compared."""
    return " ".join(text.translate(_QUOTES).casefold().split())


@dataclass(frozen=True)
class Recognised:
    """A catalogue pattern found in one pasted text."""

    pattern: SymptomPattern
    field: str
    excerpt: str


@dataclass
class Recognition:
    """What the pasted texts of a case established, and which texts nothing recognised."""

    found: list[Recognised] = field(default_factory=list)
    unrecognised: list[tuple[str, str]] = field(default_factory=list)

    def facts(self) -> list[tuple[str, FactValue, Recognised]]:
        """(fact name, value, where it was seen) for every recognised pattern."""
        return [(name, value, r) for r in self.found for name, value in r.pattern.sets.items()]


def texts_of(symptoms: Symptoms) -> list[tuple[str, str]]:
    """(field, text) for every free-text symptom field of the case."""
    texts: list[tuple[str, str]] = []
    if symptoms.upload_error:
        texts.append(("upload_error", symptoms.upload_error))
    if symptoms.zone_status:
        texts.append(("zone_status", symptoms.zone_status))
    if isinstance(symptoms.jabber_warning, str):
        texts.append(("jabber_warning", symptoms.jabber_warning))
    texts += [("log_lines", line) for line in symptoms.log_lines]
    texts += [("log_lines", entry.text) for entry in symptoms.logs]
    texts += [("alarms", alarm) for alarm in symptoms.alarms]
    return texts


def shown(text: str, limit: int = 160) -> str:
    """The pasted text as the user wrote it, shortened for an evidence line."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _match(pattern: SymptomPattern, norm: str) -> bool:
    """Whether any substring or the regex of the pattern occurs in the normalised text."""
    if any((n := normalise(needle)) and n in norm for needle in pattern.contains):
        return True
    return bool(pattern.regex and re.search(pattern.regex, norm))


def recognise(symptoms: Symptoms, kb: KnowledgeBase) -> Recognition:
    """Match every pasted text against the catalogue; texts nothing matches are kept, not dropped."""
    result = Recognition()
    for field_name, text in texts_of(symptoms):
        norm = normalise(text)
        hit = False
        for pattern in kb.symptoms:
            if field_name not in pattern.fields:
                continue
            if _match(pattern, norm):
                result.found.append(Recognised(pattern, field_name, shown(text)))
                hit = True
        if not hit:
            result.unrecognised.append((field_name, text))
    return result
