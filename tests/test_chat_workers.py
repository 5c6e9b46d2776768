"""Expensive work off the event loop: a real `certdoctor serve` with slow requests in flight.

A PKCS#12 file at the iteration limit costs about 0.4 s of key derivation with the GIL held. Run in the
server's own process, requests like it stalled every other request, `/health` included; in worker
processes they do not, a request over the time budget is stopped (503), and SIGTERM stops the server
at once instead of after the slow requests.
"""

from __future__ import annotations

import base64
import pickle
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12
from test_chat_support import Server

from certdoctor.chat.work import ProcessRunner, TooSlow, WorkerLost
from certdoctor.limits import MAX_KDF_ITERATIONS
from certdoctor.testpki import KeySpec, TestPKI

PASSWORD = "limit-test"


@pytest.fixture(scope="module")
def slow_pfx() -> str:
    """A PKCS#12 (as Base-64) whose bags ask for MAX_KDF_ITERATIONS each: accepted, and slow to open."""
    issued = TestPKI(seed="chat-workers").root("Slow PFX", key=KeySpec("ec", 256))
    encryption = (
        PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(MAX_KDF_ITERATIONS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(SHA256())
        .build(PASSWORD.encode())
    )
    data = pkcs12.serialize_key_and_certificates(b"slow", issued.key, issued.certificate, None, encryption)
    return base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("workers"))
    yield srv
    srv.stop()


def _inspect(url: str, pfx: str) -> httpx.Response:
    body = {"content": pfx, "name": "slow.pfx", "password": PASSWORD}
    return httpx.post(url + "/v1/inspect", json=body, timeout=120)


def test_health_answers_fast_while_slow_requests_run(server: Server, slow_pfx: str) -> None:
    first = _inspect(server.url, slow_pfx)  # warm: the workers have compiled the knowledge base
    assert first.status_code == 200 and first.json()["private_keys"], first.text[:300]
    slowest = 0.0
    with ThreadPoolExecutor(6) as pool:
        started = time.monotonic()
        running = [pool.submit(_inspect, server.url, slow_pfx) for _ in range(6)]  # ~1.3 s on two workers
        time.sleep(0.1)
        while not all(f.done() for f in running):
            began = time.monotonic()
            assert httpx.get(server.url + "/health", timeout=5).status_code == 200
            slowest = max(slowest, time.monotonic() - began)
            time.sleep(0.05)
        assert all(f.result().status_code == 200 for f in running)
    assert time.monotonic() - started > 0.5  # the requests were slow indeed
    assert slowest < 0.5, f"/health took {slowest:.2f} s while PKCS#12 requests ran"


def test_a_request_over_the_time_budget_is_stopped_with_503_and_the_server_goes_on(
    tmp_path: Path, slow_pfx: str
) -> None:
    srv = Server(tmp_path, "--time-budget", "0.1", name="budget")
    try:
        _inspect(srv.url, slow_pfx)  # the first call may also wait for a worker to start
        refused = _inspect(srv.url, slow_pfx)
        assert refused.status_code == 503, refused.text[:300]
        body = refused.json()
        assert body["type"].endswith("/time-budget-exceeded") and "longer than 0.1 s" in body["detail"]
        # the stopped worker was replaced: a small request is answered (on a loaded machine even it may need
        # more than 0.1 s once, so it is given a few tries; each over-budget one is a 503, never a hang)
        codes = []
        for _ in range(5):
            after = httpx.post(
                srv.url + "/v1/diagnose", json={"case": {"symptoms": {"zone_status": "Active"}}}, timeout=60
            )
            codes.append(after.status_code)
            if after.status_code == 200:
                break
        assert codes[-1] == 200 and set(codes) <= {200, 503}, codes
        assert "Traceback" not in srv.log()
    finally:
        srv.stop()


def test_sigterm_stops_the_server_promptly_while_slow_requests_run(tmp_path: Path, slow_pfx: str) -> None:
    srv = Server(tmp_path, name="sigterm")
    try:
        _inspect(srv.url, slow_pfx)
        results: list[int] = []

        def call() -> None:
            try:
                results.append(_inspect(srv.url, slow_pfx).status_code)
            except httpx.HTTPError:
                results.append(0)  # the connection closed: also an end

        callers = [threading.Thread(target=call) for _ in range(16)]  # about 3.5 s of work on two workers
        for caller in callers:
            caller.start()
        time.sleep(0.8)
        stopped = time.monotonic()
        srv.process.send_signal(signal.SIGTERM)
        srv.process.wait(timeout=30)
        took = time.monotonic() - stopped
        for caller in callers:
            caller.join(timeout=30)
        assert took < 2.0, f"the server took {took:.1f} s to stop"
        assert len(results) == 16 and not any(500 <= code < 503 for code in results), results
        assert "Traceback" not in srv.log()
    finally:
        srv.stop()


# -- the runner itself ------------------------------------------------------------------------------------


def test_a_call_that_cannot_be_sent_leaks_no_worker() -> None:
    """An argument that cannot be pickled (or nests past the pickler) fails that call; the pool stays whole."""
    runner = ProcessRunner(workers=1, budget=30)
    try:
        for _ in range(2):  # with one worker, a leaked worker would make the second call wait for ever
            with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
                runner(len, lambda: 1)
        assert runner(len, "four") == 4
    finally:
        runner.close()


def test_errors_arrive_as_raised_and_an_overlong_call_is_stopped() -> None:
    from certdoctor.chat.token import StateError, StateSealer

    runner = ProcessRunner(workers=1, budget=0.5)
    try:
        with pytest.raises(StateError) as err:  # an InputError subclass keeps its class, field and problem
            runner(StateSealer(b"k" * 40).open, "not a token")
        assert err.value.source == "state" and "not a certdoctor state token" in err.value.problem
        started = time.monotonic()
        with pytest.raises(TooSlow, match=r"longer than 0\.5 s"):
            runner(time.sleep, 30)
        assert time.monotonic() - started < 5  # stopped, not waited out
        assert runner(len, "ok") == 2  # a fresh worker took its place
    finally:
        runner.close()
    with pytest.raises(WorkerLost, match="shutting down"):
        runner(len, "closed")
