"""Non-traversal zones and other TLS channels: Webex Hybrid on 5062 (212475), SIP OAuth on 5091 (215572, 217743)
and Microsoft federation (212383). The Webex cloud CA is a generated stand-in, 'Example Webex Cloud Root'."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from certdoctor.lab import CUCM_IP, E_IP
from certdoctor.lab.issuing import issue_cas
from certdoctor.testpki import TestPKI

from ..common import SINGLE, Scenario
from ..texts import OUT_IDENTITY

TS212475 = "Cisco Doc ID 212475"
TS215572 = "Cisco Doc ID 215572"
TS217743 = "Cisco Doc ID 217743"
TS212383 = "Cisco Doc ID 212383"

# 212475, Issue 1: Expressway-E refuses the Webex certificate (the Detail and ssl_error_reason as the document shows)
E_WEBEX_SELF_SIGNED = (
    '2026-06-03T10:12:44.201+02:00 expe1 tvcs: UTCTime="2026-06-03 08:12:44,201" Module="network.tcp" '
    'Level="1" Event="Inbound TLS Negotiation Error" Service="SIP" Src-ip="146.20.193.64" Src-port="38411" '
    f'Dst-ip="{E_IP}" Dst-port="5062" Detail=" self signed certificate in certificate chain " Protocol="TLS" '
    'ssl_error_reason="error:14089086:SSL routines:ssl3_get_client_certificate: certificate verify failed "'
)
# 212475, Issue 2: the TLS verify subject name of the Webex zone does not match the Webex certificate
E_WEBEX_IDENTITY = (
    '2026-06-03T10:20:02.774+02:00 expe1 tvcs: UTCTime="2026-06-03 08:20:02,774" Module="network.tcp" '
    'Level="1" Event=" Inbound TLS Negotiation Error " Service="SIP" Src-ip="146.20.193.64" Src-port="38502" '
    f'Dst-ip="{E_IP}" Dst-port="5062" Detail=" Peer\'s TLS certificate identity was unacceptable " Protocol="TLS"'
)
E_WEBEX_IDENTITY_CLOSED = (
    '2026-06-03T10:20:02.775+02:00 expe1 tvcs: UTCTime="2026-06-03 08:20:02,775" Module="network.tcp" '
    f'Level="3" Event="TCP Connection Closed" Dst-ip="{E_IP}" Dst-port="5062" Detail="TCP Connection Closed" '
    'Reason=" Peer\'s TLS certificate identity was unacceptable "'
)
# Webex refuses the Expressway-E certificate: the alert Webex sends, as Expressway-E logs it
E_WEBEX_ALERT = (
    '2026-06-03T11:02:15.090+02:00 expe1 tvcs: UTCTime="2026-06-03 09:02:15,090" Module="network.tcp" '
    'Level="1" Event="Outbound TLS Negotiation Error" Service="SIP" Src-ip="{E_IP}" Src-port="25112" '
    'Dst-ip="146.20.193.70" Dst-port="5062" Detail="sslv3 alert certificate unknown" Protocol="TLS"'
).replace("{E_IP}", E_IP)
# SIP OAuth: Unified CM refuses the Expressway-C certificate on 5091 (the alert as OpenSSL writes it, 225746)
C_OAUTH_UNKNOWN_CA = (
    '2026-06-03T12:30:41.556+02:00 expc1 tvcs: UTCTime="2026-06-03 10:30:41,556" Module="network.tcp" '
    'Level="1" Event="Outbound TLS Negotiation Error" Service="SIP" Src-ip="10.48.80.161" Src-port="27844" '
    f'Dst-ip="{CUCM_IP}" Dst-port="5091" Detail="tlsv1 alert unknown ca" Protocol="TLS" '
    'ssl_error_reason="error:14094418: SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca"'
)
C_OAUTH_CERT_UNKNOWN = (
    '2026-06-03T12:31:02.118+02:00 expc1 tvcs: Event="Outbound TLS Negotiation Error" Service="SIP" '
    f'Dst-ip="{CUCM_IP}" Dst-port="5091" Detail="sslv3 alert certificate unknown" Protocol="TLS"'
)

# Microsoft side (Lync / Skype for Business client or Edge log): the ms-diagnostics header with ErrorId 1010 and
# its reason string as Microsoft's protocol document [MS-OCER] lists them (Cisco Doc ID 212383 shows no such line)
MS_DIAGNOSTICS_CERT_TRUST = (
    'ms-diagnostics: 1010;reason="Certificate trust with next-hop server could not be established"'
)

# 212475, Issues 2 and 6: the Expressway-E xConfiguration of the Webex Hybrid DNS zone, as the document shows it
XCONF_SUBJECT_MISSPELLED = (
    '*c xConfiguration Zones Zone 6 DNS SIP TLS Verify Mode: "On" '
    '*c xConfiguration Zones Zone 6 DNS SIP TLS Verify Subject Name: "calllservice.ciscospark.com"'
)
XCONF_SUBJECT_RIGHT = (
    '*c xConfiguration Zones Zone 6 DNS SIP TLS Verify Mode: "On" '
    '*c xConfiguration Zones Zone 6 DNS SIP TLS Verify Subject Name: "callservice.ciscospark.com"'
)
XCONF_INBOUND_OFF = (
    '*c xConfiguration Zones Zone 6 DNS SIP TLS Verify InboundClassification: "Off" '
    '*c xConfiguration Zones Zone 6 Name: " Hybrid Call Services DNS "'
)


def _e(side: str, text: str) -> dict[str, str]:
    """A log entry with the side that logged it (symptom-only cases name no nodes to read it from)."""
    return {"side": side, "text": text}


def _case(directory: Path) -> dict[str, Any]:
    """The generated case of a deployment folder."""
    loaded: dict[str, Any] = yaml.safe_load((directory / "case.yaml").read_text(encoding="utf-8"))
    return loaded


def _write(directory: Path, name: str, data: bytes) -> str:
    """Write a generated file into the deployment's certs/ folder; its case reference."""
    (directory / "certs" / name).write_bytes(data)
    return f"certs/{name}"


def _webex_zone(**settings: Any) -> dict[str, Any]:
    """A Webex Hybrid zone on Expressway-E with Cisco's settings, changed by settings."""
    zone = {
        "name": "Webex Hybrid",
        "type": "webex",
        "port": 5062,
        "tls_verify_mode": "on",
        "tls_verify_subject_name": "callservice.webex.com",
        "tls_verify_inbound_mapping": "on",
    }
    return {**zone, **settings}


def _webex(trust_cloud: bool, control_hub: str = "", **settings: Any) -> Callable[[Path], dict[str, Any]]:
    """An extra hook: a Webex zone on Expressway-E; the stand-in Webex cloud root trusted or not; Control Hub's."""

    def extra(directory: Path) -> dict[str, Any]:
        webex = TestPKI(seed="certdoctor-webex")
        cloud_root = webex.root("Example Webex Cloud Root")
        zone = _webex_zone(**settings)
        patch: dict[str, Any] = {}
        trusted = list(_case(directory)["expressway_e"]["trusted_cas"])
        if trust_cloud:
            trusted.append(_write(directory, "webex-cloud-root.pem", cloud_root.pem()))
        patch["expressway_e.trusted_cas"] = trusted
        if control_hub == "stale-leaf":  # the Expressway-E certificate of before the renewal, from a public CA
            public = webex.intermediate("Example Public CA G1", webex.root("Example Public Root R1"))
            old = webex.leaf("expe.example.com", public, sans=["expe.example.com"], key_label="expe-old")
            zone["control_hub_certificates"] = [_write(directory, "control-hub-old-expe.pem", old.pem())]
        elif control_hub == "other-ca":
            zone["control_hub_certificates"] = [
                _write(directory, "control-hub-public-root.pem", webex.root("Example Public Root R1").pem())
            ]
        elif control_hub == "lab-cas":
            lab = issue_cas(TestPKI(seed="certdoctor-lab"))
            zone["control_hub_certificates"] = [
                _write(directory, "control-hub-lab-root.pem", lab.root.pem()),
                _write(directory, "control-hub-lab-issuing.pem", lab.issuing.pem()),
            ]
        patch["expressway_e.zones"] = [zone]
        return patch

    return extra


def _microsoft_zone() -> dict[str, Any]:
    """A Microsoft federation zone on Expressway-E (a DNS zone towards the Microsoft edge)."""
    return {"name": "Microsoft federation", "type": "microsoft", "port": 5061, "tls_verify_mode": "on"}


def scenarios() -> Iterator[Scenario]:
    """Every family of this module, in writing order."""
    yield from _cloud_ca()
    yield from _tls_verify()
    yield from _control_hub()
    yield from _not_refreshed()
    yield from _federation()
    yield from _symptom_only()


def _cloud_ca() -> Iterator[Scenario]:
    g = "webex.cloud-ca-missing"
    yield Scenario(
        g,
        "cloud-ca-missing-inbound-5062",
        "Calls from Webex fail; Expressway-E logs 'self signed certificate in certificate chain' on 5062 and its "
        "trusted CA list lacks the Webex cloud root",
        TS212475,
        {"logs": [_e("expressway_e", E_WEBEX_SELF_SIGNED)]},
        {"top": g},
        layout=SINGLE,
        extra=_webex(False),
    )
    yield Scenario(
        g,
        "cloud-ca-missing-cluster-files-only",
        "Webex Hybrid calls fail on a clustered Expressway-E; the files show no Webex cloud CA in its trusted list",
        TS212475,
        {},
        {"top": g},
        extra=_webex(False),
    )
    yield Scenario(
        g,
        "near-miss-cloud-ca-present-webex-refuses-e",
        "Webex cloud root trusted on Expressway-E; Webex refuses the Expressway-E certificate after a renewal "
        "(Control Hub still holds the old one)",
        TS212475,
        {"logs": [_e("expressway_e", E_WEBEX_ALERT)], "recent_changes": ["certificate-renewal"]},
        {"top": "webex.stale-control-hub-certificate", "excludes": [g]},
        layout=SINGLE,
        extra=_webex(True, "stale-leaf"),
    )

    yield Scenario(
        g,
        "near-miss-cloud-ca-appended-not-restarted",
        "The Cisco cloud CA certificates were appended to Expressway-E's trusted list, but Expressway-E was not "
        "restarted since: the 5062 verify error still shows",
        TS212475,
        {"logs": [_e("expressway_e", E_WEBEX_SELF_SIGNED)], "recent_changes": ["ca-change"]},
        {"top": "restart.required", "excludes": [g], "ruled_out": [g]},
        answers={"restarted_after_change": "no"},
        layout=SINGLE,
        extra=_webex(True),
    )


def _tls_verify() -> Iterator[Scenario]:
    g = "webex.tls-verify-settings"
    yield Scenario(
        g,
        "subject-name-is-expressway-name",
        "Calls from Webex fail with 'Peer's TLS certificate identity was unacceptable' on 5062; the Webex zone "
        "verifies the subject name expe.example.com instead of callservice.webex.com",
        TS212475,
        {"logs": [_e("expressway_e", E_WEBEX_IDENTITY), _e("expressway_e", E_WEBEX_IDENTITY_CLOSED)]},
        {"top": g},
        layout=SINGLE,
        extra=_webex(True, tls_verify_subject_name="expe.example.com"),
    )
    yield Scenario(
        g,
        "inbound-mapping-off",
        "Calls from Webex land in the Default zone: TLS verify inbound mapping is Off on the Webex zone",
        TS212475,
        {},
        {"top": g},
        layout=SINGLE,
        extra=_webex(True, tls_verify_inbound_mapping="off"),
    )
    yield Scenario(
        g,
        "verify-mode-off",
        "Calls from Webex do not reach the Webex zone: TLS verify mode is Off on it, so Expressway-E does not "
        "verify callservice.webex.com and cannot map the calls to the zone",
        TS212475,
        {},
        {"top": g},
        layout=SINGLE,
        extra=_webex(True, tls_verify_mode="off"),
    )
    yield Scenario(
        g,
        "near-miss-traversal-identity-unacceptable",
        "'Peer's TLS certificate identity was unacceptable' on the traversal port 7001 (not Webex): the traversal "
        "peer address is not on the Expressway-E certificate; the Webex zone is configured right",
        TS212475,
        {"zone_status": "Failed", "log_lines": [OUT_IDENTITY]},
        {"top": "zone.peer-address-mismatch", "excludes": [g]},
        ("peer-address",),
        layout=SINGLE,
        extra=_webex(True),
    )


def _control_hub() -> Iterator[Scenario]:
    g = "webex.stale-control-hub-certificate"
    yield Scenario(
        g,
        "old-expressway-e-certificate-in-control-hub",
        "After renewing the Expressway-E certificate, Webex refuses it on 5062: Control Hub still holds the old "
        "Expressway-E certificate",
        TS212475,
        {"logs": [_e("expressway_e", E_WEBEX_ALERT)], "recent_changes": ["certificate-renewal"]},
        {"top": g},
        layout=SINGLE,
        extra=_webex(True, "stale-leaf"),
    )
    yield Scenario(
        g,
        "other-ca-in-control-hub-files-only",
        "Control Hub holds a public root CA while the Expressway-E certificate now comes from the private Lab CA",
        TS212475,
        {},
        {"top": g},
        extra=_webex(True, "other-ca"),
    )
    yield Scenario(
        g,
        "near-miss-control-hub-holds-current-cas",
        "Control Hub holds the Lab root and issuing CA that issued the Expressway-E certificate; Expressway-E lacks "
        "the Webex cloud CA and logs a verify error on 5062",
        TS212475,
        {"logs": [_e("expressway_e", E_WEBEX_SELF_SIGNED)]},
        {"top": "webex.cloud-ca-missing", "excludes": [g]},
        layout=SINGLE,
        extra=_webex(False, "lab-cas"),
    )


def _not_refreshed() -> Iterator[Scenario]:
    g = "mra.cucm-servers-not-refreshed"
    yield Scenario(
        g,
        "renewed-c-oauth-unknown-ca",
        "After renewing the Expressway-C certificate, Jabber over MRA cannot register its softphone: Expressway-C "
        "gets 'tlsv1 alert unknown ca' from Unified CM on 5091; Unified CM trusts the Expressway-C CA chain",
        TS215572,
        {"logs": [_e("expressway_c", C_OAUTH_UNKNOWN_CA)], "recent_changes": ["certificate-renewal"]},
        {"top": g},
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "cluster-oauth-certificate-unknown",
        "Clustered Expressway-C: SIP OAuth registrations over MRA fail with 'sslv3 alert certificate unknown' on "
        "5091 after the certificates were replaced; every trust list is healthy",
        TS217743,
        {"logs": [_e("expressway_c", C_OAUTH_CERT_UNKNOWN)], "recent_changes": ["certificate-renewal"]},
        {"top": g},
    )
    yield Scenario(
        g,
        "near-miss-callmanager-trust-lacks-c",
        "The same 5091 alert, but Unified CM CallManager-trust lacks the Expressway-C CA chain (refreshing cannot "
        "help)",
        TS215572,
        {"logs": [_e("expressway_c", C_OAUTH_UNKNOWN_CA)], "recent_changes": ["certificate-renewal"]},
        {"top": "mra.cucm-does-not-trust-expressway-c", "excludes": [g]},
        ("cucm-callmanager-trust-missing",),
        layout=SINGLE,
    )


def _federation() -> Iterator[Scenario]:
    g = "federation.microsoft-fqdn-not-in-san"
    yield Scenario(
        g,
        "srv-target-not-on-e-certificate",
        "Calls from Skype for Business federation fail: _sipfederationtls._tcp points to sip.example.com, which is "
        "not on the Expressway-E certificate",
        TS212383,
        {},
        {"top": g},
        layout=SINGLE,
        patch={"expressway_e.federation_srv_target": "sip.example.com", "expressway_e.zones": [_microsoft_zone()]},
    )
    yield Scenario(
        g,
        "cluster-srv-target-not-on-any-node",
        "Clustered Expressway-E: the federation SRV record points to federation.example.com, on no node's certificate",
        TS212383,
        {},
        {"top": g},
        patch={
            "expressway_e.federation_srv_target": "federation.example.com",
            "expressway_e.zones": [_microsoft_zone()],
        },
    )
    yield Scenario(
        g,
        "near-miss-srv-target-on-certificate",
        "The federation SRV record points to expe.example.com, which is on the Expressway-E certificate",
        TS212383,
        {},
        {"excludes": [g]},
        layout=SINGLE,
        patch={"expressway_e.federation_srv_target": "expe.example.com", "expressway_e.zones": [_microsoft_zone()]},
    )

    yield Scenario(
        g,
        "near-miss-srv-target-on-certificate-ms-diagnostics",
        "A Skype for Business user cannot call in; the Microsoft side reports ms-diagnostics 1010 (certificate "
        "trust with the next hop), but the SRV target expe.example.com is on the Expressway-E certificate: the "
        "name is right, Microsoft does not trust the private CA that issued it",
        TS212383,
        {"log_lines": [MS_DIAGNOSTICS_CERT_TRUST]},
        {"excludes": [g], "ruled_out": [g]},
        layout=SINGLE,
        patch={"expressway_e.federation_srv_target": "expe.example.com", "expressway_e.zones": [_microsoft_zone()]},
    )
    yield Scenario(
        g,
        "ms-diagnostics-certificate-trust-no-files",
        "Calls from Skype for Business federation fail with ms-diagnostics 1010 on the Microsoft side; no "
        "Expressway-E certificate at hand yet",
        TS212383,
        {"log_lines": [MS_DIAGNOSTICS_CERT_TRUST]},
        {"top": g, "decide_with": [g]},
        certificates=False,
    )


def _symptom_only() -> Iterator[Scenario]:
    g = "symptom-only"
    yield Scenario(
        g,
        "212475-webex-self-signed-in-chain-5062",
        "Expressway-E event log on the Webex port 5062: 'self signed certificate in certificate chain' with "
        "ssl3_get_client_certificate: certificate verify failed (no files at hand)",
        TS212475,
        {"logs": [_e("expressway_e", E_WEBEX_SELF_SIGNED)]},
        {"top": "webex.cloud-ca-missing"},
        certificates=False,
    )
    yield Scenario(
        g,
        "212475-webex-identity-unacceptable-5062",
        "Expressway-E event log on the Webex port 5062: Inbound TLS Negotiation Error, 'Peer's TLS certificate "
        "identity was unacceptable' (no files at hand)",
        TS212475,
        {"logs": [_e("expressway_e", E_WEBEX_IDENTITY), _e("expressway_e", E_WEBEX_IDENTITY_CLOSED)]},
        {"top": "webex.tls-verify-settings"},
        certificates=False,
    )
    yield Scenario(
        g,
        "212475-xconfiguration-subject-name-misspelled",
        "Expressway-E logs 'Peer's TLS certificate identity was unacceptable' on 5062, and its pasted xConfiguration "
        "shows the Webex zone's TLS Verify Subject Name as calllservice.ciscospark.com (no files)",
        TS212475,
        {
            "logs": [
                _e("expressway_e", E_WEBEX_IDENTITY),
                _e("expressway_e", XCONF_SUBJECT_MISSPELLED),
                _e("expressway_e", '*c xConfiguration Zones Zone 6 Name: " Hybrid Call Services DNS "'),
            ]
        },
        {"top": "webex.tls-verify-settings"},
        certificates=False,
    )
    yield Scenario(
        g,
        "212475-xconfiguration-inbound-classification-off",
        "Calls from Webex land in the Default zone; the pasted Expressway-E xConfiguration shows the Webex zone with "
        "the right subject name but TLS Verify InboundClassification Off (no files)",
        TS212475,
        {"logs": [_e("expressway_e", XCONF_SUBJECT_RIGHT), _e("expressway_e", XCONF_INBOUND_OFF)]},
        {"top": "webex.tls-verify-settings"},
        certificates=False,
    )
    yield Scenario(
        g,
        "215572-sip-oauth-unknown-ca-5091",
        "Expressway-C log: 'tlsv1 alert unknown ca' from Unified CM on the SIP OAuth port 5091 after a "
        "certificate renewal (no files at hand)",
        TS215572,
        {"logs": [_e("expressway_c", C_OAUTH_UNKNOWN_CA)], "recent_changes": ["certificate-renewal"]},
        {"top": "mra.cucm-servers-not-refreshed"},
        certificates=False,
    )
