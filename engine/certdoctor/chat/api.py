"""The conversation API chatbots call: previous state + new input -> answer, next question, new state.

Everything that arrives from a chatbot is untrusted: certificates come as content (PEM or Base-64),
never as paths on the server, and are canonicalised to PEM by `certificate_text`; a private key (in
any encoding `certdoctor.keydetect` knows) or a PKCS#12 file anywhere in the input is refused with an
error naming the field, so none can enter a state token, a session store, a log or a reply. Shape,
text and echo rules are in `untrusted.py`; limits come from `certdoctor.limits`. The same functions
back the MCP tools and the HTTP API.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from certdoctor.answer import Answer
from certdoctor.conversation import (
    CERTIFICATE_FIELDS,
    Conversation,
    QuestionForm,
    Turn,
    certificate_text,
    natural_answers,
    step,
)
from certdoctor.errors import InputError
from certdoctor.kb import Lang
from certdoctor.keydetect import holds_private_key
from certdoctor.limits import (
    MAX_CERTIFICATE_CHARS,
    MAX_CHAT_ENTRIES,
    MAX_FILE_BYTES,
    MAX_TEXT_CHARS,
    MAX_TURNS,
)
from certdoctor.safeinput import read_regular_file
from certdoctor.x509.models import FileReport, VerifyReport
from certdoctor.x509.names import host_a_labels

from .token import StateSealer
from .untrusted import (
    KEY_REFUSED,
    check_answers,
    check_path,
    check_shape,
    check_text,
    check_untrusted,
    public_text,
    quote,
    strings,
)

_CERT_FIELD = re.compile(r"(?:^|\.)([a-z_]+)(?:\[\d{1,2}\])?$")
#: One text of a turn (an answer, a field path, a value): at most MAX_TEXT_CHARS characters.
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]

Scalar = Text | int | float | bool | None


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
    answers: dict[Text, Text] = Field(
        default={}, max_length=MAX_CHAT_ENTRIES, description="question id -> choice value (the `const` of the form)"
    )
    text: str | None = Field(
        default=None,
        max_length=MAX_TEXT_CHARS,
        description="the customer's own words in English or Dutch (read into symptoms: zone, tunnels, MRA sign-in, "
        "recent changes, version), or pasted error text, log lines or a warning",
    )
    set: dict[Text, Scalar | list[Scalar]] = Field(
        default={},
        max_length=MAX_CHAT_ENTRIES,
        description="case-file field path -> value, e.g. symptoms.zone_status or expressway_c.traversal_zone"
        ".peer_addresses (a list, or one comma-separated text)",
    )
    certificates: dict[Text, Annotated[str, Field(max_length=MAX_CERTIFICATE_CHARS)]] = Field(
        default={},
        max_length=MAX_CHAT_ENTRIES,
        description="case-file field path -> certificate or CRL content: PEM (one or many), or Base-64 DER/PKCS#7; "
        "e.g. expressway_e.certificate, expressway_c.trusted_cas. Private keys and PKCS#12 are refused",
    )
    skip: list[Text] = Field(default=[], max_length=MAX_CHAT_ENTRIES, description="question ids the user cannot answer")
    undo: bool = Field(default=False, description="drop the previous turn before taking this one")

    @field_validator("set", mode="before")
    @classmethod
    def _bounded_lists(cls, value: Any) -> Any:
        """A list value of `set` holds at most MAX_CHAT_ENTRIES entries (refused before each is validated)."""
        if isinstance(value, dict):
            for path, item in value.items():
                if isinstance(item, list) and len(item) > MAX_CHAT_ENTRIES:
                    raise ValueError(
                        f"{quote(path, 40)}: a list of {len(item)} entries; a turn sets at most {MAX_CHAT_ENTRIES}"
                    )
                inner = item if isinstance(item, list) else [item]
                if any(isinstance(v, dict | list) for v in inner):
                    raise ValueError(f"{quote(path, 40)}: a value is a text, a number, true/false or a list of them")
        return value


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

    @field_validator("name")
    @classmethod
    def _not_a_key(cls, value: str) -> str:
        """The name is shown in the report: one that holds a private key is refused, never echoed."""
        if holds_private_key(value):
            raise InputError("name", KEY_REFUSED)
        return value


class VerifyRequest(_Strict):
    """A leaf, the chain it is sent with, and the trusted CA list of the side that checks it."""

    leaf: str = Field(max_length=MAX_CERTIFICATE_CHARS, description="server certificate (a bundle: the first is it)")
    chain: list[str] = Field(default=[], max_length=MAX_CHAT_ENTRIES, description="intermediates the server sends")
    trusted: list[str] = Field(min_length=1, max_length=MAX_CHAT_ENTRIES, description="the trusted CA list (content)")
    host: str | None = Field(
        default=None,
        max_length=255,
        description="the FQDN or address used to reach the server; an internationalised name is taken as A-labels",
    )
    at: datetime | None = Field(default=None, description="judge validity at this instant (default: now)")
    crls: list[str] = Field(default=[], max_length=MAX_CHAT_ENTRIES, description="CRLs to check revocation with")

    @field_validator("host")
    @classmethod
    def _a_labels(cls, value: str | None) -> str | None:
        """bücher.example.com as certificates carry it (xn--bcher-kva.example.com); an impossible name names `host`."""
        if value is None:
            return None
        if holds_private_key(value):  # the host is shown in the report: never echo a key
            raise InputError("host", KEY_REFUSED)
        try:
            return host_a_labels(value, "host")
        except InputError as exc:
            raise InputError("host", public_text(exc.problem)) from None


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


# -- certificates as content ------------------------------------------------------------------------


def _field_name(path: str) -> str:
    m = _CERT_FIELD.search(path)
    return m.group(1) if m else path


#: The refusal of a PKCS#12 sent as certificate content: what it means for the upload, and what to send instead.
PKCS12_REFUSED = (
    "is a PKCS#12 (.pfx) file: a .pfx is never what the Server certificate page takes (upload.invalid-format): "
    "split it with `openssl pkcs12 -clcerts -nokeys` and send the certificate as PEM (keys never enter a "
    "conversation; no password is accepted for diagnose)"
)


def _is_pkcs12_base64(text: str) -> bool:
    """Whether text is the Base-64 of a PKCS#12 file (its structure only: no key derivation runs)."""
    from certdoctor.x509.pkcs12 import is_pkcs12

    if not _looks_base64(text):
        return False
    try:
        return is_pkcs12(base64.b64decode("".join(text.split()), validate=True))
    except (binascii.Error, ValueError):
        return False


def certificate_content(field: str, content: str) -> str:
    """Certificate or CRL content as canonical PEM; keys, PKCS#12 files and paths are refused."""
    if not isinstance(content, str) or not content.strip():
        raise InputError(field, "empty; send the certificate as PEM text or Base-64")
    if len(content) > MAX_CERTIFICATE_CHARS:
        raise InputError(field, f"longer than {MAX_CERTIFICATE_CHARS} characters")
    check_text(content, field)  # a lone surrogate is not text: refused, named
    text = content.strip()
    if holds_private_key(content):  # certificate_text refuses keys too; this names them early
        if _is_pkcs12_base64(text):
            raise InputError(field, PKCS12_REFUSED)
        raise InputError(field, "holds a private key; send certificates only (keys never enter a conversation)")
    if "-----BEGIN" not in text and not _looks_base64(text):
        raise InputError(field, "is not certificate content (PEM or Base-64); file paths are not read over this API")
    try:
        return certificate_text(field, text)
    except InputError as exc:
        if "PKCS#12" in exc.problem:
            raise InputError(field, PKCS12_REFUSED) from None
        raise


def _looks_base64(text: str) -> bool:
    compact = "".join(text.split())
    return len(compact) >= 64 and re.fullmatch(r"[A-Za-z0-9+/_-]+=*", compact) is not None


def inline_case(case: dict[str, Any], where: str = "case") -> dict[str, Any]:
    """A case whose every certificate reference is canonical PEM content; keys and paths refused.

    Its shape, text and keys are checked first (untrusted.check_untrusted: no recursion before that),
    and its answers name known questions and choices, each refusal quoting the value short.
    """
    if not isinstance(case, dict):
        raise InputError(where, "must be a mapping of case-file fields")
    check_untrusted(case, where)
    if isinstance(case.get("answers"), dict):
        check_answers(case["answers"], f"{where}.answers")

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
    for field, text in strings(conversation.case_data(), "", keys=False):
        if _field_name(field) == "key":
            raise InputError(field, "a private key never enters a conversation")
        if _field_name(field) in CERTIFICATE_FIELDS and "-----BEGIN" not in text:
            raise InputError(field, "is not inline certificate content; paths are not read over this API")


def check_input(data: ChatInput) -> None:
    """What must hold before a turn's input is walked, copied or sent anywhere: the case's shape."""
    if data.case is not None:
        check_shape(data.case, "case")


def to_turn(data: ChatInput) -> Turn:
    """The conversation turn for a chatbot input: certificates canonicalised, secrets refused, values quoted short."""
    check_untrusted(data.answers, "answers")
    check_untrusted(data.set, "set")
    check_untrusted(list(data.certificates), "certificates")  # the paths; contents are checked below
    check_untrusted(data.skip, "skip")
    if data.text is not None:
        check_untrusted(data.text, "text")
    worded = natural_answers(Turn(answers=data.answers))  # "yes, X14.2.5", "nee hoor": the choices they mean
    check_answers(worded.answers, "answers")
    for path in data.set:
        check_path(path, "set")
        name = _field_name(path)
        if name == "key":
            raise InputError(f"set.{path}", "a private key never enters a conversation")
        if name in CERTIFICATE_FIELDS:
            raise InputError(f"set.{path}", "certificates go in `certificates` (as content), not in `set`")
    certificates: dict[str, str] = {}
    for path, content in data.certificates.items():
        check_path(path, "certificates")
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
        answers=worded.answers,
        text=data.text,
        set={**worded.set, **data.set},
        certificates=certificates,
        skip=list(data.skip),
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
    check_input(data)
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
    return result.conversation, with_markdown(result.answer, result.title), result.question


def take_turn(
    sealer: StateSealer, state: str | None, data: ChatInput, max_state_chars: int | None = None
) -> tuple[str, ChatReply]:
    """One turn on a sealed state (None to start): the new state and the reply (without state or session).

    The new state is checked before it is issued: one the server would refuse next time (too large)
    is ConversationTooLarge now, and the caller keeps the previous state.
    """
    before = sealer.open(state) if state is not None else None
    conversation, answer, question = advance(before, data)
    token = sealer.seal(conversation, max_state_chars)
    return token, ChatReply(answer=answer, question=question, turns=len(conversation.turns))


def take_turn_json(
    sealer: StateSealer, state: str | None, data: ChatInput, max_state_chars: int | None = None
) -> tuple[str, bytes]:
    """take_turn with the reply as its JSON (state and session null): what a worker process sends back.

    Serialised where it is computed, so the server process neither unpickles nor re-serialises the answer.
    """
    token, reply = take_turn(sealer, state, data, max_state_chars)
    return token, reply.__pydantic_serializer__.to_json(reply)


#: The end of a ChatReply's JSON as take_turn_json makes it: no text inside the answer can hold it unescaped.
_REPLY_TAIL = b',"state":null,"session":null,"turns":'


def reply_json(body: bytes, *, state: str | None = None, session: str | None = None) -> bytes:
    """A ChatReply's JSON (from take_turn_json) with its state or session filled in, as model_dump_json writes it."""
    at = body.rindex(_REPLY_TAIL)
    tail = b',"state":%s,"session":%s,"turns":' % (
        json.dumps(state).encode() if state is not None else b"null",
        json.dumps(session).encode() if session is not None else b"null",
    )
    return body[:at] + tail + body[at + len(_REPLY_TAIL) :]


def converse(state: str | None, data: ChatInput | dict[str, Any], *, sealer: StateSealer | None = None) -> ChatReply:
    """One turn in token mode: the previous reply's state (None to start) plus new input -> reply with new state.

    Pure apart from the key: the same state and input give the same answer (and the same new state).
    """
    data = data if isinstance(data, ChatInput) else ChatInput.model_validate(data)
    token, reply = take_turn(_sealer(sealer), state, data)
    return reply.model_copy(update={"state": token})


def _diagnosed(request: DiagnoseRequest) -> tuple[str | None, Answer]:
    """The case's title and its answer, certificates inline (no file is read)."""
    from certdoctor.case import case_from_data
    from certdoctor.diagnosis import diagnose_case

    case = case_from_data(inline_case(request.case), "case")
    return case.title, diagnose_case(case, base_dir=None, source="case", lang=request.lang)


def with_markdown(answer: Answer, title: str | None) -> Answer:
    """The answer with its concise Markdown rendering filled in, ready for a bot to show as it is."""
    from certdoctor.answer import render_markdown

    return answer.model_copy(update={"markdown": render_markdown(answer, title) + "\n"})


def diagnose_inline(request: DiagnoseRequest) -> Answer:
    """Diagnose a whole case given with inline certificates (no file is read); `markdown` ready for bots."""
    title, answer = _diagnosed(request)
    return with_markdown(answer, title)


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

    check_text(request.content, "content")
    check_text(request.name, "name")
    password = None
    if request.password is not None:
        try:
            password = request.password.get_secret_value().encode("utf-8")
        except UnicodeEncodeError:  # never quoted: it is a password
            raise InputError("password", "holds a lone surrogate, not valid Unicode text") from None
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
        if "\x00" in ref:  # os.stat would raise ValueError, not OSError
            raise InputError(where, "is not a file path: it holds a NUL character")
        file = Path(ref) if Path(ref).is_absolute() else base / ref
        return certificate_text(where, read_regular_file(file, MAX_FILE_BYTES, f"certificate file ({where})"))

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
