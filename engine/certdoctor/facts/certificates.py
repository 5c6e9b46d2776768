"""Each certificate on its own: validity dates, revocation, clientAuth, weak crypto, wildcards and unknown OIDs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from certdoctor.facts.deployment import ROLE_NAMES, UPLOAD, Deployment, Served
from certdoctor.facts.fact import Facts
from certdoctor.facts.parties import LIST_SEP, checked_params
from certdoctor.x509.certfacts import CLIENT_AUTH, CertFacts, name_key
from certdoctor.x509.crl import RevocationProblem, check_revocation
from certdoctor.x509.naming import unknown_oids
from certdoctor.x509.path import BuiltPath


def certificate_facts(d: Deployment, out: Facts) -> None:
    """Validity, revocation, EKU, weak crypto, wildcards and unknown OIDs of every certificate."""
    validity_facts(d, out)
    if d.crls:
        revocation_facts(d, out)
    client_auth_facts(d, out)
    weak_crypto_facts(d, out)
    name_form_facts(d, out)


def _every_certificate(d: Deployment) -> Iterable[tuple[CertFacts, str]]:
    """Every distinct certificate the case presents or trusts, with its role."""
    seen: set[bytes] = set()
    for served in d.all_served():
        for facts, role in [(served.leaf, served.role)] + [(c, f"{served.role} chain") for c in served.chain]:
            if facts.fingerprint not in seen:
                seen.add(facts.fingerprint)
                yield facts, role
    for store, role in (
        (d.c_trust, "expressway_c trusted CA"),
        (d.e_trust, "expressway_e trusted CA"),
        (d.tomcat_trust, "cucm tomcat-trust"),
        (d.callmanager_trust, "cucm CallManager-trust"),
    ):
        for facts in store or []:
            if facts.fingerprint not in seen:
                seen.add(facts.fingerprint)
                yield facts, role


def _holder(d: Deployment) -> dict[bytes, dict[str, str]]:
    """The checked_* params of each served leaf, by fingerprint: who presents the certificate."""
    held: dict[bytes, dict[str, str]] = {}
    for served in d.all_served():
        held.setdefault(served.leaf.fingerprint, checked_params(served))
    return held


def validity_facts(d: Deployment, out: Facts) -> None:
    """Every certificate presented or trusted is within its validity dates at the case's moment."""
    at = d.at
    held = _holder(d)
    for facts, role in _every_certificate(d):
        expired = at >= facts.not_after
        early = at < facts.not_before
        when = (
            f"expired on {facts.not_after:%Y-%m-%d}"
            if expired
            else f"not valid until {facts.not_before:%Y-%m-%d}"
            if early
            else f"valid until {facts.not_after:%Y-%m-%d}"
        )
        out.add(
            "cert.expired",
            expired or early,
            "certificates",
            f"{role} certificate {facts.label} {when}",
            ok=not (expired or early),
            certificate=facts.label,
            role=role,
            when=when,
            **held.get(facts.fingerprint, {}),
        )
        if early:
            out.add(
                "cert.not_yet_valid",
                True,
                "certificates",
                f"{role} certificate {facts.label} is not valid until {facts.not_before:%Y-%m-%d %H:%M}Z",
                ok=False,
                certificate=facts.label,
                role=role,
                **held.get(facts.fingerprint, {}),
            )


#: Path problems that are revocation findings: a certificate on a supplied CRL, or a CRL past its nextUpdate.
_REVOKED, _CRL_EXPIRED = "revocation.revoked", "revocation.crl-expired"


@dataclass
class _Hit:
    """One revocation finding on the paths of one side: the certificate, its issuer, the CRL, who presents it."""

    cert: CertFacts
    issuer: CertFacts
    problem: RevocationProblem
    position: str
    presenters: list[Served] = field(default_factory=list)


def revocation_facts(d: Deployment, out: Facts) -> None:
    """Every certificate on every path (leaf or CA, any side, the upload too) against the supplied CRLs.

    A path is each one the trust checks judged, and one per server built from every CA the case holds (so a
    certificate is judged even when no trusted list checks it). A revoked certificate is a cert.revoked fact,
    a CRL past its nextUpdate a cert.crl_expired fact: one per certificate and side, naming its issuer, the
    CRL and who presents it. Each served leaf, and each CA a supplied CRL could judge, not revoked: False.
    """
    hits: dict[tuple[str, bytes, str, bool], _Hit] = {}  # (code, certificate, side, the upload's) -> finding
    clean: dict[bytes, tuple[CertFacts, Served]] = {}
    judged = d.judged()
    servers = [*d.all_served(), *([d.upload_served] if d.upload_served is not None else [])]
    for served in servers:
        paths = [path for s, path in judged if s is served] + [d.revocation_path(served)]
        for path in paths:
            for depth, cert in enumerate(path.chain):
                anchor = depth == len(path.chain) - 1 and path.anchored and depth > 0
                if depth == 0 or (not anchor and any(name_key(c.issuer) == cert.issuer_key for c in d.crls)):
                    clean.setdefault(cert.fingerprint, (cert, served))
            for p in path.problems:
                if p.code not in (_REVOKED, _CRL_EXPIRED):
                    continue
                cert = path.chain[p.depth]
                issuer = path.chain[p.depth + 1] if p.depth + 1 < len(path.chain) else cert
                detail = next(
                    (r for r in check_revocation(cert, issuer, d.crls, d.at, require_crl=False) if r.code == p.code),
                    RevocationProblem(p.code, p.message),
                )
                key = (p.code, cert.fingerprint, _side(served), served.role == UPLOAD)
                hit = hits.setdefault(key, _Hit(cert, issuer, detail, _position(d, served, path, p.depth)))
                if served not in hit.presenters:
                    hit.presenters.append(served)
    revoked = {fp for code, fp, _, _ in hits if code == _REVOKED}
    for (code, _, side, _), hit in hits.items():
        who = _presenters(d, hit.presenters)
        params = {
            "certificate": hit.cert.label,
            "issuer": hit.issuer.label,
            "crl": hit.problem.crl or hit.problem.message,
            "since": hit.problem.since,
            "reason": hit.problem.reason,
            "role": side,
            "position": hit.position,
            "presented_by": who,
            **_checked(d, side, hit.presenters, who),
        }
        if code == _REVOKED:
            why = f", reason {hit.problem.reason}" if hit.problem.reason else ""
            out.add(
                "cert.revoked",
                True,
                "certificates",
                f"{hit.cert.label}, issued by {hit.issuer.label}, is revoked by {params['crl']} since "
                f"{hit.problem.since}{why}: it is {hit.position} of {who}",
                ok=False,
                **params,
            )
        else:
            out.add(
                "cert.crl_expired",
                True,
                "certificates",
                f"{params['crl']} expired on {hit.problem.since}; it judges {hit.cert.label} ({hit.position} of "
                f"{who}), which counts as revoked while CRL checking is on",
                ok=False,
                **params,
            )
    for fingerprint, (cert, served) in clean.items():
        if fingerprint in revoked:
            continue
        side = _side(served)
        who = _presenters(d, [served])
        out.add(
            "cert.revoked",
            False,
            "certificates",
            f"{cert.label} is on no supplied CRL",
            ok=True,
            certificate=cert.label,
            role=side,
            crl="",
            presented_by=who,
            **_checked(d, side, [served], who),
        )


def _side(served: Served) -> str:
    """The side that presents a certificate: expressway_c, expressway_e, cucm, or the upload's target."""
    if served.role == UPLOAD:
        return served.node or UPLOAD
    return "cucm" if served.role.startswith("cucm") else served.role


def _position(d: Deployment, served: Served, path: BuiltPath, depth: int) -> str:
    """Where a certificate sits on a server's path: its own certificate, a CA it sends, or a CA from a list."""
    cert = path.chain[depth]
    if depth == 0:
        return "the certificate in the upload file" if served.role == UPLOAD else "the server certificate"
    if any(c.fingerprint == cert.fingerprint for c in served.chain):
        return "an issuing CA sent in the chain" if served.role != UPLOAD else "an issuing CA in the upload file"
    lists = [
        name
        for store, name in (
            (d.c_trust, "Expressway-C's trusted CA list"),
            (d.e_trust, "Expressway-E's trusted CA list"),
            (d.tomcat_trust, "Unified CM tomcat-trust"),
            (d.callmanager_trust, "Unified CM CallManager-trust"),
        )
        if store is not None and cert in store
    ]
    return "an issuing CA on the path" + (f" (in {' and '.join(lists)})" if lists else "")


def _presenters(d: Deployment, served: Sequence[Served]) -> str:
    """Who presents a certificate, for sentences: 'Expressway-E nodes a, b', 'Unified CM node c (tomcat ...)'."""
    first = served[0]
    if first.role == UPLOAD:
        return f"the upload file {d.case.upload.file if d.case.upload else ''}".strip()
    nodes = list(dict.fromkeys(s.node for s in served))
    side = _side(first)
    what = ROLE_NAMES.get(side, side)
    named = [n for n in nodes if not n.startswith(what)]
    text = f"{what} node{'s' if len(named) > 1 else ''} {', '.join(named)}" if named else ", ".join(nodes)
    if side == "cucm":
        kinds = list(dict.fromkeys(s.role.removeprefix("cucm ") for s in served))
        text += f" ({' and '.join(kinds)} certificate{'s' if len(kinds) > 1 else ''})"
    return text


def _checked(d: Deployment, side: str, served: Sequence[Served], who: str) -> dict[str, str]:
    """The checked_* params of the presenters (facts/parties.py): the side, its nodes, the sentence naming them."""
    nodes = [] if served[0].role == UPLOAD else list(dict.fromkeys(s.node for s in served))
    return {"checked_role": side, "checked_name": who, "checked_node": LIST_SEP.join(nodes)}


def client_auth_facts(d: Deployment, out: Facts) -> None:
    """Expressway and Unified CM CallManager leaves carry TLS Web Client Authentication (clientAuth)."""
    for served in d.c + d.e + d.callmanager:
        eku = served.leaf.eku
        missing = eku is not None and CLIENT_AUTH not in eku
        out.add(
            "cert.client_auth_missing",
            missing,
            "certificates",
            f"{served.role} certificate {served.leaf.label} "
            + ("lacks" if missing else "has")
            + " TLS Web Client Authentication (clientAuth)",
            ok=not missing,
            certificate=served.leaf.label,
            role=served.role,
            **checked_params(served),
        )


def weak_crypto_facts(d: Deployment, out: Facts) -> None:
    """Each served leaf's signature hash and RSA key size."""
    for served in d.all_served():
        weak = _weakness(served.leaf)
        out.add(
            "cert.weak_crypto",
            bool(weak),
            "certificates",
            f"{served.role} certificate {served.leaf.label}: " + (weak or "SHA-2 signature, key size fine"),
            ok=not weak,
            certificate=served.leaf.label,
            role=served.role,
            weakness=weak or "none",
            **checked_params(served),
        )


def _weakness(facts: CertFacts) -> str:
    """What is weak about a certificate (SHA-1/MD5 signature, RSA key too small or too big); empty when nothing."""
    parts = []
    try:
        sig = facts.cert.signature_hash_algorithm
    except Exception:
        sig = None
    if isinstance(sig, hashes.SHA1 | hashes.MD5):
        parts.append(f"{sig.name.upper()} signature")
    key = facts.public_key
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            parts.append(f"{key.key_size}-bit RSA key")
        elif key.key_size >= 8192:
            parts.append(f"{key.key_size}-bit RSA key (SIP TLS zones may fail)")
    return ", ".join(parts)


def name_form_facts(d: Deployment, out: Facts) -> None:
    """Expressway leaves: no wildcard name, and only standard subject/issuer attributes."""
    for served in d.c + d.e:
        m = served.name_match
        wild = [n for n in (*m.dns_sans, m.cn or "") if "*" in n]
        out.add(
            "cert.wildcard",
            bool(wild),
            "certificates",
            f"{served.role} certificate {served.leaf.label} "
            + (f"carries wildcard name(s) {', '.join(wild)}" if wild else "has no wildcard name"),
            ok=not wild,
            certificate=served.leaf.label,
            role=served.role,
            names=", ".join(wild),
            **checked_params(served),
        )
        oids = unknown_oids(served.leaf.cert.subject) + unknown_oids(served.leaf.cert.issuer)
        out.add(
            "cert.unknown_oid",
            bool(oids),
            "certificates",
            f"{served.role} certificate {served.leaf.label} "
            + (
                f"has undecoded OID(s) {', '.join(oids)} in subject/issuer"
                if oids
                else "has only standard subject/issuer attributes"
            ),
            ok=not oids,
            certificate=served.leaf.label,
            oids=", ".join(oids),
            **checked_params(served),
        )
