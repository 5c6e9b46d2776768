"""The knowledge base as data: pydantic models for knowledge/*.yaml, loading, validation and lint."""

from __future__ import annotations

import functools
import hashlib
import os
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
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


class Rule(Strict):
    """When every condition holds (one fact each), the cause gains `certainty` (negative: loses)."""

    id: str
    when: list[Condition] = Field(min_length=1)
    certainty: float = Field(ge=-1.0, le=1.0)
    evidence: Text

    @field_validator("certainty")
    @classmethod
    def _not_zero(cls, v: float) -> float:
        if v == 0:
            raise ValueError("a certainty of 0 says nothing; remove the rule instead")
        return v


class Step(Strict):
    """One remediation step: where, what it costs, the menu path, what to do."""

    id: str
    device: Device
    cost: Cost
    menu: str | None = None
    text: Text


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


class Cause(Strict):
    """One documented cause: how to recognise it, and how to fix it."""

    id: str
    title: Text
    origin: list[Source] = Field(min_length=1)
    rules: list[Rule] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    checks: list[Text] = []

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
        """The cause with this id."""
        return next(c for c in self.causes if c.id == cause_id)


#: libyaml's safe loader is ten times faster than the pure-Python one (the KB is read at every start).
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InputError(str(path), f"not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None


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


def _file(root: Path, name: str, model: type[BaseModel]) -> Any:
    path = root / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return _validated(model, _read_yaml(path, text), path)


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

    files = sorted([*root.glob("*.yaml"), *(root / "causes").glob("*.yaml")])
    digest = hashlib.sha256(f"{__version__}\n".encode())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
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


def _parse(root: Path) -> KnowledgeBase:
    """Read and validate the YAML files of a knowledge directory."""
    facts = _file(root, "facts.yaml", _FactsFile).facts
    questions = _file(root, "questions.yaml", _QuestionsFile).questions
    symptoms = _file(root, "symptoms.yaml", _SymptomsFile).symptoms
    causes = []
    for path in sorted((root / "causes").glob("*.yaml")):
        cause = _validated(Cause, _read_yaml(path, path.read_text(encoding="utf-8")), path)
        if path.stem != cause.id:
            raise InputError(str(path), f"id: '{cause.id}' does not match the file name")
        causes.append(cause)
    return KnowledgeBase(facts=facts, causes=causes, questions=questions, symptoms=symptoms)


class LintProblem(Strict):
    """One knowledge-base problem found by `certdoctor kb check`."""

    file: str
    key: str
    problem: str


def lint(kb: KnowledgeBase) -> list[LintProblem]:
    """Unknown fact names, wrong value types, duplicate ids, unreachable causes, steps without a device."""
    problems: list[LintProblem] = []
    seen: dict[str, str] = {}
    for cause in kb.causes:
        where = f"causes/{cause.id}.yaml"
        if cause.id in seen:
            problems.append(LintProblem(file=where, key="id", problem=f"duplicate cause id {cause.id}"))
        seen[cause.id] = where
        rule_ids = [r.id for r in cause.rules]
        for dup in {r for r in rule_ids if rule_ids.count(r) > 1}:
            problems.append(LintProblem(file=where, key="rules", problem=f"duplicate rule id {dup}"))
        step_ids = [s.id for s in cause.steps]
        for dup in {s for s in step_ids if step_ids.count(s) > 1}:
            problems.append(LintProblem(file=where, key="steps", problem=f"duplicate step id {dup}"))
        for i, rule in enumerate(cause.rules):
            for j, cond in enumerate(rule.when):
                spec = kb.facts.get(cond.fact)
                key = f"rules[{i}].when[{j}].fact"
                if spec is None:
                    problems.append(LintProblem(file=where, key=key, problem=f"unknown fact '{cond.fact}'"))
                    continue
                for value in _tested_values(cond):
                    message = _type_problem(spec, value)
                    if message:
                        problems.append(LintProblem(file=where, key=key, problem=f"{cond.fact}: {message}"))
        if not any(r.certainty > 0 for r in cause.rules):
            problems.append(
                LintProblem(
                    file=where,
                    key="rules",
                    problem="no rule with positive certainty: the cause can never rank",
                )
            )
        elif not any(_reachable(kb, r) for r in cause.rules if r.certainty > 0):
            problems.append(
                LintProblem(
                    file=where,
                    key="rules",
                    problem="no positive rule can fire: every one tests a value no source or question produces",
                )
            )
    for q in kb.questions:
        for c in q.choices:
            for name, value in c.sets.items():
                spec = kb.facts.get(name)
                where = f"questions.yaml:{q.id}"
                if spec is None:
                    problems.append(
                        LintProblem(file="questions.yaml", key=f"{q.id}.{c.value}", problem=f"unknown fact '{name}'")
                    )
                elif (message := _type_problem(spec, value)) is not None:
                    problems.append(LintProblem(file=where, key=f"{c.value}", problem=f"{name}: {message}"))
    for s in kb.symptoms:
        for name, value in s.sets.items():
            spec = kb.facts.get(name)
            if spec is None:
                problems.append(LintProblem(file="symptoms.yaml", key=s.id, problem=f"unknown fact '{name}'"))
            elif (message := _type_problem(spec, value)) is not None:
                problems.append(LintProblem(file="symptoms.yaml", key=s.id, problem=f"{name}: {message}"))
    qids = [q.id for q in kb.questions]
    for dup in {q for q in qids if qids.count(q) > 1}:
        problems.append(LintProblem(file="questions.yaml", key=dup, problem="duplicate question id"))
    return problems


def _tested_values(cond: Condition) -> list[FactValue]:
    if cond.is_ is not None:
        return [cond.is_]
    if cond.is_not is not None:
        return [cond.is_not]
    if cond.one_of is not None:
        return list(cond.one_of)
    return [cond.lt if cond.lt is not None else cond.gt or 0.0]


def _type_problem(spec: FactSpec, value: FactValue) -> str | None:
    expected = {"bool": (bool,), "str": (str,), "number": (int, float)}[spec.type]
    if isinstance(value, bool) and spec.type != "bool":
        return f"value {value!r} is a bool but the fact is {spec.type}"
    if not isinstance(value, expected):
        return f"value {value!r} is not a {spec.type}"
    if spec.values is not None and isinstance(value, str) and value not in spec.values:
        return f"value '{value}' is not one of {spec.values}"
    return None


def _reachable(kb: KnowledgeBase, rule: Rule) -> bool:
    """Some source could produce values satisfying every condition of the rule."""
    for cond in rule.when:
        spec = kb.facts.get(cond.fact)
        if spec is None:
            return False
        if spec.type == "bool":
            candidates: list[FactValue] = [True, False]
        elif spec.values is not None:
            candidates = list(spec.values)
        else:
            continue
        if not any(cond.holds(v) for v in candidates):
            return False
    return True
