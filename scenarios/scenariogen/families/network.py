"""network.* scenarios: not a certificate at all, a device between Expressway-C and Expressway-E cuts the TLS."""

from __future__ import annotations

from collections.abc import Iterator

from certdoctor.lab import E_IP

from ..common import Scenario
from ..texts import NEGOTIATION, UNKNOWN_ISSUER

TS212475 = "Cisco Doc ID 212475"

# the Expressway-C event log: the outbound TLS connection to the E's traversal port closed without a TLS alert
C_REMOTE_DISCONNECT = (
    '2026-06-02T14:02:17.311+02:00 expc1 tvcs: UTCTime="2026-06-02 12:02:17,311" Module="network.tcp" '
    'Level="1" Event="Outbound TLS Negotiation Error" Service="SIP" Src-ip="10.48.80.161" Src-port="26114" '
    f'Dst-ip="{E_IP}" Dst-port="7001" Detail="No SSL error available, probably remote disconnect" Protocol="TLS"'
)
# the Expressway-E event log at the same moment: the inbound connection on 7001 ends with an EOF
E_EOF = (
    '2026-06-02T14:02:17.309+02:00 expe1 tvcs: UTCTime="2026-06-02 12:02:17,309" Module="network.tcp" '
    'Level="1" Event="Inbound TLS Negotiation Error" Service="SIP" Src-ip="10.48.80.161" Src-port="26114" '
    f'Dst-ip="{E_IP}" Dst-port="7001" Detail="EOF on socket" Protocol="TLS"'
)
E_EOF_SHORT = (
    f'Jun  2 14:05:41 expe1 tvcs: Event="TCP Connection Closed" Dst-ip="{E_IP}" Dst-port="7001" Detail="EOF on socket"'
)


def scenarios() -> Iterator[Scenario]:
    """A firewall inspecting SIP/TLS between the Expressways: the zone fails, the certificates are fine."""
    g = "network.tls-inspection"
    zone_causes = ["zone.peer-address-mismatch", "zone.tls-verify-name-mismatch", "zone.ca-not-trusted"]
    yield Scenario(
        g,
        "zone-down-healthy-certificates",
        "Traversal zone Failed with 'probably remote disconnect' on the C and 'EOF on socket' on the E; every "
        "certificate and trusted CA list is healthy",
        TS212475,
        {"zone_status": "Failed", "log_lines": [C_REMOTE_DISCONNECT, E_EOF]},
        {"top": g, "ruled_out": zone_causes},
    )
    yield Scenario(
        g,
        "single-box-eof-on-socket-healthy-certificates",
        "Single Expressway pair: the traversal zone keeps failing and the Expressway-E syslog shows 'EOF on "
        "socket' on port 7001; both certificates, names and trusted CA lists check out",
        TS212475,
        {"zone_status": "Failed", "log_lines": [E_EOF_SHORT]},
        {"top": g, "ruled_out": zone_causes},
        layout={"c_nodes": 1, "e_nodes": 1, "cucm": False},
    )
    yield Scenario(
        g,
        "zone-down-remote-disconnect-logs-only",
        "Zone Failed; the customer pastes the C and E event logs with the remote disconnect and EOF on the "
        "traversal port 7001 (no files at hand)",
        TS212475,
        {"zone_status": "Failed", "log_lines": [C_REMOTE_DISCONNECT, E_EOF]},
        {"includes": [g, *zone_causes], "decide_with": zone_causes},
        certificates=False,
    )
    yield Scenario(
        g,
        "eof-on-socket-only",
        "Only an Expressway-E syslog line 'EOF on socket' on port 7001 and the zone down (no files at hand)",
        TS212475,
        {"zone_status": "Failed", "log_lines": [E_EOF_SHORT]},
        {"includes": [g]},
        certificates=False,
    )
    yield Scenario(
        g,
        "near-miss-c-does-not-trust-e-ca",
        "Zone Failed with a TLS negotiation error and 'unable to get local issuer certificate': Expressway-C "
        "does not trust the CA of the Expressway-E",
        TS212475,
        {"zone_status": "Failed", "log_lines": [NEGOTIATION, UNKNOWN_ISSUER]},
        {"top": "zone.ca-not-trusted", "excludes": [g]},
        ("c-trust-missing",),
        layout={"cucm": False},
    )
    yield Scenario(
        g,
        "near-miss-e-does-not-trust-c-ca",
        "Zone Failed; Expressway-C only logs 'probably remote disconnect' because Expressway-E refuses the C "
        "certificate, whose CA is not in its trusted list",
        TS212475,
        {"zone_status": "Failed", "log_lines": [C_REMOTE_DISCONNECT]},
        {"top": "zone.ca-not-trusted", "excludes": [g]},
        ("e-trust-missing",),
    )
