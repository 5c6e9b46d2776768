"""jabber.* scenarios: Jabber certificate warnings because the edge domain is not on the E certificate."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import PAIR_ONLY, SEED_JABBER, Scenario
from ..texts import EDGE_DOMAIN, PEER_NOT_AUTHENTICATED


def scenarios() -> Iterator[Scenario]:
    """Jabber and endpoint certificate warnings: the sign-in domain missing from the E SANs."""
    g = "jabber.edge-domain-not-in-san"
    yield Scenario(
        g,
        "domain-missing-from-e-cluster",
        "Jabber asks to accept the certificate at MRA sign-in: neither example.com nor collab-edge.example.com "
        "is on the Expressway-E certificates",
        SEED_JABBER,
        {"jabber_warning": "Certificate not valid"},
        {"top": g, "folded": ["cert.name-mismatch"], "excludes": ["cert.untrusted-ca"]},
        ("jabber-domain",),
    )
    yield Scenario(
        g,
        "dutch-warning-single-box",
        "Jabber toont een certificaatwaarschuwing bij aanmelding via MRA; enkele Expressway-E zonder het domein",
        SEED_JABBER,
        {"jabber_warning": "Certificaatwaarschuwing: onbetrouwbaar certificaat"},
        {"top": g},
        ("jabber-domain",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "endpoint-second-domain",
        "A second sign-in domain (example.net) was added for phones; TC endpoints log 'Edge TLS verification "
        "failed' and cannot register",
        SEED_JABBER,
        {"mra_login": "failed", "log_lines": [EDGE_DOMAIN, PEER_NOT_AUTHENTICATED]},
        {"top": g},
        layout={"jabber_domain": "example.net"},
    )
    yield Scenario(
        g,
        "near-miss-domain-differs-only-in-case",
        "Jabber 'Certificate not valid' with sign-in domain typed as Example.COM (DNS names ignore case); the "
        "Expressway-E certificate has expired",
        SEED_JABBER,
        {"jabber_warning": "Login Error: Certificate not valid."},
        {"top": "cert.expired", "ruled_out": [g]},
        ("e-expired",),
        layout={"jabber_domain": "Example.COM"},
    )
    # only the files, no symptom: the certificate finding alone decides
    yield Scenario(
        "jabber.edge-domain-not-in-san",
        "files-only-domain-missing",
        "Before enabling MRA: the Expressway-E certificates carry neither example.com nor collab-edge.example.com",
        SEED_JABBER,
        {},
        {"top": "jabber.edge-domain-not-in-san"},
        ("jabber-domain",),
        layout={"cucm": False},
    )
    # one node's certificate given as the password-protected .pfx it came in: a finding about that file; the
    # other node's certificate still shows the missing domain
    yield Scenario(
        g,
        "node1-as-locked-pfx-node2-lacks-domain",
        "Jabber warns at MRA sign-in; the customer sent Expressway-E node 1's certificate as the password-protected "
        ".pfx it was installed from, node 2's as PEM",
        SEED_JABBER,
        {"jabber_warning": "Certificate not valid"},
        {"top": g},
        ("jabber-domain", "e-node-pfx"),
        layout={"cucm": False},
    )
