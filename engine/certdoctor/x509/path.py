"""Build and judge a certificate path the way OpenSSL 3.0 (and so Expressway) does, keeping every reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from certdoctor.limits import MAX_CHAIN_DEPTH, MAX_PATH_BUILDING_STEPS
from certdoctor.x509.certfacts import MS_SGC, NS_SGC, SERVER_AUTH, CertFacts
from certdoctor.x509.constraints import name_constraint_violations
from certdoctor.x509.crl import check_revocation
from certdoctor.x509.naming import name_text
from certdoctor.x509.store import TrustStore

Source = Literal["leaf", "chain", "trusted"]
CrlMode = Literal["none", "leaf", "all"]


@dataclass(frozen=True)
class PathProblem:
    """One reason the path fails, tied to the certificate at depth (0 = leaf)."""

    code: str
    depth: int
    message: str


@dataclass
class BuiltPath:
    """A path from the leaf towards a trust anchor, with where each certificate came from."""

    chain: list[CertFacts]
    sources: list[Source]
    anchored: bool
    problems: list[PathProblem] = field(default_factory=list)
    notes: list[PathProblem] = field(default_factory=list)

    @property
    def trusted(self) -> bool:
        """True when nothing blocks trust."""
        return not self.problems


def _pick(candidates: Sequence[CertFacts], at: datetime) -> CertFacts | None:
    """OpenSSL's choice among issuer candidates: the first valid now, else the one expiring last."""
    best: CertFacts | None = None
    for c in candidates:
        if c.valid_at(at):
            return c
        if best is None or c.not_after > best.not_after:
            best = c
    return best


def build_path(
    leaf: CertFacts,
    untrusted: Sequence[CertFacts],
    store: TrustStore,
    at: datetime,
    max_depth: int = MAX_CHAIN_DEPTH,
) -> BuiltPath:
    """OpenSSL build_chain with trusted-first lookup: trusted issuers before offered ones, no loops."""
    chain = [leaf]
    sources: list[Source] = ["leaf"]
    seen = {leaf.fingerprint}
    only_trusted = False
    steps = 0
    limit = min(max_depth, MAX_CHAIN_DEPTH) + 2
    while len(chain) < limit + 1 and steps < MAX_PATH_BUILDING_STEPS:
        last = chain[-1]
        if last.self_signed:
            break
        steps += 1
        trusted = [c for c in store.issuer_candidates(last) if c.fingerprint not in seen]
        steps += len(trusted)
        issuer = _pick(trusted, at)
        source: Source = "trusted"
        if issuer is None and not only_trusted:
            offered = [c for c in untrusted if c.fingerprint not in seen and last.likely_issued_by(c)]
            steps += len(untrusted)
            issuer = _pick(offered, at)
            source = "chain"
        if issuer is None:
            break
        if source == "trusted":
            only_trusted = True
        chain.append(issuer)
        sources.append(source)
        seen.add(issuer.fingerprint)
    last = chain[-1]
    anchored = last.self_signed and last in store
    return BuiltPath(chain=chain, sources=sources, anchored=anchored)


def _trust_problems(path: BuiltPath, untrusted: Sequence[CertFacts], store: TrustStore, max_depth: int) -> None:
    """Explain why the path does not end at a trusted self-signed root, if it does not."""
    chain = path.chain
    intermediates = len(chain) - 2 if path.anchored else len(chain) - 1
    if intermediates > max_depth:
        path.problems.append(
            PathProblem(
                "chain.too-long",
                len(chain) - 1,
                f"the path needs {intermediates} intermediate CAs; the limit is {max_depth}",
            )
        )
    if path.anchored:
        return
    last = chain[-1]
    depth = len(chain) - 1
    if last.self_signed:
        if depth == 0:
            path.problems.append(
                PathProblem("chain.leaf-self-signed", 0, f"{last.label} is self-signed and not in the trusted list")
            )
        else:
            path.problems.append(
                PathProblem(
                    "chain.root-not-trusted",
                    depth,
                    f"root {last.label} was offered in the chain but is not in the trusted list",
                )
            )
        return
    if path.sources[-1] == "trusted" or last in store:
        path.problems.append(
            PathProblem(
                "chain.anchor-not-root",
                depth,
                f"{last.label} is in the trusted list but its issuer '{name_text(last.cert.issuer)}' "
                "is not: Expressway needs every CA up to the self-signed root",
            )
        )
        return
    aki = last.aki.key_identifier if last.aki is not None else None
    key_text = f", key id {aki.hex()}" if aki else ""
    message = (
        f"issuer of {last.label} ('{name_text(last.cert.issuer)}'{key_text}) is neither in "
        "the trusted list nor in the offered chain"
    )
    # the trusted ones through the index (in list order), not by reading every entry of a large list
    same_name = [c for c in untrusted if c.subject_key == last.issuer_key] + store.with_subject(last.issuer_key)
    if same_name:
        message += "; a CA with that name is present but " + _why_not_issuer(last, same_name[0], path)
    path.problems.append(PathProblem("chain.issuer-missing", depth, message))


def _why_not_issuer(child: CertFacts, candidate: CertFacts, path: BuiltPath) -> str:
    """Why a CA with the right name was not taken as child's issuer."""
    if candidate.invalid_reason:
        return f"unusable: {candidate.invalid_reason}"
    if child.invalid_reason:
        return f"{child.label} itself is unusable: {child.invalid_reason}"
    if any(c.fingerprint == candidate.fingerprint for c in path.chain):
        return "it is already on the path (the issuers form a loop)"
    aki = child.aki.key_identifier if child.aki is not None else None
    if aki is not None and candidate.ski is not None and aki != candidate.ski:
        return f"its key id {candidate.ski.hex()} does not match: a renewed or different CA?"
    if not child.sig_alg_matches_key(candidate):
        return "its key type does not fit the signature algorithm"
    return "its authorityKeyIdentifier issuer or serial does not match"


def _extension_problems(path: BuiltPath, at: datetime) -> None:
    """OpenSSL check_chain_extensions with purpose sslserver: CA flags, key usage, EKU, pathlen."""
    chain = path.chain
    plen = 0
    for i, facts in enumerate(chain):
        if facts.invalid_reason:
            path.problems.append(PathProblem("chain.invalid-extension", i, f"{facts.label}: {facts.invalid_reason}"))
            continue
        if facts.public_key is None:
            path.problems.append(
                PathProblem(
                    "chain.key-unreadable",
                    i,
                    f"the public key of {facts.label} cannot be decoded (unsupported algorithm or "
                    "explicit curve parameters)",
                )
            )
        elif len(chain) > 1 and isinstance(facts.public_key, ec.EllipticCurvePublicKey) and facts.explicit_curve:
            path.problems.append(
                PathProblem(
                    "chain.explicit-curve",
                    i,
                    f"the EC key of {facts.label} spells out its curve parameters instead of naming "
                    "the curve; OpenSSL refuses such keys",
                )
            )
        if facts.unhandled_critical:
            path.problems.append(
                PathProblem(
                    "chain.critical-extension-unknown",
                    i,
                    f"{facts.label} has critical extension(s) OpenSSL does not understand: "
                    f"{', '.join(facts.unhandled_critical)}",
                )
            )
        if i > 0:
            kind = facts.openssl_ca_kind()
            if kind == 0 or (i + 1 < len(chain) and kind != 1):
                path.problems.append(_not_a_ca(facts, i))
        eku = facts.eku
        if eku is not None and not eku & {SERVER_AUTH, NS_SGC, MS_SGC}:
            what = "CA" if i > 0 else "server certificate"
            path.problems.append(
                PathProblem(
                    "chain.eku-no-server-auth",
                    i,
                    f"{what} {facts.label} has extendedKeyUsage without serverAuth (TLS Web Server Authentication)",
                )
            )
        if i == 0 and facts.key_usage is not None:
            ku = facts.key_usage
            if not (ku.digital_signature or ku.key_encipherment or ku.key_agreement):
                path.problems.append(
                    PathProblem(
                        "chain.key-usage-not-tls",
                        0,
                        f"{facts.label} keyUsage allows neither digitalSignature, keyEncipherment nor "
                        "keyAgreement, so it cannot serve TLS",
                    )
                )
        bc = facts.basic_constraints
        if i > 1 and bc is not None and bc.path_length is not None and plen > bc.path_length:
            path.problems.append(
                PathProblem(
                    "chain.path-length-exceeded",
                    i,
                    f"{facts.label} allows {bc.path_length} CA(s) below it (pathLenConstraint) but the path has {plen}",
                )
            )
        if i > 0 and not facts.self_issued:
            plen += 1


def _not_a_ca(facts: CertFacts, depth: int) -> PathProblem:
    """Why OpenSSL refuses facts as an issuing CA."""
    ku = facts.key_usage
    bc = facts.basic_constraints
    if ku is not None and not ku.key_cert_sign:
        return PathProblem("chain.ca-no-keycertsign", depth, f"CA {facts.label} has keyUsage without keyCertSign")
    if bc is not None and not bc.ca:
        return PathProblem(
            "chain.ca-not-ca",
            depth,
            f"{facts.label} issues certificates but its basicConstraints say CA:FALSE",
        )
    return PathProblem(
        "chain.ca-no-basic-constraints",
        depth,
        f"CA {facts.label} lacks basicConstraints CA:TRUE, which Expressway requires of every CA",
    )


def _signature_and_time_problems(path: BuiltPath, at: datetime) -> None:
    """OpenSSL internal_verify: each signature from the root down, and each validity period."""
    chain = path.chain
    for i in range(len(chain) - 1, -1, -1):
        facts = chain[i]
        issuer = chain[i + 1] if i + 1 < len(chain) else (facts if facts.self_signed else None)
        is_anchor = path.anchored and i == len(chain) - 1
        if issuer is not None and not is_anchor:
            if issuer is not facts and issuer.public_key is None:
                path.problems.append(
                    PathProblem(
                        "chain.issuer-key-unreadable",
                        i + 1,
                        f"the public key of {issuer.label} cannot be decoded",
                    )
                )
            elif not facts.signed_by(issuer):
                path.problems.append(
                    PathProblem(
                        "chain.signature-invalid",
                        i,
                        f"the signature on {facts.label} does not verify with the key of {issuer.label}",
                    )
                )
        if at < facts.not_before:
            path.problems.append(
                PathProblem(
                    "validity.not-yet-valid",
                    i,
                    f"{facts.label} is not valid until {facts.not_before:%Y-%m-%d %H:%M}Z "
                    f"(checked at {at:%Y-%m-%d %H:%M}Z)",
                )
            )
        elif at >= facts.not_after:  # OpenSSL X509_cmp_time: notAfter <= now is expired
            path.problems.append(
                PathProblem(
                    "validity.expired",
                    i,
                    f"{facts.label} expired on {facts.not_after:%Y-%m-%d %H:%M}Z (checked at {at:%Y-%m-%d %H:%M}Z)",
                )
            )


def _revocation_problems(
    path: BuiltPath,
    crls: Sequence[x509.CertificateRevocationList],
    at: datetime,
    mode: CrlMode,
    require_crl: bool,
) -> None:
    """check_revocation: the leaf (or every certificate) against CRLs from its issuer."""
    if mode == "none" or not crls:
        return
    chain = path.chain
    last = len(chain) if mode == "all" else 1
    for i in range(min(last, len(chain))):
        facts = chain[i]
        issuer = chain[i + 1] if i + 1 < len(chain) else (facts if facts.self_signed else None)
        if issuer is None or (i == len(chain) - 1 and path.anchored and i > 0):
            continue
        for p in check_revocation(facts, issuer, crls, at, require_crl=require_crl):
            path.problems.append(PathProblem(p.code, i, p.message))


def judge_path(
    leaf: CertFacts,
    untrusted: Sequence[CertFacts],
    store: TrustStore,
    at: datetime,
    *,
    host: str | None = None,
    crls: Sequence[x509.CertificateRevocationList] = (),
    crl_mode: CrlMode = "all",
    require_crl: bool = False,
    max_depth: int = MAX_CHAIN_DEPTH,
) -> BuiltPath:
    """Build the path and collect every OpenSSL-style reason not to trust it (purpose sslserver)."""
    path = build_path(leaf, untrusted, store, at, max_depth)
    _trust_problems(path, untrusted, store, max_depth)
    _extension_problems(path, at)
    if host is not None:
        match = leaf.host_match(host)
        if not match.matched:
            path.problems.append(
                PathProblem(
                    "name.mismatch",
                    0,
                    f"'{host}' is not a name on {leaf.label} (names: {match.names_text()})",
                )
            )
    _revocation_problems(path, crls, at, crl_mode, require_crl)
    _signature_and_time_problems(path, at)
    for depth, message in name_constraint_violations(path.chain):
        path.problems.append(PathProblem("chain.name-constraints", depth, message))
    return path
