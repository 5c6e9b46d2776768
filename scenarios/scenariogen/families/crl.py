"""crl.* scenarios: CRLs that cannot be fetched or have expired while revocation checking is on."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import PAIR_ONLY, Scenario
from ..texts import OUT_IDENTITY


def scenarios() -> Iterator[Scenario]:
    """CRLs unavailable or expired."""
    g = "crl.unavailable"
    origin = "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0/cert_creation_use/exwy_b_cisco-expressway-certificate-creation-and-use-deployment-guide-x14-0/exwy_b_certificate-creation-use-deployment-guide_chapter_0111.html"
    yield Scenario(
        g,
        "expired-crl-checking-on",
        "Automatic CRL update failing for weeks; the issuing CA's CRL expired and every certificate it issued "
        "is treated as revoked",
        origin,
        {"zone_status": "Failed", "alarms": ["40002"]},
        {"top": g, "excludes": ["cert.revoked"]},
        ("crl-expired",),
        answers={"crl_checking": "yes"},
    )
    yield Scenario(
        g,
        "cdp-download-failing",
        "Zone Failed with 'Unable to download CRL update'; CRL checking is on (no CRL file at hand)",
        origin,
        {"zone_status": "Failed", "alarms": ["40006 Unable to download CRL update"]},
        {"top": g},
        answers={"crl_checking": "yes"},
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "near-miss-crl-checking-off",
        "Customer suspects revocation; CRL checking is off and the zone is down because of the peer address",
        origin,
        {"zone_status": "Failed", "log_lines": [OUT_IDENTITY]},
        {"top": "zone.peer-address-mismatch", "excludes": [g]},
        ("peer-address",),
        answers={"crl_checking": "no"},
    )
    yield Scenario(
        g,
        "near-miss-expired-crl-checking-off",
        "CRL file expired and alarm 40002 raised, but revocation checking is off: the certificates are trusted",
        origin,
        {"zone_status": "Active", "alarms": ["40002"]},
        {"excludes": [g]},
        ("crl-expired",),
        answers={"crl_checking": "no"},
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "crl.unavailable",
        "expired-crl-checking-on-no-alarm",
        "Revocation checking is on and the issuing CA's CRL given by the customer is past its next update",
        "https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/"
        "213872-configure-and-troubleshoot-collaboration.html",
        {"zone_status": "Failed"},
        {"top": "crl.unavailable"},
        ("crl-expired",),
        answers={"crl_checking": "yes"},
    )
    # an expired CRL anywhere on a path: the root's CRL, which judges the intermediate Expressway-E sends
    yield Scenario(
        g,
        "root-crl-expired-judges-e-intermediate",
        "The root CA's CRL, which judges the issuing CA Expressway-E sends in its chain, is past its next update; "
        "CRL checking is on and the zone is down",
        origin,
        {"zone_status": "Failed"},
        {"top": g, "excludes": ["cert.revoked"]},
        ("root-crl-expired",),
        answers={"crl_checking": "yes"},
    )
