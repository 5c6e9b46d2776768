"""Far-end scenarios: endpoints that do not trust the Expressway-E CA, on-premises Jabber, public-root migrations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from certdoctor.lab.issuing import issue_cas
from certdoctor.testpki import Issued, TestPKI, pem

from ..common import PAIR_ONLY, SINGLE, Scenario

D211304 = "Cisco Doc ID 211304 (Collaboration Edge with TC-based endpoints)"
D213872 = "Cisco Doc ID 213872 (Configure and troubleshoot Collaboration Edge)"
D221845 = "Cisco Doc ID 221845 (Troubleshoot Jabber log in common issues)"
D217415 = "Cisco Doc ID 217415 / 220220 / 226221 (public root migrations)"
CROSS_REFUSED = "Upload of the cross-signed Example Public Root R1 was refused on the trusted CA page"
PEER_NOT_AUTH = "'Peer certificate cannot be authenticated with given CA certificates'"
SELF_SIGNED_IN_CHAIN = "SSL certificate problem: self signed certificate in certificate chain"
LERR_CUP = "LERR_CUP_CERT <11>"
LERR_JABBER = "LERR_JABBER_CERT <15>: Certificate Failure"
VERIFY_FAILED = "SSL_ERROR_SSL error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed"
EDGE_DOMAIN = (
    "Edge TLS verification failed: Edge domain 'example.com' and corresponding SRVName "
    "'_collab-edge._tls.example.com' not found in certificate SAN list"
)
E_FQDN = "expe.example.com"

Extra = Callable[[Path], dict[str, Any]]


class Pki:
    """The lab CAs plus a public-CA-like hierarchy: old root G2, new root R1, R1 cross-signed by G2, R1 issuing CA."""

    def __init__(self) -> None:
        self.pki = TestPKI(seed="certdoctor-lab")
        self.lab = issue_cas(self.pki)
        self.g2 = self.pki.root("Example Public Root G2")
        self.r1 = self.pki.root("Example Public Root R1")
        self.cross = self.pki.intermediate("Example Public Root R1", self.g2)  # same name and key as r1
        self.r1v1 = self.pki.intermediate("Example TLS Issuing CA R1v1", self.r1)

    def public_e(self, *, edge_domain: bool = True) -> Issued:
        """An Expressway-E certificate from the new public hierarchy (R1v1 under R1)."""
        sans = [E_FQDN, "collab-edge.example.com", "example.com"] if edge_domain else [E_FQDN]
        return self.pki.leaf(E_FQDN, self.r1v1, sans=sans, key_label="expe-public")


def _write(base: Path, name: str, *certs: Issued) -> str:
    """Write certificates as one PEM file under certs/ and return its case reference."""
    (base / "certs").mkdir(parents=True, exist_ok=True)
    (base / "certs" / name).write_bytes(pem(*(c.certificate for c in certs)))
    return f"certs/{name}"


def _endpoint(name: str, kind: str, model: str, firmware: str, connects_to: str, trusted: str) -> dict[str, Any]:
    """One endpoints[] entry."""
    return {
        "name": name,
        "kind": kind,
        "model": model,
        "firmware": firmware or None,
        "connects_to": connects_to,
        "trusted_cas": [trusted],
    }


def far_end_trusting(kind: str, model: str, firmware: str, which: str, connects_to: str = "expressway_e") -> Extra:
    """An endpoint whose own list holds `which`: public (G2 and R1), lab (Lab Root CA) or other (Other Root CA)."""
    name = {"phone": "lobby-phone", "ce-endpoint": "boardroom-roomkit", "jabber": "jdoe-laptop"}[kind]

    def extra(base: Path) -> dict[str, Any]:
        p = Pki()
        cas = {"public": [p.g2, p.r1], "lab": [p.lab.root], "other": [p.lab.other_root]}[which]
        trusted = _write(base, f"{name}-cas.pem", *cas)
        return {"endpoints": [_endpoint(name, kind, model, firmware, connects_to, trusted)]}

    return extra


def onprem_jabber(which: str, connects_to: str, *, imp: bool = True) -> Extra:
    """On-premises Jabber whose OS store holds `which`; an IM and Presence node issued by Lab Issuing CA."""

    def extra(base: Path) -> dict[str, Any]:
        p = Pki()
        cas = {"public": [p.g2, p.r1], "lab": [p.lab.root, p.lab.issuing], "other": [p.lab.other_root]}[which]
        trusted = _write(base, "jdoe-laptop-cas.pem", *cas)
        patch: dict[str, Any] = {
            "endpoints": [_endpoint("jdoe-laptop", "jabber", "Jabber 14.3 on Windows 11", "", connects_to, trusted)]
        }
        if imp:
            leaf = p.pki.leaf("imp1.example.com", p.lab.issuing, sans=["imp1.example.com"], key_label="imp1")
            patch["cucm.imp_nodes"] = [
                {"fqdn": "imp1.example.com", "certificate": _write(base, "imp1-tomcat.pem", leaf, p.lab.issuing)}
            ]
        return patch

    return extra


def migration(
    *,
    c_trusts: str = "new",
    e_sends_cross: bool = False,
    cross_in: str = "e-list",
    phone: bool = True,
    edge_domain: bool = True,
) -> Extra:
    """Expressway-E renewed under the new public root R1; who trusts which root, and where the cross-sign is.

    c_trusts: new (R1 and R1v1), old (G2 only) or the lab CAs only. cross_in: e-list (after R1 in the Expressway-E
    list), c-list-above-root (in Expressway-C's list above the self-signed R1), or none.
    """

    def extra(base: Path) -> dict[str, Any]:
        p = Pki()
        leaf = p.public_e(edge_domain=edge_domain)
        chain = [p.r1v1, p.cross] if e_sends_cross else [p.r1v1]
        lab = [p.lab.root, p.lab.issuing]
        c_list = {"new": [*lab, p.r1, p.r1v1], "old": [*lab, p.g2]}[c_trusts]
        if cross_in == "c-list-above-root":
            c_list = [*lab, p.cross, p.r1, p.r1v1]
        e_list = [*lab, p.r1, p.cross] if cross_in == "e-list" else [*lab, p.r1]
        patch: dict[str, Any] = {
            "expressway_e.certificate": _write(base, "expe-public.pem", leaf, *chain),
            "expressway_e.trusted_cas": [_write(base, "expe-public-trust.pem", *e_list)],
            "expressway_c.trusted_cas": [_write(base, "expc-public-trust.pem", *c_list)],
        }
        if phone:
            trusted = _write(base, "lobby-phone-cas.pem", p.g2)
            patch["endpoints"] = [_endpoint("lobby-phone", "phone", "CP-8845", "12.8(1)", "expressway_e", trusted)]
        return patch

    return extra


def scenarios() -> Iterator[Scenario]:
    """endpoint.edge-ca-not-trusted, jabber.onprem-certificate-not-trusted, trust.public-root-migration,
    trust.cross-sign-same-cn: positives, near misses and the documents' own texts."""
    g = "endpoint.edge-ca-not-trusted"
    yield Scenario(
        g,
        "phone-fixed-ca-list-private-e-cert",
        "7800/8800 phone over MRA cannot register: the Expressway-E certificate comes from the private Lab CA, "
        "which the phone's fixed public CA list does not hold",
        D213872,
        {"mra_login": "failed"},
        {"top": g},
        layout=SINGLE,
        extra=far_end_trusting("phone", "CP-8845", "12.8(1)", "public"),
    )
    yield Scenario(
        g,
        "ce-endpoint-custom-ca-missing",
        "Room Kit over MRA fails to provision: its trusted CA list lacks the Lab Root CA",
        D211304,
        {"log_lines": [SELF_SIGNED_IN_CHAIN, PEER_NOT_AUTH]},
        {"top": g},
        layout=SINGLE,
        extra=far_end_trusting("ce-endpoint", "Room Kit", "RoomOS 11.9", "other"),
    )
    yield Scenario(
        g,
        "jabber-os-store-lacks-lab-root",
        "Jabber over MRA asks to accept the Expressway-E certificate: the laptop's store has only public roots",
        D213872,
        {"jabber_warning": True},
        {"top": g, "ruled_out": ["jabber.edge-domain-not-in-san"]},
        layout=SINGLE,
        extra=far_end_trusting("jabber", "Jabber 14.3 on Windows 11", "", "public"),
    )
    yield Scenario(
        g,
        "near-miss-edge-domain-not-in-san",
        "TC endpoint over MRA fails, but it trusts the Lab Root CA: the Expressway-E certificate lacks the edge domain",
        D211304,
        {"log_lines": [EDGE_DOMAIN]},
        {"top": "jabber.edge-domain-not-in-san", "excludes": [g]},
        ("jabber-domain",),
        layout=SINGLE,
        extra=far_end_trusting("ce-endpoint", "Room Kit", "RoomOS 11.9", "lab"),
    )
    yield Scenario(
        g,
        "near-miss-c-lacks-e-ca",
        "Phones fail over MRA and the zone is down: the phones trust the Expressway-E CA; Expressway-C does not",
        D213872,
        {"zone_status": "Failed", "mra_login": "failed"},
        {"top": "zone.ca-not-trusted", "excludes": [g]},
        ("c-trust-missing",),
        layout=SINGLE,
        extra=far_end_trusting("phone", "CP-8845", "14.2(1)", "lab"),
    )

    yield Scenario(
        g,
        "ruled-out-endpoint-trusts-lab-root",
        "Room Kit over MRA logs 'Peer certificate cannot be authenticated with given CA certificates', yet its "
        "trusted CA list holds the Lab Root CA that validates the chain Expressway-E sends: the endpoint's CA list "
        "is not the fault (compare the certificate the endpoint actually received with the Expressway-E certificate)",
        D211304,
        {"log_lines": [SELF_SIGNED_IN_CHAIN, PEER_NOT_AUTH]},
        {"excludes": [g], "ruled_out": [g]},
        layout=SINGLE,
        extra=far_end_trusting("ce-endpoint", "Room Kit", "RoomOS 11.9", "lab"),
    )

    g = "jabber.onprem-certificate-not-trusted"
    yield Scenario(
        g,
        "imp-tomcat-enterprise-ca-not-on-laptop",
        "Jabber on the office network says 'Certificate not valid': the laptop does not hold the Lab Root CA that "
        "signed the IM and Presence tomcat certificate",
        D221845,
        {"jabber_warning": "Certificate not valid"},
        {"top": g},
        layout=SINGLE,
        extra=onprem_jabber("public", "imp"),
    )
    yield Scenario(
        g,
        "cucm-tomcat-untrusted-lerr-jabber-cert",
        "Jabber inside the network fails at sign-in with LERR_JABBER_CERT: the OS store lacks the Unified CM CA",
        D221845,
        {"log_lines": [LERR_JABBER, VERIFY_FAILED]},
        {"top": g},
        layout=SINGLE,
        extra=onprem_jabber("other", "cucm", imp=False),
    )
    yield Scenario(
        g,
        "near-miss-mra-warning-edge-domain",
        "Jabber warns over MRA: the Expressway-E certificate lacks the sign-in domain (not an on-premises trust "
        "problem)",
        D221845,
        {"jabber_warning": "Certificate not valid"},
        {"top": "jabber.edge-domain-not-in-san", "excludes": [g]},
        ("jabber-domain",),
        layout=SINGLE,
        extra=far_end_trusting("jabber", "Jabber 14.3 on macOS", "", "lab"),
    )
    yield Scenario(
        g,
        "near-miss-mra-os-store-lacks-e-ca",
        "Jabber warns over MRA: the laptop's store lacks the CA of the Expressway-E certificate (an Expressway-E "
        "trust matter, not Unified CM or IM and Presence)",
        D221845,
        {"jabber_warning": "Certificate not valid"},
        {"top": "endpoint.edge-ca-not-trusted", "excludes": [g]},
        layout=SINGLE,
        extra=far_end_trusting("jabber", "Jabber 14.3 on macOS", "", "other"),
    )

    yield Scenario(
        g,
        "ruled-out-laptop-trusts-onprem-ca",
        "Jabber on the office network logs LERR_JABBER_CERT at sign-in, yet the laptop's store holds the Lab Root "
        "and Issuing CA that sign the Unified CM tomcat certificate: the client's trust store is not the fault",
        D221845,
        {"log_lines": [LERR_JABBER, VERIFY_FAILED]},
        {"excludes": [g], "ruled_out": [g]},
        layout=SINGLE,
        extra=onprem_jabber("lab", "cucm", imp=False),
    )

    g = "trust.public-root-migration"
    yield Scenario(
        g,
        "phone-trusts-only-old-root",
        "After the Expressway-E renewal under the CA's new root R1, old-firmware phones (old root G2 only) stop "
        "registering over MRA; Expressway-E does not send the cross-signed R1",
        D217415,
        {"mra_login": "failed", "recent_changes": ["certificate-renewal"]},
        {"top": g, "folded": ["endpoint.edge-ca-not-trusted"]},
        layout=SINGLE,
        extra=migration(),
    )
    yield Scenario(
        g,
        "c-trusts-only-old-root-zone-down",
        "Traversal zone Failed after the Expressway-E renewal: Expressway-C trusts only the old root G2, the chain "
        "leads to R1",
        D217415,
        {"zone_status": "Failed", "recent_changes": ["certificate-renewal"]},
        {"top": g, "folded": ["zone.ca-not-trusted"]},
        layout=PAIR_ONLY,
        extra=migration(c_trusts="old", phone=False),
    )
    yield Scenario(
        g,
        "near-miss-private-ca-change",
        "Zone Failed after a CA change, but no cross-signed root is involved: Expressway-C simply lacks the new CA",
        D217415,
        {"zone_status": "Failed", "recent_changes": ["ca-change"]},
        {"top": "zone.ca-not-trusted", "excludes": [g]},
        ("c-trust-missing",),
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "near-miss-cross-sign-sent-edge-domain",
        "Phones on the old root G2 are fine (Expressway-E sends the cross-signed R1); Jabber over MRA warns because "
        "the renewed certificate lacks the sign-in domain",
        D217415,
        {"jabber_warning": True, "recent_changes": ["certificate-renewal"]},
        {"top": "jabber.edge-domain-not-in-san", "excludes": [g]},
        layout=SINGLE,
        extra=migration(e_sends_cross=True, cross_in="none", edge_domain=False),
    )

    yield Scenario(
        g,
        "cross-sign-tried-on-c-phones-fail",
        "After the CA moved Expressway-E to its new root R1, old-firmware phones (old root G2 only) fail over MRA; "
        "following the CA's notice the engineer tried to add the cross-signed R1 to Expressway-C's trusted CA list "
        "(refused), but Expressway-E still does not send it in its chain",
        D217415,
        {
            "mra_login": "failed",
            "recent_changes": ["ca-change"],
            "upload_page": "trusted-ca",
            "upload_error": CROSS_REFUSED,
        },
        {"top": g, "folded": ["endpoint.edge-ca-not-trusted"]},
        layout=SINGLE,
        extra=migration(),
    )
    yield Scenario(
        g,
        "ruled-out-cross-sign-already-sent",
        "After the root change Expressway-E already sends the cross-signed R1 and old-firmware phones on G2 "
        "register; the engineer also tried to add the cross-signed R1 to Expressway-C's trusted CA list, which "
        "refused it: no list holds the copy and nothing is left to migrate",
        D217415,
        {
            "mra_login": "ok",
            "zone_status": "Active",
            "recent_changes": ["ca-change"],
            "upload_page": "trusted-ca",
            "upload_error": CROSS_REFUSED,
        },
        {"excludes": [g, "trust.cross-sign-same-cn"], "ruled_out": [g, "trust.cross-sign-same-cn"]},
        layout=SINGLE,
        extra=migration(e_sends_cross=True, cross_in="none"),
    )

    g = "trust.cross-sign-same-cn"
    yield Scenario(
        g,
        "cross-sign-above-root-in-c-list",
        "Zone Failed after the renewal under R1: Expressway-C's list holds the cross-signed 'Example Public Root R1' "
        "above the self-signed one, so its path runs to the old root G2 it does not hold",
        D217415,
        {"zone_status": "Failed", "recent_changes": ["ca-change"]},
        {"top": g, "folded": ["zone.ca-not-trusted"], "excludes": ["trust.public-root-migration"]},
        layout=SINGLE,
        extra=migration(cross_in="c-list-above-root", phone=False),
    )
    yield Scenario(
        g,
        "trusted-ca-upload-cross-sign-refused",
        "The cross-signed R1 was refused on Expressway-E's Trusted CA certificate page; Expressway-C's exported list "
        "already holds it next to the self-signed R1",
        D217415,
        {
            "upload_page": "trusted-ca",
            "upload_error": "Upload of the cross-signed Example Public Root R1 was refused on the trusted CA page",
        },
        {"top": g},
        layout=SINGLE,
        extra=migration(cross_in="c-list-above-root", c_trusts="new", phone=False),
    )
    yield Scenario(
        g,
        "near-miss-root-reissued-same-key",
        "Expressway-C's list holds the Lab Root CA and a re-issue of it with the same key: both self-signed, no "
        "cross-sign",
        D217415,
        {},
        {"excludes": [g]},
        ("c-root-reissued",),
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "near-miss-stale-root-different-key",
        "Zone Failed: a stale 'Lab Root CA' with another key shadows the real one (duplicate subject, not a "
        "cross-sign)",
        D217415,
        {"zone_status": "Failed"},
        {"includes": ["trust.duplicate-ca-cn"], "excludes": [g]},
        ("duplicate-ca",),
        layout=SINGLE,
    )

    # the documents' own texts, without files
    yield Scenario(
        "symptom-only",
        "226221-cross-signed-root-refused-after-ca-change",
        "After a public CA root change, the cross-signed root was refused on the Trusted CA certificate page (no "
        "files): a cross-signed copy that does not belong in a trusted list, in a root migration",
        D217415,
        {"recent_changes": ["ca-change"], "upload_page": "trusted-ca", "upload_error": CROSS_REFUSED},
        {"top": "trust.cross-sign-same-cn", "includes": ["trust.public-root-migration"]},
        certificates=False,
    )
    yield Scenario(
        "symptom-only",
        "211304-tc-endpoint-peer-certificate-not-authenticated",
        "TC endpoint over MRA: 'SSL certificate problem: self signed certificate in certificate chain' and "
        "'Peer certificate cannot be authenticated with given CA certificates'",
        D211304,
        {"log_lines": [SELF_SIGNED_IN_CHAIN, PEER_NOT_AUTH]},
        {"top": "endpoint.edge-ca-not-trusted"},
        certificates=False,
    )
    yield Scenario(
        "symptom-only",
        "221845-jabber-login-certificate-not-valid-lerr-cup-cert",
        "Jabber: 'Login Error: Certificate not valid.' with LERR_CUP_CERT and certificate verify failed",
        D221845,
        {"jabber_warning": "Login Error: Certificate not valid.", "log_lines": [LERR_CUP, VERIFY_FAILED]},
        {"top": "jabber.onprem-certificate-not-trusted"},
        certificates=False,
    )
