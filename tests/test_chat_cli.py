"""The chatbot-facing commands as a user runs them: a busy port, and `certdoctor inline` for the servers' cases."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_chat_support import certdoctor_command, server_env

from certdoctor.chat.api import load_case_inline
from certdoctor.lab import write_deployment


@pytest.fixture
def held_port() -> Iterator[int]:
    """A loopback port some other program is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


@pytest.mark.parametrize("command", [["serve"], ["mcp", "--http"]], ids=["serve", "mcp --http"])
def test_a_port_in_use_is_one_line_and_exit_code_2(command: list[str], held_port: int) -> None:
    result = subprocess.run(
        certdoctor_command(*command, "--port", str(held_port)),
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"certdoctor: 127.0.0.1:{held_port}: port {held_port} is in use; stop what holds it or use --port"
    ]
    assert result.stdout == ""  # never claimed to serve


def test_inline_prints_the_case_with_its_certificates_and_never_the_key(tmp_path: Path) -> None:
    case = write_deployment(tmp_path / "upload", ["upload-key-mismatch"])
    assert "key: certs/" in case.read_text()  # the case names a private key file
    result = subprocess.run(
        certdoctor_command("inline", str(case)), capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    inline = json.loads(result.stdout)
    assert inline == load_case_inline(case)
    assert inline["upload"]["file"].startswith("-----BEGIN CERTIFICATE-----")
    assert inline["expressway_e"]["nodes"][0]["certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert "key" not in inline["upload"] and "PRIVATE KEY" not in result.stdout


def test_inline_of_a_missing_case_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = subprocess.run(
        certdoctor_command("inline", "none.yaml"), capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 2 and result.stderr == "certdoctor: none.yaml: no such file\n"


def test_inline_refuses_a_certificate_path_that_is_a_fifo_instead_of_waiting_on_it(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "expe.pem")  # opening a FIFO blocks until a writer comes: it used to hang here
    (tmp_path / "case.yaml").write_text("expressway_e:\n  certificate: expe.pem\n")
    result = subprocess.run(
        certdoctor_command("inline", "case.yaml"), capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 2 and "is a FIFO" in result.stderr and result.stderr.count("\n") == 1


def test_inline_refuses_a_certificate_path_holding_a_nul_character(tmp_path: Path) -> None:
    """Found by tests/test_fuzz_api.py: os.stat raises ValueError on a NUL, and inline ended with exit 3."""
    (tmp_path / "case.yaml").write_text('expressway_e:\n  certificate: "expe\\0.pem"\n')
    result = subprocess.run(
        certdoctor_command("inline", "case.yaml"), capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 2 and "NUL character" in result.stderr and result.stderr.count("\n") == 1
