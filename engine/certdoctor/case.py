"""The case file (docs/case-file.md): pydantic models, safe YAML/JSON loading, certificate references."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from certdoctor.errors import InputError
from certdoctor.x509.load import LoadedFile, parse_bytes, read_file

#: Largest case file read, and most YAML aliases accepted (guards against alias-expansion bombs).
MAX_CASE_BYTES = 1024 * 1024
MAX_YAML_ALIASES = 100

Change = Literal["upgrade", "certificate-renewal", "ca-change", "cluster-change"]


class CaseModel(BaseModel):
    """Case models accept unknown keys (recorded, then warned about), never silently drop them."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class Symptoms(CaseModel):
    """What the user reports, in their words where text is asked."""

    upload_error: str | None = None
    upload_page: Literal["server-certificate", "trusted-ca"] | None = None
    zone_status: str | None = None
    ssh_tunnels: Literal["up", "down"] | None = None
    mra_login: Literal["ok", "failed"] | None = None
    jabber_warning: str | bool | None = None
    log_lines: list[str] = []
    alarms: list[str] = []
    recent_changes: list[Change] = []
    version: str | None = None
    previous_version: str | None = None

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
    file: str
    key: str | None = Field(default=None, description="private key file; never printed, logged or stored")


class Node(CaseModel):
    """One cluster peer."""

    fqdn: str | None = None
    certificate: str | None = None


class TraversalZone(CaseModel):
    """The traversal zone settings of one side."""

    peer_addresses: list[str] = []
    tls_verify_subject_name: str | None = None


class Expressway(CaseModel):
    """One Expressway (single box: fqdn + certificate; cluster: cluster_fqdn + nodes)."""

    cluster_fqdn: str | None = None
    fqdn: str | None = None
    certificate: str | None = None
    nodes: list[Node] = []
    trusted_cas: list[str] = []
    traversal_zone: TraversalZone | None = None
    cucm_servers: list[str] = []

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
    """One Unified CM node and its certificates."""

    fqdn: str | None = None
    certificate: str | None = None
    callmanager_certificate: str | None = None


class Cucm(CaseModel):
    """Unified CM nodes and trust stores."""

    nodes: list[CucmNode] = []
    tomcat_trust: list[str] = []
    callmanager_trust: list[str] = []


class Jabber(CaseModel):
    """The Jabber sign-in (service discovery) domain."""

    domain: str | None = None


class Expectation(CaseModel):
    """Scenario files only: what the ranking must show."""

    top: str | None = Field(default=None, description='the cause that must rank first; "none": no cause at all')
    includes: list[str] = Field(default=[], description="causes that must appear somewhere in the ranking")
    excludes: list[str] = Field(default=[], description="causes that must not appear (a near miss for each)")
    steps: list[str] = Field(
        default=[], description="menu paths or step texts the top cause's remediation must show, in this order"
    )
    ranking: list[str] = Field(default=[], description="the ranking must begin with exactly these causes, in order")
    clear: bool | None = Field(
        default=None, description="whether the top cause stands clear (80% or more, 25 points ahead of the next)"
    )


class Case(CaseModel):
    """Everything known about a deployment (docs/case-file.md)."""

    title: str | None = None
    at: datetime | None = None
    symptoms: Symptoms = Symptoms()
    upload: Upload | None = None
    expressway_c: Expressway | None = None
    expressway_e: Expressway | None = None
    cucm: Cucm | None = None
    jabber: Jabber | None = None
    crls: list[str] = []
    answers: dict[str, str] = Field(
        default={},
        description="answers to certdoctor's questions (knowledge/questions.yaml): question id -> choice value",
    )
    origin: str | None = Field(
        default=None, description="scenario files: the seed section or Cisco document this situation comes from"
    )
    expect: Expectation | None = None

    @field_validator("at")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        if v is None:
            return None
        return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)

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


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(text: str) -> Any:
    """Safe YAML, refusing documents with more aliases than MAX_YAML_ALIASES (billion-laughs expansion)."""
    aliases = sum(1 for event in yaml.parse(text, Loader=_SafeLoader) if isinstance(event, yaml.AliasEvent))
    if aliases > MAX_YAML_ALIASES:
        raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} aliases")
    return yaml.load(text, Loader=_SafeLoader)


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
    if len(text.encode("utf-8", errors="ignore")) > MAX_CASE_BYTES:
        raise InputError(source, f"case file is larger than {MAX_CASE_BYTES} bytes")
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else _load_yaml(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(source, f"not valid YAML{where}: {problem}") from None
    if data is None:
        raise InputError(source, "the case file is empty")
    return case_from_data(data, source)


def case_from_data(data: Any, source: str) -> Case:
    """Validate case data (a mapping in the case-file format); errors name source, field path and problem."""
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        message = err["msg"].removeprefix("Value error, ")
        given = err.get("input")
        shown = f" (got {given!r})" if isinstance(given, str | int | float) and len(str(given)) < 60 else ""
        raise InputError(source, f"{_field_path(tuple(err['loc']))}: {message}{shown}") from None


def read_case(path: str | Path) -> Case:
    """Read a case file from disk (size-limited)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_CASE_BYTES:
            raise InputError(str(path), f"case file is larger than {MAX_CASE_BYTES} bytes")
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a case file") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return parse_case(text, str(path))


#: An inline file of any format (DER, PKCS#7, ...) where a path would go: what chat interfaces send.
DATA_URI = "data:application/octet-stream;base64,"
#: Case fields that hold a certificate reference (a certificate, chain, trusted list, CRL or key file).
CERTIFICATE_FIELDS = frozenset(
    {"certificate", "callmanager_certificate", "trusted_cas", "tomcat_trust", "callmanager_trust", "crls", "file",
     "key"}
)


def map_file_references(data: Any, change: Callable[[str], str], key: str = "") -> Any:
    """Case data with every certificate reference that is a file path (not inline content) replaced by change()."""
    if isinstance(data, dict):
        return {k: map_file_references(v, change, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [map_file_references(v, change, key) for v in data]
    inline = isinstance(data, str) and ("-----BEGIN" in data or data.startswith(DATA_URI))
    return change(data) if key in CERTIFICATE_FIELDS and isinstance(data, str) and not inline else data


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
