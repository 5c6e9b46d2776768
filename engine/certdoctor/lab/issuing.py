"""Every certificate of a lab deployment, issued fault by fault from one seeded TestPKI.

The order of the calls is part of the output: a serial number counts the certificates issued
before it for the same subject and issuer, so the steps below run in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509

from certdoctor.lab.catalogue import DOMAIN, EDGE_CA, VOICE_CA, fqdns
from certdoctor.testpki import Issued, KeySpec, TestPKI

_CUCM = f"cucm1.{DOMAIN}"

_EV_SUBJECT = (
    ("1.3.6.1.4.1.311.60.2.1.3", "NL"),
    ("2.5.4.15", "Private Organization"),
    ("SERIALNUMBER", "12345678"),
    ("C", "NL"),
    ("O", "Example BV"),
)


@dataclass(frozen=True)
class Layout:
    """The deployment's host names: cluster FQDNs, node FQDNs, and the names E's nodes go by now."""

    c_nodes: int
    e_nodes: int
    c_cluster: str
    e_cluster: str
    c_names: list[str]
    e_names: list[str]
    e_hosts: list[str]


def layout_for(c_nodes: int, e_nodes: int, faults: set[str]) -> Layout:
    """Node names from the node counts; e-renamed moves E's hosts to vcse* while its certificates keep expe*."""
    e_names = fqdns("expe", e_nodes)
    return Layout(
        c_nodes=c_nodes,
        e_nodes=e_nodes,
        c_cluster=f"expc.{DOMAIN}",
        e_cluster=f"expe.{DOMAIN}",
        c_names=fqdns("expc", c_nodes),
        e_names=e_names,
        e_hosts=fqdns("vcse", e_nodes) if "e-renamed" in faults else e_names,
    )


@dataclass(frozen=True)
class LabCAs:
    """The lab's private CA (root and issuing CA) and an unrelated root, the usual wrong trust anchor."""

    root: Issued
    issuing: Issued
    other_root: Issued


@dataclass(frozen=True)
class EIssuer:
    """Who signs Expressway-E's certificates, the CA certificates E sends after them, and a new intermediate."""

    ca: Issued
    chain: list[x509.Certificate]
    new_intermediate: Issued | None


@dataclass(frozen=True)
class CucmCertificates:
    """Unified CM's tomcat and CallManager certificates, the CA certificates sent after them, and its own CAs.

    `cas` are Unified CM's own root and issuing CA (Voice Root CA, Voice Issuing CA) when Expressway-C trusts them.
    """

    tomcat: Issued
    callmanager: Issued
    chain: list[x509.Certificate]
    cas: tuple[Issued, ...] = ()


@dataclass(frozen=True)
class TrustedLists:
    """The trusted CA lists of each side: Expressway-C, Expressway-E, Unified CM tomcat and CallManager."""

    c: list[x509.Certificate]
    e: list[x509.Certificate]
    cucm_tomcat: list[x509.Certificate]
    cucm_callmanager: list[x509.Certificate]


def issue_cas(pki: TestPKI) -> LabCAs:
    """Lab Root CA, the Lab Issuing CA under it, and the EC Other Root CA."""
    root = pki.root("Lab Root CA")
    issuing = pki.intermediate("Lab Issuing CA", root)
    other_root = pki.root("Other Root CA", key=KeySpec("ec", 256))
    return LabCAs(root, issuing, other_root)


def issue_c_leaves(pki: TestPKI, issuing: Issued, layout: Layout, faults: set[str]) -> list[Issued]:
    """Expressway-C node certificates: cluster FQDN as CN plus the node FQDN, or the node FQDN alone."""
    eku = ["serverAuth"] if "c-no-client-auth" in faults else ["serverAuth", "clientAuth"]
    leaves: list[Issued] = []
    for i, fqdn in enumerate(layout.c_names, start=1):
        if layout.c_nodes == 1 or "c-cluster-fqdn-missing" in faults:
            leaves.append(pki.leaf(fqdn, issuing, sans=[fqdn], eku=eku, key_label=f"expc{i}"))
        else:
            node_name = layout.c_names[0] if i == 2 and "c-node-name-missing" in faults else fqdn
            leaves.append(
                pki.leaf(layout.c_cluster, issuing, sans=[layout.c_cluster, node_name], eku=eku, key_label=f"expc{i}")
            )
    if "cluster-same-cert" in faults and len(leaves) > 1:
        leaves[1] = leaves[0]
    return leaves


def e_issuer(pki: TestPKI, cas: LabCAs, faults: set[str]) -> EIssuer:
    """The issuing CA, or (e-new-intermediate*) a new Lab Issuing CA 2, sent or not."""
    if EDGE_CA & faults:
        edge = pki.intermediate("Lab Edge CA", cas.root)
        return EIssuer(edge, [edge.certificate], None)
    if not {"e-new-intermediate", "e-new-intermediate-unsent"} & faults:
        return EIssuer(cas.issuing, [cas.issuing.certificate], None)
    issuing2 = pki.intermediate("Lab Issuing CA 2", cas.root)
    chain = [] if "e-new-intermediate-unsent" in faults else [issuing2.certificate]
    return EIssuer(issuing2, chain, issuing2)


def _e_sans(layout: Layout, fqdn: str, faults: set[str]) -> list[str]:
    """SANs of an Expressway-E node: cluster and node FQDN, collab-edge and the domain, or a wildcard."""
    if "wildcard" in faults:
        return [f"*.{DOMAIN}"]
    sans = [layout.e_cluster, fqdn] if layout.e_nodes > 1 else [fqdn]
    if "jabber-domain" not in faults:
        sans += [f"collab-edge.{DOMAIN}", DOMAIN]
    return sans


def _e_subject_extra(faults: set[str]) -> list[tuple[str, str]]:
    """Subject attributes besides the CN: EV attributes, an undecoded OID, or none."""
    if "e-ev-subject" in faults:
        return list(_EV_SUBJECT)
    if "unknown-oid" in faults:
        return [("1.3.6.1.4.1.6449.1.2.1.5.1", "x")]
    return []


def _e_validity(faults: set[str]) -> tuple[datetime | None, datetime | None]:
    """Validity of E's certificates: not yet valid, expired, or (None, None) for the default window."""
    if "e-not-yet-valid" in faults:
        return datetime(2026, 6, 3, tzinfo=UTC), datetime(2028, 6, 3, tzinfo=UTC)
    if "e-expired" in faults:
        return datetime(2024, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    return None, None


def _e_key_and_hash(faults: set[str]) -> tuple[KeySpec, str]:
    """Key and signature hash of E's certificates: RSA 4096/SHA-384 (strong), 1024/SHA-1 (weak), or 2048/SHA-256."""
    if "e-strong" in faults:
        return KeySpec("rsa", 4096), "sha384"
    if "weak" in faults:
        return KeySpec("rsa", 1024), "sha1"
    return KeySpec(), "sha256"


def issue_e_leaves(pki: TestPKI, issuer: Issued, layout: Layout, faults: set[str]) -> list[Issued]:
    """Expressway-E node certificates, with the E-side faults applied to names, subject, validity and crypto."""
    not_before, not_after = _e_validity(faults)
    key, hash_name = _e_key_and_hash(faults)
    leaves = []
    for i, fqdn in enumerate(layout.e_names, start=1):
        cn = f"*.{DOMAIN}" if "wildcard" in faults else layout.e_cluster if layout.e_nodes > 1 else fqdn
        leaves.append(
            pki.leaf(
                cn,
                issuer,
                sans=_e_sans(layout, fqdn, faults),
                subject_extra=_e_subject_extra(faults),
                key_label=f"expe{i}",
                not_before=not_before,
                not_after=not_after,
                key=key,
                hash=hash_name,
            )
        )
    return leaves


def issue_cucm(pki: TestPKI, issuing: Issued, faults: set[str]) -> CucmCertificates:
    """Unified CM certificates: from a separate Voice Root CA, self-signed, or from the lab's issuing CA."""
    if VOICE_CA & faults:
        voice_root = pki.root("Voice Root CA")
        voice_ca = pki.intermediate("Voice Issuing CA", voice_root)
        tomcat = pki.leaf(_CUCM, voice_ca, sans=[_CUCM], key_label="cucm1-tomcat")
        callmanager = pki.leaf(_CUCM, voice_ca, sans=[_CUCM], key_label="cucm1-cm")
        return CucmCertificates(tomcat, callmanager, [voice_ca.certificate], (voice_root, voice_ca))
    if "cucm-other-ca" in faults:
        voice_ca = pki.root("Voice Root CA")
        tomcat = pki.leaf(_CUCM, voice_ca, sans=[_CUCM], key_label="cucm1-tomcat")
        callmanager = pki.leaf(_CUCM, voice_ca, sans=[_CUCM], key_label="cucm1-cm")
        return CucmCertificates(tomcat, callmanager, [voice_ca.certificate])
    if {"c-untrusts-cucm", "cucm-self-signed-dup"} & faults:
        tomcat = pki.leaf(_CUCM, None, sans=[_CUCM], key_label="cucm1-tomcat-ss")
        callmanager = pki.leaf(_CUCM, None, sans=[_CUCM], key_label="cucm1-cm-ss")
        return CucmCertificates(tomcat, callmanager, [])
    tomcat = pki.leaf(_CUCM, issuing, sans=[_CUCM], key_label="cucm1-tomcat")
    callmanager = pki.leaf(_CUCM, issuing, sans=[_CUCM], key_label="cucm1-cm")
    return CucmCertificates(tomcat, callmanager, [])


def _c_trusted(
    pki: TestPKI, cas: LabCAs, e: EIssuer, cucm: CucmCertificates, faults: set[str]
) -> list[x509.Certificate]:
    """Expressway-C's list: the lab CA, less of it, another root, a stale or re-issued root, or CUCM's own certs.

    E's own issuing CA (Lab Edge CA) and Unified CM's own CAs are in it when they issued those certificates.
    """
    trusted = [cas.root.certificate, cas.issuing.certificate]
    if EDGE_CA & faults:
        trusted.append(e.ca.certificate)
    trusted += [ca.certificate for ca in cucm.cas]
    if "c-trust-root-only" in faults:
        trusted = [cas.root.certificate]
    if "c-trust-missing" in faults:
        trusted = [cas.other_root.certificate]
    if "duplicate-ca" in faults:
        stale = pki.root("Lab Root CA", key_label="stale-lab-root", key=KeySpec("ec", 256))
        trusted = [stale.certificate, *trusted]
    if "c-root-reissued" in faults:
        reissued = pki.root("Lab Root CA", not_before=datetime(2025, 6, 1, tzinfo=UTC))
        trusted = [*trusted, reissued.certificate]
    if "cucm-self-signed-dup" in faults:
        trusted = [*trusted, cucm.tomcat.certificate, cucm.callmanager.certificate]
    return trusted


def _e_trusted(cas: LabCAs, e: EIssuer, faults: set[str]) -> list[x509.Certificate]:
    """Expressway-E's list: the lab CA, only its root, or another root; plus a new intermediate E uses."""
    trusted = [cas.root.certificate, cas.issuing.certificate]
    if "e-trust-missing" in faults:
        trusted = [cas.other_root.certificate]
    if "e-trust-root-only" in faults:
        trusted = [cas.root.certificate]
    if e.new_intermediate is not None:
        trusted = [*trusted, e.new_intermediate.certificate]
    return trusted


def trusted_lists(pki: TestPKI, cas: LabCAs, e: EIssuer, cucm: CucmCertificates, faults: set[str]) -> TrustedLists:
    """Every side's trusted CA list, with the trust faults applied."""
    full = [cas.root.certificate, cas.issuing.certificate]
    cucm_tomcat = [cas.other_root.certificate] if "cucm-trust-missing" in faults else full
    cucm_callmanager = [cas.other_root.certificate] if "cucm-callmanager-trust-missing" in faults else cucm_tomcat
    return TrustedLists(
        c=_c_trusted(pki, cas, e, cucm, faults),
        e=_e_trusted(cas, e, faults),
        cucm_tomcat=cucm_tomcat,
        cucm_callmanager=cucm_callmanager,
    )


def _old_e_leaf(pki: TestPKI, issuing: Issued, layout: Layout) -> Issued:
    """The Expressway-E certificate replaced before the case's instant (2023-03-01 .. 2026-03-01)."""
    sans = (
        [layout.e_cluster, layout.e_names[0], f"collab-edge.{DOMAIN}", DOMAIN] if layout.e_names else [layout.e_cluster]
    )
    return pki.leaf(
        layout.e_cluster,
        issuing,
        sans=sans,
        key_label="expe-old",
        not_before=datetime(2023, 3, 1, tzinfo=UTC),
        not_after=datetime(2026, 3, 1, tzinfo=UTC),
    )


def issue_crls(
    pki: TestPKI,
    cas: LabCAs,
    e: EIssuer,
    e_leaves: list[Issued],
    cucm: CucmCertificates,
    layout: Layout,
    faults: set[str],
) -> list[tuple[str, x509.CertificateRevocationList]]:
    """The CRLs the case supplies, each with its file name: the issuing CA's, the root's, Unified CM's root's."""
    crls = []
    issuing = _issuing_crl(pki, cas.issuing, e_leaves, layout, faults)
    if issuing is not None:
        crls.append(("issuing.crl", issuing))
    if EDGE_CA & faults:
        revoked = [e.ca] if "revoked-intermediate-e" in faults else []
        if "root-crl-unrelated" in faults:
            revoked.append(pki.intermediate("Lab Retired CA", cas.root))
        crls.append(("root.crl", _crl(pki, cas.root, revoked, expired="root-crl-expired" in faults)))
    if VOICE_CA & faults and cucm.cas:
        voice_root, voice_ca = cucm.cas
        retired = [pki.intermediate("Voice Retired CA", voice_root)] if "cucm-crl-unrelated" in faults else []
        revoked = [voice_ca] if "revoked-ca-cucm" in faults else retired
        crls.append(("voice-root.crl", _crl(pki, voice_root, revoked, expired=False)))
    return crls


def _crl(pki: TestPKI, issuer: Issued, revoked: list[Issued], *, expired: bool) -> x509.CertificateRevocationList:
    """issuer's CRL revoking those certificates, around the case's instant (2026-06-01): current, or a month past."""
    if expired:
        this_update, next_update = datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
    else:
        this_update, next_update = datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    return pki.crl(issuer, revoked, this_update=this_update, next_update=next_update)


def _issuing_crl(
    pki: TestPKI, issuing: Issued, e_leaves: list[Issued], layout: Layout, faults: set[str]
) -> x509.CertificateRevocationList | None:
    """The issuing CA's CRL for the CRL faults (E node 1 or an old E certificate revoked, or expired); else None."""
    if not {"e-revoked", "crl-expired", "crl-old-revoked"} & faults:
        return None
    revoked: list[Issued] = []
    if "e-revoked" in faults and e_leaves:
        revoked.append(e_leaves[0])
    if "crl-old-revoked" in faults:
        revoked.append(_old_e_leaf(pki, issuing, layout))
    return _crl(pki, issuing, revoked, expired="crl-expired" in faults)
