"""Judge a leaf, its offered chain and a trusted list: two verdicts and every finding, each explained."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from certdoctor.limits import MAX_CHAIN_DEPTH
from certdoctor.x509.certfacts import CLIENT_AUTH, SERVER_AUTH, CertFacts, facts_of, note_verified_chain
from certdoctor.x509.models import VerifyReport
from certdoctor.x509.path import BuiltPath, CrlMode, judge_path
from certdoctor.x509.store import TrustStore
from certdoctor.x509.strict import StrictResult, strict_verify

# The report is assembled as plain dicts and validated once, in one call into pydantic-core: the same models,
# fields set and dumps as building each Finding on its own, in a third of the time.
_finding = dict
_verdict = dict
_link = dict


def _report(**fields: Any) -> VerifyReport:
    return VerifyReport.model_validate(fields)


def verify_chain(
    leaf: x509.Certificate,
    chain: Sequence[x509.Certificate] = (),
    trusted: Sequence[x509.Certificate] | TrustStore = (),
    *,
    host: str | None = None,
    at: datetime | None = None,
    crls: Sequence[x509.CertificateRevocationList] = (),
    crl_mode: CrlMode = "all",
    require_crl: bool = False,
    max_depth: int | None = None,
) -> VerifyReport:
    """Both verdicts (Expressway-compatible and strict) and the findings behind them."""
    at = (at or datetime.now(UTC)).astimezone(UTC)
    store = trusted if isinstance(trusted, TrustStore) else TrustStore(trusted)
    leaf_facts = facts_of(leaf)
    offered = [facts_of(c) for c in chain if c != leaf]
    # the strict verdict first: the signatures on the path cryptography's verifier builds are then known,
    # and the OpenSSL-like judge does not check them again
    strict = strict_verify(leaf, [f.cert for f in offered], store, at, host=host, crls=crls, max_depth=max_depth)
    if strict.chain:
        note_verified_chain(strict.chain)
    path = judge_path(
        leaf_facts,
        offered,
        store,
        at,
        host=host,
        crls=crls,
        crl_mode=crl_mode,
        require_crl=require_crl,
        max_depth=MAX_CHAIN_DEPTH if max_depth is None else max_depth,
    )
    expressway = _verdict(trusted=path.trusted, reasons=[p.message for p in path.problems])
    strict_verdict = _verdict(trusted=strict.trusted, reasons=strict.reasons)
    findings = _path_findings(path) + _certificate_findings(path, host) + _store_findings(store, path, offered)
    return _report(
        leaf=leaf_facts.label,
        host=host,
        at=at,
        path=[
            _link(
                certificate=f.label,
                source=s,
                subject=f.subject_text,
                serial=f.serial,
            )
            for f, s in zip(path.chain, path.sources, strict=True)
        ],
        expressway=expressway,
        strict=strict_verdict,
        differences=_differences(path, strict),
        findings=findings,
    )


def _differences(path: BuiltPath, strict: StrictResult) -> list[str]:
    """Say why the OpenSSL-like and the strict verdict disagree, if they do."""
    if path.trusted == strict.trusted:
        return []
    if path.trusted:
        return [
            "Expressway (OpenSSL) accepts this chain but the strict RFC 5280 / CA/B Forum "
            "verifier does not: "
            + "; ".join(strict.reasons)
            + ". Expressway works today; clients that validate strictly (browsers, Jabber on "
            "some platforms, newer Expressway releases) may not."
        ]
    return [
        "The strict verifier accepts this chain but Expressway (OpenSSL) does not: "
        + "; ".join(p.message for p in path.problems)
        + ". OpenSSL applies these rules where cryptography's verifier does not, or chose "
        "another path."
    ]


def _path_findings(path: BuiltPath) -> list[dict[str, Any]]:
    """Each path problem as an error finding; a pass finding when the path is sound."""
    findings = [
        _finding(
            severity="error",
            code=p.code,
            message=p.message,
            certificate=path.chain[p.depth].label if p.depth < len(path.chain) else None,
        )
        for p in path.problems
    ]
    if path.anchored:
        root = path.chain[-1]
        findings.append(
            _finding(
                severity="pass",
                code="chain.anchored",
                certificate=root.label,
                message=f"the path ends at trusted root {root.label} ({len(path.chain)} certificate(s))",
            )
        )
    if not any(p.code.startswith("validity.") for p in path.problems):
        findings.append(
            _finding(
                severity="pass",
                code="validity.ok",
                message="every certificate on the path is within its validity period",
            )
        )
    return findings


def _certificate_findings(path: BuiltPath, host: str | None) -> list[dict[str, Any]]:
    """Expressway-specific checks on the certificates of the path: names, EKU, crypto, OIDs."""
    findings: list[dict[str, Any]] = []
    leaf = path.chain[0]
    who = leaf.label
    if host is not None:
        match = leaf.host_match(host)
        if match.matched and match.cn_only:
            findings.append(
                _finding(
                    severity="warning",
                    code="name.cn-only",
                    certificate=who,
                    message=f"'{host}' matches only the CN of {who}; it has no DNS SAN. Expressway "
                    "zones and RFC 6125 clients need the name in subjectAltName",
                )
            )
        elif match.matched:
            findings.append(
                _finding(
                    severity="pass",
                    code="name.match",
                    certificate=who,
                    message=f"'{host}' matches {match.kind} '{match.name}' on {who}",
                )
            )
        if match.matched and match.name and "*" in match.name:
            findings.append(
                _finding(
                    severity="warning",
                    code="name.wildcard",
                    certificate=who,
                    message=f"'{host}' matches wildcard '{match.name}' on {who}: wildcard "
                    "certificates are not supported on Expressway",
                )
            )
    eku = leaf.eku
    if eku is None:
        findings.append(
            _finding(
                severity="info",
                code="eku.absent",
                certificate=who,
                field="extendedKeyUsage",
                message=f"{who} has no extendedKeyUsage extension (any purpose)",
            )
        )
    else:
        for oid, name, code in (
            (SERVER_AUTH, "serverAuth (TLS Web Server Authentication)", "eku.server-auth-missing"),
            (CLIENT_AUTH, "clientAuth (TLS Web Client Authentication)", "eku.client-auth-missing"),
        ):
            if oid not in eku:
                findings.append(
                    _finding(
                        severity="warning",
                        code=code,
                        certificate=who,
                        field="extendedKeyUsage",
                        message=f"{who} lacks {name}; Expressway needs both serverAuth and "
                        "clientAuth on its own certificates",
                    )
                )
        if {SERVER_AUTH, CLIENT_AUTH} <= eku:
            findings.append(
                _finding(
                    severity="pass",
                    code="eku.ok",
                    certificate=who,
                    field="extendedKeyUsage",
                    message=f"{who} carries both serverAuth and clientAuth",
                )
            )
    for i, facts in enumerate(path.chain):
        findings += _crypto_findings(facts, is_anchor=path.anchored and i == len(path.chain) - 1)
        for where, oids in zip(("subject", "issuer"), facts.unknown_name_oids, strict=True):
            if oids:
                findings.append(
                    _finding(
                        severity="warning",
                        code="cert.unknown-oid",
                        certificate=facts.label,
                        field=where,
                        message=f"{facts.label} has attribute(s) {', '.join(oids)} in its {where} "
                        "that Expressway does not decode; they can break SSH tunnels",
                    )
                )
    return findings


def _crypto_findings(facts: CertFacts, *, is_anchor: bool) -> list[dict[str, Any]]:
    """Weak or unsupported crypto on one certificate (SHA-1, RSA < 2048, 8192-bit keys), judged once per certificate."""
    if is_anchor:
        found = facts.memo("verify.crypto.anchor", _anchor_crypto_findings)
    else:
        found = facts.memo("verify.crypto", _other_crypto_findings)
    return [dict(f) for f in found]


def _anchor_crypto_findings(facts: CertFacts) -> list[dict[str, Any]]:
    return _judge_crypto(facts, is_anchor=True)


def _other_crypto_findings(facts: CertFacts) -> list[dict[str, Any]]:
    return _judge_crypto(facts, is_anchor=False)


def _judge_crypto(facts: CertFacts, *, is_anchor: bool) -> list[dict[str, Any]]:
    """Weak or unsupported crypto on one certificate (SHA-1, RSA < 2048, 8192-bit keys)."""
    findings: list[dict[str, Any]] = []
    who = facts.label
    try:
        sig_hash = facts.cert.signature_hash_algorithm
    except Exception:
        sig_hash = None
    if isinstance(sig_hash, hashes.SHA1 | hashes.MD5) and not is_anchor:
        findings.append(
            _finding(
                severity="warning",
                code="crypto.sha1-signature",
                certificate=who,
                field="signatureAlgorithm",
                message=f"{who} is signed with {sig_hash.name.upper()}; Expressway warns "
                "'Certificate does not have an acceptable level of security' and clients "
                "distrust it",
            )
        )
    key = facts.public_key
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            findings.append(
                _finding(
                    severity="warning",
                    code="crypto.rsa-too-small",
                    certificate=who,
                    field="subjectPublicKeyInfo",
                    message=f"{who} has a {key.key_size}-bit RSA key; use at least 2048 bits",
                )
            )
        elif key.key_size >= 8192:
            findings.append(
                _finding(
                    severity="warning",
                    code="crypto.rsa-8192",
                    certificate=who,
                    field="subjectPublicKeyInfo",
                    message=f"{who} has a {key.key_size}-bit RSA key; SIP TLS zones may fail to "
                    "become active with 8192-bit keys (Cisco recommends 4096 at most)",
                )
            )
    elif key is not None and not is_anchor:
        findings.append(
            _finding(
                severity="info",
                code="crypto.non-rsa-key",
                certificate=who,
                field="subjectPublicKeyInfo",
                message=f"{who} has a {type(key).__name__.replace('PublicKey', '')} key; Cisco "
                "highly recommends RSA keys on Expressway",
            )
        )
    return findings


def _store_findings(store: TrustStore, path: BuiltPath, offered: Sequence[CertFacts]) -> list[dict[str, Any]]:
    """Trusted-list checks: duplicate subjects, and offered intermediates missing from it."""
    findings: list[dict[str, Any]] = []
    for dup in store.duplicate_subjects():
        first = dup.entries[0]
        findings.append(
            _finding(
                severity="warning",
                code="trust.duplicate-subject",
                certificate=first.label,
                message=f"the trusted list holds {len(dup.entries)} different CA certificates with "
                f"subject '{dup.subject}'; on Expressway the first ({first.label}) shadows "
                "the others: remove the stale one",
            )
        )
    for facts, source in zip(path.chain, path.sources, strict=True):
        if source == "chain":
            findings.append(
                _finding(
                    severity="warning",
                    code="chain.intermediate-not-trusted",
                    certificate=facts.label,
                    message=f"intermediate {facts.label} was offered in the chain but is not in the "
                    "trusted list: TLS may succeed, but SSH tunnels between Expressways need "
                    "every intermediate in the trusted CA list",
                )
            )
    used = {f.fingerprint for f in path.chain}
    for facts in offered:
        if facts.fingerprint not in used and facts not in store:
            findings.append(
                _finding(
                    severity="info",
                    code="chain.unused-certificate",
                    certificate=facts.label,
                    message=f"{facts.label} was offered in the chain but is not on the path",
                )
            )
    return findings
