"""mixed scenarios: two faults at once, both of which must show."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import SEED_JABBER, SEED_MRA, SEED_UPLOAD, SEED_ZONE, Scenario
from ..texts import IN_SELF_SIGNED, NO_CERT_RETURNED, OUT_IDENTITY


def scenarios() -> Iterator[Scenario]:
    """Two faults at once."""
    g = "mixed"
    yield Scenario(
        g,
        "peer-address-and-expired-e",
        "Zone Failed: the peer address is not on the E certificate, and that certificate has expired too",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [OUT_IDENTITY]},
        {"includes": ["zone.peer-address-mismatch", "cert.expired"]},
        ("peer-address", "e-expired"),
    )
    yield Scenario(
        g,
        "intermediate-and-cucm-trust-after-upgrade",
        "After upgrade and renewal: SSH tunnels down (C trusts only the root) and Unified CM lacks the C chain",
        SEED_MRA,
        {
            "zone_status": "Active",
            "ssh_tunnels": "down",
            "mra_login": "failed",
            "version": "X14.2.1",
            "recent_changes": ["upgrade", "certificate-renewal"],
        },
        {"includes": ["ssh.intermediate-not-trusted", "mra.cucm-does-not-trust-expressway-c"]},
        ("c-trust-root-only", "cucm-trust-missing"),
    )
    yield Scenario(
        g,
        "duplicate-root-and-e-untrusts-c",
        "Expressway-C list holds a stale root of the same name, and Expressway-E lacks the C's CA",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [IN_SELF_SIGNED]},
        {"top": "zone.ca-not-trusted", "includes": ["trust.duplicate-ca-cn"]},
        ("duplicate-ca", "e-trust-missing"),
    )
    yield Scenario(
        g,
        "jabber-domain-and-sha1",
        "Jabber warning: the E certificate lacks the domain and is SHA-1 / 1024-bit",
        SEED_JABBER,
        {"jabber_warning": "Certificate not valid"},
        {"includes": ["jabber.edge-domain-not-in-san", "cert.weak-crypto"]},
        ("jabber-domain", "weak"),
    )
    yield Scenario(
        g,
        "wildcard-e-and-c-without-client-auth",
        "Zone Failed: wildcard Expressway-E certificate, and the C certificates lack clientAuth",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [NO_CERT_RETURNED]},
        {"includes": ["cert.wildcard-unsupported", "cert.missing-client-auth-eku"]},
        ("wildcard", "c-no-client-auth"),
    )
    yield Scenario(
        g,
        "upload-untrusted-and-wrong-key",
        "Upload fails: the new CA is not trusted yet and the key file belongs to another certificate",
        SEED_UPLOAD,
        {"upload_error": "Upload failed", "upload_page": "server-certificate"},
        {"includes": ["upload.untrusted-chain", "upload.key-mismatch"], "excludes": ["upload.invalid-format"]},
        ("upload-untrusted", "upload-key-mismatch"),
    )
