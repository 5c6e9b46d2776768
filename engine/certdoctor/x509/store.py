"""TrustStore: a trusted CA list (Expressway's Trusted CA certificate page) indexed by subject and key id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509 import verification

from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.der import bulk


@dataclass(frozen=True)
class DuplicateSubject:
    """Two or more trusted certificates with one subject but different keys; the first shadows the rest."""

    subject: str
    entries: tuple[CertFacts, ...]


class TrustStore:
    """Trusted certificates in list order, indexed for issuer lookups by subject and by key id."""

    def __init__(self, certificates: Iterable[x509.Certificate | CertFacts] = ()) -> None:
        self._entries: list[CertFacts] = []
        self._by_subject: dict[tuple[object, ...], list[CertFacts]] = {}
        self._by_ski: dict[bytes, list[CertFacts]] = {}
        # exact duplicates by content: cryptography hashes and compares certificates by their DER, the same
        # test as a SHA-256 fingerprint without computing one per certificate
        self._certs: set[x509.Certificate] = set()
        self._verification_store: verification.Store | None = None
        self._crowded: set[tuple[object, ...]] = set()
        with bulk():
            for cert in certificates:
                self.add(cert)

    def add(self, cert: x509.Certificate | CertFacts) -> None:
        """Append a certificate; an exact duplicate of one already held is ignored."""
        facts = cert if isinstance(cert, CertFacts) else CertFacts(cert)
        if facts.cert in self._certs:
            return
        self._certs.add(facts.cert)
        self._verification_store = None
        self._entries.append(facts)
        same_subject = self._by_subject.setdefault(facts.subject_key, [])
        same_subject.append(facts)
        if len(same_subject) > 1:
            self._crowded.add(facts.subject_key)
        if facts.ski is not None:
            self._by_ski.setdefault(facts.ski, []).append(facts)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[CertFacts]:
        return iter(self._entries)

    def __contains__(self, facts: object) -> bool:
        return isinstance(facts, CertFacts) and facts.cert in self._certs

    @property
    def entries(self) -> Sequence[CertFacts]:
        """All trusted certificates, in the order they were listed."""
        return self._entries

    def verification_store(self) -> verification.Store | None:
        """cryptography's Store over the same certificates, built once (None when empty)."""
        if self._verification_store is None and self._entries:
            self._verification_store = verification.Store([e.cert for e in self._entries])
        return self._verification_store

    def with_subject(self, subject_key: tuple[object, ...]) -> list[CertFacts]:
        """Trusted certificates whose subject is this canonical name, in list order."""
        return self._by_subject.get(subject_key, [])

    def with_key_id(self, ski: bytes) -> list[CertFacts]:
        """Trusted certificates with this subjectKeyIdentifier."""
        return self._by_ski.get(ski, [])

    def issuer_candidates(self, child: CertFacts) -> list[CertFacts]:
        """Trusted certificates that could have issued child: same name, agreeing key ids."""
        return [c for c in self.with_subject(child.issuer_key) if child.likely_issued_by(c)]

    def duplicate_subjects(self) -> list[DuplicateSubject]:
        """Subjects held by several certificates with different public keys."""
        found = []
        for subject in self._crowded:
            entries = self._by_subject[subject]
            keys = {_key_bytes(e) for e in entries}
            if len(keys) > 1:
                found.append(DuplicateSubject(entries[0].cert.subject.rfc4514_string(), tuple(entries)))
        return found


def _key_bytes(facts: CertFacts) -> bytes:
    """The SubjectPublicKeyInfo DER, identifying the key."""
    from cryptography.hazmat.primitives import serialization  # only when subjects repeat

    key = facts.public_key
    if key is None:
        return facts.fingerprint
    return key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
