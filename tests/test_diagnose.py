"""End to end: generated deployments with one fault each rank the documented cause first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from certdoctor import diagnose
from certdoctor.answer import Answer, render_text
from certdoctor.case import parse_case
from certdoctor.cli import main
from certdoctor.diagnosis import diagnose_case
from certdoctor.lab import FAULTS, write_deployment

TOP = {
    "peer-address": "zone.peer-address-mismatch",
    "tls-verify-name": "zone.tls-verify-name-mismatch",
    "c-trust-root-only": "ssh.intermediate-not-trusted",
    "c-trust-missing": "zone.ca-not-trusted",
    "e-trust-missing": "zone.ca-not-trusted",
    "c-no-client-auth": "cert.missing-client-auth-eku",
    "e-expired": "cert.expired",
    "cucm-trust-missing": "mra.cucm-does-not-trust-expressway-c",
    "c-untrusts-cucm": "mra.expressway-c-does-not-trust-cucm",
    "jabber-domain": "jabber.edge-domain-not-in-san",
    "wildcard": "cert.wildcard-unsupported",
    "unknown-oid": "cert.unsupported-oid",
    "duplicate-ca": "trust.duplicate-ca-cn",
    "e-revoked": "cert.revoked",
    "weak": "cert.weak-crypto",
    "cluster-same-cert": "cluster.peer-certificate-mismatch",
    "upload-der": "upload.invalid-format",
    "upload-key-mismatch": "upload.key-mismatch",
    "upload-untrusted": "upload.untrusted-chain",
    "revoked-intermediate-e": "cert.revoked",
    "revoked-ca-cucm": "cert.revoked",
    "pfx-upload-password": "upload.invalid-format",
}

#: What the customer reports with each fault, as a TAC engineer would hear it.
REPORTED = {
    "peer-address": {"zone_status": "Failed"},
    "tls-verify-name": {"zone_status": "TLS negotiation failure"},
    "c-trust-root-only": {"zone_status": "Active", "ssh_tunnels": "down", "recent_changes": ["certificate-renewal"]},
    "c-trust-missing": {"zone_status": "Failed"},
    "e-trust-missing": {"zone_status": "Failed"},
    "c-no-client-auth": {"zone_status": "Failed"},
    "e-expired": {"zone_status": "Failed"},
    "cucm-trust-missing": {"mra_login": "failed", "recent_changes": ["upgrade"], "version": "X14.2.1"},
    "c-untrusts-cucm": {"mra_login": "failed", "version": "X14.2.1"},
    "jabber-domain": {"jabber_warning": "Certificate not valid"},
    "wildcard": {"zone_status": "Active"},
    "unknown-oid": {"zone_status": "Active", "ssh_tunnels": "down"},
    "duplicate-ca": {"zone_status": "Active"},
    "e-revoked": {"zone_status": "Failed"},
    "weak": {"upload_error": "Certificate does not have an acceptable level of security."},
    "cluster-same-cert": {"zone_status": "Failed"},
    "upload-der": {"upload_error": "The certificate is not in a valid format", "upload_page": "server-certificate"},
    "upload-key-mismatch": {"upload_error": "upload failed", "upload_page": "server-certificate"},
    "upload-untrusted": {
        "upload_error": "The certification authority (CA) or certificate revocation list (CRL) is not recognized.",
        "upload_page": "server-certificate",
    },
    "revoked-intermediate-e": {"zone_status": "Failed"},
    "revoked-ca-cucm": {"mra_login": "failed", "version": "X14.2.1"},
    "pfx-upload-password": {"upload_error": "Invalid certificate format", "upload_page": "server-certificate"},
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("diagnose")


def _diagnose(path: Path) -> Answer:
    return diagnose(path)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_ranks_its_cause_first(lab: Path, fault: str) -> None:
    answer = _diagnose(write_deployment(lab / fault, [fault], symptoms=REPORTED[fault]))
    ranking = [d.cause for d in answer.diagnoses]
    assert ranking and ranking[0] == TOP[fault], ranking
    top = answer.diagnoses[0]
    assert top.evidence and top.steps and top.references
    assert top.confidence >= 0.6
    # a single fault: a short plan that starts on the top cause, and an answer that fits a screen
    assert 1 <= len(answer.plan) <= 6 and TOP[fault] in answer.plan[0].causes
    lines = render_text(answer).splitlines()
    assert len(lines) <= 40 and max(map(len, lines)) <= 100


def test_healthy_deployment_yields_no_cause(lab: Path) -> None:
    answer = _diagnose(
        write_deployment(lab / "healthy", symptoms={"zone_status": "Active", "ssh_tunnels": "up", "mra_login": "ok"})
    )
    assert answer.diagnoses == []
    assert answer.findings and all(f.severity == "pass" for f in answer.findings)


def test_symptom_alone_lists_candidates_and_questions() -> None:
    answer = diagnose_case(parse_case("symptoms:\n  zone_status: Failed\n", "c.yaml"))
    causes = [d.cause for d in answer.diagnoses]
    assert {"zone.peer-address-mismatch", "zone.tls-verify-name-mismatch", "zone.ca-not-trusted"} <= set(causes)
    assert all(d.confidence < 0.6 for d in answer.diagnoses)
    assert answer.questions, "a symptom alone should come with questions that split the candidates"


def test_certificate_evidence_outweighs_the_symptom(lab: Path) -> None:
    answer = _diagnose(write_deployment(lab / "both", ["tls-verify-name"], symptoms={"zone_status": "Failed"}))
    confidence = {d.cause: d.confidence for d in answer.diagnoses}
    assert confidence["zone.tls-verify-name-mismatch"] > confidence.get("zone.peer-address-mismatch", 0)


def test_counter_evidence_removes_a_cause(lab: Path) -> None:
    answer = _diagnose(write_deployment(lab / "cnt", ["tls-verify-name"], symptoms={"zone_status": "Failed"}))
    assert "zone.peer-address-mismatch" not in [d.cause for d in answer.diagnoses]


def test_questions_never_ask_what_certificates_answer(lab: Path) -> None:
    answer = _diagnose(write_deployment(lab / "q", ["peer-address"], symptoms={"zone_status": "Failed"}))
    asked = {q.id for q in answer.questions}
    from certdoctor.kb import load_knowledge

    kb = load_knowledge()
    for q in kb.questions:
        if q.id in asked:
            assert not any(kb.facts[f].source == "certificates" for f in q.facts())


def test_dutch_output(lab: Path) -> None:
    path = write_deployment(lab / "nl", ["peer-address"], symptoms={"zone_status": "Failed"})
    answer = diagnose(path, lang="nl")
    english = diagnose(path)
    assert answer.diagnoses[0].cause == english.diagnoses[0].cause
    assert answer.diagnoses[0].steps != english.diagnoses[0].steps
    assert answer.diagnoses[0].steps[0].startswith("Op Expressway")


def test_cli_formats_and_exit_codes(lab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_deployment(lab / "cli", ["peer-address"], symptoms={"zone_status": "Failed"})
    assert main(["diagnose", str(path), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["diagnoses"][0]["cause"] == "zone.peer-address-mismatch"
    assert set(doc) >= {"diagnoses", "findings", "questions"}
    assert main(["diagnose", str(path), "--format", "markdown"]) == 1
    assert capsys.readouterr().out.startswith("# certdoctor")
    healthy = write_deployment(lab / "cli-ok")
    assert main(["diagnose", str(healthy)]) == 0
    assert "No documented cause" in capsys.readouterr().out


def test_cli_bad_case_is_exit_2_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("expressway_c:\n  nodes:\n    - certificate: certs/missing.pem\n")
    assert main(["diagnose", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expressway_c.nodes[0].certificate" in err and "no such file" in err


def test_unrecognised_text_is_kept(lab: Path) -> None:
    answer = diagnose_case(parse_case("symptoms:\n  log_lines: ['something odd happened at 12:00']\n", "c.yaml"))
    assert any("something odd happened" in u for u in answer.unrecognized)


def test_dutch_seed_wording_is_recognised() -> None:
    answer = diagnose_case(
        parse_case("symptoms:\n  zone_status: 'Traverse zone omlaag: TLS-onderhandelingsfout'\n", "c.yaml")
    )
    assert answer.diagnoses and answer.diagnoses[0].cause.startswith("zone.")


def test_schema_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "case"]) == 0
    case_schema = json.loads(capsys.readouterr().out)
    assert "expressway_c" in case_schema["properties"]
    assert main(["schema", "answer"]) == 0
    assert "diagnoses" in json.loads(capsys.readouterr().out)["properties"]
    shipped = Path(__file__).resolve().parents[1] / "docs" / "schema"
    assert json.loads((shipped / "case.schema.json").read_text()) == case_schema


def test_kb_check_passes_and_cause_reference_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check"]) == 0
    assert "43 causes" in capsys.readouterr().out
    assert main(["kb", "doc"]) == 0
    generated = capsys.readouterr().out
    assert generated == (Path(__file__).resolve().parents[1] / "docs" / "causes.md").read_text()


def test_answers_in_the_case_file_set_facts_and_are_not_asked_again() -> None:
    answer = diagnose({"symptoms": {"zone_status": "Failed"}, "answers": {"ntp_synchronized": "no"}})
    assert answer.diagnoses[0].cause == "time.not-synchronized"
    assert "ntp_synchronized" not in [q.id for q in answer.questions]
    synchronised = diagnose({"symptoms": {"zone_status": "Failed"}, "answers": {"ntp_synchronized": "yes"}})
    assert "time.not-synchronized" not in [d.cause for d in synchronised.diagnoses]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"ntp_synchronised": "no"}, "answers.ntp_synchronised: no such question; did you mean 'ntp_synchronized'?"),
        ({"ntp_synchronized": "maybe"}, "answers.ntp_synchronized: 'maybe' is not one of its choices (yes, no)"),
    ],
)
def test_a_bad_answer_names_the_file_and_the_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], answers: dict[str, str], message: str
) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(json.dumps({"answers": answers}), encoding="utf-8")
    assert main(["diagnose", str(path)]) == 2
    assert capsys.readouterr().err.strip() == f"certdoctor: {path}: {message}"


def test_references_name_the_document_in_the_answers_language(lab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cause's sources read as documents (no internal `seed:` label, no Dutch in an English answer)."""
    case = write_deployment(lab / "refs", ["c-trust-missing"], symptoms={"zone_status": "Failed"})
    section = "Cisco Doc ID 221624 (Troubleshoot Expressway Certificates), section 'Traversal zone down with a TLS "
    main(["diagnose", str(case), "--format", "markdown"])
    markdown = capsys.readouterr().out
    assert f"References: {section}negotiation error': https://www.cisco.com/" in markdown
    assert "; Cisco Doc ID 213872: https://www.cisco.com/" in markdown
    assert "seed:" not in markdown and "omlaag" not in markdown
    main(["diagnose", str(case), "--format", "json"])
    top = json.loads(capsys.readouterr().out)["diagnoses"][0]
    assert top["cause"] == "zone.ca-not-trusted" and top["references"][0].startswith(
        section + "negotiation error': https://"
    )
    main(["diagnose", str(case), "--format", "text"])
    assert "seed:" not in capsys.readouterr().out
    main(["diagnose", str(case), "--format", "json", "--lang", "nl"])
    dutch = json.loads(capsys.readouterr().out)["diagnoses"][0]["references"][0]
    assert "sectie 'Traverse Zone omlaag met fout TLS-onderhandelingsfout': https://" in dutch


def test_every_source_of_the_knowledge_base_reads_as_a_document() -> None:
    from certdoctor.kb import load_knowledge

    for cause in load_knowledge().causes:
        for lang in ("en", "nl"):
            for ref in cause.references(lang):  # type: ignore[arg-type]
                assert not ref.startswith(("seed:", "http")), (cause.id, ref)
                assert "Cisco" in ref, (cause.id, ref)
