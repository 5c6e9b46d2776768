"""time.* scenarios: clocks not synchronised (zone alarms, certificates not yet valid, MRA 403)."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import MRA_TS, SEED_ZONE, SINGLE, Scenario
from ..texts import TIME_ALARM


def scenarios() -> Iterator[Scenario]:
    """Clocks not synchronised between the Expressways."""
    g = "time.not-synchronized"
    origin = "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/admin_guide/X14-2/exwy_b_cisco-expressway-administrator-guide-x142/exwy_m_zones-and-neighbors-x142.html"
    yield Scenario(
        g,
        "alarm-25022-zone-down",
        "Traversal zone Failed with 'Time not synchronized over traversal zone'; certificates are fine",
        origin,
        {"zone_status": "Failed", "alarms": [TIME_ALARM]},
        {"top": g, "excludes": ["zone.peer-address-mismatch", "zone.ca-not-trusted", "cert.untrusted-ca"]},
    )
    yield Scenario(
        g,
        "clock-behind-certificate-not-yet-valid",
        "Expressway-C clock two days behind (NTP server not available): the new E certificate is 'not yet valid'",
        origin,
        {"zone_status": "Failed", "alarms": ["25021 NTP server not available"]},
        {"top": g, "includes": ["cert.expired"]},
        ("e-not-yet-valid",),
        answers={"ntp_synchronized": "no"},
    )
    yield Scenario(
        g,
        "mra-403-forbidden-ntp",
        "MRA services fail with 403 Forbidden; the customer confirms the Expressways are not NTP synchronised",
        MRA_TS,
        {"mra_login": "failed", "log_lines": ['HTTP/1.1 403 Forbidden for "GET /dGVzdA/get_edge_config/"']},
        {"top": g, "excludes": ["mra.cucm-does-not-trust-expressway-c", "mra.expressway-c-does-not-trust-cucm"]},
        answers={"ntp_synchronized": "no"},
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "near-miss-ntp-synchronised-peer-address",
        "Zone Failed; both Expressways show NTP synchronised; the peer address is not on the E certificate",
        SEED_ZONE,
        {"zone_status": "Failed"},
        {"top": "zone.peer-address-mismatch", "excludes": [g]},
        ("peer-address",),
        answers={"ntp_synchronized": "yes"},
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "time.not-synchronized",
        "e-certificate-not-yet-valid",
        "Zone Failed right after the renewal: the new Expressway-E certificate is not valid yet at the C's clock",
        "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/admin_guide/X14-0/"
        "exwy_b_cisco-expressway-administrator-guide-x140.html",
        {"zone_status": "Failed", "recent_changes": ["certificate-renewal"]},
        {"includes": ["time.not-synchronized", "cert.expired"]},
        ("e-not-yet-valid",),
    )
