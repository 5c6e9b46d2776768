"""ssh.* scenarios: zone up but SSH tunnels down because an intermediate CA is not trusted."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import MRA_TS, PAIR_ONLY, SEED_SSH, Scenario
from ..texts import PORTFORWARDING, SSH_ALARM


def scenarios() -> Iterator[Scenario]:
    """SSH tunnels down with the zone Active: the intermediate is not trusted."""
    g = "ssh.intermediate-not-trusted"
    yield Scenario(
        g,
        "renewal-c-trusts-root-only",
        "Zone Active but SSH tunnels down after the Expressway-E renewal: C trusts only the root, the "
        "intermediate comes only in E's chain",
        SEED_SSH,
        {
            "zone_status": "Active",
            "ssh_tunnels": "down",
            "alarms": ["35013"],
            "recent_changes": ["certificate-renewal"],
        },
        {"top": g, "excludes": ["zone.ca-not-trusted", "zone.peer-address-mismatch"]},
        ("c-trust-root-only",),
        answers={"secure_traversal_test": "passed"},
    )
    yield Scenario(
        g,
        "new-intermediate-dutch-alarm",
        "CA wisselde van tussentijds CA-certificaat; zone actief, SSH-tunnelfout op Status > Unified Communications",
        SEED_SSH,
        {
            "zone_status": "Actief",
            "ssh_tunnels": "down",
            "alarms": ["SSH-tunnelfout"],
            "recent_changes": ["ca-change"],
        },
        {"top": g, "excludes": ["zone.ca-not-trusted"]},
        ("e-new-intermediate",),
    )
    yield Scenario(
        g,
        "single-box-e-trusts-root-only",
        "Single boxes: Expressway-E trusts only the root CA; after the C renewal MRA sign-in fails and the "
        "SSH tunnel alarm is raised",
        SEED_SSH,
        {
            "zone_status": "Active",
            "ssh_tunnels": "down",
            "mra_login": "failed",
            "alarms": [SSH_ALARM.replace("expe1.example.com, expe2.example.com", "expc.example.com")],
            "recent_changes": ["certificate-renewal"],
        },
        {"top": g},
        ("e-trust-root-only",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "near-miss-underscore-hostname",
        "SSH tunnels down with a portforwarding.pyc error (underscore in the Expressway-E host name); every "
        "CA is trusted on both sides",
        MRA_TS,
        {"zone_status": "Active", "ssh_tunnels": "down", "log_lines": [PORTFORWARDING]},
        {"top": "none", "ruled_out": [g, "cert.unsupported-oid", "cert.missing-client-auth-eku"]},
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "ssh.intermediate-not-trusted",
        "renewal-only-tunnels-down",
        "The customer renewed the Expressway-E certificate yesterday; the zone is Active, the SSH tunnels are down",
        SEED_SSH,
        {"zone_status": "Active", "ssh_tunnels": "down", "recent_changes": ["certificate-renewal"]},
        {"top": "ssh.intermediate-not-trusted"},
        certificates=False,
    )
    yield Scenario(
        "ssh.intermediate-not-trusted",
        "new-ca-tunnels-down",
        "The PKI team moved the Expressways to a new issuing CA; zone up, SSH tunnels down",
        SEED_SSH,
        {"zone_status": "Active", "ssh_tunnels": "down", "recent_changes": ["ca-change"]},
        {"top": "ssh.intermediate-not-trusted"},
        certificates=False,
    )
    # one path healthy, another broken: the evidence names the broken path, no counter-evidence contradicts it
    yield Scenario(
        "ssh.intermediate-not-trusted",
        "one-e-node-under-new-intermediate",
        "Expressway-E cluster half renewed: node 1 now chains to a new intermediate CA it sends but Expressway-C "
        "does not trust; node 2 still has its certificate from the old issuing CA; zone Active, SSH tunnels down",
        SEED_SSH,
        {
            "zone_status": "Active",
            "ssh_tunnels": "down",
            "alarms": ["35013"],
            "recent_changes": ["certificate-renewal"],
        },
        {
            "top": "ssh.intermediate-not-trusted",
            "excludes": ["zone.ca-not-trusted"],
            "ruled_out": ["cert.unsupported-oid", "cert.missing-client-auth-eku"],
        },
        ("e-new-intermediate",),
        borrow={"expressway_e.nodes.1.certificate": ((), "expressway_e.nodes.1.certificate")},
    )
    # only the files, no symptom: the certificate finding alone decides
    yield Scenario(
        "ssh.intermediate-not-trusted",
        "files-only-both-sides-trust-only-the-root",
        "Files only, single boxes: each Expressway trusts only the root; each sends the issuing CA in its chain",
        SEED_SSH,
        {},
        {"top": "ssh.intermediate-not-trusted"},
        ("c-trust-root-only", "e-trust-root-only"),
        layout=PAIR_ONLY,
    )
