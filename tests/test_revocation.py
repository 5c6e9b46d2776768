"""Revocation anywhere on a path: a supplied CRL that revokes a leaf or a CA, on any side, is a cert.revoked finding
naming the certificate, its issuer, the CRL and who presents it; an expired CRL anywhere is cert.crl_expired."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from certdoctor.case import CertificateSource, read_case
from certdoctor.diagnosis import diagnose_file, shipped_engine
from certdoctor.facts import Fact, Facts, derive
from certdoctor.kb import load_knowledge
from certdoctor.lab import write_deployment
from certdoctor.scenarios.run import check, evaluate

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def facts_of(path: Path) -> Facts:
    return derive(read_case(path), CertificateSource(path.parent), load_knowledge())


def revoked(facts: Facts, name: str = "cert.revoked") -> list[Fact]:
    return [f for f in facts.items if f.name == name and f.value is True]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("revocation")


def test_a_revoked_intermediate_on_expressway_e_chain(lab: Path) -> None:
    path = write_deployment(lab / "e-ca", ["revoked-intermediate-e"], symptoms={"zone_status": "Failed"})
    facts = facts_of(path)
    [fact] = revoked(facts)
    params = fact.params
    assert params["certificate"].startswith("'Lab Edge CA'") and params["issuer"].startswith("'Lab Root CA'")
    assert params["crl"].startswith("CRL of 'CN=Lab Root CA'") and params["since"] == "2026-05-01"
    assert params["position"] == "an issuing CA sent in the chain"
    assert params["presented_by"] == "Expressway-E nodes expe1.example.com, expe2.example.com"
    assert params["checked_role"] == "expressway_e" and params["checked_node"] == "expe1.example.com; expe2.example.com"
    assert fact.entity == f"certificate:{params['certificate']}" and fact.ok is False
    # the servers' own certificates are not revoked: each is a passing finding of its own
    leaves = {f.params["certificate"] for f in facts.items if f.name == "cert.revoked" and f.value is False}
    assert any(name.startswith("'expe.example.com'") for name in leaves)
    answer = diagnose_file(path)
    top = answer.diagnoses[0]
    assert top.cause == "cert.revoked" and top.confidence >= 0.9
    assert "'Lab Edge CA'" in top.evidence[0] and "CRL of 'CN=Lab Root CA'" in top.evidence[0]
    assert "Expressway-E nodes expe1.example.com, expe2.example.com" in top.evidence[0]
    reissue = next(s for s in answer.plan if "cert.revoked" in s.causes or s.cause == "cert.revoked")
    assert set(reissue.targets) >= {"expe1.example.com", "expe2.example.com"}


def test_a_revoked_ca_on_a_unified_cm_chain(lab: Path) -> None:
    path = write_deployment(lab / "cucm-ca", ["revoked-ca-cucm"], symptoms={"mra_login": "failed"})
    [fact] = revoked(facts_of(path))
    params = fact.params
    assert params["certificate"].startswith("'Voice Issuing CA'") and params["issuer"].startswith("'Voice Root CA'")
    assert params["crl"].startswith("CRL of 'CN=Voice Root CA'")
    assert params["presented_by"] == "Unified CM node cucm1.example.com (tomcat and callmanager certificates)"
    assert params["checked_role"] == "cucm" and params["checked_node"] == "cucm1.example.com"
    answer = diagnose_file(path)
    assert answer.diagnoses[0].cause == "cert.revoked"
    assert "Unified CM node cucm1.example.com" in answer.diagnoses[0].evidence[0]
    assert "mra.expressway-c-does-not-trust-cucm" not in {d.cause for d in answer.diagnoses}


def test_a_revoked_server_certificate_is_still_found(lab: Path) -> None:
    [fact] = revoked(facts_of(write_deployment(lab / "leaf", ["e-revoked"])))
    assert fact.params["position"] == "the server certificate"
    assert fact.params["checked_node"] == "expe1.example.com"
    assert fact.params["issuer"].startswith("'Lab Issuing CA'")


@pytest.mark.parametrize("fault", ["root-crl-unrelated", "cucm-crl-unrelated"])
def test_a_crl_revoking_an_unrelated_serial_revokes_nothing(lab: Path, fault: str) -> None:
    facts = facts_of(write_deployment(lab / fault, [fault]))
    assert revoked(facts) == [] and revoked(facts, "cert.crl_expired") == []
    checked = {f.params["certificate"].split("'")[1] for f in facts.items if f.name == "cert.revoked"}
    assert ("Lab Edge CA" if fault == "root-crl-unrelated" else "Voice Issuing CA") in checked  # judged, not on it
    assert "cert.revoked" not in {d.cause for d in diagnose_file(lab / fault / "case.yaml").diagnoses}


def test_revocation_is_judged_when_no_trusted_list_checks_the_certificate(lab: Path) -> None:
    path = write_deployment(lab / "no-lists", ["revoked-intermediate-e"])
    data = yaml.safe_load(path.read_text())
    for side in ("expressway_c", "expressway_e"):  # no list checks E's certificate; Unified CM's hold the root
        data[side].pop("trusted_cas")
    path.write_text(yaml.safe_dump(data))
    facts = facts_of(path)
    assert not any(f.name == "trust.c_trusts_e" for f in facts.items)
    [fact] = revoked(facts)
    assert fact.params["certificate"].startswith("'Lab Edge CA'")
    assert diagnose_file(path).diagnoses[0].cause == "cert.revoked"


def test_a_crl_whose_issuer_certificate_is_in_no_file_judges_nothing(lab: Path) -> None:
    path = write_deployment(lab / "no-root", ["revoked-intermediate-e"], cucm=False)
    data = yaml.safe_load(path.read_text())
    for side in ("expressway_c", "expressway_e"):  # without the root, the root's CRL cannot be verified
        data[side].pop("trusted_cas")
    path.write_text(yaml.safe_dump(data))
    assert revoked(facts_of(path)) == []


def test_an_intermediate_from_a_trusted_list_names_the_list(lab: Path) -> None:
    path = write_deployment(lab / "unsent", ["revoked-intermediate-e"], cucm=False)
    data = yaml.safe_load(path.read_text())
    certs = path.parent
    for node in data["expressway_e"]["nodes"]:  # E sends its certificate alone; C's list holds Lab Edge CA
        pem = (certs / node["certificate"]).read_text()
        (certs / node["certificate"]).write_text(pem[: pem.index("-----END CERTIFICATE-----") + 26])
    path.write_text(yaml.safe_dump(data))
    [fact] = revoked(facts_of(path))
    assert fact.params["position"] == "an issuing CA on the path (in Expressway-C's trusted CA list)"


def test_an_expired_crl_anywhere_on_a_path(lab: Path) -> None:
    path = write_deployment(lab / "root-crl", ["root-crl-expired"], symptoms={"zone_status": "Failed"})
    facts = facts_of(path)
    stale = {f.params["certificate"].split("'")[1]: f.params for f in revoked(facts, "cert.crl_expired")}
    assert {"Lab Edge CA", "Lab Issuing CA"} <= set(stale)  # every CA the root's CRL judges
    edge = stale["Lab Edge CA"]
    assert edge["crl"].startswith("CRL of 'CN=Lab Root CA'") and edge["since"] == "2026-05-01"
    assert edge["presented_by"] == "Expressway-E nodes expe1.example.com, expe2.example.com"
    assert revoked(facts) == []
    case = read_case(path).model_copy(update={"answers": {"crl_checking": "yes"}})
    from certdoctor.diagnosis import diagnose_case

    answer = diagnose_case(case, base_dir=path.parent, source=str(path))
    assert answer.diagnoses[0].cause == "crl.unavailable"
    assert "'Lab Edge CA'" in " ".join(answer.diagnoses[0].evidence)


@pytest.mark.parametrize(
    ("group", "name", "top"),
    [
        ("cert.revoked", "intermediate-revoked-on-e-chain", "cert.revoked"),
        ("cert.revoked", "cucm-issuing-ca-revoked-mra-fails", "cert.revoked"),
        ("cert.revoked", "near-miss-root-crl-revokes-a-retired-ca", "zone.peer-address-mismatch"),
        ("cert.revoked", "near-miss-voice-crl-revokes-another-serial", "mra.expressway-c-does-not-trust-cucm"),
        ("crl.unavailable", "root-crl-expired-judges-e-intermediate", "crl.unavailable"),
    ],
)
def test_the_revocation_scenarios_pass(group: str, name: str, top: str) -> None:
    ev = evaluate(name, SCENARIOS / group / f"{name}.yaml", shipped_engine())
    assert ev.case.expect is not None and check(ev.case.expect, ev.answer) == []
    assert ev.answer.diagnoses[0].cause == top
    if name.startswith("near-miss"):
        assert "cert.revoked" in ev.case.expect.excludes and ev.case.crls  # a CRL is there, and revokes nothing


def test_a_revoked_certificate_in_the_upload_file_names_the_upload(lab: Path) -> None:
    path = write_deployment(lab / "upload", ["e-revoked"])
    data = yaml.safe_load(path.read_text())
    data["upload"] = {"target": "expressway_e", "file": data["expressway_e"]["nodes"][0]["certificate"]}
    path.write_text(yaml.safe_dump(data))
    found = {f.params["presented_by"]: f.params for f in revoked(facts_of(path))}
    assert set(found) == {"Expressway-E node expe1.example.com", "the upload file certs/expe1.pem"}
    upload = found["the upload file certs/expe1.pem"]
    assert upload["position"] == "the certificate in the upload file"
    assert upload["checked_role"] == "expressway_e" and upload["checked_node"] == ""
    assert found["Expressway-E node expe1.example.com"]["checked_node"] == "expe1.example.com"
