"""What the session writes down, in its language: the case file, the Markdown notes, and what undo took back."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from certdoctor.answer import Answer, label, render_markdown
from certdoctor.case import map_file_references
from certdoctor.conversation import Conversation, Turn
from certdoctor.kb import KnowledgeBase, Lang
from certdoctor.shell.files import role_name
from certdoctor.wording import WORDS, choice_word, say

#: How much of a pasted text or a value undo repeats.
SHOWN_CHARS = 40
#: What a certificate field holds, by its last name in the case-file path (a key of certdoctor.wording).
_KINDS: dict[str, str] = {
    "certificate": "kind.certificate",
    "callmanager_certificate": "kind.certificate",
    "trusted_cas": "kind.trusted",
    "tomcat_trust": "kind.trusted",
    "callmanager_trust": "kind.trusted",
    "crls": "kind.crl",
    "file": "kind.file",
    "key": "kind.key",
}


def _say(word: str, lang: Lang, **values: str) -> str:
    return say("undo." + word, lang, **values)


def _short(text: str) -> str:
    """The first line of a text, whitespace collapsed, cut to SHOWN_CHARS with '...'."""
    line = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    return line if len(line) <= SHOWN_CHARS else line[: SHOWN_CHARS - 3].rstrip() + "..."


def describe(turn: Turn, lang: Lang, origin: str | None = None, probed: bool = False) -> str:
    """A turn in a few words (`undo` says what it took back): origin is the file, server or field name as typed."""
    parts = [_say("answer", lang, id=q, value=v) for q, v in turn.answers.items()]
    parts += [_say("skip", lang, id=q) for q in turn.skip]
    if turn.text:
        parts.append(_say("said" if turn.text_field == "description" else "text", lang, text=_short(turn.text)))
    for path, value in turn.set.items():
        parts.append(_say("set", lang, name=origin or path, value=_short(str(value))))
    for path, ref in turn.certificates.items():
        field = path.rsplit(".", 1)[-1].split("[")[0]
        kind = say(_KINDS[field], lang) if field in _KINDS else field
        where = origin or (Path(ref).name if "-----BEGIN" not in ref and not ref.startswith("data:") else "PEM")
        parts.append(_say("probed" if probed else "loaded", lang, role=role_name(path), kind=kind, origin=where))
    return "; ".join(parts)


def undone(what: str | None, lang: Lang) -> str:
    """The line undo prints: what it took back, or that there was nothing."""
    return _say("undone", lang, what=what) if what is not None else _say("nothing", lang)


def question_short(text: str) -> str:
    """A question without its parenthesised hints (where to look in the menus): the words for notes."""
    while (shorter := re.sub(r"\s*\([^()]*\)", "", text)) != text:
        text = shorter
    return " ".join(text.split())


def answered(kb: KnowledgeBase, qid: str, value: str, lang: Lang) -> str:
    """An answer as a reader follows it: the question's short text and the chosen label."""
    question = next((q for q in kb.questions if q.id == qid), None)
    choice = next((c for c in question.choices if c.value == value), None) if question else None
    if question is None or choice is None:
        return f"{qid}: {value}"
    return f"{question_short(question.text.get(lang))} {choice.label.get(lang)}"


def report_markdown(conversation: Conversation, answer: Answer, kb: KnowledgeBase) -> str:
    """Markdown for the case notes: the symptoms given, the answers in words, then the concise diagnosis."""
    case, lang = conversation.case(), conversation.lang
    symptoms = [
        f"- {field_name(k, lang)}: {'; '.join(shown_value(x, lang) for x in (v if isinstance(v, list) else [v]))}"
        for k, v in case.symptoms.model_dump(exclude_defaults=True).items()
    ]
    symptoms += [f"- {answered(kb, k, str(v), lang)}" for k, v in case.answers.items()]
    text = render_markdown(answer, case.title or say("shell.session", lang))
    head, _, body = text.partition("\n\n")
    none = f"- {say('shell.none_given', lang)}"
    return "\n".join([head, "", f"## {label('symptoms', lang)}", "", *(symptoms or [none]), "", body])


def field_name(name: str, lang: Lang) -> str:
    """A symptom field as the notes name it ("zone status", "zonestatus"), not its case-file name."""
    return say(f"field.{name}", lang) if f"field.{name}" in WORDS else name


def shown_value(value: object, lang: Lang) -> str:
    """A symptom value in the notes' language: down -> omlaag, certificate-renewal -> certificaatvernieuwing."""
    from certdoctor.understand import language

    text = " ".join(str(value).split()) if isinstance(value, str) else str(value)
    if lang != "nl" or not isinstance(value, str | bool):
        return text
    shown = language().shown.get(text)
    return shown[lang] if shown else choice_word(str(value).lower() if isinstance(value, bool) else text, text, lang)


def case_file(conversation: Conversation, where: Path) -> dict[str, Any]:
    """The session as a case file (docs/case-file.md), with file paths relative to where it is saved."""

    def relative(ref: str) -> str:
        return Path(os.path.relpath(ref, where)).as_posix() if Path(ref).is_absolute() else ref

    data = map_file_references(conversation.case_data(), relative)
    return {"title": data.pop("title", say("shell.session", conversation.lang)), **data}
