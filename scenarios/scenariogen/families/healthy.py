"""healthy scenarios: working deployments, look-alikes included, that must rank no cause."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import PAIR_ONLY, SEED_BASICS, SEED_MRA, SEED_UPLOAD, Scenario


def scenarios() -> Iterator[Scenario]:
    """Healthy deployments: no cause may rank."""
    g = "healthy"
    yield Scenario(
        g,
        "clusters-mra-working",
        "Two-node C and E clusters with Unified CM: zone Active, tunnels up, MRA works",
        SEED_BASICS,
        {"zone_status": "Active", "ssh_tunnels": "up", "mra_login": "ok"},
        {"top": "none"},
    )
    yield Scenario(
        g,
        "single-box-pair",
        "One Expressway-C and one Expressway-E, no Unified CM in the case: everything up",
        SEED_BASICS,
        {"zone_status": "Active", "ssh_tunnels": "up"},
        {"top": "none"},
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "after-upgrade-answers-given",
        "Upgraded X14.0.7 to X14.2.1; Jabber and Unified CM fine; NTP synchronised, restarted, CRL checking off",
        SEED_MRA,
        {
            "zone_status": "Active",
            "ssh_tunnels": "up",
            "mra_login": "ok",
            "version": "X14.2.1",
            "previous_version": "X14.0.7",
        },
        {"top": "none"},
        answers={"ntp_synchronized": "yes", "restarted_after_change": "yes", "crl_checking": "no"},
    )
    yield Scenario(
        g,
        "look-alikes-ev-strong-reissued-root",
        "EV subject attributes, 4096-bit keys and a root re-issued with the same key: nothing wrong",
        SEED_BASICS,
        {"zone_status": "Active", "ssh_tunnels": "up", "mra_login": "ok"},
        {"top": "none"},
        ("e-ev-subject", "e-strong", "c-root-reissued"),
    )
    yield Scenario(
        g,
        "crl-revokes-only-replaced-certificate",
        "Current CRL supplied; it revokes only the replaced Expressway-E certificate; CRL checking on",
        SEED_BASICS,
        {"zone_status": "Active", "ssh_tunnels": "up", "mra_login": "ok"},
        {"top": "none"},
        ("crl-old-revoked",),
        answers={"crl_checking": "yes"},
    )
    yield Scenario(
        g,
        "windows-base64-upload-precheck",
        "Before uploading: a Windows Base-64 export of the renewed E certificate with its matching key, CA "
        "already trusted",
        SEED_UPLOAD,
        {"zone_status": "Active"},
        {"top": "none"},
        ("upload-windows-base64",),
    )
