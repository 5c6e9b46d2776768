"""Each certificate on its own: validity dates, revocation, clientAuth, weak crypto, wildcards and unknown OIDs."""

from __future__ import annotations

from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from certdoctor.facts.deployment import Deployment
from certdoctor.facts.fact import Facts
from certdoctor.x509.certfacts import CLIENT_AUTH, CertFacts
from certdoctor.x509.naming import unknown_oids


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


def validity_facts(d: Deployment, out: Facts) -> None:
    """Every certificate presented or trusted is within its validity dates at the case's moment."""
    at = d.at
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
            )


def revocation_facts(d: Deployment, out: Facts) -> None:
    """Each served leaf against the supplied CRLs, and every CRL that has expired (read off the judged paths)."""
    revoked: dict[str, str] = {}
    stale: dict[str, str] = {}
    for path in d.judged():
        for p in path.problems:
            who = path.chain[p.depth].label if p.depth < len(path.chain) else ""
            if p.code == "revocation.revoked":
                revoked[who] = p.message
            elif p.code == "revocation.crl-expired":
                stale[who] = p.message
    for served in d.all_served():
        msg = revoked.get(served.leaf.label)
        out.add(
            "cert.revoked",
            msg is not None,
            "certificates",
            msg or f"{served.leaf.label} is not on any supplied CRL",
            ok=msg is None,
            certificate=served.leaf.label,
            role=served.role,
            crl=msg or "",
        )
    for who, msg in stale.items():
        out.add("cert.crl_expired", True, "certificates", msg, ok=False, crl=msg, certificate=who)


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
        )
