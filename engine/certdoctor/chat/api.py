"""The conversation API chatbots call: previous state + new input -> answer, next question, new state.

Everything that arrives from a chatbot is untrusted: certificates come as content (PEM or Base-64),
never as paths on the server, and are canonicalised to PEM by `certificate_text`; a private key or a
PKCS#12 file anywhere in the input is refused with an error naming the field, so none can enter a
state token, a session store, a log or a reply. The same functions back the MCP tools and the HTTP API.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from certdoctor.answer import Answer
from certdoctor.conversation import CERTIFICATE_FIELDS, Conversation, QuestionForm, Turn, certificate_text, step
from certdoctor.errors import InputError
from certdoctor.kb import Lang
from certdoctor.x509.der import tlv
from certdoctor.x509.models import FileReport, VerifyReport

from .token import StateSealer

#: Bounds on one input: pasted text, one certificate's content, entries per mapping, turns per conversation.
MAX_TEXT_CHARS = 64 * 1024
MAX_CERTIFICATE_CHARS = 2 * 1024 * 1024
MAX_ENTRIES = 64
MAX_TURNS = 200

_PRIVATE_KEY_ARMOUR = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----")
#: Where a Base-64 DER structure may start in free text: a token beginning "M" (a DER SEQUENCE), 64+ chars on.
_BASE64_START = re.compile(r"(?<![A-Za-z0-9+/])(?=(M[A-Za-z0-9+/]{3}[A-Za-z0-9+/=\s]{56,}))")
_MAX_CANDIDATES = 64
_CERT_FIELD = re.compile(r"(?:^|\.)([a-z_]+)(?:\[\d{1,2}\])?$")

Scalar = str | int | float | bool | None


class _Strict(BaseModel):
    """Input models refuse unknown fields: a misspelt field is an error naming it, not silently lost."""

    model_config = ConfigDict(extra="forbid")


class ChatInput(_Strict):
    """One chatbot turn: what the user said, answered or uploaded (any mix), and on the first turn the case."""

    case: dict[str, Any] | None = Field(
        default=None,
        description="first turn only: the starting case in the case-file format, certificates inline (PEM/Base-64)",
    )
    lang: Lang | None = Field(default=None, description="language of titles, steps and questions (en or nl)")
    answers: dict[str, str] = Field(
        default={}, max_length=MAX_ENTRIES, description="question id -> choice value (the `const` of the form)"
    )
    text: str | None = Field(
        default=None, max_length=MAX_TEXT_CHARS, description="pasted error text, log lines or a warning"
    )
    set: dict[str, Scalar | list[Scalar]] = Field(
        default={},
        max_length=MAX_ENTRIES,
        description="case-file field path -> value, e.g. symptoms.zone_status or expressway_c.traversal_zone"
        ".peer_addresses (a list, or one comma-separated text)",
    )
    certificates: dict[str, str] = Field(
        default={},
        max_length=MAX_ENTRIES,
        description="case-file field path -> certificate or CRL content: PEM (one or many), or Base-64 DER/PKCS#7; "
        "e.g. expressway_e.certificate, expressway_c.trusted_cas. Private keys and PKCS#12 are refused",
    )
    skip: list[str] = Field(default=[], max_length=MAX_ENTRIES, description="question ids the user cannot answer")
    undo: bool = Field(default=False, description="drop the previous turn before taking this one")


class ChatReply(BaseModel):
    """What a turn returns: the answer (docs/answer.md), the next question as a form, the new state."""

    answer: Answer
    question: QuestionForm | None = Field(description="the most useful next question, as a small JSON-Schema form")
    state: str | None = Field(default=None, description="sealed state to send with the next turn (token mode)")
    session: str | None = Field(default=None, description="server-side session id (session mode)")
    turns: int = Field(description="turns in the conversation so far")


class InspectRequest(_Strict):
    """A certificate file's content to describe."""

    content: str = Field(
        max_length=MAX_CERTIFICATE_CHARS, description="PEM text, or Base-64 of the file's bytes (DER, .p7b, .pfx)"
    )
    name: str = Field(default="certificate", max_length=200, description="a name for the file, used in messages")
    password: SecretStr | None = Field(
        default=None, description="PKCS#12 or encrypted-key password; used to open the file, never stored or shown"
    )


class VerifyRequest(_Strict):
    """A leaf, the chain it is sent with, and the trusted CA list of the side that checks it."""

    leaf: str = Field(max_length=MAX_CERTIFICATE_CHARS, description="server certificate (a bundle: the first is it)")
    chain: list[str] = Field(default=[], max_length=MAX_ENTRIES, description="intermediates the server sends")
    trusted: list[str] = Field(min_length=1, max_length=MAX_ENTRIES, description="the trusted CA list (content)")
    host: str | None = Field(default=None, max_length=255, description="the FQDN or address used to reach the server")
    at: datetime | None = Field(default=None, description="judge validity at this instant (default: now)")
    crls: list[str] = Field(default=[], max_length=MAX_ENTRIES, description="CRLs to check revocation with")


class DiagnoseRequest(_Strict):
    """A whole case at once."""

    case: dict[str, Any] = Field(description="the case in the case-file format, certificates inline (PEM/Base-64)")
    lang: Lang = "en"
    format: Literal["json", "markdown"] = Field(
        default="json",
        description="json: the answer (docs/answer.md); markdown: the case notes `certdoctor diagnose "
        "--format markdown` prints, as text/markdown",
    )


class CauseEntry(BaseModel):
    """One cause of the catalogue (docs/causes.md)."""

    id: str
    title: str
    title_nl: str
    references: list[str]


# -- refusing secrets ---------------------------------------------------------------------------------


def _der_holds_private_key(der: bytes) -> bool:
    """Whether DER bytes are a private key or a PKCS#12 file (which holds one)."""
    from certdoctor.x509.load import parse_bytes

    try:
        return bool(parse_bytes(der, "text").private_keys)
    except InputError as exc:
        return "PKCS#12" in exc.problem
    except Exception:  # not parseable as anything: not a key either
        return False


def _der_sequence(data: bytes) -> bytes | None:
    """The DER SEQUENCE at the start of data, cut to its encoded length (text may follow it)."""
    head = tlv(data, 0)
    if head is None or head[0] != 0x30:
        return None
    end = head[1] + head[2]
    return data[:end] if len(data) >= end else None


def holds_private_key(text: str) -> bool:
    """Whether text holds a private key: PEM armour, or Base-64 (lines or one run) that decodes to one."""
    if _PRIVATE_KEY_ARMOUR.search(text):
        return True
    for n, match in enumerate(_BASE64_START.finditer(text)):
        if n >= _MAX_CANDIDATES:
            break
        compact = "".join(match.group(1).split())
        compact = compact[: len(compact) - len(compact) % 4]
        try:
            der = _der_sequence(base64.b64decode(compact))
        except (binascii.Error, ValueError):
            continue
        if der is not None and _der_holds_private_key(der):
            return True
    return False


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value (mapping keys too), with the field path it sits at."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if holds_private_key(str(k)):  # a key pasted as a field name: never name it in a message
                yield where or "(top level)", str(k)
                continue
            yield from _strings(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{where}[{i}]")


def refuse_private_keys(value: Any, where: str) -> None:
    """InputError naming the field when any string in value holds private key material."""
    for field, text in _strings(value, where):
        if holds_private_key(text):
            raise InputError(field, "holds a private key; it is refused and not kept (send certificates only)")


# -- certificates as content ------------------------------------------------------------------------


def _field_name(path: str) -> str:
    m = _CERT_FIELD.search(path)
    return m.group(1) if m else path


def certificate_content(field: str, content: str) -> str:
    """Certificate or CRL content as canonical PEM; keys, PKCS#12 files and paths are refused."""
    if not isinstance(content, str) or not content.strip():
        raise InputError(field, "empty; send the certificate as PEM text or Base-64")
    if len(content) > MAX_CERTIFICATE_CHARS:
        raise InputError(field, f"longer than {MAX_CERTIFICATE_CHARS} characters")
    if _PRIVATE_KEY_ARMOUR.search(content):  # certificate_text refuses keys too; this names them early
        raise InputError(field, "holds a private key; send certificates only (keys never enter a conversation)")
    text = content.strip()
    if "-----BEGIN" not in text and not _looks_base64(text):
        raise InputError(field, "is not certificate content (PEM or Base-64); file paths are not read over this API")
    try:
        return certificate_text(field, text)
    except InputError as exc:
        if "PKCS#12" in exc.problem:
            raise InputError(
                field, "is a PKCS#12 (.pfx) file, which holds a private key; send the certificates only (PEM)"
            ) from None
        raise


def _looks_base64(text: str) -> bool:
    compact = "".join(text.split())
    return len(compact) >= 64 and re.fullmatch(r"[A-Za-z0-9+/_-]+=*", compact) is not None


def inline_case(case: dict[str, Any], where: str = "case") -> dict[str, Any]:
    """A case whose every certificate reference is canonical PEM content; keys and paths refused."""
    if not isinstance(case, dict):
        raise InputError(where, "must be a mapping of case-file fields")
    refuse_private_keys(case, where)

    def walk(node: Any, path: str, key: str | None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, f"{path}.{k}", str(k)) for k, v in node.items()}
        if key == "key":
            raise InputError(path, "a private key never enters a conversation; leave upload.key out")
        if key in CERTIFICATE_FIELDS and key != "key":
            if isinstance(node, list):
                return [certificate_content(f"{path}[{i}]", v) for i, v in enumerate(node)]
            if isinstance(node, str):
                return certificate_content(path, node)
            return node  # not a text: the case validation names the field
        if isinstance(node, list):
            return [walk(v, f"{path}[{i}]", None) for i, v in enumerate(node)]
        return node

    skip = {"answers", "symptoms", "expect", "title", "origin", "at"}
    return {k: (v if k in skip else walk(v, f"{where}.{k}", k)) for k, v in case.items()}


def assert_inline(conversation: Conversation) -> None:
    """Refuse a conversation holding anything but inline certificate content (a server reads no paths)."""
    for field, text in _strings(conversation.case_data(), ""):
        if _field_name(field) == "key":
            raise InputError(field, "a private key never enters a conversation")
        if _field_name(field) in CERTIFICATE_FIELDS and "-----BEGIN" not in text:
            raise InputError(field, "is not inline certificate content; paths are not read over this API")


def to_turn(data: ChatInput) -> Turn:
    """The conversation turn for a chatbot input: certificates canonicalised, secrets refused."""
    refuse_private_keys(data.answers, "answers")
    refuse_private_keys(data.set, "set")
    refuse_private_keys(list(data.certificates), "certificates")  # the paths; contents are checked below
    refuse_private_keys(data.skip, "skip")
    if data.text is not None and holds_private_key(data.text):
        raise InputError("text", "holds a private key; it is refused and not kept (send certificates only)")
    for path in data.set:
        name = _field_name(path)
        if name == "key":
            raise InputError(f"set.{path}", "a private key never enters a conversation")
        if name in CERTIFICATE_FIELDS:
            raise InputError(f"set.{path}", "certificates go in `certificates` (as content), not in `set`")
    certificates: dict[str, str] = {}
    for path, content in data.certificates.items():
        name = _field_name(path)
        if name == "key":
            raise InputError(f"certificates.{path}", "a private key never enters a conversation")
        if name not in CERTIFICATE_FIELDS:
            raise InputError(
                f"certificates.{path}",
                f"not a certificate field (one of: {', '.join(sorted(CERTIFICATE_FIELDS - {'key'}))})",
            )
        certificates[path] = certificate_content(f"certificates.{path}", content)
    return Turn(
        answers=data.answers, text=data.text, set=dict(data.set), certificates=certificates, skip=list(data.skip)
    )


# -- the conversation API -------------------------------------------------------------------------------


def _sealer(sealer: StateSealer | None) -> StateSealer:
    if sealer is not None:
        return sealer
    from .token import default_sealer

    return default_sealer()


def start(data: ChatInput) -> Conversation:
    """A new conversation from a first input's case and language (the case is checked here, named `case`)."""
    from certdoctor.case import case_from_data

    base = inline_case(data.case or {})
    case_from_data(base, "case")
    return Conversation(lang=data.lang or "en", base=base)


def advance(conversation: Conversation | None, data: ChatInput) -> tuple[Conversation, Answer, QuestionForm | None]:
    """Take one input on a conversation (None: start one): the new conversation, its answer and next question."""
    if conversation is None:
        conversation = start(data)
    elif data.case is not None:
        raise InputError("case", "only the first turn carries a case; later turns add to it")
    elif data.lang is not None and data.lang != conversation.lang:
        conversation = conversation.model_copy(update={"lang": data.lang})
    if data.undo:
        conversation = conversation.undo()
    turn = to_turn(data)
    if not turn.is_empty() and len(conversation.turns) >= MAX_TURNS:
        raise InputError("turn", f"the conversation has {MAX_TURNS} turns, the most kept; start a new one")
    assert_inline(conversation)
    result = step(conversation, None if turn.is_empty() else turn)
    return result.conversation, result.answer, result.question


def converse(state: str | None, data: ChatInput | dict[str, Any], *, sealer: StateSealer | None = None) -> ChatReply:
    """One turn in token mode: the previous reply's state (None to start) plus new input -> reply with new state.

    Pure apart from the key: the same state and input give the same answer (and the same new state).
    """
    data = data if isinstance(data, ChatInput) else ChatInput.model_validate(data)
    keys = _sealer(sealer)
    before = keys.open(state) if state is not None else None
    conversation, answer, question = advance(before, data)
    return ChatReply(answer=answer, question=question, state=keys.seal(conversation), turns=len(conversation.turns))


def _diagnosed(request: DiagnoseRequest) -> tuple[str | None, Answer]:
    """The case's title and its answer, certificates inline (no file is read)."""
    from certdoctor.case import case_from_data
    from certdoctor.diagnosis import diagnose_case

    case = case_from_data(inline_case(request.case), "case")
    return case.title, diagnose_case(case, base_dir=None, source="case", lang=request.lang)


def diagnose_inline(request: DiagnoseRequest) -> Answer:
    """Diagnose a whole case given with inline certificates (no file is read)."""
    return _diagnosed(request)[1]


def diagnose_markdown(request: DiagnoseRequest) -> str:
    """The answer as the Markdown case notes `certdoctor diagnose --format markdown` prints (with its final newline)."""
    from certdoctor.answer import render_markdown

    title, answer = _diagnosed(request)
    return render_markdown(answer, title) + "\n"


def _content_bytes(field: str, content: str) -> bytes:
    """A file's bytes from PEM text or Base-64 of binary content."""
    text = content.strip()
    if not text:
        raise InputError(field, "empty")
    if "-----BEGIN" in text or not _looks_base64(text):
        return text.encode("utf-8")
    compact = "".join(text.split())
    try:
        return base64.b64decode(compact + "=" * (-len(compact) % 4), altchars=b"-_" if "-" in compact else None)
    except (binascii.Error, ValueError):
        return text.encode("utf-8")


def inspect_content(request: InspectRequest) -> FileReport:
    """What a certificate file holds and whether Expressway's upload page takes it (key content never shown)."""
    from certdoctor.x509.load import parse_bytes
    from certdoctor.x509.report import report_for

    password = request.password.get_secret_value().encode() if request.password is not None else None
    data = _content_bytes("content", request.content)
    return report_for(parse_bytes(data, request.name, password))


def _certificates(field: str, content: str) -> list[Any]:
    from certdoctor.x509.load import parse_bytes

    loaded = parse_bytes(certificate_content(field, content).encode(), field)
    if not loaded.certificates:
        raise InputError(field, f"holds no certificate ({loaded.format.value})")
    return list(loaded.certificates)


def verify_content(request: VerifyRequest) -> VerifyReport:
    """Both verdicts (Expressway-compatible and strict) for a leaf, its chain and a trusted list, given as content."""
    from certdoctor.x509.load import parse_bytes
    from certdoctor.x509.verify import verify_chain

    leaf_bundle = _certificates("leaf", request.leaf)
    chain = leaf_bundle[1:]
    for i, item in enumerate(request.chain):
        chain += _certificates(f"chain[{i}]", item)
    trusted = [c for i, item in enumerate(request.trusted) for c in _certificates(f"trusted[{i}]", item)]
    crls = []
    for i, item in enumerate(request.crls):
        loaded = parse_bytes(certificate_content(f"crls[{i}]", item).encode(), f"crls[{i}]")
        if not loaded.crls:
            raise InputError(f"crls[{i}]", f"holds no CRL ({loaded.format.value})")
        crls += loaded.crls
    at = request.at
    if at is not None:
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return verify_chain(leaf_bundle[0], chain, trusted, host=request.host, at=at, crls=crls)


def catalogue() -> list[CauseEntry]:
    """The cause catalogue (docs/causes.md) from the knowledge base."""
    from certdoctor.kb import load_knowledge

    return [
        CauseEntry(id=c.id, title=c.title.en, title_nl=c.title.nl, references=c.references("en"))
        for c in load_knowledge().causes
    ]


def load_case_inline(path: str | Path) -> dict[str, Any]:
    """A case file from disk as a mapping to send to a chatbot interface: every certificate path replaced
    by its content (canonical PEM), `upload.key` left out (keys never leave the machine they are on)."""
    from certdoctor.case import read_case

    case_path = Path(path)
    data = read_case(case_path).model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    base = case_path.resolve().parent

    def content(where: str, ref: str) -> str:
        if "-----BEGIN" in ref:
            return certificate_content(where, ref)
        file = Path(ref) if Path(ref).is_absolute() else base / ref
        try:
            return certificate_text(where, file.read_bytes())
        except OSError as exc:
            raise InputError(str(file), f"cannot read ({where}): {exc.strerror or exc}") from None

    def walk(node: Any, where: str, key: str | None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, f"{where}.{k}", k) for k, v in node.items() if k != "key"}
        if key in CERTIFICATE_FIELDS and isinstance(node, str):
            return content(where, node)
        if key in CERTIFICATE_FIELDS and isinstance(node, list):
            return [content(f"{where}[{i}]", v) if isinstance(v, str) else v for i, v in enumerate(node)]
        if isinstance(node, list):
            return [walk(v, f"{where}[{i}]", None) for i, v in enumerate(node)]
        return node

    skip = {"answers", "symptoms", "expect", "title", "origin", "at"}
    return {k: (v if k in skip else walk(v, k, k)) for k, v in data.items()}
