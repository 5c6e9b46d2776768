"""Webex Hybrid zone and Microsoft federation facts on generated certificates (facts/other_zones.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import certdoctor
from certdoctor.lab import write_deployment
from certdoctor.lab.issuing import issue_cas
from certdoctor.testpki import TestPKI

SELF_SIGNED_5062 = (
    'expe1 tvcs: Event="Inbound TLS Negotiation Error" Service="SIP" Dst-port="5062" '
    'Detail=" self signed certificate in certificate chain " Protocol="TLS"'
)
#: A header of the kind the Microsoft side adds (an illustration, not a quote from a Cisco document).
MS_DIAGNOSTICS = 'ms-diagnostics: 1047;reason="TLS handshake with the federated peer failed";source="sip.example.net"'


def _deployment(tmp: Path) -> tuple[dict[str, Any], Path]:
    """A healthy single-box deployment; its case data and folder."""
    path = write_deployment(tmp, c_nodes=1, e_nodes=1)
    return yaml.safe_load(path.read_text(encoding="utf-8")), path.parent


def _write(folder: Path, name: str, pem: bytes) -> str:
    (folder / "certs" / name).write_bytes(pem)
    return f"certs/{name}"


def _zone(**settings: Any) -> dict[str, Any]:
    return {
        "name": "Webex Hybrid",
        "type": "webex",
        "port": 5062,
        "tls_verify_mode": "on",
        "tls_verify_subject_name": "callservice.webex.com",
        "tls_verify_inbound_mapping": "on",
        **settings,
    }


def _causes(case: dict[str, Any], folder: Path) -> list[str]:
    return [d.cause for d in certdoctor.diagnose(case, base_dir=folder).diagnoses]


def _ruled_out(case: dict[str, Any], folder: Path) -> list[str]:
    return [r.cause for r in certdoctor.diagnose(case, base_dir=folder).ruled_out]


def test_webex_cloud_ca_missing_then_appended(tmp_path: Path) -> None:
    case, folder = _deployment(tmp_path)
    case["expressway_e"]["zones"] = [_zone()]
    assert _causes(case, folder)[0] == "webex.cloud-ca-missing"
    # the user appends the Cisco cloud CA certificates: the files now refute the cause
    root = TestPKI(seed="certdoctor-webex").root("Example Webex Cloud Root")
    case["expressway_e"]["trusted_cas"].append(_write(folder, "webex-root.pem", root.pem()))
    assert "webex.cloud-ca-missing" not in _causes(case, folder)
    # with a symptom that points at it, the files still rule it out
    case["symptoms"] = {"logs": [{"side": "expressway_e", "text": SELF_SIGNED_5062}]}
    assert "webex.cloud-ca-missing" in _ruled_out(case, folder)


def test_other_public_roots_leave_the_webex_cas_undecided(tmp_path: Path) -> None:
    # a real list holds public roots certdoctor does not catalogue as Webex's: it must not claim them missing
    case, folder = _deployment(tmp_path)
    case["expressway_e"]["zones"] = [_zone()]
    public = TestPKI(seed="certdoctor-public").root("Example Public Root G2")
    case["expressway_e"]["trusted_cas"].append(_write(folder, "public-root.pem", public.pem()))
    answer = certdoctor.diagnose(case, base_dir=folder)
    assert "webex.cloud-ca-missing" not in [d.cause for d in answer.diagnoses if d.confidence >= 0.5]
    assert "webex.cloud-ca-missing" not in [r.cause for r in answer.ruled_out]


def test_no_webex_zone_no_webex_facts(tmp_path: Path) -> None:
    case, folder = _deployment(tmp_path)
    found = _causes(case, folder)
    assert not [c for c in found if c.startswith("webex.")]
    assert "webex.cloud-ca-missing" not in _ruled_out(case, folder)


def test_webex_zone_tls_verify_settings(tmp_path: Path) -> None:
    case, folder = _deployment(tmp_path)
    root = TestPKI(seed="certdoctor-webex").root("Example Webex Cloud Root")
    case["expressway_e"]["trusted_cas"].append(_write(folder, "webex-root.pem", root.pem()))
    case["expressway_e"]["zones"] = [_zone(tls_verify_subject_name="expe.example.com")]
    answer = certdoctor.diagnose(case, base_dir=folder)
    top = answer.diagnoses[0]
    assert top.cause == "webex.tls-verify-settings"
    assert any("expe.example.com" in e for e in top.evidence)
    case["expressway_e"]["zones"] = [_zone(tls_verify_subject_name="CallService.Webex.com")]
    assert "webex.tls-verify-settings" not in _causes(case, folder)


def test_control_hub_old_certificate_versus_current_cas(tmp_path: Path) -> None:
    case, folder = _deployment(tmp_path)
    webex = TestPKI(seed="certdoctor-webex")
    case["expressway_e"]["trusted_cas"].append(
        _write(folder, "webex-root.pem", webex.root("Example Webex Cloud Root").pem())
    )
    public = webex.intermediate("Example Public CA G1", webex.root("Example Public Root R1"))
    old = webex.leaf("expe.example.com", public, sans=["expe.example.com"], key_label="expe-old")
    case["expressway_e"]["zones"] = [_zone(control_hub_certificates=[_write(folder, "old.pem", old.pem())])]
    assert _causes(case, folder)[0] == "webex.stale-control-hub-certificate"
    # Control Hub holds the CAs that issued the current certificate: Webex can validate it
    lab = issue_cas(TestPKI(seed="certdoctor-lab"))
    refs = [_write(folder, "lab-root.pem", lab.root.pem()), _write(folder, "lab-issuing.pem", lab.issuing.pem())]
    case["expressway_e"]["zones"] = [_zone(control_hub_certificates=refs)]
    assert "webex.stale-control-hub-certificate" not in _causes(case, folder)
    # Control Hub holds the current certificate itself
    case["expressway_e"]["zones"] = [_zone(control_hub_certificates=[case["expressway_e"]["certificate"]])]
    assert "webex.stale-control-hub-certificate" not in _causes(case, folder)


def test_federation_srv_target(tmp_path: Path) -> None:
    case, folder = _deployment(tmp_path)
    case["expressway_e"]["federation_srv_target"] = "sip.example.com"
    answer = certdoctor.diagnose(case, base_dir=folder)
    assert answer.diagnoses[0].cause == "federation.microsoft-fqdn-not-in-san"
    assert any("sip.example.com" in e for e in answer.diagnoses[0].evidence)
    case["expressway_e"]["federation_srv_target"] = "EXPE.example.com."
    case["symptoms"] = {"log_lines": [MS_DIAGNOSTICS]}
    assert "federation.microsoft-fqdn-not-in-san" not in _causes(case, folder)
    assert "federation.microsoft-fqdn-not-in-san" in _ruled_out(case, folder)


def test_ms_diagnostics_header_is_recognised() -> None:
    answer = certdoctor.diagnose({"symptoms": {"log_lines": [MS_DIAGNOSTICS]}})
    assert "federation.microsoft-fqdn-not-in-san" in [d.cause for d in answer.diagnoses]


# Cisco Doc ID 212475, Issues 2 and 6: the Expressway-E xConfiguration of the Webex Hybrid DNS zone, verbatim
XCONF_MISSPELLED = (
    '*c xConfiguration Zones Zone 6 DNS SIP TLS Verify Mode: "On" '
    '*c xConfiguration Zones Zone 6 DNS SIP TLS Verify Subject Name: "calllservice.ciscospark.com"'
)
XCONF_INBOUND_OFF = (
    '*c xConfiguration Zones Zone 6 DNS SIP TLS Verify InboundClassification: "Off" '
    '*c xConfiguration Zones Zone 6 Name: " Hybrid Call Services DNS "'
)


def test_xconfiguration_zone_lines_read_as_zones() -> None:
    from certdoctor.xconfig import entries, zones

    lines = [
        XCONF_MISSPELLED,
        XCONF_INBOUND_OFF,
        '*c xConfiguration Zones Zone 3 Neighbor SIP TLS Verify Mode: "On"',
        "*c xConfiguration SIP TLS Certificate ExtendedKeyUsage Checking Mode: On",
    ]
    assert ("SIP TLS Certificate ExtendedKeyUsage Checking Mode", "On") in entries(lines)
    neighbor, webex = zones(lines)
    assert (neighbor.name, neighbor.type, neighbor.tls_verify_mode) == ("Zone 3", "neighbor", "on")
    assert webex.name == "Hybrid Call Services DNS" and webex.type == "webex"  # a pre-X12.5 DNS zone for Webex
    assert webex.tls_verify_mode == "on" and webex.tls_verify_inbound_mapping == "off"
    assert webex.tls_verify_subject_name == "calllservice.ciscospark.com"


def test_pasted_xconfiguration_feeds_the_webex_zone_rules() -> None:
    case = {"symptoms": {"logs": [{"side": "expressway_e", "text": t} for t in (XCONF_MISSPELLED, XCONF_INBOUND_OFF)]}}
    answer = certdoctor.diagnose(case)
    top = answer.diagnoses[0]
    assert top.cause == "webex.tls-verify-settings"
    assert any("calllservice.ciscospark.com" in e for e in top.evidence)
    assert any("inbound mapping is Off" in e for e in top.evidence)
    assert not any("xConfiguration" in t for t in answer.unrecognized)  # read, so not "not recognised"


def test_case_zones_win_over_pasted_xconfiguration(tmp_path: Path) -> None:
    case, folder = _deployment(tmp_path)
    case["expressway_e"]["zones"] = [_zone()]
    case["symptoms"] = {"log_lines": [XCONF_MISSPELLED]}
    answer = certdoctor.diagnose(case, base_dir=folder)
    assert "webex.tls-verify-settings" not in [d.cause for d in answer.diagnoses]
