"""`probe`: fetch the chain a live TLS server presents, against servers this test starts on 127.0.0.1."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from certdoctor.errors import InputError
from certdoctor.shell.probe import fetch_chain, parse_target
from certdoctor.shell.session import ShellSession
from certdoctor.testpki import KeySpec, TestPKI


def _serve(listener: socket.socket, handle: object) -> threading.Thread:
    def loop() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()  # type: ignore[arg-type]

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP socket listening on a free loopback port."""
    sock = socket.create_server(("127.0.0.1", 0))
    yield sock
    sock.close()


@pytest.fixture
def tls_server(tmp_path: Path, listener: socket.socket) -> tuple[int, list[bytes]]:
    """A TLS server presenting leaf + intermediate (a generated chain); returns its port and the chain."""
    pki = TestPKI(seed="certdoctor-probe")
    root = pki.root("Probe Root CA", key=KeySpec("ec", 256))
    issuing = pki.intermediate("Probe Issuing CA", root, key=KeySpec("ec", 256))
    leaf = pki.leaf("expe.example.com", issuing, sans=["expe.example.com", "127.0.0.1"], key=KeySpec("ec", 256))
    (tmp_path / "chain.pem").write_bytes(leaf.pem() + issuing.pem())
    (tmp_path / "key.pem").write_bytes(leaf.key_pem())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "chain.pem", tmp_path / "key.pem")

    def handle(conn: socket.socket) -> None:
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)
        except (OSError, ssl.SSLError):
            pass

    _serve(listener, handle)
    der = [leaf.certificate.public_bytes(Encoding.DER), issuing.certificate.public_bytes(Encoding.DER)]
    return listener.getsockname()[1], der


def test_fetches_the_whole_chain_with_sni(tls_server: tuple[int, list[bytes]]) -> None:
    port, chain = tls_server
    assert fetch_chain("127.0.0.1", port, "expe.example.com", 5.0) == chain


def test_probe_command_loads_the_chain_into_the_session(tls_server: tuple[int, list[bytes]]) -> None:
    port, _ = tls_server
    s = ShellSession()
    out = " ".join(s.handle(f"probe expressway_e 127.0.0.1:{port} expe.example.com").text().split())
    assert f"127.0.0.1:{port} -> expressway_e.certificate: 2 certificate(s); first 'expe.example.com'" in out
    pem = s.conversation.case_data()["expressway_e"]["certificate"]
    assert pem.count("BEGIN CERTIFICATE") == 2 and "PRIVATE" not in pem
    assert "probe fetches a server's certificate" in s.handle(f"probe expressway_c-trust 127.0.0.1:{port}").text()


def test_refused_port_is_a_clear_message(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    listener.close()
    with pytest.raises(InputError, match=r"connection refused"):
        fetch_chain("127.0.0.1", port, None, 2.0)


def test_a_service_that_is_not_tls_is_a_clear_message(listener: socket.socket) -> None:
    def ssh_like(conn: socket.socket) -> None:
        with conn:
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
            time.sleep(0.5)

    _serve(listener, ssh_like)
    start = time.monotonic()
    with pytest.raises(InputError, match=r"not a TLS server, or the handshake failed"):
        fetch_chain("127.0.0.1", listener.getsockname()[1], None, 2.0)
    assert time.monotonic() - start < 2.5


def test_a_silent_service_times_out_within_the_timeout(listener: socket.socket) -> None:
    def silent(conn: socket.socket) -> None:
        time.sleep(3)
        conn.close()

    _serve(listener, silent)
    start = time.monotonic()
    with pytest.raises(InputError, match=r"no answer within 1 s"):
        fetch_chain("127.0.0.1", listener.getsockname()[1], None, 1.0)
    assert time.monotonic() - start < 1.8


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("expe.example.com", ("expe.example.com", 443)),
        ("expe.example.com:7001", ("expe.example.com", 7001)),
        ("[::1]:8443", ("::1", 8443)),
        ("::1", ("::1", 443)),
    ],
)
def test_targets(text: str, target: tuple[str, int]) -> None:
    assert parse_target(text) == target


def test_a_bad_port_is_refused() -> None:
    with pytest.raises(InputError, match="is not a TCP port"):
        parse_target("expe.example.com:99999")


def test_an_internationalised_host_goes_out_as_a_labels() -> None:
    assert parse_target("bücher.example.com:8443") == ("xn--bcher-kva.example.com", 8443)


def test_a_host_python_cannot_encode_is_a_one_line_error_not_a_crash() -> None:
    # socket and ssl encode names with IDNA 2003 and raise UnicodeError (not OSError) on a 70-character label
    host = "ü" * 70 + ".example"
    with pytest.raises(InputError, match="not a valid internationalised host name"):
        fetch_chain(host, 443, None, 1.0)
    out = ShellSession().handle(f"probe expressway_e {host}").text()
    assert "error:" in out and "internationalised host name" in out


def test_at_most_max_probe_certificates_are_kept(tmp_path: Path, listener: socket.socket) -> None:
    from certdoctor.limits import MAX_PROBE_CERTIFICATES

    pki = TestPKI(seed="certdoctor-probe-many")
    root = pki.root("Many Root CA", key=KeySpec("ec", 256))
    leaf = pki.leaf("expe.example.com", root, sans=["expe.example.com"], key=KeySpec("ec", 256))
    extra = [pki.root(f"Extra CA {i}", key=KeySpec("ec", 256)).pem() for i in range(MAX_PROBE_CERTIFICATES + 5)]
    (tmp_path / "chain.pem").write_bytes(leaf.pem() + b"".join(extra))
    (tmp_path / "key.pem").write_bytes(leaf.key_pem())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "chain.pem", tmp_path / "key.pem")

    def handle(conn: socket.socket) -> None:
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)
        except (OSError, ssl.SSLError):
            pass

    _serve(listener, handle)
    chain = fetch_chain("127.0.0.1", listener.getsockname()[1], None, 5.0)
    assert len(chain) == MAX_PROBE_CERTIFICATES
