"""cert.* scenarios on what a certificate holds: EKU, key strength, wildcard, feature SANs, subject OIDs."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import CERT_GUIDE_TS, DROP, PAIR_ONLY, SEED_ZONE, Scenario
from ..texts import (
    BAD_CREDENTIALS,
    CA_NOT_RECOGNIZED,
    CLIENT_AUTH_REFUSED,
    ENDPOINT_SSL,
    IN_IDENTITY,
    IN_SELF_SIGNED,
    NO_CERT_RETURNED,
    SECURE_REGISTRATION,
)


def scenarios() -> Iterator[Scenario]:
    """Certificate profile: clientAuth EKU, weak crypto, wildcard, feature SANs, unsupported OID."""
    g = "cert.missing-client-auth-eku"
    origin = "https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway-series/225482-prepare-expressway-for-client.html"
    yield Scenario(
        g,
        "c-server-auth-only-zone-down",
        "Renewed Expressway-C certificates (public CA) lack clientAuth; the E logs 'no certificate returned'",
        origin,
        {"zone_status": "Failed", "log_lines": [NO_CERT_RETURNED], "recent_changes": ["certificate-renewal"]},
        {"top": g, "excludes": ["zone.ca-not-trusted", "zone.tls-verify-name-mismatch"]},
        ("c-no-client-auth",),
    )
    yield Scenario(
        g,
        "upload-refused-web-server-template",
        "AD CS 'Web Server' template certificate refused on the Expressway-C upload page",
        origin,
        {"upload_error": CLIENT_AUTH_REFUSED, "upload_page": "server-certificate"},
        {
            "top": g,
            "decide_with": [g],
            "ruled_out": ["upload.invalid-format", "upload.untrusted-chain"],
            "excludes": ["upload.key-mismatch"],
        },
        ("upload-no-client-auth",),
        layout={"upload_target": "expressway_c"},
        # only the file to upload and the target's trusted list are at hand (certdoctor does not judge the
        # EKU of the upload file itself: the running node certificates would wrongly rule the cause out)
        patch={
            "expressway_c.nodes": DROP,
            "expressway_c.traversal_zone": DROP,
            "expressway_c.cucm_servers": DROP,
            "expressway_e": DROP,
            "cucm": DROP,
        },
    )
    yield Scenario(
        g,
        "eku-check-off-tunnels-stay-down",
        "EKU check turned off on the E brings the UC zone up, but the SSH tunnels stay inactive",
        origin,
        {"zone_status": "Active", "ssh_tunnels": "down", "alarms": ["35013"]},
        {"top": g},
        ("c-no-client-auth",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "near-miss-renewed-with-client-auth-wrong-password",
        "Certificates renewed for the clientAuth sunset (both EKUs present); zone down because the traversal "
        "password changed at the same time",
        origin,
        {"zone_status": "Failed", "log_lines": [BAD_CREDENTIALS], "recent_changes": ["certificate-renewal"]},
        {"top": "none", "excludes": [g, "zone.ca-not-trusted"]},
        answers={"restarted_after_change": "yes"},
    )

    g = "cert.weak-crypto"
    origin = CERT_GUIDE_TS
    yield Scenario(
        g,
        "sha1-1024-upload-warning",
        "Upload warns 'Certificate does not have an acceptable level of security.' for a SHA-1 / 1024-bit certificate",
        origin,
        {"upload_error": "Certificate does not have an acceptable level of security."},
        {"top": g},
        ("weak",),
    )
    yield Scenario(
        g,
        "single-box-sha1-jabber-prompts",
        "Jabber prompts for the certificate at every sign-in and the zone is down: SHA-1 / 1024-bit Expressway-E "
        "certificate",
        origin,
        {"zone_status": "Failed", "jabber_warning": True},
        {"top": g, "excludes": ["jabber.edge-domain-not-in-san"]},
        ("weak",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "near-miss-rsa-4096-sha384",
        "Expressway-E certificates use 4096-bit RSA and SHA-384 (strong); the renewal upload is refused "
        "because its CA is not trusted",
        origin,
        {"upload_error": CA_NOT_RECOGNIZED, "upload_page": "server-certificate"},
        {"top": "upload.untrusted-chain", "excludes": [g]},
        ("e-strong", "upload-untrusted"),
    )

    g = "cert.wildcard-unsupported"
    origin = "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0/cert_creation_use/exwy_b_cisco-expressway-certificate-creation-and-use-deployment-guide-x14-0/exwy_b_certificate-creation-use-deployment-guide_chapter_01.html"
    yield Scenario(
        g,
        "wildcard-mra-fails",
        "Expressway-E cluster runs on the company *.example.com wildcard; MRA sign-in fails",
        origin,
        {"zone_status": "Active", "mra_login": "failed"},
        {"top": g, "excludes": ["jabber.edge-domain-not-in-san", "zone.peer-address-mismatch"]},
        ("wildcard",),
    )
    yield Scenario(
        g,
        "single-box-wildcard-zone-down",
        "Single Expressway-E with a wildcard certificate; traversal zone shows TLS negotiation failure",
        origin,
        {"zone_status": "TLS negotiation failure"},
        {"top": g, "excludes": ["zone.peer-address-mismatch"]},
        ("wildcard",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "near-miss-explicit-sans-e-untrusts-c",
        "Every peer is named explicitly in the SANs (no wildcard); the zone is down because Expressway-E lacks "
        "the C's CA",
        origin,
        {"zone_status": "Failed", "log_lines": [IN_SELF_SIGNED]},
        {"top": "zone.ca-not-trusted", "excludes": [g]},
        ("e-trust-missing",),
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "cert.wildcard-unsupported",
        "wildcard-zone-down",
        "A wildcard certificate was put on the Expressway-E to save money; the traversal zone went down",
        CERT_GUIDE_TS,
        {"zone_status": "Failed"},
        {"top": "cert.wildcard-unsupported"},
        ("wildcard",),
        patch={"expressway_c.traversal_zone.peer_addresses": ["expe1.example.com", "expe2.example.com"]},
    )
    yield Scenario(
        "cert.wildcard-unsupported",
        "wildcard-mra-failed",
        "Jabber cannot sign in over MRA since the Expressway-E got a *.example.com certificate",
        CERT_GUIDE_TS,
        {"mra_login": "failed"},
        {"top": "cert.wildcard-unsupported"},
        ("wildcard",),
    )

    g = "cert.missing-feature-san"
    origin = "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0/cert_creation_use/exwy_b_cisco-expressway-certificate-creation-and-use-deployment-guide-x14-0/exwy_b_certificate-creation-use-deployment-guide_chapter_011.html"
    yield Scenario(
        g,
        "cluster-fqdn-missing-secure-registration",
        "Expressway-C cluster rebuilt with per-node certificates; secure phone registration over MRA fails "
        "(InvalidX509NameInCertificate)",
        origin,
        {
            "mra_login": "failed",
            "recent_changes": ["cluster-change"],
            "log_lines": [SECURE_REGISTRATION, ENDPOINT_SSL],
        },
        {"top": g, "includes": ["cluster.peer-certificate-mismatch"]},
        ("c-cluster-fqdn-missing",),
        layout={"e_nodes": 0, "cucm": False, "jabber_domain": None},
    )
    yield Scenario(
        g,
        "upload-short-hostname-san",
        "Upload refused: 'File upload failed.: Subject alternative name must be a valid FQDN' (short host name "
        "in the SAN)",
        origin,
        {"upload_error": "File upload failed.: Subject alternative name must be a valid FQDN"},
        {"top": g, "excludes": ["upload.invalid-format", "upload.key-mismatch", "upload.untrusted-chain"]},
        ("upload-short-san",),
    )
    yield Scenario(
        g,
        "cluster-fqdn-missing-zone-down",
        "Expressway-C node certificates lack the cluster FQDN that the E uses as TLS verify subject name",
        origin,
        {"zone_status": "Failed", "log_lines": [IN_IDENTITY]},
        {"top": "zone.tls-verify-name-mismatch", "includes": [g, "cluster.peer-certificate-mismatch"]},
        ("c-cluster-fqdn-missing",),
    )
    yield Scenario(
        g,
        "near-miss-cluster-fqdn-present",
        "Cluster FQDN is on every C node certificate; the zone is down because the E verifies a node FQDN",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [IN_IDENTITY]},
        {"top": "zone.tls-verify-name-mismatch", "excludes": [g]},
        ("tls-verify-name",),
    )

    g = "cert.unsupported-oid"
    origin = CERT_GUIDE_TS
    yield Scenario(
        g,
        "undecoded-oid-tunnels-down",
        "SSH tunnels fail after moving the Expressway-E to a public CA whose certificates carry an undecoded "
        "subject OID",
        origin,
        {"zone_status": "Active", "ssh_tunnels": "down", "alarms": ["35013"]},
        {"top": g, "excludes": ["zone.peer-address-mismatch"]},
        ("unknown-oid",),
    )
    yield Scenario(
        g,
        "single-box-oid-tunnel-status-inactive",
        "Single Expressway-E: SSH tunnel status inactive; subject shows 1.3.6.1.4.1.6449.1.2.1.5.1 = #0C01..",
        origin,
        {"ssh_tunnels": "down", "log_lines": ["Status > Unified Communications: SSH tunnel status inactive"]},
        {"top": g},
        ("unknown-oid",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "near-miss-ev-attributes-tunnels-up",
        "EV certificate (jurisdictionCountryName, businessCategory, serialNumber: all decoded); tunnels up, "
        "Jabber warns because the domain is missing",
        origin,
        {"zone_status": "Active", "ssh_tunnels": "up", "jabber_warning": "Certificate not valid"},
        {"top": "jabber.edge-domain-not-in-san", "excludes": [g]},
        ("e-ev-subject", "jabber-domain"),
    )
    # the files decide it: every certificate has both EKUs, a standard subject, SHA-2 and a 2048-bit key
    yield Scenario(
        "cert.missing-client-auth-eku",
        "near-miss-both-ekus-tunnels-down",
        "Zone Active, SSH tunnels down after the renewal; every certificate carries serverAuth and clientAuth: "
        "Expressway-C trusts only the root and the intermediate comes only in Expressway-E's chain",
        "https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway-series/"
        "225482-prepare-expressway-for-client.html",
        {
            "zone_status": "Active",
            "ssh_tunnels": "down",
            "alarms": ["35013"],
            "recent_changes": ["certificate-renewal"],
        },
        {"top": "ssh.intermediate-not-trusted", "ruled_out": ["cert.missing-client-auth-eku"]},
        ("c-trust-root-only",),
    )
    yield Scenario(
        "cert.unsupported-oid",
        "near-miss-standard-subject-tunnels-down",
        "Single boxes, SSH tunnels inactive after the Expressway-C renewal; both certificates carry only standard "
        "subject attributes: Expressway-E trusts only the root",
        CERT_GUIDE_TS,
        {
            "zone_status": "Active",
            "ssh_tunnels": "down",
            "log_lines": ["Status > Unified Communications: SSH tunnel status inactive"],
        },
        {"top": "ssh.intermediate-not-trusted", "ruled_out": ["cert.unsupported-oid"]},
        ("e-trust-root-only",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        "cert.weak-crypto",
        "near-miss-sha256-jabber-prompts",
        "Jabber prompts for the Expressway-E certificate at every sign-in and the zone is Failed; the certificate "
        "is SHA-256 with a 2048-bit key but lacks the sign-in domain",
        CERT_GUIDE_TS,
        {"zone_status": "Failed", "jabber_warning": True},
        {"top": "jabber.edge-domain-not-in-san", "ruled_out": ["cert.weak-crypto"]},
        ("jabber-domain",),
        layout=PAIR_ONLY,
    )
