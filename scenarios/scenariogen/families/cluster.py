"""cluster.* scenarios: cluster peers presenting certificates that do not name them."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import CLUSTER_GUIDE, SEED_ZONE, Scenario
from ..texts import OUT_IDENTITY


def scenarios() -> Iterator[Scenario]:
    """Cluster peers whose certificates do not match the peer."""
    g = "cluster.peer-certificate-mismatch"
    yield Scenario(
        g,
        "peer-presents-other-peer-certificate",
        "After rebuilding the Expressway-C cluster, node 2 presents node 1's certificate",
        CLUSTER_GUIDE,
        {"zone_status": "Failed", "recent_changes": ["cluster-change"]},
        {"top": g, "folded": ["cert.name-mismatch"]},
        ("cluster-same-cert",),
    )
    yield Scenario(
        g,
        "copied-csr-node2",
        "Node 2's CSR was copied from node 1, so node 2's certificate lacks its own FQDN; MRA fails for half "
        "the sessions",
        CLUSTER_GUIDE,
        {"mra_login": "failed", "recent_changes": ["cluster-change"]},
        {"top": g},
        ("c-node-name-missing",),
    )
    yield Scenario(
        g,
        "near-miss-consistent-cluster-peer-address",
        "Both clusters' certificates are consistent (cluster FQDN as CN, each peer's FQDN as SAN); the zone is "
        "down because of the peer addresses",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [OUT_IDENTITY]},
        {"top": "zone.peer-address-mismatch", "excludes": [g]},
        ("peer-address",),
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "cluster.peer-certificate-mismatch",
        "mra-fails-after-peer-added",
        "MRA sign-in fails since a second Expressway-C peer joined; it presents the first peer's certificate",
        CLUSTER_GUIDE,
        {"mra_login": "failed", "recent_changes": ["cluster-change"]},
        {"top": "cluster.peer-certificate-mismatch"},
        ("cluster-same-cert",),
    )
    # the files decide it: every peer presents its own certificate, each with the cluster FQDN
    yield Scenario(
        "cluster.peer-certificate-mismatch",
        "near-miss-consistent-after-peer-added",
        "Zone Failed and MRA down right after a second Expressway-C peer joined; both peers present their own "
        "certificate with the cluster FQDN: the Expressway-E verifies peer 1's name",
        CLUSTER_GUIDE,
        {"zone_status": "Failed", "mra_login": "failed", "recent_changes": ["cluster-change"]},
        {"top": "zone.tls-verify-name-mismatch", "ruled_out": ["cluster.peer-certificate-mismatch"]},
        ("tls-verify-name",),
    )
    # only the files, no symptom: the certificate finding alone decides
    yield Scenario(
        "cluster.peer-certificate-mismatch",
        "files-only-same-certificate-on-two-peers",
        "Files only: Expressway-C node 2 presents node 1's certificate",
        CLUSTER_GUIDE,
        {},
        {"top": "cluster.peer-certificate-mismatch"},
        ("cluster-same-cert",),
        layout={"cucm": False, "e_nodes": 0, "jabber_domain": None},
    )
