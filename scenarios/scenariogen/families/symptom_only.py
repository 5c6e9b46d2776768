"""symptom-only scenarios: what the customer reports without any certificate file."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import (
    CERT_GUIDE_TS,
    CLUSTER_GUIDE,
    MRA_TS,
    REFERENCE,
    SEED_BASICS,
    SEED_CHAIN,
    SEED_FORMAT,
    SEED_JABBER,
    SEED_MRA,
    SEED_SSH,
    SEED_ZONE,
    TS218018,
    Scenario,
)
from ..texts import (
    CA_NOT_RECOGNIZED,
    CLIENT_AUTH_REFUSED,
    EDGE_DOMAIN,
    NEGOTIATION,
    NO_CERT_RETURNED,
    OUT_IDENTITY,
    PORTFORWARDING,
    SECURE_REGISTRATION,
    SSH_ALARM,
    TS_SELF_SIGNED,
    TS_SNI,
    TS_UNKNOWN_CA,
)


def scenarios() -> Iterator[Scenario]:
    """Symptoms only: no deployment sections, no certificate judged."""
    g = "symptom-only"
    zone_causes = ["zone.peer-address-mismatch", "zone.tls-verify-name-mismatch", "zone.ca-not-trusted"]
    yield Scenario(
        g,
        "zone-down-tls-negotiation-error",
        "Traversal zone Failed with an Outbound TLS Negotiation Error; no certificates at hand",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [NEGOTIATION]},
        {"includes": zone_causes, "decide_with": zone_causes},
        certificates=False,
    )
    yield Scenario(
        g,
        "zone-down-dutch",
        "Traverse zone omlaag met fout TLS-onderhandelingsfout (alleen de melding)",
        SEED_ZONE,
        {"zone_status": "TLS-onderhandelingsfout"},
        {"includes": zone_causes},
        certificates=False,
    )
    yield Scenario(
        g,
        "ssh-tunnels-down-after-renewal",
        "Zone Active, SSH tunnels down after a certificate renewal, alarm 35013",
        SEED_SSH,
        {
            "zone_status": "Active",
            "ssh_tunnels": "down",
            "alarms": [SSH_ALARM],
            "recent_changes": ["certificate-renewal"],
        },
        {
            "top": "ssh.intermediate-not-trusted",
            "includes": ["cert.unsupported-oid", "cert.missing-client-auth-eku"],
            "decide_with": ["ssh.intermediate-not-trusted", "cert.unsupported-oid", "cert.missing-client-auth-eku"],
        },
        certificates=False,
    )
    yield Scenario(
        g,
        "mra-login-failed-after-upgrade",
        "MRA sign-in fails after upgrading to X14.2.1; nothing else known",
        SEED_MRA,
        {"mra_login": "failed", "version": "X14.2.1", "previous_version": "X14.0.1"},
        {
            "includes": ["mra.cucm-does-not-trust-expressway-c", "mra.expressway-c-does-not-trust-cucm"],
            "decide_with": ["mra.cucm-does-not-trust-expressway-c", "mra.expressway-c-does-not-trust-cucm"],
        },
        certificates=False,
    )
    yield Scenario(
        g,
        "jabber-certificate-warning",
        "Jabber shows 'Certificate not valid' at MRA sign-in",
        SEED_JABBER,
        {"jabber_warning": "Certificate not valid"},
        {
            "top": "jabber.edge-domain-not-in-san",
            "includes": ["cert.name-mismatch", "cert.untrusted-ca"],
            "decide_with": ["jabber.edge-domain-not-in-san"],
        },
        certificates=False,
    )
    yield Scenario(
        g,
        "upload-errors-verbatim",
        "Upload page shows 'Invalid certificate format'",
        SEED_FORMAT,
        {"upload_error": "Invalid certificate format", "upload_page": "server-certificate"},
        {
            "top": "upload.invalid-format",
            "includes": ["upload.untrusted-chain", "upload.key-mismatch"],
            "decide_with": ["upload.invalid-format", "upload.untrusted-chain", "upload.key-mismatch"],
        },
        certificates=False,
    )
    yield Scenario(
        g,
        "upload-ca-not-recognized",
        "Upload warning: the CA or CRL is not recognized",
        SEED_CHAIN,
        {"upload_error": CA_NOT_RECOGNIZED, "upload_page": "server-certificate"},
        {"top": "upload.untrusted-chain", "includes": ["cert.untrusted-ca"]},
        certificates=False,
    )
    yield Scenario(
        g,
        "alarms-restart-time-crl",
        "Status > Alarms lists 15028, 25022 and 40002 after a certificate change",
        REFERENCE,
        {"alarms": ["15028", "25022", "40002"]},
        {"includes": ["restart.required", "time.not-synchronized", "crl.unavailable"]},
        certificates=False,
    )
    yield Scenario(
        g,
        "traffic-server-log-lines",
        "Only the Expressway-C diagnostic log: self-signed Unified CM certificate and an SNI not in the certificate",
        TS218018,
        {"log_lines": [TS_SELF_SIGNED, TS_SNI]},
        {"top": "mra.expressway-c-does-not-trust-cucm", "includes": ["cert.untrusted-ca", "cert.name-mismatch"]},
        certificates=False,
    )
    yield Scenario(
        g,
        "server-certificate-expired-alarm",
        "Alarm 40068 'Server certificate expired or Server certificate expires today' and the zone is down",
        SEED_BASICS,
        {"zone_status": "Failed", "alarms": ["40068 Server certificate validity"]},
        {"top": "cert.expired", "includes": zone_causes, "decide_with": ["cert.expired"]},
        certificates=False,
    )
    yield Scenario(
        g,
        "weak-crypto-upload-warning",
        "Upload warning only: 'Certificate does not have an acceptable level of security.'",
        CERT_GUIDE_TS,
        {"upload_error": "Certificate does not have an acceptable level of security."},
        {"top": "cert.weak-crypto", "decide_with": ["cert.weak-crypto"]},
        certificates=False,
    )
    yield Scenario(
        g,
        "zone-down-after-cluster-change",
        "Traversal zone Failed right after a peer was added to the Expressway-C cluster",
        CLUSTER_GUIDE,
        {"zone_status": "Failed", "recent_changes": ["cluster-change"]},
        {
            "includes": ["zone.tls-verify-name-mismatch", "cluster.peer-certificate-mismatch", *zone_causes],
            "decide_with": ["cluster.peer-certificate-mismatch"],
        },
        certificates=False,
    )
    yield Scenario(
        g,
        "traffic-server-rejects-though-ca-listed",
        "The customer says the Unified CM CA is in the Expressway-C trusted list, yet the traffic server logs "
        "'unable to get local issuer certificate'",
        "https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/"
        "213872-configure-and-troubleshoot-collaboration.html",
        {"mra_login": "failed", "version": "X14.2.1", "log_lines": [TS_UNKNOWN_CA]},
        {
            "top": "mra.expressway-c-does-not-trust-cucm",
            "includes": ["trust.duplicate-ca-cn", "cert.untrusted-ca"],
            "decide_with": ["trust.duplicate-ca-cn"],
        },
        certificates=False,
    )
    yield Scenario(
        g,
        "secure-registration-and-no-certificate-returned",
        "Phones fail secure registration over MRA and the E logs 'no certificate returned'",
        MRA_TS,
        {"mra_login": "failed", "log_lines": [SECURE_REGISTRATION, NO_CERT_RETURNED]},
        {
            "includes": ["cert.missing-feature-san", "cert.missing-client-auth-eku"],
            "decide_with": ["cert.missing-client-auth-eku"],
        },
        certificates=False,
    )

    # Status > Alarms and log texts that point at (or away from) a cause
    yield Scenario(
        g,
        "ptr-record-and-xcp-invalid-hostname",
        "Alarm 25031 (FQDN in PTR record does not match the SAN entries) and XCP 'Invalid Hostname' in the log",
        CERT_GUIDE_TS,
        {
            "alarms": ["25031 Certificate verification failed"],
            "log_lines": ["Certificate verification failed for host=10.48.36.215, additional info: Invalid Hostname"],
        },
        {"top": "cert.name-mismatch"},
        certificates=False,
    )
    yield Scenario(
        g,
        "certificate-without-common-name",
        "Upload warning 'Certificate is missing a common name (CN) attribute.' and alarm 40052 on a cluster peer",
        CLUSTER_GUIDE,
        {"upload_error": "Certificate is missing a common name (CN) attribute.", "alarms": ["40052"]},
        {"includes": ["cluster.peer-certificate-mismatch", "cert.name-mismatch"]},
        certificates=False,
    )
    yield Scenario(
        g,
        "ssh-tunnels-down-firewall-2222",
        "Zone Active, SSH tunnels down, alarm 35014: the firewall blocks the C's ephemeral ports to TCP 2222",
        MRA_TS,
        {"zone_status": "Active", "ssh_tunnels": "down", "alarms": ["35014"]},
        {"excludes": ["cert.unsupported-oid"]},
        certificates=False,
    )
    yield Scenario(
        g,
        "tls-verify-mode-off-zone-down",
        "Zone Failed and alarm 40040: TLS verify mode is not enabled on the Unified Communications traversal zone",
        SEED_ZONE,
        {"zone_status": "Failed", "alarms": ["40040"]},
        {"excludes": ["zone.tls-verify-name-mismatch"]},
        certificates=False,
    )
    yield Scenario(
        g,
        "cluster-tls-permissive-after-cluster-change",
        "Alarm 40049 (cluster TLS permissive) right after a peer was rebuilt; the zone is Failed",
        CLUSTER_GUIDE,
        {"zone_status": "Failed", "recent_changes": ["cluster-change"], "alarms": ["40049"]},
        {"excludes": ["cluster.peer-certificate-mismatch"]},
        certificates=False,
    )
    yield Scenario(
        g,
        "cms-not-identified",
        "Alarm 40051: CMS not identified by the server certificate",
        CERT_GUIDE_TS,
        {"alarms": ["40051 CMS not Identified by Server Certificate"]},
        {"top": "cert.missing-feature-san"},
        certificates=False,
    )
    yield Scenario(
        g,
        "ldap-and-hybrid-ca-alarms",
        "Alarms 40029 (LDAP server CA certificate is missing) and 60058 (hybrid services: CA not found)",
        CERT_GUIDE_TS,
        {"alarms": ["40029", "60058"]},
        {"top": "cert.untrusted-ca"},
        certificates=False,
    )
    yield Scenario(
        g,
        "imp-server-not-recognised",
        "MRA sign-in fails; adding the IM and Presence node on Expressway-C said 'Address is not a IM and "
        "Presence Server'",
        MRA_TS,
        {"mra_login": "failed", "log_lines": ["Failed: Address is not a IM and Presence Server"]},
        {"includes": ["mra.expressway-c-does-not-trust-cucm"]},
        certificates=False,
    )

    # counter-evidence from the symptoms alone: without files, these keep the certificate causes out
    yield Scenario(
        g,
        "zone-active-old-negotiation-errors",
        "The traversal zone is Active again; the log the customer pasted still holds TLS negotiation errors from "
        "this morning",
        SEED_ZONE,
        {"zone_status": "Active", "log_lines": [NEGOTIATION]},
        {"top": "none", "excludes": zone_causes},
        certificates=False,
    )
    yield Scenario(
        g,
        "ssh-down-portforwarding-error-only",
        "Zone Active, SSH tunnels down, and the portforwarding.pyc software error in the log (no files at hand)",
        MRA_TS,
        {"zone_status": "Active", "ssh_tunnels": "down", "log_lines": [PORTFORWARDING]},
        {
            "top": "none",
            "excludes": ["ssh.intermediate-not-trusted", "cert.unsupported-oid", "cert.missing-client-auth-eku"],
        },
        certificates=False,
    )
    yield Scenario(
        g,
        "identity-unacceptable-only",
        "Only the Expressway-C log line: 'Peer's TLS certificate identity was unacceptable' on the traversal zone",
        SEED_ZONE,
        {"log_lines": [OUT_IDENTITY]},
        {
            "includes": ["zone.peer-address-mismatch", "zone.tls-verify-name-mismatch", "cert.name-mismatch"],
            "decide_with": ["zone.peer-address-mismatch", "zone.tls-verify-name-mismatch"],
        },
        certificates=False,
    )
    yield Scenario(
        g,
        "upload-refused-client-auth-only",
        "Only the upload message: the server certificate was refused for the missing Client Authentication extension",
        "https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway-series/"
        "225482-prepare-expressway-for-client.html",
        {"upload_error": CLIENT_AUTH_REFUSED, "upload_page": "server-certificate"},
        {"top": "cert.missing-client-auth-eku", "decide_with": ["cert.missing-client-auth-eku"]},
        certificates=False,
    )
    yield Scenario(
        g,
        "zone-down-after-ca-change-negotiation-error",
        "Traversal zone Failed with a TLS negotiation error right after the Expressway-E moved to another CA",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [NEGOTIATION], "recent_changes": ["ca-change"]},
        {"top": "zone.ca-not-trusted", "includes": zone_causes, "decide_with": zone_causes},
        certificates=False,
    )
    yield Scenario(
        g,
        "endpoint-edge-domain-only",
        "Only the endpoint log: 'Edge TLS verification failed: Edge domain ... not found in certificate SAN list'",
        SEED_JABBER,
        {"log_lines": [EDGE_DOMAIN]},
        {"top": "jabber.edge-domain-not-in-san", "decide_with": ["jabber.edge-domain-not-in-san"]},
        certificates=False,
    )
