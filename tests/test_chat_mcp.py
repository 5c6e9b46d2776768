"""`certdoctor mcp` through the official SDK's own client: in-memory, over stdio, and over streamable HTTP."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import jsonschema
import pytest
from mcp import Client, StdioServerParameters
from test_chat_support import (
    TEST_KEY,
    certdoctor_command,
    free_port,
    lab_case,
    private_key_pem,
    server_env,
    stop_process,
    wait_for_http,
)

from certdoctor.chat.mcp_server import build_server, scrub
from certdoctor.chat.sessions import ChatService
from certdoctor.chat.token import StateSealer

TOOLS = {"diagnose", "converse", "inspect_certificate", "verify_chain"}
RESOURCES = {"certdoctor://causes", "certdoctor://schema/case", "certdoctor://schema/answer"}


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A deployment whose Expressway-E certificates lack the Jabber sign-in domain."""
    return lab_case(tmp_path_factory.mktemp("mcp"), "jabber-domain")


def run(fn: Any) -> Any:
    return anyio.run(fn)


def in_memory() -> Client:
    return Client(build_server(ChatService(StateSealer(TEST_KEY.encode()))))


async def checked_call(client: Client, schemas: dict[str, Any], name: str, arguments: dict[str, Any]) -> Any:
    """Call a tool, and check its structured result against the tool's published output schema."""
    result = await client.call_tool(name, arguments)
    assert not result.is_error, result.content
    jsonschema.validate(result.structured_content, schemas[name])
    assert json.loads(result.content[0].text) == result.structured_content  # text mirrors the structure
    return result.structured_content


def test_tools_and_resources_are_listed_with_schemas() -> None:
    async def main() -> None:
        async with in_memory() as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == TOOLS
            for tool in tools.values():
                assert tool.description and tool.input_schema["type"] == "object"
                assert tool.output_schema and tool.output_schema["type"] == "object"
                jsonschema.Draft202012Validator.check_schema(tool.input_schema)
                jsonschema.Draft202012Validator.check_schema(tool.output_schema)
            assert tools["diagnose"].annotations.read_only_hint
            assert set(tools["converse"].input_schema["properties"]) >= {"input", "session", "state"}
            resources = {str(r.uri): r for r in (await client.list_resources()).resources}
            assert set(resources) == RESOURCES
            causes = json.loads((await client.read_resource("certdoctor://causes")).contents[0].text)
            assert "jabber.edge-domain-not-in-san" in {c["id"] for c in causes}
            case_schema = json.loads((await client.read_resource("certdoctor://schema/case")).contents[0].text)
            assert {"symptoms", "expressway_c", "expressway_e"} <= set(case_schema["properties"])
            answer_schema = json.loads((await client.read_resource("certdoctor://schema/answer")).contents[0].text)
            assert {"diagnoses", "findings", "questions"} <= set(answer_schema["required"])
            assert client.instructions and "converse" in client.instructions

    run(main)


def test_every_tool_called_through_the_client(case: dict[str, Any]) -> None:
    async def main() -> None:
        async with in_memory() as client:
            schemas = {t.name: t.output_schema for t in (await client.list_tools()).tools}
            answer = await checked_call(client, schemas, "diagnose", {"case": case})
            assert answer["diagnoses"][0]["cause"] == "jabber.edge-domain-not-in-san"
            notes = answer["markdown"]  # the concise answer in Markdown, ready for the bot to show
            assert notes.startswith("# certdoctor") and "`jabber.edge-domain-not-in-san`" in notes
            pem = case["expressway_e"]["nodes"][0]["certificate"]
            report = await checked_call(client, schemas, "inspect_certificate", {"content": pem})
            assert "collab-edge.example.com" not in report["certificates"][0]["sans"]["dns"]
            verdict = await checked_call(
                client,
                schemas,
                "verify_chain",
                {
                    "leaf": pem,
                    "trusted": case["expressway_c"]["trusted_cas"],
                    "host": "expe1.example.com",
                    "at": case["at"],
                },
            )
            assert verdict["expressway"]["trusted"] is True
            # a session-held conversation: start, answer the question asked, continue
            first = await checked_call(client, schemas, "converse", {"input": {"text": "Certificate not valid"}})
            assert first["session"] and first["state"] is None and first["question"]
            question = first["question"]
            second = await checked_call(
                client,
                schemas,
                "converse",
                {"session": first["session"], "input": {"answers": {question["id"]: question["oneOf"][0]["const"]}}},
            )
            assert second["turns"] == 2
            # token mode: the state travels with the client instead
            token = await checked_call(client, schemas, "converse", {"stateless": True, "input": {"case": case}})
            assert token["state"] and token["session"] is None
            assert token["answer"]["diagnoses"][0]["cause"] == "jabber.edge-domain-not-in-san"
            nxt = await checked_call(client, schemas, "converse", {"state": token["state"], "input": {}})
            assert nxt["answer"] == token["answer"]

    run(main)


def test_tool_errors_are_one_line_and_never_echo_key_material(case: dict[str, Any]) -> None:
    key = private_key_pem("mcp-key")
    secret = key.splitlines()[1]

    async def main() -> None:
        async with in_memory() as client:
            calls = [
                ("converse", {"input": {"text": key}}),
                ("converse", {"input": {"answers": key}}),  # wrong type: pydantic would echo the value
                ("converse", {"input": {"certificates": {"expressway_e.certificate": key}}}),
                ("converse", {"session": "no-such-session-1234", "input": {}}),
                ("converse", {"session": "x" * 20, "state": "y", "input": {}}),
                ("converse", {"state": "tampered", "input": {}}),
                ("diagnose", {"case": key}),
                ("diagnose", {"case": {"upload": {"file": key}}}),
                ("inspect_certificate", {"content": "not a certificate"}),
                ("verify_chain", {"leaf": key, "trusted": [case["expressway_c"]["trusted_cas"][0]]}),
                ("verify_chain", {"leaf": "x", "trusted": []}),
            ]
            for name, arguments in calls:
                result = await client.call_tool(name, arguments)
                assert result.is_error, (name, arguments)
                text = result.content[0].text
                assert secret not in text and "PRIVATE KEY-----" not in text, text
                assert "input_value" not in text
                assert text.startswith("Error executing tool " + name), text

    run(main)


def test_scrub_removes_echoed_values_and_keys() -> None:
    text = "1 validation error\ninput.answers\n  Input should be a valid dictionary [type=dict_type, input_value='-----BEGIN PRIVATE KEY-----\\nMIIE', input_type=str]\n    For further information visit https://errors.pydantic.dev/2/v/dict_type"  # noqa: E501
    assert scrub(text) == "1 validation error\ninput.answers\n  Input should be a valid dictionary"
    assert "MIIE" not in scrub("oops -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end")


def test_stdio_server_started_as_the_cli_command(case: dict[str, Any]) -> None:
    command = certdoctor_command("mcp")
    params = StdioServerParameters(command=command[0], args=command[1:], env=server_env())

    async def main() -> None:
        async with Client(params) as client:
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            result = await client.call_tool("diagnose", {"case": case})
            assert not result.is_error
            assert result.structured_content["diagnoses"][0]["cause"] == "jabber.edge-domain-not-in-san"

    run(main)


def _keyless_env() -> dict[str, str]:
    """An environment with no state key, no key file and development mode off."""
    return {k: v for k, v in server_env().items() if not k.startswith("CERTDOCTOR_STATE_KEY") and k != "CERTDOCTOR_DEV"}


def test_stdio_mcp_without_a_key_seals_with_a_key_of_its_own_process(case: dict[str, Any]) -> None:
    command = certdoctor_command("mcp")
    said = subprocess.run(
        command, env=_keyless_env(), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert said.returncode == 0
    assert said.stderr.splitlines() == [
        "certdoctor: no CERTDOCTOR_STATE_KEY: conversation state is sealed with a random key of this process "
        "and ends with it"
    ]

    def server() -> Client:
        return Client(StdioServerParameters(command=command[0], args=command[1:], env=_keyless_env()))

    async def main() -> None:
        async with server() as first:
            started = await first.call_tool("converse", {"stateless": True, "input": {"case": case}})
            assert not started.is_error, started.content
            token = started.structured_content["state"]
            assert started.structured_content["answer"]["diagnoses"][0]["cause"] == "jabber.edge-domain-not-in-san"
            answer = {"answers": {"problem": "jabber-warning"}}
            again = await first.call_tool("converse", {"state": token, "input": answer})  # same process: it opens
            assert not again.is_error and again.structured_content["turns"] == 1
        async with server() as second:
            refused = await second.call_tool("converse", {"state": token, "input": answer})
            assert refused.is_error
            text = refused.content[0].text
            assert "earlier certdoctor process" in text and text.rstrip().endswith("start a new conversation"), text

    run(main)


def test_mcp_over_http_still_needs_a_key() -> None:
    result = subprocess.run(
        certdoctor_command("mcp", "--http", "--port", str(free_port())),
        env=_keyless_env(),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and "CERTDOCTOR_STATE_KEY" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.fixture
def mcp_http(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = tmp_path / "mcp-http.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            certdoctor_command("mcp", "--http", "--port", str(port)),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=server_env(),
        )
        try:
            wait_for_http(f"http://127.0.0.1:{port}/health", process, log)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            stop_process(process)


def test_streamable_http_server(mcp_http: str, case: dict[str, Any]) -> None:
    async def main() -> None:
        async with Client(mcp_http) as client:
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            first = await client.call_tool("converse", {"input": {"case": case}})
            assert not first.is_error
            sid = first.structured_content["session"]
        # a new connection (the HTTP transport is stateless) continues the same server-side session
        async with Client(mcp_http) as client:
            answer = {"answers": {"problem": "jabber-warning"}}
            nxt = await client.call_tool("converse", {"session": sid, "input": answer})
            assert not nxt.is_error and nxt.structured_content["turns"] == 1
            assert nxt.structured_content["answer"]["diagnoses"][0]["cause"] == "jabber.edge-domain-not-in-san"

    run(main)
