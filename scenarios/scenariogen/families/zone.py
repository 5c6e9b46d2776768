"""zone.* scenarios: the traversal zone down over names, TLS verify names or CA trust."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import DROP, PAIR_ONLY, SEED_ZONE, Scenario
from ..texts import (
    BAD_CREDENTIALS,
    IN_IDENTITY,
    IN_SELF_SIGNED,
    NEGOTIATION,
    OUT_IDENTITY,
    OUT_IDENTITY_IP,
    TTSSL,
    UNKNOWN_ISSUER,
)


def scenarios() -> Iterator[Scenario]:
    """Traversal zone failures: peer address, TLS verify subject name, CA not trusted."""
    zone_causes = ["zone.peer-address-mismatch", "zone.tls-verify-name-mismatch", "zone.ca-not-trusted"]
    g = "zone.peer-address-mismatch"
    yield Scenario(
        g,
        "renewal-new-name",
        "Traversal zone Failed after the Expressway-E renewal: the C peer addresses are names not on the new "
        "certificate",
        SEED_ZONE,
        {
            "zone_status": "Failed",
            "log_lines": [OUT_IDENTITY],
            "recent_changes": ["certificate-renewal"],
        },
        {"top": g, "folded": ["cert.name-mismatch"], "excludes": ["zone.ca-not-trusted"]},
        ("peer-address",),
    )
    yield Scenario(
        g,
        "peer-address-is-ip",
        "Traversal client zone configured with the Expressway-E IP address; the certificate holds only FQDNs",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [OUT_IDENTITY_IP]},
        {"top": g, "folded": ["cert.name-mismatch"]},
        ("peer-address-ip",),
    )
    yield Scenario(
        g,
        "dutch-single-box",
        "Single boxes: 'Traverse zone omlaag met fout TLS-onderhandelingsfout', secure traversal test fails",
        SEED_ZONE,
        {"zone_status": "Traverse zone omlaag met fout TLS-onderhandelingsfout"},
        {"top": g, "excludes": ["zone.tls-verify-name-mismatch"]},
        ("peer-address",),
        answers={"secure_traversal_test": "failed"},
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "near-miss-wildcard-covers-peer",
        "Zone Failed with a wildcard Expressway-E certificate; the wildcard does cover the peer addresses",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [NEGOTIATION]},
        {"top": "cert.wildcard-unsupported", "ruled_out": [g]},
        ("wildcard",),
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "zone.peer-address-mismatch",
        "secure-traversal-test-fails",
        "Zone Failed; the secure traversal test on Expressway-C fails too (no files at hand)",
        SEED_ZONE,
        {"zone_status": "Failed"},
        {"includes": ["zone.peer-address-mismatch", "zone.ca-not-trusted"]},
        answers={"secure_traversal_test": "failed"},
        certificates=False,
    )
    # one file of the case cannot be read (a truncated trusted list): a finding about it, the rest still diagnosed
    yield Scenario(
        g,
        "truncated-c-trust-list-still-diagnosed",
        "Zone Failed after the Expressway-E renewal; the Expressway-C trusted CA list the customer exported was cut "
        "off in the middle of its second certificate",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [OUT_IDENTITY]},
        {"top": g, "decide_with": ["zone.ca-not-trusted"]},
        ("peer-address", "c-trust-truncated"),
    )
    yield Scenario(
        "zone.peer-address-mismatch",
        "near-miss-secure-traversal-test-passes",
        "Zone Failed, but the secure traversal test passes: names and trust are fine, look at credentials and time",
        SEED_ZONE,
        {"zone_status": "Failed"},
        {"excludes": ["cert.name-mismatch"]},
        answers={"secure_traversal_test": "passed"},
        certificates=False,
    )

    g = "zone.tls-verify-name-mismatch"
    yield Scenario(
        g,
        "node-fqdn-instead-of-cluster-fqdn",
        "Expressway-C cluster: the E's TLS verify subject name is node 1's FQDN, not on node 2's certificate",
        SEED_ZONE,
        {"zone_status": "TLS negotiation failure", "log_lines": [IN_IDENTITY]},
        {"top": g, "excludes": ["zone.ca-not-trusted", "cert.missing-feature-san"]},
        ("tls-verify-name",),
    )
    yield Scenario(
        g,
        "second-c-peer-added",
        "Second Expressway-C peer added; the E still verifies the first peer's FQDN and the secure traversal "
        "test fails",
        SEED_ZONE,
        {"zone_status": "Failed", "recent_changes": ["cluster-change"]},
        {"top": g},
        ("tls-verify-name",),
        answers={"secure_traversal_test": "failed"},
    )
    yield Scenario(
        g,
        "single-box-old-name-dutch",
        "Single boxes: TLS verify-naam op de E is nog de oude hostnaam van de C (TLS-onderhandelingsfout)",
        SEED_ZONE,
        {"zone_status": "TLS-onderhandelingsfout"},
        {"top": g, "excludes": ["zone.peer-address-mismatch", "zone.ca-not-trusted"]},
        ("tls-verify-name",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "near-miss-cluster-fqdn-in-capitals",
        "TLS verify subject name is the C cluster FQDN in capitals (names compare case-insensitively); the zone "
        "is down because C does not trust E's CA",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [UNKNOWN_ISSUER]},
        {"top": "zone.ca-not-trusted", "ruled_out": [g]},
        ("c-trust-missing",),
        layout={"cucm": False},
        patch={"expressway_e.traversal_zone.tls_verify_subject_name": "EXPC.EXAMPLE.COM"},
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "zone.tls-verify-name-mismatch",
        "cluster-zone-down-node-name",
        "Clustered Expressway-C, zone Failed: the Expressway-E verifies the name of one C peer",
        SEED_ZONE,
        {"zone_status": "Failed"},
        {"top": "zone.tls-verify-name-mismatch"},
        ("tls-verify-name",),
    )

    g = "zone.ca-not-trusted"
    yield Scenario(
        g,
        "c-lacks-e-ca-after-ca-change",
        "CA switched for the Expressway-E; Expressway-C's trusted list still only has the old CA",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [TTSSL, UNKNOWN_ISSUER], "recent_changes": ["ca-change"]},
        {"top": g, "folded": ["cert.untrusted-ca"], "excludes": ["cert.name-mismatch"]},
        ("c-trust-missing",),
        layout={"cucm": False},
    )
    yield Scenario(
        g,
        "e-lacks-c-ca-dutch",
        "Traverse zone omlaag; Expressway-E logt 'self signed certificate in certificate chain' voor de C",
        SEED_ZONE,
        {"zone_status": "omlaag", "log_lines": [IN_SELF_SIGNED]},
        {"top": g, "folded": ["cert.untrusted-ca"], "excludes": ["cert.name-mismatch"]},
        ("e-trust-missing",),
        answers={"secure_traversal_test": "failed"},
    )
    yield Scenario(
        g,
        "renewed-e-new-intermediate-not-sent",
        "Expressway-E renewed under a new intermediate it does not send; Expressway-C cannot build the path",
        SEED_ZONE,
        {"zone_status": "Failed", "recent_changes": ["certificate-renewal"]},
        {"top": g, "excludes": ["ssh.intermediate-not-trusted"]},
        ("e-new-intermediate-unsent",),
    )
    yield Scenario(
        g,
        "near-miss-root-only-trust-peer-address",
        "Expressway-C trusts only the root (E sends the intermediate, so TLS works); the zone is down because "
        "the peer address is not on the E certificate",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [OUT_IDENTITY]},
        {"top": "zone.peer-address-mismatch", "ruled_out": [g]},
        ("c-trust-root-only", "peer-address"),
        layout={"cucm": False},
    )
    yield Scenario(
        g,
        "near-miss-wrong-traversal-credentials",
        "Zone Failed after the traversal account password was changed; certificates and trust are fine",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [BAD_CREDENTIALS]},
        {
            "top": "none",
            "excludes": [g, "zone.peer-address-mismatch", "zone.tls-verify-name-mismatch", "cert.expired"],
        },
        answers={"restarted_after_change": "yes"},
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "zone.ca-not-trusted",
        "near-miss-wrong-credentials",
        "Zone Failed with 'Incorrect authentication credential for user' in the Expressway-E log",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [BAD_CREDENTIALS]},
        {
            "excludes": [
                "cert.untrusted-ca",
                "zone.ca-not-trusted",
                "zone.peer-address-mismatch",
                "zone.tls-verify-name-mismatch",
                "cert.expired",
                "cert.missing-client-auth-eku",
                "cert.weak-crypto",
            ]
        },
        certificates=False,
    )
    yield Scenario(
        "zone.ca-not-trusted",
        "zone-down-after-ca-change",
        "Zone Failed after the Expressway-E moved to another CA; the C does not trust it",
        SEED_ZONE,
        {"zone_status": "Failed", "recent_changes": ["ca-change"]},
        {"top": "zone.ca-not-trusted"},
        ("c-trust-missing",),
    )
    # one path healthy, another broken: the evidence names the broken one, no counter-evidence contradicts it
    yield Scenario(
        "zone.peer-address-mismatch",
        "one-of-two-peers-renamed",
        "Traversal zone Failed towards one Expressway-E peer: peer 1 is addressed by its FQDN, peer 2 by a new name "
        "that is not on its certificate",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [OUT_IDENTITY]},
        {"top": "zone.peer-address-mismatch", "folded": ["cert.name-mismatch"]},
        patch={"expressway_c.traversal_zone.peer_addresses": ["expe1.example.com", "edge2.example.com"]},
    )
    # the files that decide it are missing: a hypothesis that names them
    yield Scenario(
        "zone.ca-not-trusted",
        "trusted-lists-not-at-hand",
        "Zone Failed with 'self signed certificate in certificate chain'; the customer sent both sides' server "
        "certificates but neither trusted CA list",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [IN_SELF_SIGNED]},
        {"top": "zone.ca-not-trusted", "decide_with": ["zone.ca-not-trusted"]},
        ("e-trust-missing",),
        patch={"expressway_c.trusted_cas": DROP, "expressway_e.trusted_cas": DROP},
    )
    # only the files, no symptom: the certificate finding alone decides (and stands clear)
    yield Scenario(
        "zone.peer-address-mismatch",
        "files-only-peer-addresses-renamed",
        "Before a change window the customer sends the case files only: the traversal peer addresses are names not "
        "on the Expressway-E certificates",
        SEED_ZONE,
        {},
        {"top": "zone.peer-address-mismatch"},
        ("peer-address",),
        layout={"cucm": False},
    )
    yield Scenario(
        "zone.tls-verify-name-mismatch",
        "files-only-single-box-old-name",
        "Files only, single boxes: the Expressway-E TLS verify subject name is the Expressway-C's old host name",
        SEED_ZONE,
        {},
        {"top": "zone.tls-verify-name-mismatch"},
        ("tls-verify-name",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        "zone.ca-not-trusted",
        "files-only-c-lacks-e-ca",
        "Files only: Expressway-C's trusted list lacks the CA of the Expressway-E certificates",
        SEED_ZONE,
        {},
        {"top": "zone.ca-not-trusted"},
        ("c-trust-missing",),
        layout={"cucm": False},
    )
    yield Scenario(
        "zone.ca-not-trusted",
        "files-only-e-lacks-c-ca",
        "Files only: Expressway-E's trusted list lacks the CA of the Expressway-C certificates",
        SEED_ZONE,
        {},
        {"top": "zone.ca-not-trusted"},
        ("e-trust-missing",),
        layout={"cucm": False},
    )
    # only one side's files: the TLS verify name cannot be checked without the Expressway-C certificates
    yield Scenario(
        "zone.tls-verify-name-mismatch",
        "expressway-e-files-only-cluster",
        "Clustered Expressways, zone Failed and the secure traversal test fails; the customer sent only the "
        "Expressway-E side (its certificates, trusted list and traversal zone)",
        SEED_ZONE,
        {"zone_status": "Failed"},
        {
            "includes": zone_causes,
            "decide_with": zone_causes,
        },
        layout={"cucm": False},
        answers={"secure_traversal_test": "failed"},
        patch={"expressway_c": DROP},
    )
