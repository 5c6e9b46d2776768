"""Load test of `certdoctor serve`: concurrent chatbot conversations, each about its own deployment.

    python bench/bench_chat.py [--conversations 50] [--turns 20] [--redis URL] [--workers N]

Starts `certdoctor serve` on a free 127.0.0.1 port (loopback only), generates one deployment per
conversation with certdoctor.testpki (its own domain, FQDNs, peer addresses, CA and certificates, and
one documented fault), then runs every conversation at once, turn by turn: half carry the sealed state
token, half use server-side sessions. Each reply is checked: HTTP 200, the turn count, no name from
another conversation's deployment anywhere in the reply or the state (cross-talk), and at the end the
fault's cause ranked first. Prints p50/p95/max turn latency, throughput and the server's peak memory
(VmHWM); exits 1 on any error, cross-talk or wrong answer. Bounded: fixed counts, a 600 s deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from certdoctor.testpki import KeySpec, TestPKI, pem

AT = "2026-01-15T00:00:00Z"
DEADLINE_S = 600
EC = KeySpec("ec", 256)

#: fault -> (what changes in the deployment, the cause that must rank first)
FAULTS = {
    "peer": "zone.peer-address-mismatch",
    "trust": "zone.ca-not-trusted",
    "verify": "zone.tls-verify-name-mismatch",
    "jabber": "jabber.edge-domain-not-in-san",
}
#: Every name in a deployment carries its conversation's number: t007.example.net, "Tenant 007 Root CA".
_TENANT = re.compile(r"\bt(\d{3})\.example\.net|Tenant (\d{3}) ")


@dataclass
class Deployment:
    """One conversation's deployment facts (all names under its own domain) and its scripted turns."""

    index: int
    domain: str
    fault: str
    turns: list[dict[str, Any]] = field(default_factory=list)


def deployment(index: int) -> Deployment:
    """A single-box Expressway-C / -E pair under t<index>.example.net with one fault."""
    domain = f"t{index:03d}.example.net"
    fault = list(FAULTS)[index % len(FAULTS)]
    pki = TestPKI(seed=f"bench-chat-{index}")
    root = pki.root(f"Tenant {index:03d} Root CA", key=EC)
    issuing = pki.intermediate(f"Tenant {index:03d} Issuing CA", root, key=EC)
    other = pki.root(f"Tenant {index:03d} Other Root CA", key=EC)
    expc, expe = f"expc.{domain}", f"expe.{domain}"
    e_sans = [expe] if fault == "jabber" else [expe, f"collab-edge.{domain}", domain]
    c_leaf = pki.leaf(expc, issuing, sans=[expc], key=EC)
    e_leaf = pki.leaf(expe, issuing, sans=e_sans, key=EC)
    c_trust = pem(other.certificate) if fault == "trust" else pem(root.certificate, issuing.certificate)
    e_trust = pem(root.certificate, issuing.certificate)
    peer = f"edge.{domain}" if fault == "peer" else expe
    verify_name = f"expc-old.{domain}" if fault == "verify" else expc
    d = Deployment(index, domain, fault)
    d.turns = [
        {"case": {"title": f"tenant {index}", "at": AT}, "text": "TLS negotiation failure"},
        {"answers": {"problem": "zone-down"}},
        {"set": {"symptoms.zone_status": "Failed"}},
        {"set": {"expressway_c.fqdn": expc, "expressway_e.fqdn": expe}},
        {"set": {"expressway_c.traversal_zone.peer_addresses": peer}},
        {"certificates": {"expressway_c.certificate": pem(c_leaf.certificate, issuing.certificate).decode()}},
        {"certificates": {"expressway_e.certificate": pem(e_leaf.certificate, issuing.certificate).decode()}},
        {"certificates": {"expressway_c.trusted_cas": c_trust.decode()}},
        {"certificates": {"expressway_e.trusted_cas": e_trust.decode()}},
        {"set": {"expressway_e.traversal_zone.tls_verify_subject_name": verify_name}},
        {"set": {"jabber.domain": domain}},
        {"set": {"symptoms.version": "X14.0.2"}},
        {"text": f"Peer's TLS certificate identity was unacceptable for {peer}"},
        {"answers": {"ntp_synchronized": "yes"}},
        {},  # look again: nothing changes
        {"set": {"symptoms.recent_changes": "certificate-renewal"}},
        {"undo": True},
        {"set": {"symptoms.recent_changes": "certificate-renewal"}},
        {"lang": "nl"},
        {"lang": "en"},
    ]
    return d


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mib(pid: int) -> float | None:
    """The peak resident memory of a process (VmHWM), in MiB; None where /proc is not there."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc (0 where it is not there)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def children(pid: int) -> list[int]:
    """Direct child processes (uvicorn workers), from /proc."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def tenants(text: str) -> set[int]:
    """The numbers of every conversation whose names appear in text."""
    return {int(a or b) for a, b in _TENANT.findall(text)}


def state_text(token: str) -> str:
    """What a state token holds (it is signed, not encrypted)."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return zlib.decompress(raw[5:-32]).decode()


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    crosstalk: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    token_sizes: list[int] = field(default_factory=list)


async def conversation(client: httpx.AsyncClient, dep: Deployment, turns: int, sessions: bool, out: Result) -> None:
    """Run one conversation, checking every reply."""
    state: str | None = None
    session: str | None = None
    expected_turns = 0
    reply: dict[str, Any] = {}
    for n, data in enumerate(dep.turns[:turns]):
        if data.get("undo"):
            expected_turns -= 1
        elif any(k in data for k in ("answers", "text", "set", "certificates")):
            expected_turns += 1
        started = time.perf_counter()
        try:
            if sessions and session is None:
                response = await client.post("/v1/sessions", json=data)
            elif sessions:
                response = await client.post(f"/v1/sessions/{session}/turns", json=data)
            else:
                response = await client.post("/v1/conversation", json={"state": state, "input": data})
        except httpx.HTTPError as exc:
            out.errors.append(f"{dep.domain} turn {n}: {type(exc).__name__}: {exc}")
            return
        out.latencies.append(time.perf_counter() - started)
        if response.status_code not in (200, 201):
            out.errors.append(f"{dep.domain} turn {n}: HTTP {response.status_code}: {response.text[:200]}")
            return
        reply = response.json()
        if reply["turns"] != expected_turns:
            out.errors.append(f"{dep.domain} turn {n}: {reply['turns']} turns, expected {expected_turns}")
        seen = tenants(response.text)
        if sessions:
            session = reply["session"]
        else:
            state = reply["state"]
            out.token_sizes.append(len(state))
            seen |= tenants(state_text(state))
        if seen - {dep.index}:
            out.crosstalk.append(f"{dep.domain} turn {n}: names of conversations {sorted(seen - {dep.index})[:3]}")
        elif n >= 6 and dep.index not in seen:
            out.errors.append(f"{dep.domain} turn {n}: the reply names nothing of its own deployment")
    top = reply["answer"]["diagnoses"][0]["cause"] if reply.get("answer", {}).get("diagnoses") else "none"
    if len(dep.turns[:turns]) == len(dep.turns) and top != FAULTS[dep.fault]:
        out.wrong.append(f"{dep.domain} ({dep.fault}): top cause {top}, expected {FAULTS[dep.fault]}")


async def run_all(url: str, deps: list[Deployment], turns: int) -> tuple[Result, float]:
    out = Result()
    limits = httpx.Limits(max_connections=len(deps), max_keepalive_connections=len(deps))
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(conversation(client, d, turns, d.index % 2 == 1, out) for d in deps)),
            timeout=DEADLINE_S,
        )
        return out, time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20, help="turns per conversation (at most 20)")
    parser.add_argument("--redis", metavar="URL", help="serve sessions from this Redis (loopback)")
    parser.add_argument(
        "--start-redis", action="store_true", help="start a private redis-server on a free loopback port for --redis"
    )
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if not 1 <= args.conversations <= 500 or not 1 <= args.turns <= 20:
        parser.error("--conversations 1..500, --turns 1..20")

    with contextlib.ExitStack() as stack:
        if args.start_redis:
            args.redis = stack.enter_context(private_redis())
        return measure(args)


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    """A redis-server on a free 127.0.0.1 port in a temporary directory, stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", tmp, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("redis-server did not start") from None
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


def measure(args: argparse.Namespace) -> int:
    """Generate the deployments, start the server, run the conversations, report."""
    t0 = time.perf_counter()
    deps = [deployment(i) for i in range(args.conversations)]
    print(f"generated {len(deps)} deployments in {time.perf_counter() - t0:.1f} s")

    port = free_port()
    env = dict(os.environ, CERTDOCTOR_STATE_KEY=secrets.token_urlsafe(32))
    env.pop("CERTDOCTOR_DEV", None)
    command = [sys.executable, "-m", "certdoctor.cli", "serve", "--port", str(port), "--no-access-log"]
    if args.redis:
        command += ["--redis", args.redis]
    if args.workers > 1:
        command += ["--workers", str(args.workers)]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(url + "/health", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        print(log.read().decode(errors="replace"), file=sys.stderr)
                        return 1
                    time.sleep(0.1)
            processes = [server.pid, *children(server.pid)]
            rss_idle = sum(filter(None, (peak_rss_mib(p) for p in processes)))
            cpu_before = sum(cpu_seconds(p) for p in processes)
            client_before = sum(os.times()[:2])
            out, elapsed = asyncio.run(run_all(url, deps, args.turns))
            client_cpu = sum(os.times()[:2]) - client_before
            peaks = [peak_rss_mib(p) for p in processes]
            server_cpu = sum(cpu_seconds(p) for p in processes) - cpu_before
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    count = len(out.latencies)
    peak = sum(p for p in peaks if p is not None)
    print(
        f"{args.conversations} concurrent conversations x {args.turns} turns "
        f"({'redis' if args.redis else 'in-process'} sessions for half, state tokens for half; "
        f"{args.workers} worker(s)): {count} turns in {elapsed:.1f} s, {count / elapsed:.0f} turns/s"
    )
    if out.latencies:
        print(
            f"turn latency: p50 {statistics.median(out.latencies) * 1000:.0f} ms, "
            f"p95 {percentile(out.latencies, 95) * 1000:.0f} ms, max {max(out.latencies) * 1000:.0f} ms"
        )
    if out.token_sizes:
        print(f"state token size: median {statistics.median(out.token_sizes):.0f}, max {max(out.token_sizes)} chars")
    print(f"server peak memory (VmHWM): {peak:.0f} MiB (after start-up: {rss_idle:.0f} MiB)")
    if count:
        print(
            f"server CPU: {server_cpu:.1f} s, {server_cpu / count * 1000:.1f} ms per turn (queueing aside); "
            f"this load generator: {client_cpu:.1f} s on the same {os.cpu_count()} cores"
        )
    print(f"errors: {len(out.errors)}, cross-talk: {len(out.crosstalk)}, wrong top cause: {len(out.wrong)}")
    for line in (out.errors + out.crosstalk + out.wrong)[:20]:
        print("  " + line)
    print(
        json.dumps(
            {
                "conversations": args.conversations,
                "turns": count,
                "seconds": round(elapsed, 2),
                "p95_ms": round(percentile(out.latencies, 95) * 1000, 1) if out.latencies else None,
                "peak_rss_mib": round(peak, 1),
                "server_cpu_ms_per_turn": round(server_cpu / max(count, 1) * 1000, 2),
                "errors": len(out.errors),
                "crosstalk": len(out.crosstalk),
                "wrong": len(out.wrong),
            }
        )
    )
    return 1 if out.errors or out.crosstalk or out.wrong or count != args.conversations * args.turns else 0


if __name__ == "__main__":
    sys.exit(main())
