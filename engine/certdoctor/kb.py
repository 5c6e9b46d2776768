"""The knowledge base as data: pydantic models for knowledge/*.yaml, loading, validation and lint."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from certdoctor.errors import InputError

Lang = Literal["en", "nl"]
FactValue = bool | int | float | str
Device = Literal["expressway_c", "expressway_e", "all_expressways", "cucm", "ca", "client", "network", "ntp"]
#: What a step costs, for the probability/cost ordering: a look, a setting, a restart, a new certificate.
Cost = Literal["check", "config", "restart", "reissue"]
COST_WEIGHT: dict[str, float] = {"check": 1.0, "config": 3.0, "restart": 6.0, "reissue": 20.0}


class Strict(BaseModel):
    """Knowledge files reject unknown keys: a typo in a rule must not silently drop a condition."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Text(Strict):
    """A sentence in English and Dutch (the seed is Dutch; TAC engineers may work in either)."""

    en: str
    nl: str

    def get(self, lang: Lang) -> str:
        """The text in lang."""
        return self.nl if lang == "nl" else self.en


class FactSpec(Strict):
    """One fact name the rules may test: its type, its values and where it comes from."""

    type: Literal["bool", "str", "number"]
    values: list[str] | None = None
    source: Literal["certificates", "case", "symptoms", "question"]
    about: str


class Condition(Strict):
    """A test on one fact: `fact` compared with exactly one of is / is_not / one_of / lt / gt."""

    fact: str
    is_: FactValue | None = Field(default=None, alias="is")
    is_not: FactValue | None = None
    one_of: list[FactValue] | None = None
    lt: float | None = None
    gt: float | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [t for t in (self.is_, self.is_not, self.one_of, self.lt, self.gt) if t is not None]
        if len(tests) != 1:
            raise ValueError("give exactly one of is, is_not, one_of, lt, gt")
        return self

    def holds(self, value: FactValue) -> bool:
        """Whether a fact value satisfies this condition (the same semantics the compiled rules use)."""
        if self.is_ is not None:
            return _same(value, self.is_)
        if self.is_not is not None:
            return not _same(value, self.is_not)
        if self.one_of is not None:
            return any(_same(value, v) for v in self.one_of)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        if self.lt is not None:
            return value < self.lt
        return self.gt is not None and value > self.gt


def _same(a: FactValue, b: FactValue) -> bool:
    """Equality with type: True is not 1, '443' is not 443 (durable_rules would say they are)."""
    return type(a) is type(b) and a == b


#: What a fact is about: a certification path (who checks whose certificate), a device node, a trusted CA
#: list, a certificate, the upload file, or the case as a whole (symptoms, changes, answers).
EntityKind = Literal[
    "path", "node", "server", "trust_list", "certificate", "upload", "file", "log", "zone", "endpoint", "case"
]
#: How a rule quantifies over the entities its facts are about: some (any), every (all) or no (none) entity.
Quantifier = Literal["any", "all", "none"]


class Rule(Strict):
    """When the conditions hold (one fact each) as the quantifier says, the cause gains `certainty`.

    `about` binds the conditions on facts of that entity kind to one and the same entity (a join); conditions
    on case facts (symptoms, changes, answers) hold for the case as a whole. `quantifier` says for how many
    entities: any (some entity, the default), all (every entity that has the facts, at least one) or none
    (no entity, though the facts are known). Without `about`, each condition is quantified on its own.
    """

    id: str
    when: list[Condition] = Field(min_length=1)
    certainty: float = Field(ge=-1.0, le=1.0)
    evidence: Text
    about: EntityKind | None = None
    quantifier: Quantifier = "any"

    @model_validator(mode="after")
    def _quantified(self) -> Rule:
        if self.quantifier == "none" and self.about is None and len(self.when) > 1:
            raise ValueError("quantifier none over several conditions needs `about`: none of what, together?")
        return self

    @field_validator("certainty")
    @classmethod
    def _not_zero(cls, v: float) -> float:
        if v == 0:
            raise ValueError("a certainty of 0 says nothing; remove the rule instead")
        return v


#: Placeholders a step's text may hold, written {name|what to say without it}: the plan fills them from the facts
#: the cause was found on, the cause's own step list uses the words after '|' (or the generic words here).
STEP_PLACEHOLDERS: dict[str, str] = {
    "ca": "the CA certificate(s) to add, named by subject, serial and SHA-256 fingerprint",
    "names": "the names at fault (a peer address, a TLS verify subject name, a server name, a domain)",
}
_PLACEHOLDER = re.compile(r"\{(\w+)(?:\|([^{}]*))?\}")


def placeholders(text: str) -> list[tuple[str, str | None]]:
    """The placeholders of a step text, each with the words used when it cannot be filled (None: none given)."""
    return [(m.group(1), m.group(2)) for m in _PLACEHOLDER.finditer(text)]


def fill(text: str, values: dict[str, str]) -> str:
    """A step text with its placeholders filled from values, else with the words after '|'."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or (m.group(2) or ""), text)


class Step(Strict):
    """One remediation step: where, what it costs, the menu path, what to do; and how the plan instantiates it.

    `action` names what the step does (append-ca, restart, ...): steps of different causes with the same action
    on the same targets are one step in the plan, naming every cause. `acts_on` says whose nodes it acts on, from
    the facts the cause was found on: the side that checks (its trusted CA list) or the side whose certificate
    is checked. `only_if` drops the step when the files show the condition holds nowhere. `in_plan`: always;
    undecided (only while the files have not decided the cause: the default of a check); never (a fallback).
    """

    id: str
    device: Device
    cost: Cost
    menu: str | None = None
    text: Text
    action: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]*$")
    acts_on: Literal["checker", "checked"] | None = None
    only_if: Condition | None = None
    in_plan: Literal["always", "undecided", "never"] | None = None

    @model_validator(mode="after")
    def _known_placeholders(self) -> Step:
        for lang in ("en", "nl"):
            for name, _ in placeholders(self.text.get(lang)):
                if name not in STEP_PLACEHOLDERS:
                    known = ", ".join(sorted(STEP_PLACEHOLDERS))
                    raise ValueError(f"unknown placeholder {{{name}}} in text.{lang}; known: {known}")
        if {n for n, _ in placeholders(self.text.en)} != {n for n, _ in placeholders(self.text.nl)}:
            raise ValueError("text.en and text.nl must use the same placeholders")
        return self

    def planned(self, decided: bool) -> bool:
        """Whether the plan carries this step, given whether the case's files decided the cause."""
        when = self.in_plan or ("undecided" if self.cost == "check" else "always")
        return when == "always" or (when == "undecided" and not decided)


class Source(Strict):
    """A document the knowledge comes from, as a reader looks it up: its name, the section, the address."""

    document: str = Field(min_length=1, description="e.g. 'Cisco Doc ID 213872' or a guide's title and chapter")
    section: Text | None = None
    url: str | None = None

    def reference(self, lang: Lang) -> str:
        """'Cisco Doc ID 221624 (...), section '...': https://...' in lang."""
        ref = self.document
        if self.section is not None:
            ref += f", {'sectie' if lang == 'nl' else 'section'} '{self.section.get(lang)}'"
        return f"{ref}: {self.url}" if self.url else ref


#: The kinds of files a case may hold completely (facts.Deployment.given): what a rule-out needs.
FileKind = Literal[
    "expressway_c.certificate",
    "expressway_e.certificate",
    "expressway_c.trusted_cas",
    "expressway_e.trusted_cas",
    "cucm.certificate",
    "cucm.callmanager_certificate",
    "cucm.tomcat_trust",
    "cucm.callmanager_trust",
    "upload.file",
]


class RuleOut(Strict):
    """The certificate facts that decide a cause: when every one is known and no instance shows a fault,
    the case's files refute the cause on every entity and it is ruled out, whatever symptoms say."""

    faults: list[Condition] = Field(min_length=1, description="the cause is present where any of these holds")
    needs: list[FileKind] = Field(
        default=[], description="the files the case must hold completely (every node's, the whole list) to decide it"
    )
    reason: Text = Field(description="one line: why the files rule it out")
    decide_with: Text = Field(description="the files that decide it, named when they are missing")

    def facts(self) -> set[str]:
        """The deciding fact names."""
        return {c.fact for c in self.faults}


class Cause(Strict):
    """One documented cause: how to recognise it, and how to fix it."""

    id: str
    title: Text
    origin: list[Source] = Field(min_length=1)
    rules: list[Rule] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    checks: list[Text] = []
    rule_out: RuleOut | None = None
    subsumes: list[str] = Field(
        default=[], description="general causes folded into this one when both rest on the same finding"
    )

    def references(self, lang: Lang = "en") -> list[str]:
        """Where this cause is documented, one reference per source, in lang."""
        return [source.reference(lang) for source in self.origin]


class Choice(Strict):
    """One answer to a question and the facts it establishes."""

    value: str
    label: Text
    sets: dict[str, FactValue]


class Question(Strict):
    """A question the user can answer to sharpen the ranking."""

    id: str
    text: Text
    choices: list[Choice] = Field(min_length=2)
    field: str | None = Field(default=None, description="the case-file field the answer fills")
    early: bool = Field(
        default=False,
        description="asked before the others while unanswered and able to change the lead ('what changed?')",
    )
    moot_when: list[Condition] = Field(
        default=[], description="not asked while any of these holds: the answer follows from it or no longer matters"
    )

    def facts(self) -> set[str]:
        """Fact names this question can establish."""
        return {name for c in self.choices for name in c.sets}


class SymptomPattern(Strict):
    """A text that, found in pasted output, establishes a symptom fact."""

    id: str
    fields: list[str] = Field(min_length=1, description="case symptom fields it is looked for in")
    contains: list[str] = Field(default=[], description="substrings, any of them (normalised)")
    regex: str | None = None
    sets: dict[str, FactValue]
    meaning: str


class KnowledgeBase(Strict):
    """All of knowledge/: facts, causes, questions, symptom texts."""

    facts: dict[str, FactSpec]
    causes: list[Cause]
    questions: list[Question]
    symptoms: list[SymptomPattern]

    def cause(self, cause_id: str) -> Cause:
        """The cause with this id (looked up by id: ranking and plans ask for each cause many times)."""
        return self._by_id()[cause_id]

    def _by_id(self) -> dict[str, Cause]:
        """Causes by id, made at the first lookup (the model is frozen: kept beside it, not on it)."""
        found = _CAUSES_BY_ID.get(id(self))
        if found is None or found[0] is not self:
            if len(_CAUSES_BY_ID) >= 8:
                _CAUSES_BY_ID.clear()
            found = _CAUSES_BY_ID[id(self)] = (self, {c.id: c for c in self.causes})
        return found[1]


#: KnowledgeBase._by_id per knowledge base (by identity; the base is kept so its id is not reused).
_CAUSES_BY_ID: dict[int, tuple[KnowledgeBase, dict[str, Cause]]] = {}


def _read_yaml(path: Path, text: str) -> Any:
    """A knowledge file's YAML through the one budgeted safe loader (libyaml when present); errors on one line."""
    from certdoctor.safeinput import load_yaml

    return load_yaml(text, str(path))


def _validated(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top)"
        raise InputError(str(path), f"{loc}: {err['msg']}") from None


def load_knowledge(root: Path | None = None) -> KnowledgeBase:
    """Read and validate a knowledge directory (default: the one shipped in the package)."""
    if root is None:
        return _shipped()
    return _load(root)


@functools.cache
def _shipped() -> KnowledgeBase:
    return _load(Path(str(resources.files("certdoctor.knowledge"))))


class _FactsFile(Strict):
    facts: dict[str, FactSpec]


class _QuestionsFile(Strict):
    questions: list[Question]


class _SymptomsFile(Strict):
    symptoms: list[SymptomPattern]


def _bytes(path: Path) -> bytes:
    """A knowledge file's bytes: a regular file within the case-file size limit (`kb check DIR` reads a user's)."""
    from certdoctor.limits import MAX_CASE_BYTES
    from certdoctor.safeinput import read_regular_file

    return read_regular_file(path, MAX_CASE_BYTES, "knowledge file")


def _text(path: Path) -> str:
    """A knowledge file as UTF-8 text, or a one-line error naming it."""
    try:
        return _bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"is not UTF-8 text (byte {exc.start})") from None


def _file(root: Path, name: str, model: type[BaseModel]) -> Any:
    path = root / name
    return _validated(model, _read_yaml(path, _text(path)), path)


def _cache_dir() -> Path:
    """Where validated knowledge bases are cached: $CERTDOCTOR_CACHE_DIR, else the user's cache dir."""
    explicit = os.environ.get("CERTDOCTOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "certdoctor"


def _fingerprint(root: Path) -> tuple[str, list[Path]]:
    """A hash over every knowledge file's name and content (and the code version that validated it)."""
    from certdoctor._version import __version__

    files = sorted([*root.glob("*.yaml"), *(p for d in _SUBDIRS for p in (root / d).glob("*.yaml"))])
    digest = hashlib.sha256(f"{__version__}\n".encode())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(_bytes(path) + b"\0")
    return digest.hexdigest()[:32], files


def _load(root: Path) -> KnowledgeBase:
    """A validated knowledge base; the validated form is cached as JSON keyed by the files' content."""
    try:
        key, _ = _fingerprint(root)
    except OSError:
        return _parse(root)
    cached = _cache_dir() / f"kb-{key}.json"
    try:
        return KnowledgeBase.model_validate_json(cached.read_bytes())
    except (OSError, ValidationError):
        pass
    kb = _parse(root)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(kb.model_dump_json(by_alias=True), encoding="utf-8")
        partial.replace(cached)
    except OSError:
        pass  # a read-only home is fine: the next start validates the YAML again
    return kb


#: Folders of knowledge files: one file per cause, and fact and symptom catalogues split by subject.
_SUBDIRS = ("causes", "facts", "symptoms")


def _parse(root: Path) -> KnowledgeBase:
    """Read and validate the YAML files of a knowledge directory (facts/ and symptoms/ extend the main files)."""
    facts = dict(_file(root, "facts.yaml", _FactsFile).facts)
    for path in sorted((root / "facts").glob("*.yaml")):
        more = _validated(_FactsFile, _read_yaml(path, _text(path)), path).facts
        if twice := sorted(set(more) & set(facts)):
            raise InputError(str(path), f"facts: {', '.join(twice)} already defined")
        facts.update(more)
    questions = _file(root, "questions.yaml", _QuestionsFile).questions
    symptoms = list(_file(root, "symptoms.yaml", _SymptomsFile).symptoms)
    for path in sorted((root / "symptoms").glob("*.yaml")):
        symptoms += _validated(_SymptomsFile, _read_yaml(path, _text(path)), path).symptoms
    causes = []
    for path in sorted((root / "causes").glob("*.yaml")):
        cause = _validated(Cause, _read_yaml(path, _text(path)), path)
        if path.stem != cause.id:
            raise InputError(str(path), f"id: '{cause.id}' does not match the file name")
        causes.append(cause)
    return KnowledgeBase(facts=facts, causes=causes, questions=questions, symptoms=symptoms)
