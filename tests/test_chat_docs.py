"""docs/chatbots.md: its MCP client, HTTP client and Python examples run as written and say what they should."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_chat_support import Server, server_env

from certdoctor.lab import write_deployment

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "chatbots.md").read_text(encoding="utf-8")


def example(name: str) -> str:
    """The code block the doc marks with <!-- file: name -->."""
    match = re.search(rf"<!-- file: {re.escape(name)} -->\n```python\n(.*?)```", DOC, flags=re.DOTALL)
    assert match, f"docs/chatbots.md has no example {name}"
    return match.group(1)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a reader would be: the examples saved, and `python -m certdoctor.lab deployment peer-address` run."""
    work = tmp_path_factory.mktemp("chatbots-doc")
    for name in ("mcp_client.py", "http_client.py"):
        (work / name).write_text(example(name), encoding="utf-8")
    write_deployment(work / "deployment", ["peer-address"])
    return work


def run(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=work, env=server_env(), capture_output=True, text=True, timeout=120
    )


def test_the_mcp_client_example(workdir: Path) -> None:
    result = run(workdir, "mcp_client.py", "deployment/case.yaml")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "tools: converse, diagnose, inspect_certificate, verify_chain"
    assert lines[1].startswith("certdoctor asks: ")
    assert "zone.peer-address-mismatch" in lines[2]
    assert "edge1.example.com" in result.stdout  # the evidence names the peer address that is not on the certificate
    assert lines[-1].startswith("first step: On Expressway-C")


def test_the_http_client_example(workdir: Path, tmp_path: Path) -> None:
    server = Server(tmp_path)
    try:
        result = run(workdir, "http_client.py", server.url, "deployment/case.yaml")
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "after 3 turns: zone.peer-address-mismatch" in out
    assert "why:" in out and "edge1.example.com" in out
    assert "422 Invalid input: input.text: holds a private key" in out or "text: holds a private key" in out


def test_the_python_example() -> None:
    code = re.search(r"## Python\n\n```python\n(.*?)```", DOC, flags=re.DOTALL)
    assert code
    result = subprocess.run(
        [sys.executable, "-c", code.group(1)], env=server_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "zone.peer-address-mismatch" in result.stdout and "next:" in result.stdout


def test_the_doc_lists_every_tool_and_endpoint() -> None:
    for tool in ("converse", "diagnose", "inspect_certificate", "verify_chain"):
        assert f"`{tool}`" in DOC
    for path in ("/v1/conversation", "/v1/sessions", "/v1/diagnose", "/v1/inspect", "/v1/verify", "/health"):
        assert path in DOC
