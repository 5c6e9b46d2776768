"""Certificate lifecycle scenarios: ACME certificates on Expressway-E, the 2026 public-CA clientAuth sunset (FN74362),
the X15.5 certificate stores and EKU checking mode (225693), and X14.2 ECDSA certificates from Unified CM (218018)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from certdoctor.lab.catalogue import DOMAIN
from certdoctor.lab.issuing import issue_cas
from certdoctor.testpki import Issued, KeySpec, TestPKI, pem

from ..common import PAIR_ONLY, TS218018, Scenario
from ..texts import CLIENT_AUTH_REFUSED, NO_CERT_RETURNED, TS_SELF_SIGNED, UNKNOWN_ISSUER

ACME_GUIDE = (
    "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X15-0/cert-creation-use/"
    "exwy_b_cisco-expressway-certificate-creation-and-use-deployment-guide-x150/exwy_m_using-acme-on-expressway-e.html"
)
FN74362 = "https://www.cisco.com/c/en/us/support/docs/field-notices/743/fn74362.html"
TS225482 = (
    "https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway-series/"
    "225482-prepare-expressway-for-client.html"
)
TS225693 = (
    "https://www.cisco.com/c/en/us/support/docs/unified-communications/telepresence-video-communication-server-"
    "expressway/225693-navigate-client-eku-sunset-with.html"
)
#: TechNote 225693: the X15.5 SIP TLS EKU checking setting, as the CLI shows it.
EKU_MODE_ON = "*c xConfiguration SIP TLS Certificate ExtendedKeyUsage Checking Mode: On"
EKU_MODE_OFF = "*c xConfiguration SIP TLS Certificate ExtendedKeyUsage Checking Mode: Off"
#: An OpenSSL alert a TLS client logs when the server's certificate is revoked.
REVOKED_ALERT = (
    '2026-06-01T08:12:40.101+02:00 expc1 tvcs: Event="Outbound TLS Negotiation Error" Service="SIP" '
    'Dst-ip="10.48.36.171" Dst-port="7001" Detail="sslv3 alert certificate revoked" Protocol="TLS"'
)
EXPIRED_ALARM = "40068 Server certificate validity: Server certificate expired or Server certificate expires today"

_SEED = "certdoctor-lab"
_EC = KeySpec("ec", 256)


def _e_names(nodes: int) -> list[str]:
    """Expressway-E node FQDNs of the lab (expe1.example.com, ...)."""
    return [f"expe{i}.{DOMAIN}" for i in range(1, nodes + 1)]


def _acme(
    nodes: int, *, expired: bool = False, revoke: bool = False, c_fault: str = ""
) -> Callable[[Path], dict[str, Any]]:
    """Expressway-E nodes with 90-day certificates from 'Example ACME Issuer R3'; C trusts the ACME root.

    c_fault "revoked": the Lab Issuing CA's CRL revokes the Expressway-C certificate (and the ACME issuer's CRL,
    also supplied, revokes nothing); "expired": the Expressway-C certificate from the Lab Issuing CA expired.
    """

    def extra(folder: Path) -> dict[str, Any]:
        pki = TestPKI(seed=_SEED)
        root = pki.root("Example ACME Root X1", subject_extra=(("O", "Example ACME"),))
        issuer = pki.intermediate("Example ACME Issuer R3", root, subject_extra=(("O", "Example ACME"),))
        start = datetime(2026, 2, 20, tzinfo=UTC) if expired else datetime(2026, 5, 1, tzinfo=UTC)
        end = datetime(2026, 5, 21, tzinfo=UTC) if expired else datetime(2026, 7, 30, tzinfo=UTC)
        certs = folder / "certs"
        patch: dict[str, Any] = {}
        leaves: list[Issued] = []
        for i, fqdn in enumerate(_e_names(nodes)):
            sans = [f"expe.{DOMAIN}", fqdn, f"collab-edge.{DOMAIN}", DOMAIN]
            leaf = pki.leaf(fqdn, issuer, sans=sans, not_before=start, not_after=end, key_label=f"acme-{fqdn}")
            leaves.append(leaf)
            (certs / f"acme-{fqdn}.pem").write_bytes(pem(leaf.certificate, issuer.certificate))
            key = f"expressway_e.nodes.{i}.certificate" if nodes > 1 else "expressway_e.certificate"
            patch[key] = f"certs/acme-{fqdn}.pem"
        (certs / "acme-root.pem").write_bytes(pem(root.certificate))
        (certs / "acme-chain.pem").write_bytes(pem(root.certificate, issuer.certificate))
        patch["expressway_c.trusted_cas"] = ["certs/expc-trust.pem", "certs/acme-root.pem"]
        patch["expressway_e.trusted_cas"] = ["certs/expe-trust.pem", "certs/acme-chain.pem"]
        if revoke or c_fault == "revoked":
            crl = pki.crl(issuer, [leaves[0]] if revoke else [], this_update=datetime(2026, 5, 20, tzinfo=UTC), days=30)
            (certs / "acme-r3.crl").write_bytes(pem(crl))
            patch["crls"] = ["certs/acme-r3.crl"]
        if c_fault:
            patch.update(_c_fault(folder, c_fault))
        return patch

    return extra


def _c_fault(folder: Path, fault: str) -> dict[str, Any]:
    """The Expressway-C certificate from the Lab Issuing CA revoked by its CRL, or replaced by an expired one."""
    lab = TestPKI(seed=_SEED)
    cas = issue_cas(lab)
    case = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    if fault == "revoked":
        current = x509.load_pem_x509_certificates((folder / case["expressway_c"]["certificate"]).read_bytes())[0]
        crl = lab.crl(cas.issuing, [current.serial_number], this_update=datetime(2026, 5, 25, tzinfo=UTC), days=30)
        (folder / "certs" / "lab-issuing.crl").write_bytes(pem(crl))
        return {"crls": ["certs/acme-r3.crl", "certs/lab-issuing.crl"]}
    fqdn = f"expc1.{DOMAIN}"
    old = lab.leaf(
        fqdn,
        cas.issuing,
        sans=[fqdn],
        not_before=datetime(2024, 5, 25, tzinfo=UTC),
        not_after=datetime(2026, 5, 25, tzinfo=UTC),
        key_label="expc1-expired",
    )
    (folder / "certs" / "expc-expired.pem").write_bytes(pem(old.certificate, cas.issuing.certificate))
    return {"expressway_c.certificate": "certs/expc-expired.pem"}


def _public_c(nodes: int, *, server_only_ca: bool = True) -> Callable[[Path], dict[str, Any]]:
    """Expressway-C nodes renewed at 'Example Public' CAs: serverAuth only; E (and C, if asked) trusts the root."""

    def extra(folder: Path) -> dict[str, Any]:
        pki = TestPKI(seed=_SEED)
        root = pki.root("Example Public Root R1", subject_extra=(("O", "Example Public Trust"),))
        restrict = [(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)] if server_only_ca else []
        name = "Example Public TLS Server CA 2026" if server_only_ca else "Example Public RSA CA"
        issuer = pki.intermediate(name, root, subject_extra=(("O", "Example Public Trust"),), extra_extensions=restrict)
        certs = folder / "certs"
        patch: dict[str, Any] = {}
        cluster = f"expc.{DOMAIN}"
        for i in range(nodes):
            fqdn = f"expc{i + 1}.{DOMAIN}"
            sans = [cluster, fqdn] if nodes > 1 else [fqdn]
            leaf = pki.leaf(
                cluster if nodes > 1 else fqdn,
                issuer,
                sans=sans,
                eku=("serverAuth",),
                not_before=datetime(2026, 5, 20, tzinfo=UTC),
                days=200,
                key_label=f"public-{fqdn}",
            )
            (certs / f"public-{fqdn}.pem").write_bytes(pem(leaf.certificate, issuer.certificate))
            key = f"expressway_c.nodes.{i}.certificate" if nodes > 1 else "expressway_c.certificate"
            patch[key] = f"certs/public-{fqdn}.pem"
        (certs / "public-chain.pem").write_bytes(pem(root.certificate, issuer.certificate))
        patch["expressway_e.trusted_cas"] = ["certs/expe-trust.pem", "certs/public-chain.pem"]
        patch["expressway_c.trusted_cas"] = ["certs/expc-trust.pem", "certs/public-chain.pem"]
        return patch

    return extra


def _ecdsa(*, signed: bool = False, trusted: bool = False) -> Callable[[Path], dict[str, Any]]:
    """Unified CM tomcat-ECDSA and CallManager-ECDSA (EC P-256): self-signed, or from 'Voice ECDSA CA'."""

    def extra(folder: Path) -> dict[str, Any]:
        pki = TestPKI(seed=_SEED)
        issue_cas(pki)  # the lab's CAs first, so the serial numbers below do not depend on the scenario
        fqdn = f"cucm1.{DOMAIN}"
        certs = folder / "certs"
        ca = pki.root("Voice ECDSA CA", key=_EC) if signed else None
        patch: dict[str, Any] = {}
        roles = (("tomcat-ECDSA", "tomcat_ecdsa_certificate"), ("CallManager-ECDSA", "callmanager_ecdsa_certificate"))
        for role, field in roles:
            cn = fqdn if role.startswith("tomcat") else f"{fqdn}-EC"
            leaf = pki.leaf(cn, ca, sans=[fqdn], key=_EC, key_label=f"{fqdn}-{role}")
            objs = [leaf.certificate] + ([ca.certificate] if ca else [])
            (certs / f"cucm1-{role}.pem").write_bytes(pem(*objs))
            patch[f"cucm.nodes.0.{field}"] = f"certs/cucm1-{role}.pem"
            if trusted:
                (certs / f"trust-{role}.pem").write_bytes(pem(ca.certificate if ca else leaf.certificate))
        if trusted:
            names = ["certs/trust-tomcat-ECDSA.pem"] + ([] if ca else ["certs/trust-CallManager-ECDSA.pem"])
            patch["expressway_c.trusted_cas"] = ["certs/expc-trust.pem", *names]
        return patch

    return extra


def _acme_scenarios() -> Iterator[Scenario]:
    """acme.certificate-revoked and acme.renewal-failed."""
    g = "acme.certificate-revoked"
    yield Scenario(
        g, "revoked-acme-e-cluster", "MRA and the traversal zone fail; the Let's Encrypt style certificate of "
        "Expressway-E node 1 is revoked by its ACME issuer's CRL", ACME_GUIDE,
        {"zone_status": "Failed", "mra_login": "failed"}, {"top": g, "folded": ["cert.revoked"]},
        extra=_acme(2, revoke=True),
    )  # fmt: skip
    yield Scenario(
        g, "revoked-acme-e-alert", "The C logs 'sslv3 alert certificate revoked' towards the E, whose ACME "
        "certificate its issuer revoked", ACME_GUIDE,
        {"zone_status": "Failed", "log_lines": [REVOKED_ALERT]}, {"top": g},
        layout=PAIR_ONLY, extra=_acme(1, revoke=True),
    )  # fmt: skip
    yield Scenario(
        g, "near-miss-acme-valid-c-untrusted", "The Expressway-E ACME certificate is valid and not revoked; the "
        "zone fails because Expressway-C does not trust the ACME root", ACME_GUIDE,
        {"zone_status": "Failed", "log_lines": [UNKNOWN_ISSUER]}, {"top": "zone.ca-not-trusted", "excludes": [g]},
        layout=PAIR_ONLY, extra=_acme(1), patch={"expressway_c.trusted_cas": ["certs/expc-trust.pem"]},
    )  # fmt: skip
    yield Scenario(
        g, "near-miss-c-revoked-acme-e-valid", "Expressway-C logs 'sslv3 alert certificate revoked' on the "
        "traversal zone: the Expressway-E refuses the C certificate, which the Lab Issuing CA's CRL revokes; the "
        "E's ACME certificate is valid and the ACME issuer's CRL lists nothing", ACME_GUIDE,
        {"zone_status": "Failed", "log_lines": [REVOKED_ALERT]},
        {"top": "cert.revoked", "excludes": [g], "ruled_out": [g]},
        layout=PAIR_ONLY, extra=_acme(1, c_fault="revoked"),
    )  # fmt: skip
    yield Scenario(
        "symptom-only", "acme-guide-revoked-alert", "The customer says the Expressway-E certificate comes from "
        "ACME and pastes a revoked-certificate alert (no files)", ACME_GUIDE,
        {"zone_status": "Failed", "log_lines": [REVOKED_ALERT]}, {"top": g},
        answers={"acme_certificate": "yes"}, certificates=False,
    )  # fmt: skip
    g = "acme.renewal-failed"
    yield Scenario(
        g, "expired-acme-e-cluster", "Jabber over MRA fails; the 90-day ACME certificates of both Expressway-E "
        "nodes expired on 21 May", ACME_GUIDE,
        {"mra_login": "failed", "alarms": [EXPIRED_ALARM]}, {"top": g, "folded": ["cert.expired"]},
        extra=_acme(2, expired=True),
    )  # fmt: skip
    yield Scenario(
        g, "expired-acme-e-single", "Traversal zone down; the single Expressway-E's ACME certificate was not "
        "renewed and expired", ACME_GUIDE,
        {"zone_status": "Failed"}, {"top": g},
        layout=PAIR_ONLY, extra=_acme(1, expired=True),
    )  # fmt: skip
    yield Scenario(
        g, "near-miss-expired-private-e", "The Expressway-E certificate from the private CA expired: no ACME",
        ACME_GUIDE, {"zone_status": "Failed"}, {"top": "cert.expired", "excludes": [g]},
        ("e-expired",), layout=PAIR_ONLY,
    )  # fmt: skip
    yield Scenario(
        g, "near-miss-c-expired-acme-e-valid", "Alarm 40068 and the zone is down, but the expired certificate is "
        "the Expressway-C one from the private Lab Issuing CA; the Expressway-E ACME certificate is valid until "
        "30 July", ACME_GUIDE,
        {"zone_status": "Failed", "alarms": [EXPIRED_ALARM]},
        {"top": "cert.expired", "excludes": [g], "ruled_out": [g]},
        layout=PAIR_ONLY, extra=_acme(1, c_fault="expired"),
    )  # fmt: skip
    yield Scenario(
        "symptom-only", "acme-guide-expired-alarm", "Alarm 40068 on Expressway-E, whose certificate the customer "
        "says is an ACME certificate (no files)", ACME_GUIDE,
        {"mra_login": "failed", "alarms": [EXPIRED_ALARM]}, {"top": g},
        answers={"acme_certificate": "yes"}, certificates=False,
    )  # fmt: skip


def _eku_scenarios() -> Iterator[Scenario]:
    """cert.client-auth-eku-sunset and cert.eku-check-mode."""
    g = "cert.client-auth-eku-sunset"
    renewed = ["certificate-renewal"]
    yield Scenario(
        g, "public-server-only-ca-c-cluster", "After the June 2026 renewal at a public CA the Expressway-C "
        "certificates carry serverAuth only (the issuing CA is serverAuth-only); the zone fails", FN74362,
        {"zone_status": "Failed", "recent_changes": renewed, "log_lines": [NO_CERT_RETURNED]},
        {"top": g, "folded": ["cert.missing-client-auth-eku"], "excludes": ["cert.eku-check-mode"]},
        layout=PAIR_ONLY | {"c_nodes": 2}, extra=_public_c(2),
        patch={"expressway_c.version": "X14.3.2", "expressway_e.version": "X14.3.2"},
    )  # fmt: skip
    yield Scenario(
        g, "public-ca-by-name-c-single", "SSH tunnels down after the Expressway-C certificate was renewed at "
        "'Example Public RSA CA' without clientAuth", TS225482,
        {"zone_status": "Active", "ssh_tunnels": "down", "recent_changes": renewed}, {"top": g},
        layout=PAIR_ONLY, extra=_public_c(1, server_only_ca=False),
    )  # fmt: skip
    yield Scenario(
        g, "near-miss-private-web-server-template", "Expressway-C certificates from the private Lab Issuing CA "
        "lack clientAuth (AD CS Web Server template): not the public-CA sunset", TS225482,
        {"zone_status": "Failed", "log_lines": [NO_CERT_RETURNED]},
        {"top": "cert.missing-client-auth-eku", "excludes": [g]},
        ("c-no-client-auth",), layout=PAIR_ONLY,
    )  # fmt: skip
    yield Scenario(
        "symptom-only", "fn74362-renewed-public-no-certificate-returned", "Zone down after renewing at a public "
        "CA; the E logs that the C returned no certificate (no files)", FN74362,
        {"zone_status": "Failed", "recent_changes": renewed, "log_lines": [NO_CERT_RETURNED]}, {"top": g},
        answers={"renewed_at_public_ca": "yes"}, certificates=False,
    )  # fmt: skip
    yield Scenario(
        "symptom-only", "225482-renewed-public-no-certificate-returned", "SSH tunnels and zone down after the "
        "Expressway-C renewal at a public CA; 'no certificate returned' on the E (no files)", TS225482,
        {"zone_status": "Failed", "ssh_tunnels": "down", "recent_changes": renewed, "log_lines": [NO_CERT_RETURNED]},
        {"top": g}, answers={"renewed_at_public_ca": "yes"}, certificates=False,
    )  # fmt: skip
    yield Scenario(
        "symptom-only", "225482-renewed-public-upload-refused", "The Expressway certificate renewed at a public CA "
        "is refused on upload for the missing Client Authentication extension (no files)", TS225482,
        {"upload_error": CLIENT_AUTH_REFUSED, "upload_page": "server-certificate", "recent_changes": renewed},
        {"top": g}, answers={"renewed_at_public_ca": "yes"}, certificates=False,
    )  # fmt: skip
    yield Scenario(
        g, "near-miss-renewed-private-upload-refused", "A renewed certificate is refused on upload for the missing "
        "Client Authentication extension, but it came from the customer's own enterprise CA (Web Server template), "
        "not a public CA (no files)", TS225482,
        {"upload_error": CLIENT_AUTH_REFUSED, "upload_page": "server-certificate", "recent_changes": renewed},
        {"top": "cert.missing-client-auth-eku", "excludes": [g]},
        answers={"renewed_at_public_ca": "no"}, certificates=False,
    )  # fmt: skip
    g = "cert.eku-check-mode"
    yield Scenario(
        g, "x15-5-private-c-no-certificate-returned", "Zone down on X15.5: Expressway-E logs 'no certificate "
        "returned' from the Expressway-C, whose private-CA certificate lacks clientAuth", TS225693,
        {"zone_status": "Failed", "log_lines": [NO_CERT_RETURNED]}, {"top": g},
        ("c-no-client-auth",), layout=PAIR_ONLY,
        patch={"expressway_c.version": "X15.5.0", "expressway_e.version": "X15.5.0"},
    )  # fmt: skip
    yield Scenario(
        g, "near-miss-x15-5-checking-mode-off-ca-untrusted", "X15.5 with ExtendedKeyUsage Checking Mode Off and "
        "every certificate carrying clientAuth; the zone fails because Expressway-C does not trust the CA of the "
        "Expressway-E", TS225693,
        {"zone_status": "Failed", "version": "X15.5.0", "log_lines": [EKU_MODE_OFF, UNKNOWN_ISSUER]},
        {"top": "zone.ca-not-trusted", "excludes": [g]}, ("c-trust-missing",), layout=PAIR_ONLY,
    )  # fmt: skip
    yield Scenario(
        g, "x15-5-public-server-only-c", "On X15.5 the Expressway-C uses its serverAuth-only public certificate "
        "as TLS client: no certificate with clientAuth in the Client certificate store", TS225693,
        {"zone_status": "Failed", "ssh_tunnels": "down", "recent_changes": renewed},
        {"top": g, "folded": ["cert.missing-client-auth-eku", "cert.client-auth-eku-sunset"]},
        layout=PAIR_ONLY | {"c_nodes": 2}, extra=_public_c(2),
        patch={"expressway_c.version": "X15.5.0", "expressway_e.version": "X15.5.0"},
    )  # fmt: skip
    yield Scenario(
        g, "x15-5-checking-mode-on-private", "X15.5 with ExtendedKeyUsage Checking Mode On; the Expressway-C "
        "certificate from the private CA lacks clientAuth", TS225693,
        {"zone_status": "Failed", "version": "X15.5.0", "log_lines": [EKU_MODE_ON]}, {"top": g},
        ("c-no-client-auth",), layout=PAIR_ONLY,
    )  # fmt: skip
    yield Scenario(
        g, "near-miss-x15-5-ca-not-trusted", "X15.5 and the zone fails, but every certificate carries clientAuth: "
        "Expressway-C does not trust the CA of the Expressway-E", TS225693,
        {"zone_status": "Failed", "version": "X15.5.0", "log_lines": [UNKNOWN_ISSUER]},
        {"top": "zone.ca-not-trusted", "excludes": [g]}, ("c-trust-missing",), layout=PAIR_ONLY,
    )  # fmt: skip
    yield Scenario(
        "symptom-only", "225693-x15-5-tunnels-down-eku-mode-on", "After renewing the certificates on X15.5 the "
        "SSH tunnels stay down; the CLI shows EKU checking mode On (no files)", TS225693,
        {"ssh_tunnels": "down", "zone_status": "Active", "version": "X15.5.0", "recent_changes": renewed,
         "log_lines": [EKU_MODE_ON]}, {"top": g}, certificates=False,
    )  # fmt: skip


def _ecdsa_scenarios() -> Iterator[Scenario]:
    """mra.cucm-ecdsa-not-trusted."""
    g = "mra.cucm-ecdsa-not-trusted"
    yield Scenario(
        g, "x14-2-self-signed-ecdsa", "MRA fails after the upgrade to X14.2.5: Unified CM's tomcat-ECDSA and "
        "CallManager-ECDSA are self-signed and not in the Expressway-C trusted list", TS218018,
        {"mra_login": "failed", "previous_version": "X14.0.7", "log_lines": [TS_SELF_SIGNED]},
        {"top": g},
        layout={"e_nodes": 1}, extra=_ecdsa(), patch={"expressway_c.version": "X14.2.5"},
    )  # fmt: skip
    yield Scenario(
        g, "x14-3-ecdsa-from-voice-ecdsa-ca", "MRA fails on X14.3.1: the Unified CM ECDSA certificates come from "
        "'Voice ECDSA CA', which Expressway-C does not trust; the RSA certificates are trusted", TS218018,
        {"mra_login": "failed", "version": "X14.3.1"}, {"top": g},
        layout={"e_nodes": 1}, extra=_ecdsa(signed=True),
    )  # fmt: skip
    yield Scenario(
        g, "near-miss-ecdsa-trusted-rsa-not", "The ECDSA certificates are trusted by Expressway-C; the RSA "
        "tomcat certificate is self-signed and not trusted", TS218018,
        {"mra_login": "failed", "version": "X14.2.5"},
        {"top": "mra.expressway-c-does-not-trust-cucm", "excludes": [g]},
        ("c-untrusts-cucm",), layout={"e_nodes": 1}, extra=_ecdsa(trusted=True),
    )  # fmt: skip
    yield Scenario(
        g, "near-miss-upgrade-ecdsa-trusted-rsa-self-signed", "MRA fails after the upgrade from X14.0.7 to X14.2.5 "
        "with 'self signed certificate ... depth=0'; the customer confirms the ECDSA certificates are trusted, and "
        "the files agree: the untrusted one is the self-signed RSA tomcat certificate", TS218018,
        {"mra_login": "failed", "version": "X14.2.5", "previous_version": "X14.0.7", "log_lines": [TS_SELF_SIGNED]},
        {"top": "mra.expressway-c-does-not-trust-cucm", "excludes": [g], "ruled_out": [g]},
        ("c-untrusts-cucm",), answers={"cucm_ecdsa_trusted": "yes"}, layout={"e_nodes": 1},
        extra=_ecdsa(trusted=True),
    )  # fmt: skip
    yield Scenario(
        "symptom-only", "218018-x14-2-self-signed-depth-0-ecdsa", "After the upgrade to X14.2 MRA fails with "
        "'Error=self signed certificate ... depth=0'; the customer says only the RSA CAs are in the Expressway-C "
        "trusted list (no files)", TS218018,
        {"mra_login": "failed", "version": "X14.2.0", "previous_version": "X14.0.7", "log_lines": [TS_SELF_SIGNED]},
        {"top": g}, answers={"cucm_ecdsa_trusted": "no"}, certificates=False,
    )  # fmt: skip


def scenarios() -> Iterator[Scenario]:
    """Every lifecycle scenario."""
    yield from _acme_scenarios()
    yield from _eku_scenarios()
    yield from _ecdsa_scenarios()
