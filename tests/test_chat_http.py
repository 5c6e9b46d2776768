"""`certdoctor serve` over loopback: a real uvicorn server on 127.0.0.1, driven with httpx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_chat_support import Server, certdoctor_command, lab_case, private_key_pem, server_env

ENDPOINTS = ["/v1/diagnose", "/v1/conversation", "/v1/sessions", "/v1/inspect", "/v1/verify"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module (starting one costs about a second)."""
    tmp = tmp_path_factory.mktemp("http")
    srv = Server(tmp, "--max-body", str(1024 * 1024))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A deployment whose Expressway-C does not trust the Expressway-E CA."""
    return lab_case(tmp_path_factory.mktemp("case"), "c-trust-missing")


def is_problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """Check an RFC 9457 problem-details response and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["type"].endswith("/" + kind), body
    assert body["title"] and body["detail"] and "\n" not in body["detail"]
    return body


def test_health(client: httpx.Client) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["causes"] >= 24 and body["store"]["store"] == "memory"


def test_openapi_document_is_valid_and_complete(client: httpx.Client) -> None:
    from openapi_spec_validator import validate

    doc = client.get("/openapi.json").json()
    validate(doc)
    paths = doc["paths"]
    for path in [*ENDPOINTS, "/health", "/v1/sessions/{session}/turns", "/v1/sessions/{session}", "/v1/causes"]:
        assert path in paths, path
    conversation = paths["/v1/conversation"]["post"]
    assert "application/problem+json" in conversation["responses"]["422"]["content"]
    assert conversation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("ChatReply")
    assert {"ChatInput", "ChatReply", "Answer", "Problem", "FileReport", "VerifyReport"} <= set(
        doc["components"]["schemas"]
    )


def test_diagnose_in_markdown_gives_what_the_cli_prints(client: httpx.Client, tmp_path: Path) -> None:
    """`"format": "markdown"` answers with the case notes `certdoctor diagnose --format markdown` prints."""
    import subprocess

    from certdoctor.chat.api import load_case_inline
    from certdoctor.lab import write_deployment

    path = write_deployment(tmp_path, ["c-trust-missing"])
    case = load_case_inline(path)
    response = client.post("/v1/diagnose", json={"case": case, "format": "markdown"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    printed = subprocess.run(
        certdoctor_command("diagnose", str(path), "--format", "markdown"), capture_output=True, text=True, timeout=60
    )
    assert printed.returncode == 1  # a cause found
    assert response.text == printed.stdout
    assert "## 1. A CA in one Expressway's certificate path is missing" in response.text
    answer = client.post("/v1/diagnose", json={"case": case, "format": "json"})
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["diagnoses"][0]["cause"] == "zone.ca-not-trusted"
    assert answer.json()["markdown"] == response.text  # the same notes, ready inside the JSON answer for bots
    refused = is_problem(client.post("/v1/diagnose", json={"case": case, "format": "pdf"}), 422, "invalid-request")
    assert refused["errors"][0]["field"] == "body.format"


def test_openapi_shows_both_answers_of_diagnose(client: httpx.Client) -> None:
    doc = client.get("/openapi.json").json()
    diagnose = doc["paths"]["/v1/diagnose"]["post"]
    content = diagnose["responses"]["200"]["content"]
    assert content["application/json"]["schema"]["$ref"].endswith("/Answer")
    assert content["text/markdown"]["schema"] == {"type": "string"}
    assert doc["components"]["schemas"]["DiagnoseRequest"]["properties"]["format"]["enum"] == ["json", "markdown"]


def test_diagnose_answers_with_the_contract_shape(client: httpx.Client, case: dict[str, Any]) -> None:
    response = client.post("/v1/diagnose", json={"case": case})
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) >= {"diagnoses", "findings", "questions"}
    top = answer["diagnoses"][0]
    assert top["cause"] == "zone.ca-not-trusted"
    assert 0 <= top["confidence"] <= 1 and top["evidence"] and top["steps"]


def test_token_conversation_over_http(client: httpx.Client, case: dict[str, Any]) -> None:
    first = client.post("/v1/conversation", json={"input": {"text": "TLS negotiation failure"}}).json()
    assert first["turns"] == 1 and first["state"] and first["question"]["oneOf"]
    second = client.post(
        "/v1/conversation",
        json={
            "state": first["state"],
            "input": {
                "certificates": {
                    "expressway_e.certificate": case["expressway_e"]["nodes"][0]["certificate"],
                    "expressway_c.trusted_cas": case["expressway_c"]["trusted_cas"][0],
                },
                "set": {"expressway_e.fqdn": "expe1.example.com", "at": case["at"]},
            },
        },
    ).json()
    assert second["turns"] == 2
    assert second["answer"]["diagnoses"][0]["cause"] == "zone.ca-not-trusted"
    # the same state and input again: the same reply
    again = client.post("/v1/conversation", json={"state": first["state"], "input": {"text": "x"}}).json()
    assert again == client.post("/v1/conversation", json={"state": first["state"], "input": {"text": "x"}}).json()


def test_sessions_over_http(client: httpx.Client) -> None:
    created = client.post("/v1/sessions", json={"text": "Peer's TLS certificate identity was unacceptable"})
    assert created.status_code == 201
    sid = created.json()["session"]
    assert created.json()["state"] is None
    turn = client.post(f"/v1/sessions/{sid}/turns", json={"answers": {"problem": "zone-down"}}).json()
    assert turn["turns"] == 2 and turn["session"] == sid
    assert client.get(f"/v1/sessions/{sid}").json()["answer"] == turn["answer"]
    assert client.delete(f"/v1/sessions/{sid}").status_code == 204
    is_problem(client.get(f"/v1/sessions/{sid}"), 404, "session-not-found")
    is_problem(client.post(f"/v1/sessions/{sid}/turns", json={}), 404, "session-not-found")
    is_problem(client.delete("/v1/sessions/nonexistent-session-id"), 404, "session-not-found")


def test_inspect_and_verify(client: httpx.Client, case: dict[str, Any]) -> None:
    pem = case["expressway_e"]["nodes"][0]["certificate"]
    report = client.post("/v1/inspect", json={"content": pem, "name": "expe1.pem"}).json()
    assert report["path"] == "expe1.pem" and report["certificates"][0]["sans"]["dns"]
    assert report["upload"]["accepted"] is False  # the node file is leaf + chain: the page wants the leaf alone
    verdict = client.post(
        "/v1/verify",
        json={"leaf": pem, "trusted": case["expressway_c"]["trusted_cas"], "at": case["at"]},
    ).json()
    assert verdict["expressway"]["trusted"] is False  # Expressway-C does not trust E's CA: the fault
    assert verdict["findings"]
    assert client.get("/v1/causes").json()[0]["id"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "kind", "field"),
    [
        (
            "post",
            "/v1/conversation",
            {"content": b"{oops", "headers": {"content-type": "application/json"}},
            400,
            "malformed-json",
            None,
        ),
        (
            "post",
            "/v1/conversation",
            {"content": b"{}", "headers": {"content-type": "text/plain"}},
            415,
            "unsupported-media-type",
            None,
        ),
        ("post", "/v1/conversation", {"json": {"state": "garbage!"}}, 400, "invalid-state", "state"),
        (
            "post",
            "/v1/conversation",
            {"json": {"input": {"answers": "x"}}},
            422,
            "invalid-request",
            "body.input.answers",
        ),
        (
            "post",
            "/v1/conversation",
            {"json": {"input": {"colour": "red"}}},
            422,
            "invalid-request",
            "body.input.colour",
        ),
        (
            "post",
            "/v1/conversation",
            {"json": {"input": {"set": {"symptoms.ssh_tunnels": "maybe"}}}},
            422,
            "invalid-input",
            "conversation",
        ),
        (
            "post",
            "/v1/conversation",
            {"json": {"input": {"certificates": {"expressway_c.trusted_cas": "/etc/passwd"}}}},
            422,
            "invalid-input",
            "certificates.expressway_c.trusted_cas",
        ),
        ("post", "/v1/diagnose", {"json": {}}, 422, "invalid-request", "body.case"),
        ("post", "/v1/diagnose", {"json": [1, 2]}, 422, "invalid-request", "body"),
        ("post", "/v1/diagnose", {"json": {"case": {"at": "yesterday"}}}, 422, "invalid-input", "case"),
        ("post", "/v1/inspect", {"json": {"content": "hello"}}, 422, "invalid-input", "certificate"),
        ("post", "/v1/verify", {"json": {"leaf": "x", "trusted": []}}, 422, "invalid-request", "body.trusted"),
        (
            "post",
            "/v1/diagnose",
            {"content": b"x" * (1024 * 1024 + 1), "headers": {"content-type": "application/json"}},
            413,
            "too-large",
            None,
        ),
        ("get", "/v1/nothing-here", {}, 404, "not-found", None),
        ("delete", "/health", {}, 405, "method-not-allowed", None),
    ],
)
def test_bad_requests_are_problem_details_naming_the_field(
    client: httpx.Client, method: str, path: str, kwargs: dict[str, Any], status: int, kind: str, field: str | None
) -> None:
    body = is_problem(client.request(method.upper(), path, **kwargs), status, kind)
    if field is not None:
        assert body["errors"][0]["field"].startswith(field), body


def test_a_chunked_body_over_the_limit_is_refused(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 32768  # 1.25 MiB in all, without a Content-Length

    response = httpx.post(server.url + "/v1/diagnose", content=chunks(), headers={"content-type": "application/json"})
    is_problem(response, 413, "too-large")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_input_keys = st.sampled_from(["case", "lang", "answers", "text", "set", "certificates", "skip", "undo", "x"])
_inputs = st.dictionaries(_input_keys, _json, max_size=4)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(ENDPOINTS), body=st.one_of(_json, _inputs, st.fixed_dictionaries({"input": _inputs})))
def test_no_input_makes_a_server_error(client: httpx.Client, path: str, body: Any) -> None:
    response = client.post(path, json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "body",
    [
        b'{"case":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"case": {"at": NaN, "title": Infinity}}',
        rb'{"case": {"title": "\ud800"}}',
        rb'{"case": {"title": "\u0000"}, "lang": "xx"}',
        b"\xff\xfe{}",
        b'{"case": {"expressway_c": {"nodes": [{"certificate": "MIIB' + b"A" * 400 + b'"}]}}}',
        b'{"case": {"expressway_c": {"nodes": 7}}}',
        b'{"case": {"symptoms": {"log_lines": [' + b'"x",' * 5000 + b'"y"]}}}',
    ],
)
def test_odd_bodies_are_client_errors_or_answers(client: httpx.Client, body: bytes) -> None:
    response = client.post("/v1/diagnose", content=body, headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text


def test_a_private_key_is_refused_and_appears_in_no_response_or_log(
    client: httpx.Client, server: Server, case: dict[str, Any]
) -> None:
    key = private_key_pem("http-key")
    secret_line = key.splitlines()[1]
    cert = case["expressway_e"]["nodes"][0]["certificate"]
    attempts = [
        ("/v1/conversation", {"input": {"text": "my key:\n" + key}}),
        ("/v1/conversation", {"input": {"certificates": {"expressway_e.certificate": cert + key}}}),
        ("/v1/conversation", {"input": {"case": {"upload": {"file": cert, "key": key}}}}),
        ("/v1/conversation", {"input": {"answers": key}}),  # wrong type: the validation error must not echo it
        ("/v1/sessions", {"text": key}),
        ("/v1/diagnose", {"case": {"symptoms": {"upload_error": key}}}),
        ("/v1/diagnose", {"case": {"upload": {"file": key}}}),
        ("/v1/verify", {"leaf": key, "trusted": [cert]}),
    ]
    for path, body in attempts:
        response = client.post(path, json=body)
        assert 400 <= response.status_code < 500, (path, response.text)
        assert secret_line not in response.text
        assert "PRIVATE KEY-----" not in response.text
    inspected = client.post("/v1/inspect", json={"content": key}).json()  # recognised, never shown
    assert inspected["private_keys"] and secret_line not in json.dumps(inspected)
    log = server.log()
    assert secret_line not in log and "PRIVATE KEY" not in log
    assert "BEGIN CERTIFICATE" not in log and cert.splitlines()[1] not in log  # no certificate bodies either


def test_access_log_is_one_json_line_per_request(client: httpx.Client, server: Server) -> None:
    client.get("/health", headers={"x-marker": "access-log-test"})
    client.post("/v1/conversation", json={"state": "bad-state-token"})
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    assert lines, server.log()
    assert all({"method", "path", "status", "ms", "bytes_in", "bytes_out"} <= set(entry) for entry in lines)
    bad = [e for e in lines if e["problem"] == "invalid-state"]
    assert bad and bad[-1]["status"] == 400 and bad[-1]["field"] == "state"
    sessions = [e for e in lines if e["path"].startswith("/v1/sessions/")]
    assert all(len(e["path"].split("/")[3]) <= 9 for e in sessions)  # session ids are not logged whole


def test_serve_refuses_to_start_without_a_key_or_with_workers_and_no_redis(tmp_path: Path) -> None:
    import subprocess

    env = server_env()
    env.pop("CERTDOCTOR_STATE_KEY")
    result = subprocess.run(
        certdoctor_command("serve", "--port", "1"), env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "CERTDOCTOR_STATE_KEY" in result.stderr
    result = subprocess.run(
        certdoctor_command("serve", "--workers", "0"), env=server_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "--workers" in result.stderr and result.stderr.strip().count("\n") == 0


def test_a_private_key_as_an_unknown_field_name_is_not_echoed(client: httpx.Client) -> None:
    key = private_key_pem("http-name")
    for body in ({"input": {key: 1}}, {key: 1}, {"input": {"case": {key: 1}}}):
        response = client.post("/v1/conversation", json=body)
        assert 400 <= response.status_code < 500
        assert key.splitlines()[1] not in response.text and "PRIVATE KEY-----" not in response.text
