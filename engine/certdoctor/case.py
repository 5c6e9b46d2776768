"""The case file (docs/case-file.md): pydantic models, safe YAML/JSON loading, certificate references."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from certdoctor import seen
from certdoctor.errors import InputError
from certdoctor.limits import (
    MAX_ALARMS,
    MAX_ANSWERS,
    MAX_CASE_BYTES,
    MAX_FILE_BYTES,
    MAX_LIST_ENTRIES,
    MAX_LOG_LINES,
    MAX_REFERENCE_CHARS,
    MAX_TEXT_CHARS,
)
from certdoctor.safeinput import check_tree, load_json, load_yaml, read_regular_file
from certdoctor.x509.load import LoadedFile, Unreadable, parse_bytes, parse_or_unreadable, read_file

#: One text entry (a title, log line, alarm, answer, name): at most MAX_TEXT_CHARS characters.
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
#: A certificate reference (a path, inline PEM or a data: URI): at most MAX_REFERENCE_CHARS characters.
Ref = Annotated[str, Field(max_length=MAX_REFERENCE_CHARS)]

Change = Literal["upgrade", "certificate-renewal", "ca-change", "cluster-change"]


class CaseModel(BaseModel):
    """Case models accept unknown keys (recorded, then warned about), never silently drop them."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


Side = Literal["expressway_c", "expressway_e", "cucm", "imp", "jabber", "endpoint", "webex", "microsoft", "firewall"]


class LogEntry(CaseModel):
    """One pasted log line with the system that logged it (when the line itself does not say)."""

    side: Side | None = Field(default=None, description="who logged the line; else read from its host name")
    node: Text | None = Field(default=None, description="the node (FQDN or host name) that logged it")
    text: Text


class Symptoms(CaseModel):
    """What the user reports, in their words where text is asked."""

    description: Text | None = Field(
        default=None, description="the customer's own words (English or Dutch), read into the symptoms not stated"
    )
    upload_error: Text | None = None
    upload_page: Literal["server-certificate", "trusted-ca"] | None = None
    zone_status: Text | None = None
    ssh_tunnels: Literal["up", "down"] | None = None
    mra_login: Literal["ok", "failed"] | None = None
    jabber_warning: Text | bool | None = None
    log_lines: list[Text] = Field(default=[], max_length=MAX_LOG_LINES)
    logs: list[LogEntry] = Field(
        default=[], max_length=MAX_LOG_LINES, description="log lines with the side that logged them"
    )
    alarms: list[Text] = Field(default=[], max_length=MAX_ALARMS)
    recent_changes: list[Change] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    version: Text | None = None
    previous_version: Text | None = None

    @field_validator("alarms", mode="before")
    @classmethod
    def _alarm_text(cls, v: Any) -> Any:
        return [str(a) for a in v] if isinstance(v, list) else v

    @field_validator("log_lines", mode="before")
    @classmethod
    def _one_log(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Upload(CaseModel):
    """The file whose upload failed (or is about to be uploaded)."""

    target: Literal["expressway_c", "expressway_e"] | None = None
    file: Ref
    key: Ref | None = Field(default=None, description="private key file; never printed, logged or stored")


class Node(CaseModel):
    """One cluster peer; its own trusted CA list when it differs (Expressway does not replicate that list)."""

    fqdn: Text | None = None
    certificate: Ref | None = None
    trusted_cas: list[Ref] = Field(
        default=[], max_length=MAX_LIST_ENTRIES, description="this peer's trusted CA list, when not the side's"
    )

    @field_validator("trusted_cas", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class TraversalZone(CaseModel):
    """The traversal zone settings of one side."""

    peer_addresses: list[Text] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    tls_verify_subject_name: Text | None = None


OnOff = Literal["on", "off"]
ZoneType = Literal[
    "traversal-client", "traversal-server", "unified-communications", "neighbor", "dns", "webex", "b2b",
    "microsoft", "ms-teams", "other",
]  # fmt: skip


class Zone(CaseModel):
    """Another zone of one side (Webex Hybrid, neighbor, DNS, Microsoft federation): its TLS settings."""

    name: Text | None = None
    type: ZoneType = "other"
    port: int | None = Field(default=None, ge=1, le=65535)
    peer_addresses: list[Text] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    tls_verify_mode: OnOff | None = None
    tls_verify_subject_name: Text | None = None
    tls_verify_inbound_mapping: OnOff | None = None
    status: Text | None = None
    control_hub_certificates: list[Ref] = Field(
        default=[],
        max_length=MAX_LIST_ENTRIES,
        description="Webex zones: the certificates uploaded in Control Hub for this Expressway-E (Hybrid Calling)",
    )


class Expressway(CaseModel):
    """One Expressway (single box: fqdn + certificate; cluster: cluster_fqdn + nodes)."""

    cluster_fqdn: Text | None = None
    fqdn: Text | None = None
    certificate: Ref | None = None
    nodes: list[Node] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    trusted_cas: list[Ref] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    traversal_zone: TraversalZone | None = None
    zones: list[Zone] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    cucm_servers: list[Text] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    version: Text | None = Field(default=None, description="software version of this side, e.g. X14.2.5")
    federation_srv_target: Text | None = Field(
        default=None, description="Expressway-E: the host the _sipfederationtls._tcp SRV record of the domain points to"
    )

    @field_validator("trusted_cas", "cucm_servers", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    def all_nodes(self) -> list[Node]:
        """Every node: the listed ones, or the single box."""
        if self.nodes:
            return self.nodes
        if self.fqdn or self.certificate:
            return [Node(fqdn=self.fqdn, certificate=self.certificate)]
        return []


class CucmNode(CaseModel):
    """One Unified CM (or IM and Presence) node and its certificates (RSA, and ECDSA since 11.5)."""

    fqdn: Text | None = None
    certificate: Ref | None = None
    callmanager_certificate: Ref | None = None
    tomcat_ecdsa_certificate: Ref | None = None
    callmanager_ecdsa_certificate: Ref | None = None


class Cucm(CaseModel):
    """Unified CM nodes and trust stores (and the IM and Presence nodes of the cluster)."""

    nodes: list[CucmNode] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    tomcat_trust: list[Ref] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    callmanager_trust: list[Ref] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    imp_nodes: list[CucmNode] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    version: Text | None = None


EndpointKind = Literal["phone", "ce-endpoint", "jabber", "webex-app", "browser", "other"]


class Endpoint(CaseModel):
    """A client or device that connects (a phone, a TC/CE endpoint, Jabber on its OS) and what it trusts."""

    name: Text | None = None
    kind: EndpointKind = "other"
    model: Text | None = None
    firmware: Text | None = None
    connects_to: Literal["expressway_e", "expressway_c", "cucm", "imp"] | None = None
    trusted_cas: list[Ref] = Field(
        default=[], max_length=MAX_LIST_ENTRIES, description="the CA certificates this endpoint trusts"
    )

    @field_validator("trusted_cas", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Jabber(CaseModel):
    """The Jabber sign-in (service discovery) domain."""

    domain: Text | None = None


class Expectation(CaseModel):
    """Scenario files only: what the ranking must show."""

    top: Text | None = Field(default=None, description='the cause that must rank first; "none": no cause at all')
    includes: list[Text] = Field(
        default=[], max_length=MAX_LIST_ENTRIES, description="causes that must appear somewhere in the ranking"
    )
    excludes: list[Text] = Field(
        default=[], max_length=MAX_LIST_ENTRIES, description="causes that must not appear (a near miss for each)"
    )
    steps: list[Text] = Field(
        default=[],
        max_length=MAX_LIST_ENTRIES,
        description="menu paths or step texts the top cause's remediation must show, in this order",
    )
    ranking: list[Text] = Field(
        default=[],
        max_length=MAX_LIST_ENTRIES,
        description="the ranking must begin with exactly these causes, in order",
    )
    clear: bool | None = Field(
        default=None, description="whether the top cause stands clear (80% or more, 25 points ahead of the next)"
    )
    ruled_out: list[Text] = Field(
        default=[],
        max_length=MAX_LIST_ENTRIES,
        description="causes the files must refute: each listed in the answer's ruled_out, not ranked",
    )
    folded: list[Text] = Field(
        default=[],
        max_length=MAX_LIST_ENTRIES,
        description="general causes that must be folded into a specific diagnosis resting on the files",
    )
    decide_with: list[Text] = Field(
        default=[],
        max_length=MAX_LIST_ENTRIES,
        description="causes that must rank as hypotheses from symptoms, naming the files that decide them",
    )


class Case(CaseModel):
    """Everything known about a deployment (docs/case-file.md)."""

    title: Text | None = None
    at: datetime | None = None
    symptoms: Symptoms = Symptoms()
    upload: Upload | None = None
    expressway_c: Expressway | None = None
    expressway_e: Expressway | None = None
    cucm: Cucm | None = None
    jabber: Jabber | None = None
    endpoints: list[Endpoint] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    crls: list[Ref] = Field(default=[], max_length=MAX_LIST_ENTRIES)
    answers: dict[Text, Text] = Field(
        default={},
        max_length=MAX_ANSWERS,
        description="answers to certdoctor's questions (knowledge/questions.yaml): question id -> choice value",
    )
    origin: Text | None = Field(
        default=None, description="scenario files: the seed section or Cisco document this situation comes from"
    )
    expect: Expectation | None = None

    @field_validator("at")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        if v is None:
            return None
        try:
            return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00:00+23:59 is before year 1 in UTC
            raise ValueError("the time is out of range once converted to UTC") from None

    @model_validator(mode="before")
    @classmethod
    def _not_a_mapping(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("the case file must be a mapping of fields (title, symptoms, ...)")
        return data


def unknown_field_warnings(case: BaseModel, path: str = "") -> list[str]:
    """One warning per unknown key anywhere in the case, with the nearest valid name."""
    warnings: list[str] = []
    for key in case.model_extra or {}:
        where = f"{path}.{key}" if path else key
        import difflib  # only when a field is unknown

        near = difflib.get_close_matches(key, list(type(case).model_fields), n=1)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        warnings.append(f"unknown field '{where}' is ignored{hint}")
    for name in type(case).model_fields:
        value = getattr(case, name)
        where = f"{path}.{name}" if path else name
        if isinstance(value, BaseModel):
            warnings += unknown_field_warnings(value, where)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    warnings += unknown_field_warnings(item, f"{where}[{i}]")
    return warnings


def _field_path(loc: tuple[int | str, ...]) -> str:
    """`expressway_c.nodes[1].certificate` from a pydantic error location."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not text:
            text = str(part)
        elif part in ("function-before", "function-after") or str(part).startswith("function"):
            continue
        else:
            text += f".{part}"
    return text or "(top level)"


def parse_case(text: str, source: str) -> Case:
    """Parse YAML or JSON case text; errors name source, field path and problem on one line."""
    if len(text.encode("utf-8", errors="replace")) > MAX_CASE_BYTES:
        raise InputError(source, f"case file is larger than {MAX_CASE_BYTES} bytes")
    data = load_json(text, source) if text.lstrip().startswith("{") else load_yaml(text, source)
    if data is None:
        raise InputError(source, "the case file is empty")
    return case_from_data(data, source)


def case_from_data(data: Any, source: str) -> Case:
    """Validate case data (a mapping in the case-file format); errors name source, field path and problem.

    Nesting depth and lone surrogates are checked first, without recursion: chat surfaces pass data parsed
    from JSON here, and deep or unencodable data would otherwise crash a later step.
    """
    check_tree(data, source)
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        message = err["msg"].removeprefix("Value error, ")
        given = err.get("input")
        shown = f" (got {given!r})" if isinstance(given, str | int | float) and len(str(given)) < 60 else ""
        raise InputError(source, f"{_field_path(tuple(err['loc']))}: {message}{shown}") from None


def read_case(path: str | Path) -> Case:
    """Read a case file from disk: a regular file of at most MAX_CASE_BYTES, in UTF-8."""
    data = read_regular_file(path, MAX_CASE_BYTES, "case file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(str(path), "is not UTF-8 text") from None
    return parse_case(text, str(path))


#: An inline file of any format (DER, PKCS#7, ...) where a path would go: what chat interfaces send.
DATA_URI = "data:application/octet-stream;base64,"
#: Case fields that hold a certificate reference (a certificate, chain, trusted list, CRL or key file).
CERTIFICATE_FIELDS = frozenset(
    {
        "certificate",
        "callmanager_certificate",
        "tomcat_ecdsa_certificate",
        "callmanager_ecdsa_certificate",
        "trusted_cas",
        "tomcat_trust",
        "callmanager_trust",
        "control_hub_certificates",
        "crls",
        "file",
        "key",
    }
)


def map_file_references(data: Any, change: Callable[[str], str], key: str = "") -> Any:
    """Case data with every certificate reference that is a file path (not inline content) replaced by change()."""
    if isinstance(data, dict):
        return {k: map_file_references(v, change, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [map_file_references(v, change, key) for v in data]
    inline = isinstance(data, str) and ("-----BEGIN" in data or data.startswith(DATA_URI))
    return change(data) if key in CERTIFICATE_FIELDS and isinstance(data, str) and not inline else data


def data_uri(data: bytes) -> str:
    """A file's bytes as an inline reference (DATA_URI): what a case holds for a file whose format matters."""
    import base64

    return DATA_URI + base64.b64encode(data).decode("ascii")


def _data_uri_bytes(ref: str, where: str) -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode(ref[len(DATA_URI) :], validate=True)
    except (binascii.Error, ValueError):
        raise InputError(where, "inline data is not valid Base-64") from None


class CertificateSource:
    """Resolves certificate references of one case: paths relative to the case file, inline PEM, or data URIs."""

    def __init__(self, base: Path | None, source: str = "case") -> None:
        self.base = base
        self.source = source
        self._cache: dict[str, LoadedFile] = {}
        self._unreadable: dict[str, Unreadable] = {}

    def load(self, ref: str, field: str) -> LoadedFile:
        """The file behind a reference; errors name the case file and the field."""
        if ref in self._cache:
            return self._cache[ref]
        if "-----BEGIN" in ref:
            loaded = parse_bytes(ref.encode(), f"{self.source}: {field} (inline PEM)")
        elif ref.startswith(DATA_URI):
            where = f"{self.source}: {field}"
            loaded = parse_bytes(_data_uri_bytes(ref, where), f"{where} (inline data)")
        else:
            path = Path(ref)
            if not path.is_absolute() and self.base is not None:
                path = self.base / path
            try:
                loaded = read_file(path)
            except InputError as exc:
                raise InputError(self.source, f"{field}: {exc.source}: {exc.problem}") from None
        if len(loaded.certificates) > 0 or loaded.crls or loaded.private_keys:
            self._cache[ref] = loaded
        return loaded

    def read(self, ref: str, field: str) -> LoadedFile | Unreadable:
        """Like load, but a file whose content cannot be read fully comes back as Unreadable, to be a finding.

        A corrupt, truncated or password-protected file, or one beyond a limit (size, certificates, PKCS#12
        iterations), is a fact about that file and the rest of the case is still diagnosed. A reference that
        names no file at all (missing, a directory or device, bad inline Base-64) is still an InputError: the
        case itself is wrong there.
        """
        if ref in self._cache:
            return self._cache[ref]
        if ref in self._unreadable:
            return self._unreadable[ref]
        if "-----BEGIN" in ref:
            found = seen.read(ref.encode(), f"{self.source}: {field} (inline PEM)", parse_or_unreadable)
        elif ref.startswith(DATA_URI):
            where = f"{self.source}: {field}"
            found = seen.read(_data_uri_bytes(ref, where), f"{where} (inline data)", parse_or_unreadable)
        else:
            path = Path(ref)
            if not path.is_absolute() and self.base is not None:
                path = self.base / path
            try:
                data = read_regular_file(path, MAX_FILE_BYTES, "certificate file")
            except InputError as exc:
                if not path.is_file():  # nothing to read there: the reference is wrong, not the file
                    raise InputError(self.source, f"{field}: {exc.source}: {exc.problem}") from None
                found = Unreadable(str(path), exc.problem)
            else:
                found = seen.read(data, str(path), parse_or_unreadable)
        if isinstance(found, Unreadable):
            self._unreadable[ref] = found
        elif len(found.certificates) > 0 or found.crls or found.private_keys:
            self._cache[ref] = found
        return found
