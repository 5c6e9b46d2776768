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
    texts += [("alarms", alarm) for alarm in symptoms.alarms]
    return texts


def _excerpt(text: str, needle: str) -> str:
    """The matched part of the text with a little context, for evidence."""
    at = text.find(needle)
    if at < 0:
        return text[:120]
    start = max(0, at - 20)
    end = min(len(text), at + len(needle) + 20)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _match(pattern: SymptomPattern, norm: str) -> str | None:
    for needle in pattern.contains:
        n = normalise(needle)
        if n and n in norm:
            return _excerpt(norm, n)
    if pattern.regex:
        m = re.search(pattern.regex, norm)
        if m:
            return _excerpt(norm, m.group(0))
    return None


def recognise(symptoms: Symptoms, kb: KnowledgeBase) -> Recognition:
    """Match every pasted text against the catalogue; texts nothing matches are kept, not dropped."""
    result = Recognition()
    for field_name, text in texts_of(symptoms):
        norm = normalise(text)
        hit = False
        for pattern in kb.symptoms:
            if field_name not in pattern.fields:
                continue
            excerpt = _match(pattern, norm)
            if excerpt is not None:
                result.found.append(Recognised(pattern, field_name, excerpt))
                hit = True
        if not hit:
            result.unrecognised.append((field_name, text))
    return result
