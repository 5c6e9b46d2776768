"""Hostile and accidental input on the chat surfaces: every refusal a 4xx naming the field, never a 500 or an echo.

Each test reproduces a problem the surfaces had (a traceback, a 500, silence, a value echoed whole, a key
kept) through the HTTP app in process, the MCP server through the SDK's own client, or the state and
session layers; tests/test_chat_workers.py covers what needs a real server (time budget, /health, SIGTERM).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
from typing import Any

import anyio
import pytest
from mcp import Client
from starlette.testclient import TestClient
from test_chat_support import TEST_KEY, certdoctor_command, key_secret, lab_case, private_key_texts, server_env

from certdoctor.chat.api import ChatInput
from certdoctor.chat.http import create_app
from certdoctor.chat.mcp_server import build_server
from certdoctor.chat.sessions import ChatService, MemoryStore
from certdoctor.chat.token import ConversationTooLarge, StateSealer
from certdoctor.conversation import Conversation, Turn

SEALER = StateSealer(TEST_KEY.encode())


@pytest.fixture(scope="module")
def service() -> ChatService:
    return ChatService(SEALER, MemoryStore())


@pytest.fixture(scope="module")
def client(service: ChatService) -> TestClient:
    """The HTTP app in process; a server exception would be raised here, not hidden in a 500."""
    return TestClient(create_app(service))


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return lab_case(tmp_path_factory.mktemp("hardening"), "peer-address")


def problem(response: Any, status: int = 422) -> dict[str, Any]:
    """A problem-details body of the given status, its detail one line without any long value."""
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert "\n" not in body["detail"] and len(body["detail"]) < 1100, body["detail"][:200]
    return body


def fields(body: dict[str, Any]) -> str:
    """Every field and problem of a problem-details body, as one text to search."""
    return " ".join([body["detail"], *(f"{e['field']} {e['problem']}" for e in body.get("errors", []))])


# -- lists with no cap --------------------------------------------------------------------------------


def test_a_case_with_400000_log_lines_is_refused_at_once_naming_the_field(client: TestClient) -> None:
    import time

    started = time.perf_counter()
    body = problem(client.post("/v1/diagnose", json={"case": {"symptoms": {"log_lines": ["x"] * 400_000}}}))
    assert time.perf_counter() - started < 5  # one len(), not 400,000 key scans and validations
    assert body["errors"][0]["field"] == "case.symptoms.log_lines" and "400000 entries" in body["detail"]


def test_a_turn_setting_200000_log_lines_is_refused_naming_the_field(client: TestClient) -> None:
    body = problem(client.post("/v1/conversation", json={"input": {"set": {"symptoms.log_lines": ["x"] * 200_000}}}))
    assert body["errors"][0]["field"] == "body.input.set" and "symptoms.log_lines" in body["detail"]
    assert "at most 64" in body["detail"]


def test_a_set_value_nested_deep_is_refused_with_a_plain_reason(client: TestClient) -> None:
    body = problem(client.post("/v1/conversation", json={"input": {"set": {"symptoms.version": [[["x"]]]}}}))
    assert body["errors"][0]["field"] == "body.input.set" and "a text, a number" in body["detail"]


# -- nesting --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/diagnose", b'{"case":' + b'{"a":' * 500 + b"1" + b"}" * 500 + b"}"),
        ("/v1/conversation", b'{"input":{"case":' + b'{"a":[' * 250 + b"1" + b"]}" * 250 + b"}}"),
        ("/v1/sessions", b'{"case":{"symptoms":' + b"[" * 500 + b"]" * 500 + b"}}"),
    ],
)
def test_json_nested_500_deep_is_refused_before_any_recursion(
    client: TestClient, caplog: pytest.LogCaptureFixture, path: str, body: bytes
) -> None:
    with caplog.at_level(logging.WARNING):
        refused = problem(client.post(path, content=body, headers={"content-type": "application/json"}))
    assert "nested more than 32 levels deep" in refused["detail"] and refused["errors"][0]["field"].startswith("case")
    assert not caplog.records  # no RecursionError, no traceback logged


def test_json_nested_past_the_parser_is_a_clear_400(client: TestClient) -> None:
    body = b'{"case":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    refused = problem(client.post("/v1/diagnose", content=body, headers={"content-type": "application/json"}), 400)
    assert refused["type"].endswith("/malformed-json") and "nested too deep" in refused["detail"]


# -- lone surrogates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/diagnose", rb'{"case": {"symptoms": {"log_lines": ["ok", "\ud800"]}}}', "case.symptoms.log_lines[1]"),
        ("/v1/diagnose", rb'{"case": {"answers": {"problem": "\ud800"}}}', "case.answers.problem"),
        ("/v1/diagnose", rb'{"case": {"title": "x", "\udc00": 1}}', "case"),
        ("/v1/conversation", rb'{"input": {"text": "\ud800"}}', "body.input.text"),
        ("/v1/conversation", rb'{"input": {"answers": {"problem": "\ud800"}}}', "body.input.answers.problem"),
        ("/v1/conversation", rb'{"input": {"set": {"symptoms.zone_status": "\ud800"}}}', "body.input.set"),
        ("/v1/sessions", rb'{"case": {"symptoms": {"upload_error": "\udfff"}}}', "case.symptoms.upload_error"),
        ("/v1/inspect", rb'{"content": "abc", "password": "\ud800"}', "password"),
        ("/v1/inspect", rb'{"content": "\ud800"}', "content"),
        ("/v1/verify", rb'{"leaf": "\ud800", "trusted": ["x"]}', "leaf"),
    ],
)
def test_a_lone_surrogate_anywhere_is_a_4xx_naming_the_field(
    client: TestClient, path: str, body: bytes, field: str
) -> None:
    refused = problem(client.post(path, content=body, headers={"content-type": "application/json"}))
    assert field in refused["errors"][0]["field"], refused


# -- internationalised host names -------------------------------------------------------------------------


def test_verify_takes_an_idn_host_as_a_labels_or_names_host(client: TestClient, case: dict[str, Any]) -> None:
    leaf = case["expressway_e"]["nodes"][0]["certificate"]
    trusted = case["expressway_c"]["trusted_cas"]
    response = client.post("/v1/verify", json={"leaf": leaf, "trusted": trusted, "host": "bücher.example.com"})
    assert response.status_code == 200, response.text  # was a 500: cryptography takes A-labels only
    assert response.json()["host"] == "xn--bcher-kva.example.com"
    for host in ("a..bücher.example", "ü" * 70 + ".example"):
        refused = problem(client.post("/v1/verify", json={"leaf": leaf, "trusted": trusted, "host": host}))
        assert refused["errors"][0]["field"] == "host" and "ü" * 61 not in refused["detail"]


def test_mcp_verify_chain_takes_an_idn_host_too(case: dict[str, Any]) -> None:
    leaf = case["expressway_e"]["nodes"][0]["certificate"]
    trusted = case["expressway_c"]["trusted_cas"]

    async def main() -> None:
        async with Client(build_server(ChatService(SEALER))) as mcp:
            done = await mcp.call_tool("verify_chain", {"leaf": leaf, "trusted": trusted, "host": "bücher.example.com"})
            assert not done.is_error and done.structured_content["host"] == "xn--bcher-kva.example.com"
            refused = await mcp.call_tool("verify_chain", {"leaf": leaf, "trusted": trusted, "host": "a..bü.example"})
            assert refused.is_error and "host: " in refused.content[0].text

    anyio.run(main)


# -- what is echoed -------------------------------------------------------------------------------------------


def test_a_megabyte_answer_and_long_unknown_ids_are_quoted_short(client: TestClient) -> None:
    huge = client.post("/v1/conversation", json={"input": {"answers": {"problem": "A" * 1_000_000}}})
    assert "A" * 61 not in huge.text and problem(huge)["errors"][0]["field"] == "body.input.answers.problem"
    value = client.post("/v1/conversation", json={"input": {"answers": {"problem": "B" * 60_000}}})
    assert "B" * 61 not in value.text and "is not one of its choices" in problem(value)["detail"]
    qid = client.post("/v1/conversation", json={"input": {"answers": {"Q" * 60_000: "x"}}})
    assert "Q" * 61 not in qid.text and "no such question" in problem(qid)["detail"]
    in_case = client.post("/v1/diagnose", json={"case": {"answers": {"R" * 60_000: "yes"}}})
    assert "R" * 61 not in in_case.text and "no such question" in problem(in_case)["detail"]
    path = client.post("/v1/conversation", json={"input": {"set": {"S" * 60_000: "x"}}})
    assert "S" * 61 not in path.text and problem(path)["errors"][0]["field"].startswith("set.")


# -- private keys in every encoding ------------------------------------------------------------------------


KEYS = {k: v for k, v in private_key_texts().items() if k != "pem"}  # PEM armour: test_chat_api.py
_secret = key_secret


@pytest.mark.parametrize("kind", KEYS)
def test_a_private_key_in_any_encoding_is_refused_and_kept_nowhere(
    client: TestClient, service: ChatService, kind: str
) -> None:
    key = KEYS[kind]
    started = client.post("/v1/sessions", json={"text": "TLS negotiation failure"}).json()
    session = started["session"]
    token = client.post("/v1/conversation", json={"input": {"text": "TLS negotiation failure"}}).json()["state"]
    attempts = [
        ("/v1/conversation", {"state": token, "input": {"text": key}}),
        ("/v1/conversation", {"state": token, "input": {"set": {"symptoms.upload_error": key}}}),
        ("/v1/conversation", {"state": token, "input": {"answers": {"problem": key}}}),
        ("/v1/conversation", {"state": token, "input": {"skip": [key]}}),
        ("/v1/conversation", {"input": {"case": {"symptoms": {"log_lines": ["ok", key]}}}}),
        ("/v1/conversation", {"input": {"case": {"notes": {"pasted": key}}}}),
        (f"/v1/sessions/{session}/turns", {"text": key}),
        (f"/v1/sessions/{session}/turns", {"set": {"symptoms.version": key}}),
        ("/v1/diagnose", {"case": {"symptoms": {"alarms": [key]}}}),
        ("/v1/sessions", {"case": {"title": key}}),
    ]
    for path, body in attempts:
        response = client.post(path, json=body)
        assert 400 <= response.status_code < 500, (kind, path, response.text[:300])
        assert _secret(key) not in response.text and "PRIVATE KEY" not in response.text, (kind, path)
    stored = service.store.get(session)
    assert _secret(key) not in json.dumps(SEALER.open(stored).model_dump())
    after = client.get(f"/v1/sessions/{session}").json()
    assert after["turns"] == 1 and not any(_secret(key) in t for t in after["answer"].get("unrecognized", []))


# -- state and session budgets ------------------------------------------------------------------------------


def test_a_state_too_large_is_refused_before_it_is_issued_and_the_previous_one_still_works() -> None:
    service = ChatService(SEALER, MemoryStore(), max_state_chars=1200)
    small = TestClient(create_app(service))
    first = small.post("/v1/conversation", json={"input": {"text": "TLS negotiation failure"}})
    state = first.json()["state"]
    grown = small.post("/v1/conversation", json={"state": state, "input": {"text": os.urandom(30_000).hex()}})
    body = problem(grown)
    assert body["type"].endswith("/conversation-too-large") and "start a new one" in body["detail"]
    again = small.post("/v1/conversation", json={"state": state, "input": {"text": "Certificate not valid"}})
    assert again.status_code == 200  # the last state issued is still one the server accepts
    session = small.post("/v1/sessions", json={"text": "TLS negotiation failure"}).json()["session"]
    problem(small.post(f"/v1/sessions/{session}/turns", json={"text": os.urandom(30_000).hex()}))
    assert small.get(f"/v1/sessions/{session}").json()["turns"] == 1


def test_the_app_issues_no_token_longer_than_its_body_limit_takes_back() -> None:
    service = ChatService(SEALER, MemoryStore())
    create_app(service, max_body=200_000)
    assert service.max_state_chars <= 200_000 - 64 * 1024


def test_the_memory_store_keeps_a_byte_budget_least_recently_used_first() -> None:
    from certdoctor.chat.sessions import SessionNotFound

    store = MemoryStore(max_bytes=1000)
    first = store.create("a" * 400)
    second = store.create("b" * 400)
    store.get(first)  # used: the second is now the least recently used
    third = store.create("c" * 400)
    with pytest.raises(SessionNotFound):
        store.get(second)
    assert store.get(first) and store.get(third) and store.health()["bytes"] == 800
    with pytest.raises(ConversationTooLarge):
        store.create("d" * 1001)


def test_a_conversation_too_large_to_seal_keeps_the_session_as_it_was() -> None:
    service = ChatService(SEALER, MemoryStore(), max_state_chars=900)
    started = service.start_session(ChatInput(text="TLS negotiation failure"))
    before = service.store.get(started.session or "")
    with pytest.raises(ConversationTooLarge):
        service.continue_session(started.session or "", ChatInput(text=os.urandom(30_000).hex()))
    assert service.store.get(started.session or "") == before
    assert SEALER.open(before) == Conversation(turns=[Turn(text="TLS negotiation failure", text_field="log_lines")])


# -- MCP over stdio ---------------------------------------------------------------------------------------


def test_mcp_stdio_answers_a_request_nested_200_deep_instead_of_falling_silent() -> None:
    depth = 200
    arguments = '{"case":' + '{"a":' * depth + "1" + "}" * depth + "}"
    lines = [
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "t", "version": "1"},
                },
            }
        ),
        json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"diagnose","arguments":' + arguments + "}}",
        "this is not JSON",
        json.dumps({"jsonrpc": "2.0", "id": 8, "method": "tools/list"}),
    ]
    process = subprocess.Popen(
        certdoctor_command("mcp"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=server_env(),
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("\n".join(lines) + "\n")
    process.stdin.flush()
    replies: dict[Any, dict[str, Any]] = {}
    watchdog = threading.Timer(90, process.kill)  # silence ends the test instead of hanging it
    watchdog.start()
    try:
        while not {1, 7, None, 8} <= set(replies):  # a reply to each request, in whatever order
            line = process.stdout.readline()
            assert line, f"the server fell silent after {sorted(map(str, replies))}"
            reply = json.loads(line)
            replies[reply.get("id")] = reply
    finally:
        watchdog.cancel()
        process.stdin.close()
        process.wait(timeout=30)
    assert "nested too deeply" in replies[7]["error"]["message"]  # was no reply at all: the client hung
    assert replies[None]["error"]["code"] == -32700  # unreadable: id null, as JSON-RPC 2.0 asks
    assert replies[8]["result"]["tools"]  # and the server goes on
    assert process.stderr is not None and "Traceback" not in process.stderr.read()
