"""What a conversation turn re-uses from the turns before it: a bounded, per-process cache of derived facts.

A conversation is re-diagnosed at every turn (conversation.py), but most turns change little: an answer
only replaces the facts its choice sets (facts/reported.answer_facts, applied last by facts.derive), so
the facts derived from the rest of the case -- certificates loaded and judged, names, trust paths,
recognised text -- are the same as the turn before. This module keeps, per process, those facts keyed by
a SHA-256 digest of the case *without its answers*: a turn that changes only an answer re-uses them and
runs only answer_facts, the rules and the ranking. The whole answer is kept too, for a case seen before
with the same answers, language and skipped questions (undo, "look again", a language switched back).

Exactly the answer a full diagnosis gives (tests/test_chat_cache.py): the facts are derived by
`facts.derive` itself from the case without answers, and the answer by the public functions
`diagnose_traced` runs (RuleEngine.evaluate, diagnosis.rank). A case whose time is "now" (no `at`) is
re-used only while no certificate or CRL date of the case lies between the moment its facts were derived
and now (the only way time enters the facts), and within the same minute when a fact quotes that minute.

Bounded and private: at most MAX_ENTRIES cases and about MAX_BYTES of facts and answers, least recently
used first out; only cases whose every certificate is inline content are kept (a file on disk may change
between turns), and never one that names or holds a private key (upload.key, or a key in any file): the
cache holds derived facts and answers -- what the sealed state already holds or is computed from it --,
never a key. Nothing is shared between processes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from certdoctor.answer import Answer
from certdoctor.case import DATA_URI, Case, CertificateSource, unknown_field_warnings
from certdoctor.facts import Facts, derive
from certdoctor.facts.reported import answer_choice, answer_facts
from certdoctor.kb import KnowledgeBase, Lang
from certdoctor.rules import Conclusion, RuleEngine
from certdoctor.x509.load import LoadedFile, Unreadable

#: Cases whose facts are kept per process (a worker serves many conversations at once).
MAX_ENTRIES = 128
#: About this many bytes of facts and answers per process, counted from their text.
MAX_BYTES = 24 * 1024 * 1024
#: Answers kept per case (one per set of answers, language and skipped questions).
MAX_ANSWERS = 8


class _Recording(CertificateSource):
    """A CertificateSource that notes what the derivation read: inline content only, no key, and the dates."""

    def __init__(self, base: Path | None, source: str) -> None:
        super().__init__(base, source)
        self.inline = True
        self.keys = False
        self.dates: set[datetime] = set()

    def _seen(self, ref: str, found: LoadedFile | Unreadable) -> None:
        if "-----BEGIN" not in ref and not ref.startswith(DATA_URI):
            self.inline = False  # a file on disk: it may change between turns
        if isinstance(found, LoadedFile):
            if found.private_keys:
                self.keys = True
            for cert in found.certificates:
                self.dates.update((cert.not_valid_before_utc, cert.not_valid_after_utc))
            for crl in found.crls:
                self.dates.add(crl.last_update_utc)
                if crl.next_update_utc is not None:
                    self.dates.add(crl.next_update_utc)

    def load(self, ref: str, field: str) -> LoadedFile:
        """The file behind a reference, noted."""
        found = super().load(ref, field)
        self._seen(ref, found)
        return found

    def read(self, ref: str, field: str) -> LoadedFile | Unreadable:
        """Like load, an unreadable file as Unreadable; noted."""
        found = super().read(ref, field)
        self._seen(ref, found)
        return found


@dataclasses.dataclass
class _Entry:
    """The facts of one case without its answers, when they hold, and the answers given on them."""

    facts: Facts
    when: datetime
    fixed: bool  # the case names its moment (`at`): the facts hold whenever asked
    dates: tuple[datetime, ...]  # every certificate and CRL date: the facts change only when one is crossed
    minute: str  # the moment's minute as facts quote it, when one does ("" when none does)
    size: int
    answers: OrderedDict[tuple[Any, ...], bytes] = dataclasses.field(default_factory=OrderedDict)  # answer JSON
    #: The rules' conclusions last drawn on these facts, and the answers they were drawn with.
    concluded: tuple[dict[str, str], list[Conclusion]] | None = None
    #: About the bytes those conclusions hold (_conclusions_size), kept up to date turn by turn.
    concluded_size: int = 0

    def holds_at(self, now: datetime) -> bool:
        """Whether facts derived at `when` are those a derivation at `now` gives."""
        if self.fixed:
            return True
        low, high = min(self.when, now), max(self.when, now)
        if self.minute and f"{now:%Y-%m-%d %H:%M}" != self.minute:
            return False
        return not any(low <= d <= high for d in self.dates)


class FactCache:
    """A least-recently-used map, case digest -> _Entry, bounded by entries and by an estimate of bytes."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = self.answer_hits = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes counted for what is kept."""
        return self._bytes

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def forget_answers(self) -> None:
        """Forget the answers kept, keep the facts (a benchmark of an answer never given before uses it)."""
        with self._lock:
            for entry in self._entries.values():
                for kept in entry.answers.values():
                    entry.size -= len(kept)
                    self._bytes -= len(kept)
                entry.answers.clear()

    def entries(self) -> list[_Entry]:
        """What is kept (for tests)."""
        with self._lock:
            return list(self._entries.values())

    def get(self, key: str, now: datetime) -> _Entry | None:
        """The entry for a case digest whose facts hold now, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and not entry.holds_at(now):
                self._drop(key)
                entry = None
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, entry: _Entry) -> None:
        """Keep an entry, dropping the least recently used ones beyond the bounds."""
        with self._lock:
            if key in self._entries:
                self._drop(key)
            if entry.size > self.max_bytes:
                return
            self._entries[key] = entry
            self._bytes += entry.size
            self._trim()

    def add_answer(self, entry: _Entry, key: tuple[Any, ...], answer: bytes) -> None:
        """Keep an answer (its JSON) with its case's facts (at most MAX_ANSWERS, the oldest out)."""
        with self._lock:
            if key in entry.answers:
                return
            size = len(answer)
            entry.answers[key] = answer
            entry.size += size
            kept = any(e is entry for e in self._entries.values())
            if kept:
                self._bytes += size
            while len(entry.answers) > MAX_ANSWERS:
                _, old = entry.answers.popitem(last=False)
                dropped = len(old)
                entry.size -= dropped
                if kept:
                    self._bytes -= dropped
            self._trim()

    def answer(self, entry: _Entry, key: tuple[Any, ...]) -> bytes | None:
        """The JSON of an answer kept with the entry, or None."""
        with self._lock:
            found = entry.answers.get(key)
            if found is None:
                return None
            entry.answers.move_to_end(key)
            self.answer_hits += 1
            return found

    def resize(self, entry: _Entry, delta: int) -> None:
        """Count `delta` more bytes for an entry (its conclusions were replaced)."""
        with self._lock:
            entry.size += delta
            if any(e is entry for e in self._entries.values()):
                self._bytes += delta
                self._trim()

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= entry.size

    def _trim(self) -> None:
        while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
            self._drop(next(iter(self._entries)))


#: The cache of this process (each server worker process has its own).
CACHE = FactCache()


def _facts_size(facts: Facts) -> int:
    """An estimate of the bytes a Facts holds, from its text."""
    size = 1024 + sum(len(n) for n in facts.notes)
    for f in facts.items:
        size += 200 + len(f.message) + sum(len(k) + len(v) for k, v in f.params.items())
    return size


def _digest(data: dict[str, Any], source: str, base_dir: Path | None) -> str | None:
    """SHA-256 of the case without its answers (and of where its files would be read); None if not JSON."""
    rest = {k: v for k, v in data.items() if k != "answers"}
    try:
        text = json.dumps([rest, source, str(base_dir)], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


#: The rule index of the knowledge base in use (kept with it: a knowledge base is not hashable).
_INDEX: list[tuple[KnowledgeBase, dict[str, list[tuple[str, frozenset[str]]]]]] = []


def _rule_index(kb: KnowledgeBase) -> dict[str, list[tuple[str, frozenset[str]]]]:
    """Fact name -> the rules (cause/rule id, every fact name the rule tests) that test it."""
    for known, found in _INDEX:
        if known is kb:
            return found
    index: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for cause in kb.causes:
        for rule in cause.rules:
            names = frozenset(cond.fact for cond in rule.when)
            for name in names:
                index.setdefault(name, []).append((f"{cause.id}/{rule.id}", names))
    _INDEX[:] = [(kb, index)]
    return index


def _changed_names(kb: KnowledgeBase, before: dict[str, str], now: dict[str, str], source: str) -> set[str]:
    """The fact names whose facts differ between the same facts answered `before` and answered `now`.

    answer_facts replaces, per answer in order, the facts its choice sets: a name is the same on both sides
    when no answer setting it changed (given, changed or taken back) and the unchanged answers keep their order.
    """
    same = [q for q in before if q in now and before[q] == now[q]]
    moved = same != [q for q in now if q in before and before[q] == now[q]]
    names: set[str] = set()
    for side, other in ((before, now), (now, before)):
        for qid, value in side.items():
            if moved or other.get(qid) != value:
                names.update(answer_choice(kb, qid, value, source).sets)
    return names


def _conclusions(engine: RuleEngine, entry: _Entry | None, facts: Facts, case: Case, source: str) -> list[Conclusion]:
    """engine.evaluate(facts.items), re-using what the rules concluded on the same facts under other answers.

    Facts differ from the last evaluation's only in the names the changed answers set: a rule testing none
    of those concludes the same as then (its every instance is the same), so only the rules that test one are
    run again, on the facts they test (all their instances: quantifiers and joins see what they saw). The
    engine orders its conclusions by cause and rule first: each rule's own, in the engine's order, are merged back.
    """
    answers = dict(case.answers)
    if entry is None or entry.concluded is None:
        found = engine.evaluate(facts.items)
    else:
        before, kept = entry.concluded
        index = _rule_index(engine.kb)
        rerun: set[str] = set()
        names: set[str] = set()
        for name in _changed_names(engine.kb, before, answers, source):
            for rule, tested in index.get(name, ()):
                rerun.add(rule)
                names |= tested
        again = engine.evaluate([f for f in facts.items if f.name in names]) if rerun else []
        found = [c for c in kept if f"{c.cause}/{c.rule}" not in rerun]
        gone = [c for c in kept if f"{c.cause}/{c.rule}" in rerun]
        added = [c for c in again if f"{c.cause}/{c.rule}" in rerun]
        entry.concluded_size += _conclusions_size(added) - _conclusions_size(gone)  # sizes add up
        found += added
        found.sort(key=lambda c: (c.cause, c.rule))  # stable: each rule's conclusions keep the engine's order
    if entry is not None:
        if entry.concluded is None:
            entry.concluded_size = _conclusions_size(found)
        entry.concluded = (answers, found)
    return found


def _conclusions_size(found: list[Conclusion]) -> int:
    """An estimate of the bytes a list of conclusions holds, from their text."""
    return sum(
        100 + sum(60 + sum(len(k) + len(str(v)) for k, v in (f.get("params") or {}).items()) for f in c.facts)
        for c in found
    )


def _names_a_key(data: dict[str, Any]) -> bool:
    upload = data.get("upload")
    return isinstance(upload, dict) and upload.get("key") is not None


def diagnose_cached(
    case: Case,
    data: dict[str, Any],
    *,
    base_dir: Path | None = None,
    source: str = "conversation",
    lang: Lang = "en",
    answered: Sequence[str] = (),
    cache: FactCache | None = None,
) -> Answer:
    """The answer diagnose_case gives for `case` (validated from `data`), re-using what the cache holds.

    `data` is the case-file mapping the case was validated from: its digest without `answers` is the key.
    """
    from certdoctor.diagnosis import diagnose_case, rank, shipped_engine

    store = CACHE if cache is None else cache
    key = None if _names_a_key(data) else _digest(data, source, base_dir)
    if key is None:
        return diagnose_case(case, base_dir=base_dir, source=source, lang=lang, answered=answered)
    now = case.at or datetime.now(UTC)
    entry = store.get(key, now)
    asked = [*case.answers, *answered]
    answer_key = (tuple(case.answers.items()), lang, tuple(answered))
    if entry is not None:
        kept = store.answer(entry, answer_key)
        if kept is not None:
            return Answer.model_validate_json(kept)
    engine = shipped_engine()
    kb = engine.kb
    if entry is None:
        certs = _Recording(base_dir, source)
        base = derive(case.model_copy(update={"answers": {}}), certs, kb, now)
        if certs.inline and not certs.keys:
            minute = f"{now:%Y-%m-%d %H:%M}"
            quoted = any(minute in f.message or minute in "".join(f.params.values()) for f in base.items) or any(
                minute in n for n in base.notes
            )
            entry = _Entry(
                base, now, case.at is not None, tuple(sorted(certs.dates)), minute if quoted else "", _facts_size(base)
            )
            store.put(key, entry)
    else:
        base = entry.facts
    facts = dataclasses.replace(base, items=list(base.items), given=set(base.given), notes=list(base.notes))
    answer_facts(case, kb, facts, source)
    held = entry.concluded_size if entry is not None and entry.concluded is not None else 0
    conclusions = _conclusions(engine, entry, facts, case, source)
    if entry is not None:
        store.resize(entry, entry.concluded_size - held)
    answer = rank(kb, facts, conclusions, lang, asked)
    answer.warnings = unknown_field_warnings(case) + facts.notes
    if entry is not None:
        store.add_answer(entry, answer_key, answer.__pydantic_serializer__.to_json(answer))
    return answer
