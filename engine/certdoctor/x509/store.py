"""TrustStore: a trusted CA list (Expressway's Trusted CA certificate page) indexed by subject and key id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509 import verification

from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.der import _plain_subjects, bulk, loose_key_of_name


@dataclass(frozen=True)
class DuplicateSubject:
    """Two or more trusted certificates with one subject but different keys; the first shadows the rest."""

    subject: str
    entries: tuple[CertFacts, ...]


class TrustStore:
    """Trusted certificates in list order, indexed for issuer lookups by subject and by key id.

    A trusted list can hold thousands of CAs of which a verification looks at a few, so each is indexed by a key of
    its subject and its CertFacts is made only when it is looked at. The key is der.loose_key_of_name of the
    canonical subject (certfacts.name_key) when it has one -- read straight from the DER for certificates the
    loader saw plain (der.plain_subject_key), without building cryptography's Name -- else the canonical subject
    itself. Certificates with equal canonical subjects share a key; a lookup keeps those whose canonical subject
    is the one asked for.
    """

    def __init__(self, certificates: Iterable[x509.Certificate | CertFacts] = ()) -> None:
        self._certs: list[x509.Certificate] = []
        self._facts: list[CertFacts | None] = []
        self._by_key: dict[object, list[int]] = {}
        self._keys: list[object] = []
        self._by_ski: dict[bytes, list[CertFacts]] | None = None
        self._verification_store: verification.Store | None = None
        self._crowded: list[int] = []  # the index of each entry that joined a key already held
        with bulk():
            for cert in certificates:
                self.add(cert)

    def add(self, cert: x509.Certificate | CertFacts) -> None:
        """Append a certificate; an exact duplicate of one already held is ignored."""
        if isinstance(cert, CertFacts):
            facts: CertFacts | None = cert
            raw = cert.cert
            key: object = _subject_index_key(cert.subject_key)
        else:
            facts, raw = None, cert
            loose = _plain_subjects.pop(id(raw), None)  # der.take_plain_subject, inlined: 10,000 calls
            if loose is not None:
                key = loose[1]
            else:
                facts = CertFacts(raw)
                key = _subject_index_key(facts.subject_key)
        same_key = self._by_key.get(key)
        if same_key is None:
            self._by_key[key] = [len(self._certs)]
        else:
            # exact duplicates by content: cryptography compares certificates by their DER (equal ones share a key)
            if any(self._certs[i] == raw for i in same_key):
                return
            self._crowded.append(len(self._certs))
            same_key.append(len(self._certs))
        self._certs.append(raw)
        self._facts.append(facts)
        self._keys.append(key)
        self._verification_store = None
        if self._by_ski is not None:
            self._note_ski(self._entry(len(self._certs) - 1))

    def _entry(self, index: int) -> CertFacts:
        facts = self._facts[index]
        if facts is None:
            facts = self._facts[index] = CertFacts(self._certs[index])
        return facts

    def _note_ski(self, facts: CertFacts) -> None:
        assert self._by_ski is not None
        if facts.ski is not None:
            self._by_ski.setdefault(facts.ski, []).append(facts)

    def __len__(self) -> int:
        return len(self._certs)

    def __iter__(self) -> Iterator[CertFacts]:
        return iter(self.entries)

    def __contains__(self, facts: object) -> bool:
        if not isinstance(facts, CertFacts):
            return False
        held = self._by_key.get(_subject_index_key(facts.subject_key), ())
        return any(self._certs[i] == facts.cert for i in held)

    @property
    def entries(self) -> Sequence[CertFacts]:
        """All trusted certificates, in the order they were listed."""
        with bulk():
            return [self._entry(i) for i in range(len(self._certs))]

    def verification_store(self) -> verification.Store | None:
        """cryptography's Store over the same certificates, built once (None when empty)."""
        if self._verification_store is None and self._certs:
            self._verification_store = verification.Store(self._certs)
        return self._verification_store

    def with_subject(self, subject_key: tuple[object, ...]) -> list[CertFacts]:
        """Trusted certificates whose subject is this canonical name, in list order."""
        held = self._by_key.get(_subject_index_key(subject_key))
        if not held:
            return []
        return [f for f in map(self._entry, held) if f.subject_key == subject_key]

    def with_key_id(self, ski: bytes) -> list[CertFacts]:
        """Trusted certificates with this subjectKeyIdentifier."""
        if self._by_ski is None:
            self._by_ski = {}
            for facts in self.entries:
                self._note_ski(facts)
        return self._by_ski.get(ski, [])

    def issuer_candidates(self, child: CertFacts) -> list[CertFacts]:
        """Trusted certificates that could have issued child: same name, agreeing key ids."""
        return [c for c in self.with_subject(child.issuer_key) if child.likely_issued_by(c)]

    def duplicate_subjects(self) -> list[DuplicateSubject]:
        """Subjects held by several certificates with different public keys."""
        # the canonical subjects held more than once, met in the order the second of each was added
        crowded: set[tuple[object, ...]] = set()
        if self._crowded:
            second: dict[tuple[object, ...], int] = {}
            seen: set[tuple[object, ...]] = set()
            for index in sorted({i for j in self._crowded for i in self._by_key[self._keys[j]]}):
                subject = self._entry(index).subject_key
                if subject in seen:
                    second.setdefault(subject, index)
                seen.add(subject)
            for subject in sorted(second, key=second.__getitem__):
                crowded.add(subject)
        found = []
        for subject in crowded:
            entries = self.with_subject(subject)
            keys = {_key_bytes(e) for e in entries}
            if len(keys) > 1:
                found.append(DuplicateSubject(entries[0].cert.subject.rfc4514_string(), tuple(entries)))
        return found


def _subject_index_key(subject_key: tuple[object, ...]) -> object:
    """The key a canonical subject is indexed under (see TrustStore)."""
    loose = loose_key_of_name(subject_key)
    return subject_key if loose is None else loose


def _key_bytes(facts: CertFacts) -> bytes:
    """The SubjectPublicKeyInfo DER, identifying the key."""
    from cryptography.hazmat.primitives import serialization  # only when subjects repeat

    key = facts.public_key
    if key is None:
        return facts.fingerprint
    return key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
