"""Certificate lifecycle and version facts: ACME certificates, the public-CA clientAuth sunset, ECDSA from Unified CM.

The rules of acme.*, cert.client-auth-eku-sunset, cert.eku-check-mode and mra.cucm-ecdsa-not-trusted read these.
"""

from __future__ import annotations

import re

from cryptography.hazmat.primitives.asymmetric import ec

from certdoctor.case import Case
from certdoctor.facts.deployment import Deployment, Served, served_from
from certdoctor.facts.fact import Facts
from certdoctor.facts.parties import checked_params
from certdoctor.facts.reported import version_tuple
from certdoctor.facts.trust import c_trusts_server
from certdoctor.x509.certfacts import CLIENT_AUTH, SERVER_AUTH, CertFacts
from certdoctor.x509.load import Unreadable

#: ACME certificates are short-lived (Let's Encrypt: 90 days); a leaf valid this long or shorter looks ACME-issued.
ACME_MAX_DAYS = 100
#: Issuer names of ACME certificate authorities (Let's Encrypt's ISRG and its R3/R10/E5 issuers, or "ACME").
_ACME_ISSUER = re.compile(r"\bacme\b|let'?s encrypt|\bisrg\b", re.IGNORECASE)
#: Issuer names of public certificate authorities (those the Chrome Root Program governs), or "Public".
_PUBLIC_ISSUER = re.compile(
    r"\bpublic\b|\bacme\b|let'?s encrypt|\bisrg\b|digicert|sectigo|comodo|globalsign|entrust|go ?daddy|"
    r"identrust|quovadis|geotrust|thawte|certum|buypass|harica|amazon|google trust|zerossl|ssl\.com",
    re.IGNORECASE,
)
#: Version thresholds the rules use: X14.2 negotiates ECDSA with Unified CM; X15.5 has two certificate stores.
X14_2 = (14, 2, 0)
X15_5 = (15, 5, 0)


def lifecycle_facts(case: Case, d: Deployment, out: Facts) -> None:
    """Version facts, ACME-issued Expressway-E certificates, public-CA certificates without clientAuth, ECDSA trust."""
    version_facts(case, out)
    acme_facts(d, out)
    public_client_auth_facts(d, out)
    ecdsa_trust_facts(case, d, out)


def _versions(case: Case) -> list[tuple[str, str, tuple[int, ...]]]:
    """(side, text, tuple) of every readable Expressway version the case states: per side, else symptoms.version."""
    found: list[tuple[str, str, tuple[int, ...]]] = []
    for side, x in (("expressway_c", case.expressway_c), ("expressway_e", case.expressway_e)):
        if x is not None and x.version and (v := version_tuple(x.version)):
            found.append((side, x.version, v))
    if not found and case.symptoms.version and (v := version_tuple(case.symptoms.version)):
        found.append(("expressway", case.symptoms.version, v))
    return found


def version_facts(case: Case, out: Facts) -> None:
    """version.x14_2_or_later / x15_5_or_later from the running Expressway version (the lowest side counts)."""
    found = _versions(case)
    if not found:
        return
    side, text, lowest = min(found, key=lambda f: f[2])
    for name, threshold in (("version.x14_2_or_later", X14_2), ("version.x15_5_or_later", X15_5)):
        out.add(name, lowest >= threshold, "case", value=text, version=text, side=side)
    s = case.symptoms
    if s.previous_version and (before := version_tuple(s.previous_version)):
        out.add(
            "version.upgraded_across_x14_2",
            before < X14_2 <= lowest,
            "case",
            value=text,
            version=text,
            previous=s.previous_version,
        )


def _issuer_of(d: Deployment, served: Served) -> CertFacts | None:
    """The CA certificate that issued the served leaf, from its chain or anywhere in the case."""
    for facts in [*served.chain, *d.case_cas()]:
        if facts.subject_key == served.leaf.issuer_key:
            return facts
    return None


def _issuer_name(served: Served) -> str:
    """The issuer's distinguished name, for messages and name matching."""
    return served.leaf.cert.issuer.rfc4514_string()


def _validity_days(leaf: CertFacts) -> int:
    """Days between notBefore and notAfter."""
    return (leaf.not_after - leaf.not_before).days


def acme_facts(d: Deployment, out: Facts) -> None:
    """cert.acme_issued per Expressway-E leaf (short-lived or from an ACME issuer); acme.in_use when any is."""
    any_acme = False
    for served in d.e:
        days = _validity_days(served.leaf)
        issuer = _issuer_name(served)
        by_name = bool(_ACME_ISSUER.search(issuer))
        acme = by_name or days <= ACME_MAX_DAYS
        any_acme = any_acme or acme
        why = (
            f"issued by the ACME authority {issuer}, valid {days} days"
            if by_name
            else f"valid only {days} days, as ACME certificates are"
            if acme
            else f"valid {days} days from {issuer}: not an ACME certificate"
        )
        out.add(
            "cert.acme_issued",
            acme,
            "certificates",
            f"expressway_e certificate {served.leaf.label} is {why}",
            ok=None,
            certificate=served.leaf.label,
            issuer=issuer,
            days=days,
            why=why,
            until=f"{served.leaf.not_after:%Y-%m-%d}",
            **checked_params(served),
        )
    if d.e:
        out.add("acme.in_use", any_acme, "certificates", value=str(any_acme))
    _acme_faults(out)


def _acme_faults(out: Facts) -> None:
    """cert.acme_expired / cert.acme_revoked: an ACME-issued Expressway-E leaf that is expired or revoked."""
    acme = {f.params["certificate"]: f for f in out.items if f.name == "cert.acme_issued"}
    for source, name in (("cert.expired", "cert.acme_expired"), ("cert.revoked", "cert.acme_revoked")):
        for f in [f for f in out.items if f.name == source and f.params.get("certificate") in acme]:
            issued = acme[f.params["certificate"]]
            fault = bool(f.value) and bool(issued.value)
            out.add(name, fault, "certificates", f.message, ok=not fault, **{**f.params, **issued.params})


def _server_auth_only_ca(issuer: CertFacts | None) -> bool:
    """The issuing CA certificate itself is restricted to serverAuth (a Chrome Root Program TLS-server hierarchy)."""
    eku = issuer.eku if issuer is not None else None
    return eku is not None and SERVER_AUTH in eku and CLIENT_AUTH not in eku


def public_client_auth_facts(d: Deployment, out: Facts) -> None:
    """cert.public_ca_no_client_auth per Expressway leaf: no clientAuth and issued by a public (server-only) CA."""
    for served in d.c + d.e:
        eku = served.leaf.eku
        missing = eku is not None and CLIENT_AUTH not in eku
        issuer = _issuer_of(d, served)
        server_only = _server_auth_only_ca(issuer)
        public_name = bool(_PUBLIC_ISSUER.search(_issuer_name(served)))
        public = server_only or public_name
        why = (
            "its issuing CA is itself restricted to TLS Web Server Authentication"
            if server_only
            else "its issuer is a public certificate authority"
            if public_name
            else "its issuer is a private CA"
        )
        out.add(
            "cert.public_ca_no_client_auth",
            missing and public,
            "certificates",
            f"{served.role} certificate {served.leaf.label} " + ("lacks" if missing else "has") + f" clientAuth; {why}",
            ok=not (missing and public),
            certificate=served.leaf.label,
            issuer=_issuer_name(served),
            why=why,
            role=served.role,
            **checked_params(served),
        )


def _ecdsa_served(case: Case, d: Deployment) -> list[Served]:
    """The Unified CM tomcat-ECDSA and CallManager-ECDSA certificates the case gives, read like the others."""
    cucm = case.cucm
    found: list[Served] = []
    for i, node in enumerate(cucm.nodes if cucm else []):
        name = node.fqdn or f"Unified CM node {i + 1}"
        for role, ref, field in (
            ("cucm tomcat-ECDSA", node.tomcat_ecdsa_certificate, "tomcat_ecdsa_certificate"),
            ("cucm CallManager-ECDSA", node.callmanager_ecdsa_certificate, "callmanager_ecdsa_certificate"),
        ):
            if not ref:
                continue
            loaded = d.certs.read(ref, f"cucm.nodes[{i}].{field}")
            if isinstance(loaded, Unreadable) or not loaded.certificates:
                continue
            found.append(served_from(role, name, loaded.certificates))
    return found


def ecdsa_trust_facts(case: Case, d: Deployment, out: Facts) -> None:
    """trust.c_trusts_cucm_ecdsa: Expressway-C's trusted list validates each Unified CM ECDSA certificate."""
    if d.c_trust is None:
        return
    for served in _ecdsa_served(case, d):
        key = served.leaf.cert.public_key()
        curve = key.curve.name if isinstance(key, ec.EllipticCurvePublicKey) else "not an EC key"
        c_trusts_server(
            d, d.c_trust, served, "trust.c_trusts_cucm_ecdsa", out, curve=curve, issuer=_issuer_name(served)
        )
