"""Per-certificate properties the path builder needs, read once and cached (cryptography parses lazily)."""

from __future__ import annotations

import itertools
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtensionOID

from certdoctor.x509.der import (
    ExtensionProblem,
    has_explicit_curve,
    readable_extensions,
    split_certificate,
)
from certdoctor.x509.names import NameMatch, match_host
from certdoctor.x509.naming import label, serial_hex, unknown_oids
from certdoctor.x509.signatures import signed_by

#: Extensions OpenSSL 3.0 understands; a critical extension outside this set fails verification.
OPENSSL_SUPPORTED_CRITICAL = {
    "2.16.840.1.113730.1.1",  # netscape cert type
    ExtensionOID.KEY_USAGE.dotted_string,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME.dotted_string,
    ExtensionOID.BASIC_CONSTRAINTS.dotted_string,
    ExtensionOID.CERTIFICATE_POLICIES.dotted_string,
    ExtensionOID.CRL_DISTRIBUTION_POINTS.dotted_string,
    ExtensionOID.EXTENDED_KEY_USAGE.dotted_string,
    "1.3.6.1.5.5.7.1.7",  # sbgp-ipAddrBlock
    "1.3.6.1.5.5.7.1.8",  # sbgp-autonomousSysNum
    "1.3.6.1.5.5.7.48.1.5",  # OCSP no check
    ExtensionOID.POLICY_CONSTRAINTS.dotted_string,
    "1.3.6.1.5.5.7.1.14",  # proxyCertInfo
    ExtensionOID.NAME_CONSTRAINTS.dotted_string,
    ExtensionOID.POLICY_MAPPINGS.dotted_string,
    ExtensionOID.INHIBIT_ANY_POLICY.dotted_string,
}

#: Extensions OpenSSL decodes for every certificate; a broken one marks the certificate invalid.
OPENSSL_CACHED_EXTENSIONS = {
    ExtensionOID.BASIC_CONSTRAINTS.dotted_string,
    ExtensionOID.KEY_USAGE.dotted_string,
    ExtensionOID.EXTENDED_KEY_USAGE.dotted_string,
    ExtensionOID.SUBJECT_KEY_IDENTIFIER.dotted_string,
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER.dotted_string,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME.dotted_string,
    ExtensionOID.NAME_CONSTRAINTS.dotted_string,
    ExtensionOID.CRL_DISTRIBUTION_POINTS.dotted_string,
}

SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
NS_SGC = "2.16.840.1.113730.4.1"
MS_SGC = "1.3.6.1.4.1.311.10.3.3"


def _empty_name_constraints(problem: ExtensionProblem) -> bool:
    """nameConstraints with neither subtree: cryptography refuses it, OpenSSL reads it as no limit."""
    return problem.oid == ExtensionOID.NAME_CONSTRAINTS.dotted_string and (
        "must not be None" in problem.reason or "non-empty list or None" in problem.reason
    )


def _canonical_value(value: str | bytes) -> str | bytes:
    """OpenSSL-style canonical form of a name attribute: case-folded, inner whitespace collapsed."""
    if isinstance(value, bytes):
        return value
    text = unicodedata.normalize("NFKC", value)
    return " ".join(text.split()).lower()


def name_key(name: x509.Name) -> tuple[tuple[tuple[str, str | bytes], ...], ...]:
    """A hashable key under which two names compare as OpenSSL's X509_NAME_cmp compares them."""
    return tuple(tuple(sorted((a.oid.dotted_string, _canonical_value(a.value)) for a in rdn)) for rdn in name.rdns)


T = TypeVar("T")

#: Bounds of the per-process caches below (entries; the oldest go first when full).
FACTS_CACHE_SIZE = 2048
SIGNATURE_CACHE_SIZE = 8192

#: Facts of recently judged certificates, keyed by the certificate (cryptography hashes and compares
#: certificates by their DER, so the key is the content, as a fingerprint would be, without hashing it).
_facts_cache: dict[x509.Certificate, CertFacts] = {}
#: Signature checks done (by OpenSSL-like path building or by cryptography's verifier): (child, issuer) -> ok.
_signature_cache: dict[tuple[x509.Certificate, x509.Certificate], bool] = {}
_cache_lock = threading.Lock()


def _remember(cache: dict[object, object], key: object, value: object, size: int) -> None:
    with _cache_lock:
        while len(cache) >= size:
            del cache[next(iter(cache))]
        cache[key] = value


def facts_of(cert: x509.Certificate) -> CertFacts:
    """The CertFacts of cert, computed once per process for the same certificate (bounded cache)."""
    facts = _facts_cache.get(cert)
    if facts is None:
        facts = CertFacts(cert)
        _remember(_facts_cache, cert, facts, FACTS_CACHE_SIZE)  # type: ignore[arg-type]
    return facts


def note_verified_chain(chain: list[x509.Certificate]) -> None:
    """Record that each certificate of a chain cryptography's verifier built is signed by the next."""
    for child, issuer in itertools.pairwise(chain):
        if _signature_cache.get((child, issuer)) is not True:
            _remember(_signature_cache, (child, issuer), True, SIGNATURE_CACHE_SIZE)  # type: ignore[arg-type]


@dataclass(eq=False)
class CertFacts:
    """One certificate and the properties verification asks about, computed once."""

    cert: x509.Certificate
    invalid_reason: str | None = None
    extension_problems: list[ExtensionProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.extensions, self.extension_problems = readable_extensions(self.cert)
        for problem in self.extension_problems:
            if problem.oid in OPENSSL_CACHED_EXTENSIONS and not _empty_name_constraints(problem):
                self.invalid_reason = f"extension {problem.oid} cannot be used: {problem.reason}"
                break

    @cached_property
    def label(self) -> str:
        """How messages name this certificate."""
        return label(self.cert)

    @cached_property
    def fingerprint(self) -> bytes:
        """SHA-256 over the DER, identifying this exact certificate."""
        return self.cert.fingerprint(hashes.SHA256())

    @cached_property
    def subject_key(self) -> tuple[object, ...]:
        """Canonical subject for issuer lookups."""
        return name_key(self.cert.subject)

    @cached_property
    def issuer_key(self) -> tuple[object, ...]:
        """Canonical issuer name."""
        return name_key(self.cert.issuer)

    @cached_property
    def _by_oid(self) -> dict[x509.ObjectIdentifier, x509.Extension[x509.ExtensionType]]:
        """Each extension by its OID, the first of each (one pass over the list)."""
        found: dict[x509.ObjectIdentifier, x509.Extension[x509.ExtensionType]] = {}
        for ext in self.extensions:
            found.setdefault(ext.oid, ext)
        return found

    def _ext(self, oid: x509.ObjectIdentifier) -> x509.Extension[x509.ExtensionType] | None:
        return self._by_oid.get(oid)

    def extension(self, oid: x509.ObjectIdentifier) -> x509.Extension[x509.ExtensionType] | None:
        """The extension with this OID, None when absent (or unreadable)."""
        return self._by_oid.get(oid)

    @cached_property
    def subject_text(self) -> str:
        """RFC 4514 text of the subject."""
        return self.cert.subject.rfc4514_string()

    @cached_property
    def unknown_name_oids(self) -> tuple[list[str], list[str]]:
        """Attribute OIDs Expressway does not decode, in the subject and in the issuer."""
        return unknown_oids(self.cert.subject), unknown_oids(self.cert.issuer)

    @cached_property
    def serial(self) -> str:
        """Serial number in hex, as messages show it."""
        return serial_hex(self.cert)

    def memo(self, key: str, compute: Callable[[CertFacts], T]) -> T:
        """compute(self), once per certificate: for per-certificate judgements other modules make."""
        memos: dict[str, Any] = self.__dict__.setdefault("_memos", {})
        if key not in memos:
            memos[key] = compute(self)
        return memos[key]

    def host_match(self, host: str) -> NameMatch:
        """match_host as Expressway (OpenSSL) applies it: CN fallback, partial wildcards; once per host."""
        matches: dict[str, NameMatch] = self.__dict__.setdefault("_host_matches", {})
        found = matches.get(host)
        if found is None:
            found = matches[host] = match_host(self.cert, host, cn_fallback=True, partial_wildcards=True)
        return found

    @cached_property
    def ski(self) -> bytes | None:
        """subjectKeyIdentifier digest."""
        ext = self._ext(ExtensionOID.SUBJECT_KEY_IDENTIFIER)
        return ext.value.digest if ext and isinstance(ext.value, x509.SubjectKeyIdentifier) else None

    @cached_property
    def aki(self) -> x509.AuthorityKeyIdentifier | None:
        """authorityKeyIdentifier, if present."""
        ext = self._ext(ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
        return ext.value if ext and isinstance(ext.value, x509.AuthorityKeyIdentifier) else None

    @cached_property
    def basic_constraints(self) -> x509.BasicConstraints | None:
        """basicConstraints, if present."""
        ext = self._ext(ExtensionOID.BASIC_CONSTRAINTS)
        return ext.value if ext and isinstance(ext.value, x509.BasicConstraints) else None

    @cached_property
    def key_usage(self) -> x509.KeyUsage | None:
        """keyUsage, if present."""
        ext = self._ext(ExtensionOID.KEY_USAGE)
        return ext.value if ext and isinstance(ext.value, x509.KeyUsage) else None

    @cached_property
    def eku(self) -> set[str] | None:
        """Dotted EKU OIDs, or None when the extension is absent."""
        ext = self._ext(ExtensionOID.EXTENDED_KEY_USAGE)
        if ext is None or not isinstance(ext.value, x509.ExtendedKeyUsage):
            return None
        return {o.dotted_string for o in ext.value}

    @cached_property
    def name_constraints(self) -> x509.NameConstraints | None:
        """nameConstraints, if present."""
        ext = self._ext(ExtensionOID.NAME_CONSTRAINTS)
        return ext.value if ext and isinstance(ext.value, x509.NameConstraints) else None

    @cached_property
    def sans(self) -> list[x509.GeneralName]:
        """subjectAltName entries (empty when absent)."""
        ext = self._ext(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
        if ext is None or not isinstance(ext.value, x509.SubjectAlternativeName):
            return []
        return list(ext.value)

    @cached_property
    def unhandled_critical(self) -> list[str]:
        """Critical extensions OpenSSL does not understand (dotted OIDs)."""
        return [
            e.oid.dotted_string
            for e in self.extensions
            if e.critical and e.oid.dotted_string not in OPENSSL_SUPPORTED_CRITICAL
        ]

    @cached_property
    def version1(self) -> bool:
        """X.509 v1 certificate (no extensions allowed)."""
        return self.cert.version == x509.Version.v1

    @cached_property
    def not_before(self) -> datetime:
        """Start of validity (UTC)."""
        return self.cert.not_valid_before_utc

    @cached_property
    def not_after(self) -> datetime:
        """End of validity (UTC)."""
        return self.cert.not_valid_after_utc

    @cached_property
    def self_issued(self) -> bool:
        """Subject and issuer are the same name (OpenSSL EXFLAG_SI)."""
        return self.subject_key == self.issuer_key

    @cached_property
    def self_signed(self) -> bool:
        """Self-issued with matching key ids and key type (OpenSSL EXFLAG_SS; signature not checked)."""
        return self.self_issued and self.akid_matches(self) and self.sig_alg_matches_key(self)

    @cached_property
    def explicit_curve(self) -> bool:
        """The EC key carries explicit curve parameters (OpenSSL rejects these in chains)."""
        from cryptography.hazmat.primitives.serialization import Encoding  # rare path: keep start-up light

        parts = split_certificate(self.cert.public_bytes(Encoding.DER))
        return parts is not None and has_explicit_curve(parts)

    @cached_property
    def public_key(self) -> object | None:
        """The public key, None when cryptography cannot decode it."""
        try:
            return self.cert.public_key()
        except Exception:
            return None

    def akid_matches(self, issuer: CertFacts) -> bool:
        """OpenSSL X509_check_akid: our AKI (key id, issuer+serial) agrees with the issuer."""
        aki = self.aki
        if aki is None:
            return True
        if aki.key_identifier is not None and issuer.ski is not None and aki.key_identifier != issuer.ski:
            return False
        if (
            aki.authority_cert_serial_number is not None
            and aki.authority_cert_serial_number != issuer.cert.serial_number
        ):
            return False
        if aki.authority_cert_issuer:
            for gn in aki.authority_cert_issuer:
                if isinstance(gn, x509.DirectoryName) and name_key(gn.value) != issuer.issuer_key:
                    return False
        return True

    def sig_alg_matches_key(self, issuer: CertFacts) -> bool:
        """The signature algorithm of this certificate fits the issuer's key type."""
        key = issuer.public_key
        oid = self.cert.signature_algorithm_oid.dotted_string
        if isinstance(key, rsa.RSAPublicKey):
            return oid.startswith("1.2.840.113549.1.1.")
        if isinstance(key, ec.EllipticCurvePublicKey):
            return oid.startswith("1.2.840.10045.4.")
        if isinstance(key, ed25519.Ed25519PublicKey):
            return oid == "1.3.101.112"
        if isinstance(key, ed448.Ed448PublicKey):
            return oid == "1.3.101.113"
        return True

    def likely_issued_by(self, issuer: CertFacts) -> bool:
        """OpenSSL ossl_x509_likely_issued: names, key ids and key type agree (no signature check)."""
        if issuer.invalid_reason or self.invalid_reason:
            return False
        return self.issuer_key == issuer.subject_key and self.akid_matches(issuer) and self.sig_alg_matches_key(issuer)

    def signed_by(self, issuer: CertFacts) -> bool:
        """Real signature check, cached per (certificate, issuer) for the process (bounded)."""
        key = (self.cert, issuer.cert)
        ok = _signature_cache.get(key)
        if ok is None:
            ok = signed_by(self.cert, issuer.cert)
            _remember(_signature_cache, key, ok, SIGNATURE_CACHE_SIZE)  # type: ignore[arg-type]
        return ok

    def valid_at(self, at: datetime) -> bool:
        """Within notBefore..notAfter at the instant given."""
        return self.not_before <= at <= self.not_after

    def openssl_ca_kind(self) -> int:
        """OpenSSL check_ca: 1 CA by basicConstraints, 3 v1 self-signed, 4 keyCertSign only, 0 not a CA."""
        bc = self.basic_constraints
        ku = self.key_usage
        if ku is not None and not ku.key_cert_sign:
            return 0
        if bc is not None:
            return 1 if bc.ca else 0
        if self.version1 and self.self_signed:
            return 3
        if ku is not None and ku.key_cert_sign:
            return 4
        return 0
