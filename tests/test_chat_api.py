"""The conversation API as a chatbot uses it: certificates as content, turns, undo, and no secret kept."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path
from typing import Any

import pytest
from test_chat_support import lab_case, private_key_pem

from certdoctor.chat.api import (
    MAX_TURNS,
    ChatInput,
    ChatReply,
    DiagnoseRequest,
    InspectRequest,
    VerifyRequest,
    catalogue,
    converse,
    diagnose_inline,
    holds_private_key,
    inspect_content,
    verify_content,
)
from certdoctor.chat.sessions import ChatService, MemoryStore, SessionConflict, SessionNotFound
from certdoctor.chat.token import StateSealer
from certdoctor.errors import InputError
from certdoctor.testpki import KeySpec, TestPKI, pkcs12

SEALER = StateSealer(b"a" * 40)


def state_json(reply: ChatReply) -> str:
    """What a state token holds, as text (tokens are signed, not encrypted)."""
    assert reply.state is not None
    raw = base64.urlsafe_b64decode(reply.state + "=" * (-len(reply.state) % 4))
    return zlib.decompress(raw[5:-32]).decode()


def causes(reply: ChatReply) -> list[str]:
    return [d.cause for d in reply.answer.diagnoses]


@pytest.fixture(scope="module")
def peer_case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A deployment whose traversal peer address is not on the Expressway-E certificates."""
    return lab_case(tmp_path_factory.mktemp("peer"), "peer-address")


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A healthy deployment."""
    return lab_case(tmp_path_factory.mktemp("healthy"))


def test_a_conversation_built_turn_by_turn_reaches_the_documented_cause(peer_case: dict[str, Any]) -> None:
    # a chatbot learns the deployment piece by piece: symptom text, settings, then certificates
    reply = converse(None, {"text": "TLS negotiation failure", "case": {"at": peer_case["at"]}}, sealer=SEALER)
    assert reply.turns == 1 and reply.question is not None
    # the form is a JSON-Schema-like question: id, title, one const per choice
    form = reply.question
    assert form.type == "string" and form.oneOf
    answered = converse(reply.state, {"answers": {form.id: form.oneOf[0].const}}, sealer=SEALER)
    assert answered.question is None or answered.question.id != form.id
    c, e = peer_case["expressway_c"], peer_case["expressway_e"]
    reply = converse(
        reply.state,
        {
            "set": {
                "expressway_c.traversal_zone.peer_addresses": ", ".join(c["traversal_zone"]["peer_addresses"]),
                "expressway_e.cluster_fqdn": e["cluster_fqdn"],
            }
        },
        sealer=SEALER,
    )
    suspected = {d.cause: d.confidence for d in reply.answer.diagnoses}.get("zone.peer-address-mismatch", 0.0)
    turns: dict[str, Any] = {
        f"expressway_e.nodes[{i}].certificate": node["certificate"] for i, node in enumerate(e["nodes"])
    }
    reply = converse(
        reply.state, {"certificates": turns, "set": {"expressway_e.nodes[0].fqdn": "expe1.example.com"}}, sealer=SEALER
    )
    assert causes(reply)[0] == "zone.peer-address-mismatch"
    assert reply.answer.diagnoses[0].confidence > suspected  # the certificates confirm the suspicion
    assert any("edge1.example.com" in line for line in reply.answer.diagnoses[0].evidence)
    assert reply.turns == 3
    assert reply.answer.markdown and "(`zone.peer-address-mismatch`" in reply.answer.markdown  # ready for the bot
    # the certificates make the cause stand clear: nothing left is worth asking
    assert reply.question is None and not reply.answer.questions


def test_a_whole_case_on_the_first_turn_and_undo(peer_case: dict[str, Any], healthy: dict[str, Any]) -> None:
    first = converse(None, {"case": peer_case}, sealer=SEALER)
    assert causes(first)[0] == "zone.peer-address-mismatch"
    assert first.turns == 0
    # the user corrects the peer address: the cause goes; undo brings it back exactly
    fixed = converse(
        first.state,
        {"set": {"expressway_c.traversal_zone.peer_addresses": ["expe1.example.com", "expe2.example.com"]}},
        sealer=SEALER,
    )
    assert "zone.peer-address-mismatch" not in causes(fixed)
    undone = converse(fixed.state, {"undo": True}, sealer=SEALER)
    assert undone.answer == first.answer and undone.turns == 0
    assert converse(None, {"case": healthy}, sealer=SEALER).answer.diagnoses == []


def test_language_is_kept_and_can_change(peer_case: dict[str, Any]) -> None:
    nl = converse(None, {"case": peer_case, "lang": "nl"}, sealer=SEALER)
    en = converse(None, {"case": peer_case}, sealer=SEALER)
    assert nl.answer.diagnoses[0].cause == en.answer.diagnoses[0].cause
    assert nl.answer.diagnoses[0].title != en.answer.diagnoses[0].title
    later = converse(nl.state, {}, sealer=SEALER)
    assert later.answer == nl.answer
    assert converse(nl.state, {"lang": "en"}, sealer=SEALER).answer.diagnoses[0].title == en.answer.diagnoses[0].title


def test_certificates_arrive_as_pem_base64_or_pkcs7_and_are_kept_as_pem(peer_case: dict[str, Any]) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from certdoctor.testpki import pkcs7

    pem = peer_case["expressway_e"]["nodes"][0]["certificate"]
    cert = x509.load_pem_x509_certificates(pem.encode())
    der_b64 = base64.b64encode(cert[0].public_bytes(Encoding.DER)).decode()
    p7b_b64 = base64.b64encode(pkcs7(cert)).decode()
    for content in (pem, der_b64, p7b_b64, "text before\r\n" + pem.replace("\n", "\r\n")):
        reply = converse(None, {"certificates": {"expressway_e.certificate": content}}, sealer=SEALER)
        stored = SEALER.open(reply.state or "").turns[0].certificates["expressway_e.certificate"]
        assert stored.startswith("-----BEGIN CERTIFICATE-----")
        kept = x509.load_pem_x509_certificates(stored.encode())
        assert cert[0] in kept and set(kept) <= set(cert)  # PKCS#7 may reorder, never adds


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"certificates": {"expressway_e.certificate": "/etc/ssl/certs/server.pem"}}, "expressway_e.certificate"),
        ({"certificates": {"expressway_e.fqdn": "x"}}, "certificates.expressway_e.fqdn"),
        ({"certificates": {"expressway_e.certificate": "   "}}, "certificates.expressway_e.certificate"),
        ({"set": {"expressway_e.certificate": "-----BEGIN CERTIFICATE-----"}}, "set.expressway_e.certificate"),
        ({"set": {"symptoms.ssh_tunnels": "sideways"}}, "conversation"),
        ({"set": {"bad path!": 1}}, "bad path!"),
        ({"case": {"expressway_c": {"trusted_cas": ["../../etc/passwd"]}}}, "case.expressway_c.trusted_cas[0]"),
        ({"case": {"symptoms": "none"}}, "case"),
        ({"case": ["not", "a", "mapping"]}, "case"),
        ({"answers": {"ntp_synchronized": "maybe"}}, "answers.ntp_synchronized"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises((InputError, ValueError)) as err:
        converse(None, data, sealer=SEALER)
    text = str(err.value)
    if isinstance(err.value, InputError):
        assert field in err.value.source
        assert "\n" not in text


def test_case_only_on_the_first_turn_and_bounded_turns() -> None:
    start = converse(None, {"text": "TLS negotiation failure"}, sealer=SEALER)
    with pytest.raises(InputError, match="case: only the first turn carries a case"):
        converse(start.state, {"case": {}}, sealer=SEALER)
    from certdoctor.conversation import Conversation, Turn

    full = SEALER.seal(Conversation(turns=[Turn(answers={"problem": "other"})] * MAX_TURNS))
    with pytest.raises(InputError, match=f"{MAX_TURNS} turns"):
        converse(full, {"text": "one more"}, sealer=SEALER)
    assert converse(full, {}, sealer=SEALER).turns == MAX_TURNS  # looking is still allowed


def _key_inputs(key_pem: str, cert_pem: str) -> list[dict[str, Any]]:
    body = "".join(key_pem.strip().splitlines()[1:-1])
    pkcs8_lines = "\n".join(key_pem.strip().splitlines()[1:-1])
    pki = TestPKI(seed="chat-key-tests")
    issued = pki.root("PFX Test", key=KeySpec("ec", 256))
    pfx = base64.b64encode(pkcs12(issued, password=b"secret")).decode()
    return [
        {"text": "the key is\n" + key_pem},
        {"text": "unarmoured key:\n" + pkcs8_lines},
        {"text": body},
        {"certificates": {"expressway_e.certificate": cert_pem + key_pem}},
        {"certificates": {"expressway_e.certificate": pfx}},
        {"certificates": {"upload.key": key_pem}},
        {"set": {"upload.key": key_pem}},
        {"set": {"symptoms.upload_error": key_pem}},
        {"answers": {"problem": key_pem}},
        {"case": {"upload": {"file": cert_pem, "key": key_pem}}},
        {"case": {"upload": {"file": cert_pem, "key": "certs/expe.key"}}},
        {"case": {"symptoms": {"log_lines": [key_pem]}}},
    ]


def test_a_pfx_is_refused_with_what_a_tac_engineer_needs(peer_case: dict[str, Any]) -> None:
    pki = TestPKI(seed="chat-key-tests")
    pfx = base64.b64encode(pkcs12(pki.root("PFX Test", key=KeySpec("ec", 256)), password=b"secret")).decode()
    for field in ("upload.file", "expressway_e.certificate"):
        with pytest.raises(InputError) as err:
            converse(None, {"case": peer_case, "certificates": {field: pfx}}, sealer=SEALER)
        assert err.value.source == f"certificates.{field}"
        problem = err.value.problem
        assert "upload.invalid-format" in problem and "`openssl pkcs12 -clcerts -nokeys`" in problem
        assert "send the certificate as PEM" in problem and "no password is accepted" in problem


def test_private_keys_are_refused_everywhere_and_kept_nowhere(peer_case: dict[str, Any]) -> None:
    key_pem = private_key_pem()
    cert_pem = peer_case["expressway_e"]["nodes"][0]["certificate"]
    body_line = key_pem.strip().splitlines()[1]
    start = converse(None, {"case": peer_case}, sealer=SEALER)
    service = ChatService(SEALER, MemoryStore())
    session = service.start_session(ChatInput(case=peer_case))
    for data in _key_inputs(key_pem, cert_pem):
        for state in (None, start.state):
            if "case" in data and state is not None:
                continue
            with pytest.raises(InputError) as err:
                converse(state, data, sealer=SEALER)
            assert "private key" in err.value.problem or "PKCS#12" in err.value.problem, data
            assert body_line not in str(err.value)
        if "case" not in data:
            with pytest.raises(InputError):
                service.continue_session(session.session or "", ChatInput.model_validate(data))
    # the session is unchanged by the refused turns, and nothing in any state holds the key
    after = service.continue_session(session.session or "", ChatInput())
    assert after.turns == 0
    assert body_line not in service.store.get(session.session or "")
    assert body_line not in state_json(start)


def test_holds_private_key_does_not_fire_on_certificates_or_ordinary_text(peer_case: dict[str, Any]) -> None:
    cert_pem = peer_case["expressway_e"]["nodes"][0]["certificate"]
    assert not holds_private_key(cert_pem)
    assert not holds_private_key('Event="Outbound TLS Negotiation Error" Detail="Peer\'s TLS certificate"')
    assert not holds_private_key("A" * 5000)
    assert holds_private_key(private_key_pem())


def test_sessions_hold_the_conversation_and_refuse_racing_turns(peer_case: dict[str, Any]) -> None:
    service = ChatService(SEALER, MemoryStore())
    started = service.start_session(ChatInput(case=peer_case))
    assert started.session and started.state is None
    sid = started.session
    nxt = service.continue_session(sid, ChatInput(answers={"problem": "zone-down"}))
    assert nxt.turns == 1 and nxt.session == sid
    # compare-and-set: a turn computed on an older state cannot overwrite a newer one
    before = service.store.get(sid)
    service.continue_session(sid, ChatInput(text="TLS negotiation failure"))
    with pytest.raises(SessionConflict):
        service.store.replace(sid, before, before)
    service.end_session(sid)
    with pytest.raises(SessionNotFound):
        service.continue_session(sid, ChatInput())
    with pytest.raises(SessionNotFound):
        service.continue_session("../../etc", ChatInput())


def test_memory_sessions_expire_and_are_bounded() -> None:
    store = MemoryStore(ttl=-1)
    sid = store.create("token")
    with pytest.raises(SessionNotFound):
        store.get(sid)
    small = MemoryStore(max_sessions=2)
    ids = [small.create(f"t{i}") for i in range(3)]
    with pytest.raises(SessionNotFound):
        small.get(ids[0])
    assert small.get(ids[2]) == "t2"


def test_diagnose_inspect_and_verify_take_content(peer_case: dict[str, Any], healthy: dict[str, Any]) -> None:
    answer = diagnose_inline(DiagnoseRequest(case=peer_case))
    assert answer.diagnoses[0].cause == "zone.peer-address-mismatch"
    # a bot shows the ready Markdown as it is: the concise answer, the plan naming the addresses at fault
    assert answer.markdown is not None and "## 1. The Expressway-C traversal zone peer address" in answer.markdown
    assert "## Plan" in answer.markdown and "edge1.example.com" in answer.markdown
    e_pem = healthy["expressway_e"]["nodes"][0]["certificate"]
    report = inspect_content(InspectRequest(content=e_pem))
    assert report.certificates[0].sans.dns and not report.private_keys
    key_report = inspect_content(InspectRequest(content=private_key_pem()))
    assert key_report.private_keys and private_key_pem().splitlines()[1] not in key_report.model_dump_json()
    verdict = verify_content(
        VerifyRequest(
            leaf=e_pem, trusted=healthy["expressway_c"]["trusted_cas"], host="expe1.example.com", at=healthy["at"]
        )
    )
    assert verdict.expressway.trusted and verdict.strict.trusted
    wrong_host = verify_content(
        VerifyRequest(
            leaf=e_pem, trusted=healthy["expressway_c"]["trusted_cas"], host="edge.example.com", at=healthy["at"]
        )
    )
    assert not wrong_host.expressway.trusted
    with pytest.raises(InputError, match="trusted"):
        verify_content(VerifyRequest(leaf=e_pem, trusted=["not a certificate"]))


#: The published cause ids: a public interface, extended but never renamed or dropped.
PUBLISHED_CAUSES = set(
    [
        "cert.expired",
        "cert.missing-client-auth-eku",
        "cert.missing-feature-san",
        "cert.name-mismatch",
        "cert.revoked",
        "cert.unsupported-oid",
        "cert.untrusted-ca",
        "cert.weak-crypto",
        "cert.wildcard-unsupported",
        "cluster.peer-certificate-mismatch",
        "crl.unavailable",
        "jabber.edge-domain-not-in-san",
        "mra.cucm-does-not-trust-expressway-c",
        "mra.expressway-c-does-not-trust-cucm",
        "restart.required",
        "ssh.intermediate-not-trusted",
        "time.not-synchronized",
        "trust.duplicate-ca-cn",
        "upload.invalid-format",
        "upload.key-mismatch",
        "upload.untrusted-chain",
        "zone.ca-not-trusted",
        "zone.peer-address-mismatch",
        "zone.tls-verify-name-mismatch",
    ]
)


def test_catalogue_lists_every_published_cause() -> None:
    ids = {c.id for c in catalogue()}
    assert ids >= PUBLISHED_CAUSES, f"published cause ids dropped: {sorted(PUBLISHED_CAUSES - ids)}"


def test_replies_serialise_to_the_published_schema(peer_case: dict[str, Any]) -> None:
    import jsonschema

    reply = converse(None, {"case": peer_case}, sealer=SEALER)
    jsonschema.validate(json.loads(reply.model_dump_json()), ChatReply.model_json_schema())


def test_a_skipped_question_is_not_asked_again_and_a_bad_choice_is_refused() -> None:
    first = converse(None, {"text": "TLS negotiation failure"}, sealer=SEALER)
    assert first.question is not None
    skipped = converse(first.state, {"skip": [first.question.id]}, sealer=SEALER)
    assert skipped.question is None or skipped.question.id != first.question.id
    assert first.question.id not in [q.id for q in skipped.answer.questions]
    with pytest.raises(InputError, match=f"answers.{first.question.id}: 'maybe' is not one of its choices"):
        converse(first.state, {"answers": {first.question.id: "maybe"}}, sealer=SEALER)


def test_a_private_key_pasted_as_a_field_name_or_skip_is_refused_without_echo() -> None:
    key = private_key_pem("as-a-name")
    secret = key.splitlines()[1]
    for data in (
        {"set": {key: "x"}},
        {"answers": {key: "x"}},
        {"certificates": {key: "x"}},
        {"skip": [key]},
        {"case": {key: 1}},
        {"case": {"symptoms": {key: 1}}},
    ):
        with pytest.raises(InputError) as err:
            converse(None, data, sealer=SEALER)
        assert "private key" in err.value.problem and secret not in str(err.value), data


def test_engine_survives_a_case_whose_facts_fire_no_rule() -> None:
    # a chatbot user's first words can be just "we renewed a certificate": the server must not die on it
    import subprocess
    import sys

    code = "import certdoctor; certdoctor.diagnose({'symptoms': {'recent_changes': ['certificate-renewal']}})"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-300:]


def test_an_upload_file_keeps_its_format_so_a_der_upload_is_diagnosed(tmp_path: Path) -> None:
    """The file whose upload fails is judged as sent: DER (as Base-64 over JSON) is the invalid-format cause."""
    from cryptography.hazmat.primitives.serialization import Encoding

    pki = TestPKI(seed="chat-upload")
    issuing = pki.intermediate("Upload Issuing CA", pki.root("Upload Root CA"))
    leaf = pki.leaf("expe.example.com", issuing, sans=["expe.example.com"], key=KeySpec("ec", 256))
    der = base64.b64encode(leaf.certificate.public_bytes(Encoding.DER)).decode()
    reply = converse(
        None, {"certificates": {"upload.file": der}, "set": {"upload.target": "expressway_e"}}, sealer=SEALER
    )
    assert causes(reply)[0] == "upload.invalid-format"
    assert "PRIVATE" not in state_json(reply)
    single = converse(None, {"certificates": {"upload.file": leaf.pem().decode()}}, sealer=SEALER)
    assert "upload.invalid-format" not in causes(single)
