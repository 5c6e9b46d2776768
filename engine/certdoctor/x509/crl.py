"""Revocation from supplied CRLs, offline, judged as OpenSSL's check_revocation judges it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import CRLEntryExtensionOID, ExtensionOID

from certdoctor.x509.certfacts import CertFacts, name_key
from certdoctor.x509.naming import name_text
from certdoctor.x509.signatures import crl_signed_by

_HANDLED_CRITICAL_CRL = {
    ExtensionOID.ISSUING_DISTRIBUTION_POINT.dotted_string,
    ExtensionOID.DELTA_CRL_INDICATOR.dotted_string,
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER.dotted_string,
}


@dataclass(frozen=True)
class RevocationProblem:
    """One revocation finding for a certificate: a stable code and a message."""

    code: str
    message: str
    blocking: bool = True
    #: The CRL the problem is about (crl_label), and for a revocation its date and reason: what facts name.
    crl: str = ""
    since: str = ""
    reason: str = ""


def crl_label(crl: x509.CertificateRevocationList) -> str:
    """How messages name a CRL."""
    return f"CRL of '{name_text(crl.issuer)}' (this update {crl.last_update_utc:%Y-%m-%d})"


def _crl_problem(crl: x509.CertificateRevocationList, issuer: CertFacts, at: datetime) -> RevocationProblem | None:
    """Why this CRL cannot be used to judge certificates of issuer, or None when it can."""
    who = crl_label(crl)
    try:
        exts = crl.extensions
    except Exception as exc:  # malformed or duplicated CRL extensions
        return RevocationProblem("revocation.crl-unreadable", f"{who} has unreadable extensions: {exc}")
    unknown = [e.oid.dotted_string for e in exts if e.critical and e.oid.dotted_string not in _HANDLED_CRITICAL_CRL]
    if unknown:
        return RevocationProblem(
            "revocation.crl-critical-extension",
            f"{who} carries critical extension(s) {', '.join(unknown)} that OpenSSL does not handle",
        )
    ku = issuer.key_usage
    if ku is not None and not ku.crl_sign:
        return RevocationProblem(
            "revocation.crl-issuer-cannot-sign",
            f"{issuer.label} signs CRLs but its keyUsage lacks cRLSign",
        )
    if not crl_signed_by(crl, issuer.cert):
        return RevocationProblem("revocation.crl-signature-invalid", f"{who} is not signed by {issuer.label}")
    if crl.last_update_utc > at:
        return RevocationProblem("revocation.crl-not-yet-valid", f"{who} is not valid yet at {at:%Y-%m-%d %H:%M}Z")
    if crl.next_update_utc is not None and crl.next_update_utc < at:
        return RevocationProblem(
            "revocation.crl-expired",
            f"{who} expired on {crl.next_update_utc:%Y-%m-%d}: Expressway treats every certificate "
            "of that CA as revoked",
            crl=who,
            since=f"{crl.next_update_utc:%Y-%m-%d}",
        )
    return None


def check_revocation(
    cert: CertFacts,
    issuer: CertFacts,
    crls: Sequence[x509.CertificateRevocationList],
    at: datetime,
    *,
    require_crl: bool,
) -> list[RevocationProblem]:
    """Problems revoking or failing to judge cert with the CRLs from its issuer."""
    mine = [c for c in crls if name_key(c.issuer) == cert.issuer_key]
    if not mine:
        if require_crl:
            return [
                RevocationProblem(
                    "revocation.crl-missing",
                    f"no CRL from '{name_text(cert.cert.issuer)}' was supplied for {cert.label}",
                )
            ]
        return []
    problems: list[RevocationProblem] = []
    for crl in mine:
        problem = _crl_problem(crl, issuer, at)
        if problem is not None:
            problems.append(problem)
            continue
        entry = crl.get_revoked_certificate_by_serial_number(cert.cert.serial_number)
        if entry is None:
            return []
        reason = ""
        try:
            ext = entry.extensions.get_extension_for_oid(CRLEntryExtensionOID.CRL_REASON)
            if isinstance(ext.value, x509.CRLReason):
                reason = str(ext.value.reason.value)
        except Exception:  # absent or unreadable reason code: the revocation still stands
            pass
        since = f"{entry.revocation_date_utc:%Y-%m-%d}"
        return [
            RevocationProblem(
                "revocation.revoked",
                f"{cert.label} is revoked by {crl_label(crl)} since {since}" + (f", reason {reason}" if reason else ""),
                crl=crl_label(crl),
                since=since,
                reason=reason,
            )
        ]
    return problems[:1]
