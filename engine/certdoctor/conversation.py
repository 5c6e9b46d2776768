"""A troubleshooting conversation as data: turns applied to a case, replayed for every diagnosis.

No engine state lives between turns (durable_rules cannot retract; see docs/diagnosis.md): the
conversation is the starting case plus the list of turns, and each step rebuilds the case and
diagnoses it afresh. Undo drops the last turn, so the ranking returns exactly to what it was.
The same model backs `certdoctor shell`, the Python conversation API and the chatbot interfaces.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from certdoctor.answer import Answer, QuestionOut
from certdoctor.case import CERTIFICATE_FIELDS, DATA_URI, Case, case_from_data
from certdoctor.errors import InputError
from certdoctor.kb import Lang

#: Case-file fields that hold lists: `set` splits a text on commas, a certificate is appended.
LIST_FIELDS = frozenset(
    {
        "trusted_cas",
        "tomcat_trust",
        "callmanager_trust",
        "crls",
        "log_lines",
        "alarms",
        "recent_changes",
        "peer_addresses",
        "cucm_servers",
    }
)
_PART = re.compile(r"^([a-z_]+)(?:\[(\d{1,2})\])?$")
TextField = Literal["upload_error", "jabber_warning", "zone_status", "alarms", "log_lines", "description"]
_TEXT_FIELDS: tuple[TextField, ...] = ("log_lines", "upload_error", "jabber_warning", "zone_status", "alarms")


class Turn(BaseModel):
    """One thing the user said: answers, pasted text, case fields, certificates (any mix)."""

    answers: dict[str, str] = Field(default={}, description="question id -> choice value")
    text: str | None = Field(
        default=None,
        description="the customer's words (read into symptoms), or pasted log lines, error or warning text; kept",
    )
    text_field: TextField | None = Field(
        default=None, description="the symptoms field the text went to (set when the turn is taken; log_lines if none)"
    )
    skip: list[str] = Field(default=[], description="questions the user cannot answer: not asked again")
    set: dict[str, Any] = Field(default={}, description="case-file field path -> value, e.g. symptoms.zone_status")
    certificates: dict[str, str] = Field(
        default={},
        description="case-file field path -> certificate reference: inline PEM, or a file path in the shell",
    )

    def is_empty(self) -> bool:
        """Whether the turn says nothing."""
        return not (self.answers or self.text or self.set or self.certificates or self.skip)


class Conversation(BaseModel):
    """The whole state of a conversation: a starting case and the turns since, in order."""

    version: Literal[1] = 1
    lang: Lang = "en"
    base: dict[str, Any] = Field(default={}, description="the case the conversation started from")
    turns: list[Turn] = []

    def case_data(self) -> dict[str, Any]:
        """The case-file mapping after every turn (a fresh copy)."""
        data = copy.deepcopy(self.base)
        for turn in self.turns:
            apply(data, turn)
        return data

    def case(self) -> Case:
        """The validated case after every turn."""
        return case_from_data(self.case_data(), "conversation")

    def skipped(self) -> list[str]:
        """Questions the user said they cannot answer."""
        return [q for turn in self.turns for q in turn.skip]

    def then(self, turn: Turn) -> Conversation:
        """This conversation with one more turn; a turn that makes the case invalid raises and changes nothing."""
        return self._then(turn)[0]

    def _then(self, turn: Turn) -> tuple[Conversation, tuple[dict[str, Any], Case] | None]:
        """then(turn), and the case data and validated case after it (None when the turn is empty)."""
        if turn.is_empty():
            return self, None
        if turn.text and turn.text_field is None:
            turn = self._placed(turn)
        if turn.answers:  # named as the turn's own field, before anything changes
            from certdoctor.facts import answer_choice
            from certdoctor.kb import load_knowledge

            turn = natural_answers(turn)
            for qid, value in turn.answers.items():
                answer_choice(load_knowledge(), qid, value, "turn")
        after = self.model_copy(update={"turns": [*self.turns, turn]})
        data = after.case_data()
        case = case_from_data(data, "conversation")  # a turn that makes the case invalid raises here
        return after, (data, case)

    def _placed(self, turn: Turn) -> Turn:
        """The turn with its text placed: where the catalogue knows it, else the description when understood.

        Text the catalogue knows that also names a change or a version ("zone shows TLS negotiation error since
        the upgrade to X14.2") goes to the description as well, since no pasted-text field holds those.
        """
        from certdoctor.understand import CHANGES, understand

        assert turn.text is not None
        where = place_text(turn.text)
        understood = understand(turn.text)
        if where == "log_lines" and understood and not _catalogued(turn.text):
            return turn.model_copy(update={"text_field": "description"})
        if understood.version or any(c in understood.said for c in (*CHANGES, "changes")):
            said = (self.case_data().get("symptoms") or {}).get("description")
            described = f"{said}\n{turn.text.strip()}" if said else turn.text.strip()
            return turn.model_copy(update={"text_field": where, "set": {**turn.set, "symptoms.description": described}})
        return turn.model_copy(update={"text_field": where})

    def undo(self) -> Conversation:
        """This conversation without its last turn."""
        return self.model_copy(update={"turns": self.turns[:-1]})


def natural_answers(turn: Turn) -> Turn:
    """The turn with answers given in words ("yes, X14.2.5", "nee hoor") as the choices they mean, and the
    version such a reply names set in the case; an answer that means no choice is left for the check to name."""
    from certdoctor.kb import load_knowledge
    from certdoctor.understand import choose

    questions = {q.id: q for q in load_knowledge().questions}
    answers, sets = dict(turn.answers), dict(turn.set)
    for qid, value in turn.answers.items():
        q = questions.get(qid)
        if q is None or any(c.value == str(value) for c in q.choices):
            continue
        reply = choose(qid, q.field, [(c.value, [c.label.en, c.label.nl]) for c in q.choices], str(value))
        if reply is not None:
            answers[qid] = reply.value
            sets = {**reply.set, **sets}
    return turn if answers == turn.answers else turn.model_copy(update={"answers": answers, "set": sets})


def _container(data: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The mapping or list that holds the field at `path`, created on the way; and the key in it."""
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        m = _PART.match(part)
        if not m:
            raise InputError(path, f"'{part}' is not a case-file field name")
        name, index = m.group(1), m.group(2)
        last = i == len(parts) - 1
        if index is None:
            if last:
                return node, name
            node = node.setdefault(name, {})
        else:
            items = node.setdefault(name, [])
            if not isinstance(items, list):
                raise InputError(path, f"'{name}' is not a list")
            while len(items) <= int(index):
                items.append({})
            if last:
                return items, int(index)
            node = items[int(index)]
        if not isinstance(node, dict):
            raise InputError(path, f"'{name}' is not a group of fields")
    raise InputError(path, "empty field path")


def _value(field: str, value: Any) -> Any:
    """A value as the case file wants it: a comma-separated text becomes a list for list fields."""
    if field in LIST_FIELDS and isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def apply(data: dict[str, Any], turn: Turn) -> None:
    """Apply one turn to a case-file mapping, in place."""
    for path, value in turn.set.items():
        holder, key = _container(data, path)
        holder[key] = _value(str(key), value)
    for path, ref in turn.certificates.items():
        holder, key = _container(data, path)
        field = path.rsplit(".", 1)[-1].split("[")[0]
        if field not in CERTIFICATE_FIELDS:
            raise InputError(path, f"not a certificate field (one of: {', '.join(sorted(CERTIFICATE_FIELDS))})")
        if field in LIST_FIELDS:
            current = holder.get(key) if isinstance(holder, dict) else None
            holder[key] = [*(current or []), ref]
        else:
            holder[key] = ref
    if turn.answers:
        data.setdefault("answers", {}).update(turn.answers)
    if turn.text and turn.text.strip():
        symptoms = data.setdefault("symptoms", {})
        where = turn.text_field or "log_lines"
        if where in LIST_FIELDS:
            symptoms.setdefault(where, []).append(turn.text.strip())
        elif where == "description" and symptoms.get(where):  # the customer's words, sentence after sentence
            symptoms[where] = f"{symptoms[where]}\n{turn.text.strip()}"
        else:
            symptoms[where] = turn.text.strip()


def _catalogued(text: str) -> bool:
    """Whether the catalogue recognises the text as a log line."""
    from certdoctor.case import Symptoms
    from certdoctor.kb import load_knowledge
    from certdoctor.symptoms import recognise

    return bool(recognise(Symptoms(log_lines=[text]), load_knowledge()).found)


def place_text(text: str) -> TextField:
    """The symptoms field where the catalogue recognises pasted text best (log_lines when nowhere)."""
    from certdoctor.case import Symptoms
    from certdoctor.kb import load_knowledge
    from certdoctor.symptoms import recognise

    kb = load_knowledge()
    best: TextField = "log_lines"
    hits = 0
    for where in _TEXT_FIELDS:
        found = len(recognise(Symptoms.model_validate({where: [text] if where in LIST_FIELDS else text}), kb).found)
        if found > hits:
            best, hits = where, found
    return best


class ChoiceForm(BaseModel):
    """One choice of a question form."""

    const: str
    title: str


class QuestionForm(BaseModel):
    """The next question as a small JSON-Schema form a chatbot can render: id, text, choices."""

    id: str
    title: str
    type: Literal["string"] = "string"
    oneOf: list[ChoiceForm]  # the JSON Schema keyword, spelled as JSON Schema spells it

    @classmethod
    def of(cls, question: QuestionOut) -> QuestionForm:
        """The form of a ranked question."""
        return cls(
            id=question.id,
            title=question.text,
            oneOf=[ChoiceForm(const=c.value, title=c.label) for c in question.choices],
        )


class Step(BaseModel):
    """What one conversation step returns: the answer, the next question, and the new state."""

    answer: Answer
    question: QuestionForm | None
    conversation: Conversation
    title: str | None = Field(default=None, description="the case's title after the step")


def diagnose_conversation(
    conversation: Conversation, base_dir: Path | None = None, validated: tuple[dict[str, Any], Case] | None = None
) -> Answer:
    """Diagnose the case as it stands after every turn (`validated`: its case data and case, when at hand).

    The facts of the case without its answers are re-used from an earlier turn where they still hold
    (chat/cache.py): a turn that only answers a question runs only the rules and the ranking again.
    """
    from certdoctor.chat.cache import diagnose_cached

    data, case = validated if validated is not None else _validated(conversation)
    return diagnose_cached(
        case, data, base_dir=base_dir, source="conversation", lang=conversation.lang, answered=conversation.skipped()
    )


def _validated(conversation: Conversation) -> tuple[dict[str, Any], Case]:
    data = conversation.case_data()
    return data, case_from_data(data, "conversation")


def step(conversation: Conversation, turn: Turn | None = None, base_dir: Path | None = None) -> Step:
    """Take one turn (or none: just look) and return the answer, the next question and the new conversation."""
    after, validated = conversation._then(turn) if turn else (conversation, None)
    validated = validated or _validated(after)
    answer = diagnose_conversation(after, base_dir, validated)
    question = QuestionForm.of(answer.questions[0]) if answer.questions else None
    return Step(answer=answer, question=question, conversation=after, title=validated[1].title)


def _transport_bytes(field: str, text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InputError(field, "is neither PEM nor Base-64") from None


def certificate_text(field: str, content: str | bytes) -> str:
    """Certificates and CRLs given as content (PEM, Base-64, DER, PKCS#7) as canonical PEM text.

    Conversations that cross a network carry certificates inline; a private key must never enter
    their state, so content holding one is refused rather than silently trimmed. The upload file
    (`upload.file`) keeps its own format instead, PEM as given or other formats as a data URI, since
    "the file is DER" is what upload.invalid-format diagnoses; unarmoured Base-64 there is taken as
    the transport encoding of a binary file.
    """
    from cryptography.hazmat.primitives.serialization import Encoding

    from certdoctor.x509.load import parse_bytes

    raw = content.encode("utf-8") if isinstance(content, str) else content
    upload = field.rsplit(".", 1)[-1] == "file"
    if upload and isinstance(content, str) and "-----BEGIN" not in content:
        raw = _transport_bytes(field, content)  # a binary upload file (DER, PKCS#7) sent as Base-64
    loaded = parse_bytes(raw, field)
    if loaded.private_keys:
        raise InputError(field, "holds a private key; send certificates only (keys never enter a conversation)")
    if upload and (loaded.certificates or loaded.requests):
        # the file whose upload fails is judged as the file it is: its format is part of the diagnosis
        return raw.decode("utf-8") if b"-----BEGIN" in raw else DATA_URI + base64.b64encode(raw).decode("ascii")
    pems = [c.public_bytes(Encoding.PEM) for c in loaded.certificates] + [
        c.public_bytes(Encoding.PEM) for c in loaded.crls
    ]
    if not pems:
        raise InputError(field, f"no certificate or CRL in it ({loaded.format.value})")
    return b"".join(pems).decode("ascii")
