"""The strict verdict: cryptography's RFC 5280 / CA/B Forum verifier, plus the checks it leaves out."""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509 import verification
from cryptography.x509.oid import ExtensionOID

from certdoctor.x509.certfacts import CertFacts, facts_of, name_key
from certdoctor.x509.crl import check_revocation, crl_label
from certdoctor.x509.names import normalize_host
from certdoctor.x509.naming import common_name, ip_or_none
from certdoctor.x509.store import TrustStore

ANY_EKU = "2.5.29.37.0"


@dataclass
class StrictResult:
    """Trusted or not by cryptography's verifier and our extra checks, with the reasons."""

    trusted: bool
    reasons: list[str] = field(default_factory=list)
    chain: list[x509.Certificate] = field(default_factory=list)


@functools.lru_cache(maxsize=256)
def _host_subject(host: str) -> verification.Subject:
    """The verifier's subject for a host given: an IP address or a DNS name (immutable, so shared)."""
    address = ip_or_none(host)
    if address is not None:
        return x509.IPAddress(address)
    return x509.DNSName(normalize_host(host))


def _subject(leaf: x509.Certificate, host: str | None) -> verification.Subject | None:
    """The name the verifier checks: the host given, else the certificate's own first SAN."""
    if host is not None:
        return _host_subject(host)
    for gn in facts_of(leaf).sans:
        if isinstance(gn, x509.DNSName) and "*" not in gn.value:
            return gn
        if isinstance(gn, x509.IPAddress):
            return gn
    return None


def strict_verify(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    trusted: TrustStore,
    at: datetime,
    *,
    host: str | None = None,
    crls: Sequence[x509.CertificateRevocationList] = (),
    max_depth: int | None = None,
) -> StrictResult:
    """Run cryptography's server verifier, then revocation on the chain it built."""
    store = trusted.verification_store()
    if store is None:
        return StrictResult(False, ["the trusted list is empty"])
    subject = _subject(leaf, host)
    if subject is None:
        return StrictResult(
            False,
            ["no host given and the certificate has no DNS or IP SAN to check it against (RFC 6125 needs a SAN)"],
        )
    builder = verification.PolicyBuilder().store(store).time(at)
    if max_depth is not None:
        builder = builder.max_chain_depth(max(0, min(max_depth, 255)))
    try:
        verifier = builder.build_server_verifier(subject)
        chain = verifier.verify(leaf, list(intermediates))
    except verification.VerificationError as exc:
        return StrictResult(False, [f"cryptography's verifier: {exc}"])
    except ValueError as exc:
        return StrictResult(False, [f"cryptography's verifier refused the input: {exc}"])
    facts = [facts_of(c) for c in chain]
    reasons = profile_problems(facts)
    for i in range(len(facts) - 1):
        for problem in check_revocation(facts[i], facts[i + 1], crls, at, require_crl=False):
            reasons.append(problem.message)
        reasons += _crl_profile_problems(facts[i], crls)
    return StrictResult(not reasons, reasons, list(chain))


def _crl_profile_problems(cert: CertFacts, crls: Sequence[x509.CertificateRevocationList]) -> list[str]:
    """RFC 5280 5.2: a CRL must carry a non-critical cRLNumber."""
    reasons = []
    for crl in crls:
        if name_key(crl.issuer) != cert.issuer_key:
            continue
        try:
            number = crl.extensions.get_extension_for_oid(ExtensionOID.CRL_NUMBER)
        except x509.ExtensionNotFound:
            reasons.append(f"{crl_label(crl)} has no cRLNumber (RFC 5280 5.2.3)")
            continue
        except Exception as exc:  # malformed or duplicated CRL extensions
            reasons.append(f"{crl_label(crl)} has unreadable extensions: {exc}")
            continue
        if number.critical:
            reasons.append(f"{crl_label(crl)} marks cRLNumber critical (RFC 5280 5.2.3)")
    return reasons


def _key_problem(facts: CertFacts) -> str | None:
    """CA/B Forum key rules: RSA of at least 2048 bits in whole bytes, or P-256/384/521."""
    key = facts.public_key
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            return f"{facts.label} has a {key.key_size}-bit RSA key (at least 2048 required)"
        if key.key_size % 8:
            return f"{facts.label} has an RSA modulus of {key.key_size} bits, not whole bytes"
        return None
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in ("secp256r1", "secp384r1", "secp521r1"):
            return f"{facts.label} uses curve {key.curve.name} (only P-256, P-384, P-521)"
        return None
    if isinstance(key, dsa.DSAPublicKey):
        return f"{facts.label} has a DSA key, which the Web PKI forbids"
    return None


def _lenient_ip(text: str) -> str | None:
    """The canonical form of an IP written loosely (hex, leading zeros, upper case, uncompressed)."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    try:
        return socket.inet_ntoa(socket.inet_aton(text)) if "." in text or "x" in text else None
    except OSError:
        return None


def _cn_problem(leaf: CertFacts) -> str | None:
    """CA/B Forum 7.1.4.3: a CN naming one of the SAN hosts must spell it exactly as the SAN does."""
    cn = common_name(leaf.cert.subject)
    if cn is None:
        return None
    dns = {g.value for g in leaf.sans if isinstance(g, x509.DNSName)}
    ips = {str(g.value) for g in leaf.sans if isinstance(g, x509.IPAddress)}
    if cn in dns or cn in ips:
        return None
    try:
        a_label = cn.encode("idna").decode("ascii").lower()
    except UnicodeError:
        a_label = cn.lower()
    same_host = a_label in {d.lower() for d in dns} or _lenient_ip(cn) in ips
    if not same_host:
        return None
    return (
        f"the CN '{cn}' of {leaf.label} names a SAN host but spells it differently "
        "(CA/B Forum 7.1.4.3 requires the exact SAN value)"
    )


def profile_problems(chain: Sequence[CertFacts]) -> list[str]:
    """RFC 5280 and CA/B Forum rules cryptography's verifier leaves unchecked, on a built chain."""
    reasons: list[str] = []
    last = len(chain) - 1
    for i, facts in enumerate(chain):
        cert = facts.cert
        who = facts.label
        is_anchor = i == last
        if cert.serial_number <= 0 and not is_anchor:
            reasons.append(f"{who} has a serial number that is not positive (RFC 5280 4.1.2.2)")
        is_root = is_anchor and facts.self_issued
        for broken in facts.extension_problems:
            reasons.append(f"{who} has an extension ({broken.oid}) that cannot be decoded: {broken.reason}")
        if not is_root and facts.aki is None:
            reasons.append(f"{who} lacks authorityKeyIdentifier (RFC 5280 4.2.1.1)")
        if i > 0 and facts.ski is None:
            reasons.append(f"CA {who} lacks subjectKeyIdentifier (RFC 5280 4.2.1.2)")
        if is_root and facts.aki is not None:
            aki = facts.aki
            if aki.authority_cert_issuer or aki.authority_cert_serial_number is not None:
                reasons.append(f"root {who} has authorityCertIssuer/SerialNumber in its AKI")
            elif aki.key_identifier is not None and aki.key_identifier != facts.ski:
                reasons.append(f"root {who} has an AKI that differs from its own SKI")
        for oid, name in (
            (ExtensionOID.NAME_CONSTRAINTS, "nameConstraints"),
            (ExtensionOID.POLICY_CONSTRAINTS, "policyConstraints"),
        ):
            ext = facts.extension(oid)
            if ext is not None and not ext.critical:
                reasons.append(f"{who} has a non-critical {name} (RFC 5280 requires critical)")
        if is_root and i > 0 and facts.eku is not None:
            reasons.append(f"root {who} carries extendedKeyUsage (CA/B Forum forbids it)")
        problem = _key_problem(facts)
        if problem:
            reasons.append(problem)
    leaf = chain[0]
    if leaf.eku is None:
        reasons.append(f"{leaf.label} has no extendedKeyUsage (CA/B Forum requires serverAuth)")
    elif ANY_EKU in leaf.eku:
        reasons.append(f"{leaf.label} asserts anyExtendedKeyUsage (CA/B Forum forbids it)")
    problem = leaf.memo("strict.cn_problem", _cn_problem)
    if problem:
        reasons.append(problem)
    for g in leaf.sans:
        if isinstance(g, x509.DNSName) and g.value.startswith("*.") and g.value.count(".") < 2:
            reasons.append(f"{leaf.label} has wildcard '{g.value}' over a public suffix")
    return reasons
