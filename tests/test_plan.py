"""The FixPlan and the concise answer: instantiated, merged steps, and a text a TAC engineer reads at a glance."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pydantic import ValidationError

from certdoctor import diagnose
from certdoctor.answer import Answer, CertificateRef, Diagnosis, render_markdown, render_text
from certdoctor.case import parse_case
from certdoctor.cli import main
from certdoctor.diagnosis import diagnose_case
from certdoctor.kb import Cause, KnowledgeBase, Step, load_knowledge
from certdoctor.plan import Binding, build_plan

CASES = Path(__file__).resolve().parents[1] / "examples" / "cases"
SSH = CASES / "ssh-tunnels-down" / "case.yaml"
ZONE = CASES / "zone-down-after-renewal" / "case.yaml"
C_NODES = ["expc1.example.com", "expc2.example.com"]


@pytest.fixture(scope="module")
def ssh() -> Answer:
    return diagnose(SSH)


def _issuing_ca() -> x509.Certificate:
    """The 'Lab Issuing CA' certificate Expressway-E sends in its chain (the one Expressway-C lacks)."""
    certs = x509.load_pem_x509_certificates((SSH.parent / "certs" / "expe1.pem").read_bytes())
    return next(c for c in certs if c.subject.rfc4514_string() == "CN=Lab Issuing CA")


def test_the_missing_ca_is_appended_once_on_each_c_node_for_every_cause_it_explains(ssh: Answer) -> None:
    appends = [s for s in ssh.plan if s.menu == "Maintenance > Security > Trusted CA certificate"]
    assert len(appends) == 1
    step = appends[0]
    assert step.device == "expressway_c" and step.targets == C_NODES
    assert step.causes == ["ssh.intermediate-not-trusted", "mra.expressway-c-does-not-trust-cucm", "cert.untrusted-ca"]
    ca = _issuing_ca()
    assert step.certificates == [
        CertificateRef(
            subject="Lab Issuing CA",
            serial=format(ca.serial_number, "x").zfill(40),
            sha256=ca.fingerprint(hashes.SHA256()).hex(),
            key_id=x509.SubjectKeyIdentifier.from_public_key(ca.public_key()).digest.hex(),
            issuer="CN=Lab Root CA",
        )
    ]
    assert step.text.startswith("On Expressway-C nodes expc1.example.com and expc2.example.com, go to Maintenance")
    assert f"'Lab Issuing CA' (serial {step.certificates[0].serial[:16]}…, SHA-256 " in step.text


def test_a_single_fault_gives_a_short_plan_that_restarts_once_after_the_change(ssh: Answer) -> None:
    assert len(ssh.plan) <= 6
    restarts = [i for i, s in enumerate(ssh.plan) if s.cost == "restart"]
    assert len(restarts) == 1 and restarts[0] == len(ssh.plan) - 1  # after every change it covers
    assert ssh.plan[restarts[0]].targets == C_NODES
    planned = {c for s in ssh.plan for c in s.causes}
    assert not planned & {r.cause for r in ssh.ruled_out}  # ruled-out causes contribute no step
    assert "time.not-synchronized" not in planned  # nor does a mere symptom hypothesis
    assert all(s.cost != "check" for s in ssh.plan)  # the files already did the checks
    assert not any("VerifyOriginServer" in s.text for s in ssh.plan)  # a fallback, not a fix
    assert not any("System > Server" in (s.menu or "") for s in ssh.plan)  # the server name is on the certificate


def test_name_steps_name_the_addresses_at_fault() -> None:
    answer = diagnose(ZONE)
    assert len(answer.plan) <= 6
    assert "replacing 'edge1.example.com' and 'edge2.example.com'" in answer.plan[0].text
    assert answer.plan[0].causes[0] == "zone.peer-address-mismatch"


def test_hypotheses_alone_keep_their_checks() -> None:
    answer = diagnose_case(parse_case("symptoms:\n  zone_status: Failed\n", "c.yaml"))
    assert answer.plan and all(not d.from_files for d in answer.diagnoses)
    assert answer.plan[0].cost == "check"


# -- merging, on a knowledge base of two causes ----------------------------------------------------------
def _cause(cause_id: str, steps: list[dict[str, Any]]) -> Cause:
    return Cause.model_validate(
        {
            "id": cause_id,
            "title": {"en": cause_id, "nl": cause_id},
            "origin": [{"document": "test"}],
            "rules": [
                {
                    "id": "r",
                    "when": [{"fact": "zone.status", "is": "down"}],
                    "certainty": 0.5,
                    "evidence": {"en": "e", "nl": "e"},
                }
            ],
            "steps": steps,
        }
    )


def _step(step_id: str, cost: str, action: str | None, text: str = "Do it.") -> dict[str, Any]:
    return {
        "id": step_id,
        "device": "all_expressways",
        "cost": cost,
        "action": action,
        "acts_on": "checker",
        "text": {"en": text, "nl": text},
    }


def _plan(bindings: dict[str, Binding]) -> list[Any]:
    kb = load_knowledge()
    small = KnowledgeBase(
        facts=kb.facts,
        questions=[],
        symptoms=[],
        causes=[
            _cause("a", [_step("add", "config", "append-ca", "Append {ca|the CA}."), _step("r", "restart", "restart")]),
            _cause("b", [_step("dup", "config", None), _step("re", "restart", "restart")]),
        ],
    )
    diagnoses = [
        Diagnosis(cause=c, title=c, confidence=p, evidence=[], steps=[], references=[], from_files=True)
        for c, p in (("a", 0.9), ("b", 0.8))
    ]
    return build_plan(small, diagnoses, bindings, {}, "en")


def test_same_action_on_same_nodes_is_one_step_and_a_restart_follows_the_last_change() -> None:
    both = Binding(checkers={"expressway_c": C_NODES})
    plan = _plan({"a": both, "b": both})
    assert [(s.text.split(": ", 1)[1], s.causes) for s in plan] == [
        ("Append the CA.", ["a"]),
        ("Do it.", ["b"]),
        ("Do it.", ["a", "b"]),  # one restart, after b's change too
    ]
    assert plan[-1].cost == "restart" and plan[-1].targets == C_NODES


def test_the_same_action_on_other_nodes_stays_apart() -> None:
    plan = _plan({"a": Binding(checkers={"expressway_c": C_NODES}), "b": Binding(checkers={"expressway_e": ["e1"]})})
    restarts = [s for s in plan if s.cost == "restart"]
    assert [(s.device, s.targets) for s in restarts] == [("expressway_c", C_NODES), ("expressway_e", ["e1"])]


def test_step_placeholders_are_checked_when_the_knowledge_is_read() -> None:
    base = {"id": "s", "device": "ca", "cost": "check"}
    with pytest.raises(ValidationError, match="unknown placeholder"):
        Step.model_validate({**base, "text": {"en": "Append {cas}.", "nl": "Voeg {cas} toe."}})
    with pytest.raises(ValidationError, match="same placeholders"):
        Step.model_validate({**base, "text": {"en": "Append {ca}.", "nl": "Voeg het toe."}})


def test_the_shipped_steps_instantiate_sensibly() -> None:
    kb = load_knowledge()
    for cause in kb.causes:
        for step in cause.steps:
            if step.only_if is not None:
                assert step.only_if.fact in kb.facts, f"{cause.id}/{step.id}"
            if "{ca" in step.text.en:  # appended to the list of who checks, or (chain not sent) to the sender's own
                assert step.acts_on in ("checker", "checked"), f"{cause.id}/{step.id}: names a CA but no side"


# -- item 7: the checker and the checked by name -----------------------------------------------------------
def test_trust_facts_name_the_checker_and_the_checked() -> None:
    from certdoctor.case import CertificateSource, read_case
    from certdoctor.facts import derive

    facts = derive(read_case(SSH), CertificateSource(SSH.parent, str(SSH)), load_knowledge())
    missing = next(f for f in facts.items if f.name == "trust.intermediate_missing" and f.value is True)
    assert missing.params["checker_name"] == "Expressway-C (expc1.example.com, expc2.example.com)"
    assert missing.params["checked_name"] == "Expressway-E node expe1.example.com"
    assert missing.params["ca_subject"] == "Lab Issuing CA"
    cucm = next(f for f in facts.items if f.name == "trust.c_trusts_cucm" and f.value is False)
    assert cucm.params["checked_name"].startswith("Unified CM node cucm1.example.com")
    # the CA Unified CM's certificate needs is not in C's list, but E sends it: named with its fingerprint
    assert cucm.params["ca_sha256"] == _issuing_ca().fingerprint(hashes.SHA256()).hex()


# -- the concise answer ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES.glob("*/case.yaml")), ids=lambda p: p.parent.name)
def test_the_default_answer_fits_a_screen(case: Path) -> None:
    for lang in ("en", "nl"):
        lines = render_text(diagnose(case, lang=lang)).splitlines()
        assert len(lines) <= 40 and max(map(len, lines)) <= 100, (case, lang)


def test_the_default_answer_reads_top_to_bottom(ssh: Answer) -> None:
    text = render_text(ssh)
    order = [
        "1. Traversal zone up",
        "2. The Expressway-C traffic server",
        "Ruled out by the files:",
        "Hypotheses from symptoms only:",
        "Plan (likely and cheap first",
    ]
    assert [text.index(o) for o in order] == sorted(text.index(o) for o in order)
    # one evidence line names both Expressway-E nodes where the intermediate is missing
    why = next(line for line in text.split("\n   why: ") if "Lab" in line)
    assert "expe1.example.com" in why and "expe2.example.com" in why
    assert "cert.unsupported-oid: the Expressway-C and Expressway-E certificates" in text
    assert re.search(r"^   1\. \[1, 2\] On Expressway-C nodes", text, flags=re.MULTILINE)
    # the files decide it: no answer to any question could put another cause first, so none is asked
    assert ssh.questions == [] and "Questions that would sharpen" not in text


def test_verbose_shows_every_evidence_line_and_step(ssh: Answer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagnose", str(SSH), "--verbose"]) == 1
    text = capsys.readouterr().out
    for d in ssh.diagnoses:
        assert all(e in text for e in d.evidence) and all(s in text for s in d.steps)


def test_dutch_labels_are_dutch() -> None:
    answer = diagnose(SSH, lang="nl")
    for text in (render_text(answer), render_markdown(answer, "x"), render_text(answer, verbose=True)):
        for english in ("why:", "Ruled out", "Hypotheses from", "Plan (likely", "Questions that", "also explains"):
            assert english not in text
        assert "Uitgesloten door de bestanden" in text
    assert "   waarom: " in render_text(answer) and "Plan (waarschijnlijk en goedkoop eerst" in render_text(answer)


def test_markdown_is_the_concise_answer(ssh: Answer) -> None:
    text = render_markdown(ssh, "ssh tunnels down")
    assert text.startswith("# certdoctor: ssh tunnels down\n")
    assert "## Ruled out by the files" in text and "## Plan" in text and "**Steps**" not in text
    assert "1. [1, 2] On Expressway-C nodes expc1.example.com and expc2.example.com" in text
    assert "**Steps**" in render_markdown(ssh, "x", verbose=True)
