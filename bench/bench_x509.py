"""bench_x509: verify_chain, trusted-list loading and start-up, each against cryptography doing the same work.

Three parts (issue 17, targets 3, 4 and 6), each timed interleaved with its anchor in the same run, medians:

* ``chain``: ``verify_chain`` on a 2-certificate (root -> leaf) and a 3-certificate (root -> intermediate
  -> leaf) RSA 2048 chain, the trusted list a prebuilt ``TrustStore`` holding the root; anchor:
  cryptography's own server verifier (``PolicyBuilder().store(S).time(at).build_server_verifier(DNSName)``
  ``.verify(leaf, intermediates)``, Store built once). CPU time per call. Target <= 3x.
* ``load``: a 10,000-certificate trusted-list PEM file (the bench_verify fixture) read and made ready to
  verify against -- ``TrustStore(read_file(path).certificates)``; anchor: ``load_pem_x509_certificates``
  of the file's bytes (file read included in both). Target <= 2x. Also, as whole processes: ``certdoctor
  verify LEAF --chain INTER --trusted 10k.pem --host H --at T --format json`` against a ``python -c``
  that does the same with cryptography alone (read, load, Store, verify, print the chain) -- target <= 2x.
* ``startup``: ``certdoctor --version`` and the import of what ``certdoctor verify`` needs, as fresh
  processes, against a process importing certdoctor's dependencies (cryptography.x509, a pydantic
  BaseModel with one model, yaml, durable.lang). Target <= 1.25x.

    python bench/bench_x509.py [--quick] [--parts chain,load,startup] [--json]

Exit status 0 when every target printed is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchlib import Series, children_cpu, header, interleaved
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import verification

HOST = "expe.example.com"
AT = datetime(2025, 1, 31, tzinfo=UTC)
SEED = "certdoctor-bench-x509"


def _pem(certs: Sequence[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _per_call(fns: Sequence[Callable[[], object]], names: Sequence[str], rounds: int, calls: int) -> list[Series]:
    """CPU time per call of each fn, interleaved by rounds (order reversed every other round)."""
    for fn in fns:
        for _ in range(30):
            fn()
    gc.collect()
    gc.freeze()
    series = [Series(n) for n in names]
    pairs = list(zip(fns, series, strict=True))
    clock = time.process_time
    for r in range(rounds):
        for fn, s in pairs if r % 2 == 0 else reversed(pairs):
            gc.collect()
            for _ in range(calls):
                t0 = clock()
                fn()
                s.values.append(clock() - t0)
    gc.unfreeze()
    return series


def _line(s: Series, unit: str = "us", scale: float = 1e6) -> str:
    return f"  {s.name:<46} {s.summary(scale, unit, 0 if unit == 'us' else 1)}"


def part_chain(args: argparse.Namespace, out: dict[str, Any]) -> bool:
    from certdoctor.testpki import KeySpec, TestPKI
    from certdoctor.x509.store import TrustStore
    from certdoctor.x509.verify import verify_chain

    pki = TestPKI(SEED)
    rsa = KeySpec("rsa", 2048)
    root = pki.root("ACME Bench Root CA", key=rsa, days=7300)
    inter = pki.intermediate("ACME Bench Issuing CA", root, key=rsa, path_length=0)
    sans = (HOST, "collab-edge.example.com", "example.com")
    leaf3 = pki.leaf(HOST, inter, key=rsa, sans=sans).certificate
    leaf2 = pki.leaf(HOST, root, key=rsa, sans=sans, key_label="direct").certificate
    store = TrustStore([root.certificate])
    crypto_store = verification.Store([root.certificate])
    name = x509.DNSName(HOST)
    ok = True
    print("verify_chain vs cryptography's server verifier (prebuilt trusted list holding the root), CPU per call:")
    for size, leaf, chain in ((2, leaf2, []), (3, leaf3, [inter.certificate])):
        report = verify_chain(leaf, chain, store, host=HOST, at=AT)
        assert report.expressway.trusted and report.strict.trusted, report

        def subject(leaf: x509.Certificate = leaf, chain: list[x509.Certificate] = chain) -> object:
            return verify_chain(leaf, chain, store, host=HOST, at=AT)

        def anchor(leaf: x509.Certificate = leaf, chain: list[x509.Certificate] = chain) -> object:
            return (
                verification.PolicyBuilder()
                .store(crypto_store)
                .time(AT)
                .build_server_verifier(name)
                .verify(leaf, chain)
            )

        s, a = _per_call(
            [subject, anchor],
            [f"verify_chain, {size}-certificate chain", f"cryptography verifier, {size}-certificate chain"],
            args.rounds,
            args.calls,
        )
        r = s.median / a.median
        ok &= r <= 3.0
        print(
            _line(s), _line(a), f"  ratio {r:.2f}x (target <= 3x): {'MEETS' if r <= 3 else 'DOES NOT MEET'}", sep="\n"
        )
        out[f"chain{size}"] = {"verify_chain_us": s.median * 1e6, "crypto_us": a.median * 1e6, "ratio": r}
    return ok


def _fixture_pem(tmp: Path) -> tuple[Path, Path, Path]:
    """leaf.pem, inter.pem, trusted-10k.pem from bench_verify's fixture (cached in ~/.cache/certdoctor-bench)."""
    import bench_verify

    fx = bench_verify.load_fixture(bench_verify.DEFAULT_CACHE, 4)
    paths = tmp / "leaf.pem", tmp / "inter.pem", tmp / "trusted-10k.pem"
    paths[0].write_bytes(_pem([fx.leaf]))
    paths[1].write_bytes(_pem([fx.intermediate]))
    paths[2].write_bytes(_pem(fx.large))
    return paths


CRYPTO_VERIFY = """
import sys
from datetime import datetime
from pathlib import Path
from cryptography import x509
from cryptography.x509 import verification
leaf = x509.load_pem_x509_certificates(Path(sys.argv[1]).read_bytes())[0]
chain = x509.load_pem_x509_certificates(Path(sys.argv[2]).read_bytes())
store = verification.Store(x509.load_pem_x509_certificates(Path(sys.argv[3]).read_bytes()))
at = datetime.fromisoformat(sys.argv[5])
path = verification.PolicyBuilder().store(store).time(at).build_server_verifier(x509.DNSName(sys.argv[4])).verify(
    leaf, chain)
print([c.subject.rfc4514_string() for c in path])
"""


def _process(cmd: list[str]) -> Callable[[], object]:
    def run() -> object:
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{cmd[:3]} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
        return done

    return run


def _certdoctor() -> str:
    beside = Path(sys.executable).with_name("certdoctor")
    return str(beside) if beside.exists() else (shutil.which("certdoctor") or "certdoctor")


def _processes(fns: Sequence[Callable[[], object]], names: Sequence[str], runs: int) -> list[Series]:
    """Wall and children CPU time of whole processes, interleaved."""
    for fn in fns:
        fn()
    series = interleaved(fns, runs, clock=children_cpu)
    for s, n in zip(series, names, strict=True):
        s.name = n
    return series


def part_load(args: argparse.Namespace, out: dict[str, Any]) -> bool:
    from certdoctor.x509.load import read_file
    from certdoctor.x509.store import TrustStore

    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-x509-") as tmp:
        leaf, inter, big = _fixture_pem(Path(tmp))

        def subject() -> object:
            return TrustStore(read_file(big).certificates)

        def anchor() -> object:
            return x509.load_pem_x509_certificates(big.read_bytes())

        def anchor_store() -> object:
            return verification.Store(x509.load_pem_x509_certificates(big.read_bytes()))

        print("loading a 10,000-certificate trusted list (file read included), in-process, interleaved:")
        series = [
            Series(n)
            for n in (
                "TrustStore(read_file(10k.pem))",
                "load_pem_x509_certificates(10k.pem)",
                "Store(load_pem_x509_certificates(10k.pem))",
            )
        ]
        fns = [subject, anchor, anchor_store]
        for fn in fns:
            fn()
        for r in range(args.load_runs):
            pairs = list(zip(fns, series, strict=True))
            for fn, s in pairs if r % 2 == 0 else reversed(pairs):
                gc.collect()
                t0, c0 = time.perf_counter(), time.process_time()
                fn()
                s.cpu.append(time.process_time() - c0)
                s.values.append(time.perf_counter() - t0)
        for s in series:
            print(f"  {s.name:<46} wall {s.summary(1e3, 'ms')}\n  {'':<46} CPU  {s.cpu_series().summary(1e3, 'ms')}")
        r = statistics.median(series[0].cpu) / statistics.median(series[1].cpu)
        r_store = statistics.median(series[0].cpu) / statistics.median(series[2].cpu)
        ok &= r <= 2.0
        print(
            f"  ratio (CPU) to load_pem_x509_certificates {r:.2f}x (target <= 2x): "
            f"{'MEETS' if r <= 2 else 'DOES NOT MEET'}; to load + Store {r_store:.2f}x"
        )
        out["load"] = {
            "certdoctor_ms": statistics.median(series[0].cpu) * 1e3,
            "load_pem_ms": statistics.median(series[1].cpu) * 1e3,
            "load_pem_store_ms": statistics.median(series[2].cpu) * 1e3,
            "ratio": r,
        }

        at = AT.isoformat()
        cli = [
            _certdoctor(),
            "verify",
            str(leaf),
            "--chain",
            str(inter),
            "--trusted",
            str(big),
            "--host",
            HOST,
            "--at",
            at,
            "--format",
            "json",
        ]
        plain = [sys.executable, "-c", CRYPTO_VERIFY, str(leaf), str(inter), str(big), HOST, at]
        print(
            f"`certdoctor verify` against it vs the same with cryptography alone, whole processes, "
            f"{args.process_runs} runs each, interleaved:"
        )
        s, a = _processes(
            [_process(cli), _process(plain)],
            ["certdoctor verify --trusted 10k.pem", "python -c (cryptography: load, Store, verify)"],
            args.process_runs,
        )
        for x in (s, a):
            print(f"  {x.name:<46} wall {x.summary(1e3, 'ms')}\n  {'':<46} CPU  {x.cpu_series().summary(1e3, 'ms')}")
        r_wall = s.median / a.median
        r_cpu = statistics.median(s.cpu) / statistics.median(a.cpu)
        ok &= r_cpu <= 2.0
        print(
            f"  ratio wall {r_wall:.2f}x, CPU {r_cpu:.2f}x (target <= 2x): {'MEETS' if r_cpu <= 2 else 'DOES NOT MEET'}"
        )
        out["cli_verify_10k"] = {
            "certdoctor_wall_ms": s.median * 1e3,
            "crypto_wall_ms": a.median * 1e3,
            "ratio_wall": r_wall,
            "ratio_cpu": r_cpu,
        }
    return ok


DEPENDENCIES = (
    "import cryptography.x509, pydantic, yaml, durable.lang\nclass M(pydantic.BaseModel):\n    x: int = 0\nM(x=1)"
)
VERIFY_IMPORTS = (
    "import certdoctor.cli, certdoctor.x509.load, certdoctor.x509.verify, certdoctor.x509.text; "
    "certdoctor.cli.build_parser()"
)


def part_startup(args: argparse.Namespace, out: dict[str, Any]) -> bool:
    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": "__all__"}
    py = sys.executable

    def proc(cmd: list[str]) -> Callable[[], object]:
        def run() -> object:
            return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)

        return run

    names = ["certdoctor --version", "import what `certdoctor verify` needs", "import the dependencies (anchor)"]
    print(f"start-up, whole processes, {args.process_runs} runs each, interleaved:")
    series = _processes(
        [proc([_certdoctor(), "--version"]), proc([py, "-c", VERIFY_IMPORTS]), proc([py, "-c", DEPENDENCIES])],
        names,
        args.process_runs,
    )
    for x in series:
        print(f"  {x.name:<46} wall {x.summary(1e3, 'ms')}\n  {'':<46} CPU  {x.cpu_series().summary(1e3, 'ms')}")
    ok = True
    anchor = series[2]
    for s in series[:2]:
        r_wall = s.median / anchor.median
        r_cpu = statistics.median(s.cpu) / statistics.median(anchor.cpu)
        ok &= r_cpu <= 1.25
        print(
            f"  {s.name}: ratio wall {r_wall:.2f}x, CPU {r_cpu:.2f}x (target <= 1.25x): "
            f"{'MEETS' if r_cpu <= 1.25 else 'DOES NOT MEET'}"
        )
        out[s.name] = {
            "wall_ms": s.median * 1e3,
            "anchor_wall_ms": anchor.median * 1e3,
            "ratio_wall": r_wall,
            "ratio_cpu": r_cpu,
        }
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="chain,load,startup", help="comma-separated: chain, load, startup")
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds of per-call timing (20)")
    parser.add_argument("--calls", type=int, default=50, help="calls per round and case (50)")
    parser.add_argument("--load-runs", type=int, default=9, help="in-process loads of the 10k list, each (9)")
    parser.add_argument("--process-runs", type=int, default=21, help="fresh processes of each kind (21)")
    parser.add_argument("--quick", action="store_true", help="fewer samples (about a minute)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.calls, args.load_runs, args.process_runs = 6, 30, 5, 9
    facts = header("bench_x509: verify_chain, 10k trusted-list loading and start-up vs cryptography")
    out: dict[str, Any] = {"machine": facts}
    ok = True
    for part in args.parts.split(","):
        ok &= {"chain": part_chain, "load": part_load, "startup": part_startup}[part.strip()](args, out)
    if args.json:
        print(json.dumps(out, indent=2, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
