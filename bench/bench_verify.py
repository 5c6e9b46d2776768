"""Benchmark: verifying one chain against a 10-certificate vs a 10,000-certificate trusted list.

Target (from the issue): trusted lists are indexed by subject and key id, so verifying one leaf
against a 10,000-certificate trusted list costs no more than 2x verifying it against a
10-certificate list, the trusted list being already loaded. Also reported: the per-chain time and
the ratio to cryptography's own verifier on the same chains.

Run on demand (not a test)::

    python bench/bench_verify.py            # table on stdout
    python bench/bench_verify.py --json     # JSON on stdout, the table on stderr

Exit status: 0 when the judge_path (indexed, Expressway verdict) 10k/10 median ratio is at most
``--target`` (2.0), 1 when it is above, 2 when the fixture does not verify at all. Whether
verify_chain as a whole meets the target is printed (and in the JSON), but does not change the
exit status.

The certificates come from the deterministic generator ``certdoctor.testpki`` and are cached as
PEM under ``$XDG_CACHE_HOME/certdoctor-bench/`` (default ``~/.cache/certdoctor-bench/``, outside the
source tree; ``--cache-dir`` moves it, ``--no-cache`` skips it). The cache key hashes the fixture
parameters and the source of ``certdoctor.testpki``, so a changed generator never serves stale
certificates. The anchor is cryptography's own verifier on the same chains, timed interleaved with
every other row. See bench/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import cryptography
from benchlib import Case, cache_key, cache_root, header, percentile, read_cache, run_cases, write_cache
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import verification

from certdoctor.testpki import DEFAULT_EPOCH, KeySpec, TestPKI
from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.path import judge_path
from certdoctor.x509.store import DuplicateSubject, TrustStore
from certdoctor.x509.strict import strict_verify
from certdoctor.x509.verify import verify_chain

FIXTURE_VERSION = "1"
SEED = "certdoctor-bench-verify"
HOST = "expe.example.com"
ROOT_CN = "ACME Bench Root CA"
ROOT_EXTRA = (("C", "US"), ("O", "ACME Corp"))
AT = DEFAULT_EPOCH + timedelta(days=30)
DEFAULT_CACHE = cache_root()
FIXTURE_SOURCE_TEXT = {"generated": "generated", "cache": "read from the cache"}
SMALL = 10
LARGE = 10_000


# --------------------------------------------------------------------------------------------
# fixture


@dataclass
class Fixture:
    """The chain under test and the two trusted lists (as certificates, list order kept)."""

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    small: list[x509.Certificate]
    large: list[x509.Certificate]
    decoys: int
    source: str  # "generated" or "cache"
    seconds: float  # generation or cache-load time


def _pem(certs: Sequence[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _generate(
    fillers: int, decoys: int
) -> tuple[list[x509.Certificate], list[x509.Certificate], list[x509.Certificate]]:
    """(root, intermediate, leaf), the same-subject decoy roots, the distinct filler roots."""
    pki = TestPKI(SEED)
    rsa = KeySpec("rsa", 2048)
    p256 = KeySpec("ec", 256)
    root = pki.root(ROOT_CN, key=rsa, subject_extra=ROOT_EXTRA, days=7300)
    inter = pki.intermediate("ACME Bench Issuing CA", root, key=rsa, subject_extra=ROOT_EXTRA, path_length=0)
    leaf = pki.leaf(HOST, inter, key=rsa, sans=(HOST, "collab-edge.example.com", "example.com"))
    # Same subject as the real root, different keys (so different key ids): RSA decoys even
    # have the right key type, so only the key id (or a signature check) tells them apart.
    decoy_certs = [
        pki.root(
            ROOT_CN,
            subject_extra=ROOT_EXTRA,
            key=rsa if i % 2 == 0 else p256,
            key_label=f"decoy:{i}",
            days=7300,
        ).certificate
        for i in range(decoys)
    ]
    filler_certs = [
        pki.root(f"Bench Filler Root {i:05d}", key=p256, subject_extra=(("O", f"Filler Org {i % 97}"),)).certificate
        for i in range(fillers)
    ]
    return ([root.certificate, inter.certificate, leaf.certificate], decoy_certs, filler_certs)


def _trusted_list(
    root: x509.Certificate, decoys: Sequence[x509.Certificate], fillers: Sequence[x509.Certificate], size: int
) -> list[x509.Certificate]:
    """size certificates: fillers, half the decoys, the real root, the other decoys, fillers.

    The real root sits in the middle of the list with decoys on both sides of it.
    """
    n_fill = size - 1 - len(decoys)
    if n_fill < 0 or n_fill > len(fillers):
        raise ValueError(f"cannot build a {size}-certificate list from {len(fillers)} fillers and {len(decoys)} decoys")
    half = len(decoys) // 2
    before = n_fill // 2
    return [*fillers[:before], *decoys[:half], root, *decoys[half:], *fillers[before:n_fill]]


def load_fixture(cache_dir: Path | None, decoys: int) -> Fixture:
    """Generate (or read from the cache) the chain and both trusted lists."""
    fillers_needed = LARGE - 1 - decoys
    start = time.perf_counter()
    source = "generated"
    key = cache_key([FIXTURE_VERSION, SEED, str(fillers_needed), str(decoys), HOST, ROOT_CN])
    target = cache_dir / f"verify-{key}" if cache_dir else None
    blobs = read_cache(target, ("chain.pem", "decoys.pem", "fillers.pem"))
    if blobs is not None:
        source = "cache"
    else:
        chain, decoy_certs, filler_certs = _generate(fillers_needed, decoys)
        blobs = {"chain.pem": _pem(chain), "decoys.pem": _pem(decoy_certs), "fillers.pem": _pem(filler_certs)}
        if target is not None:
            write_cache(target, blobs, "verify-")
    root, inter, leaf = x509.load_pem_x509_certificates(blobs["chain.pem"])
    decoy_certs = x509.load_pem_x509_certificates(blobs["decoys.pem"]) if decoys else []
    filler_certs = x509.load_pem_x509_certificates(blobs["fillers.pem"])
    return Fixture(
        root=root,
        intermediate=inter,
        leaf=leaf,
        small=_trusted_list(root, decoy_certs, filler_certs, SMALL),
        large=_trusted_list(root, decoy_certs, filler_certs, LARGE),
        decoys=decoys,
        source=source,
        seconds=time.perf_counter() - start,
    )


# --------------------------------------------------------------------------------------------
# cases


class PerCallStoreTrustStore(TrustStore):
    """A TrustStore that rebuilds cryptography's Store on every call, as strict_verify used to.

    Emulates the per-call ``verification.Store(list(trusted))`` without touching the engine,
    so the cost of *not* caching the Store can be measured against the engine as it is.
    """

    def verification_store(self) -> verification.Store | None:
        if not len(self):
            return None
        return verification.Store([e.cert for e in self.entries])


class CachedDuplicatesTrustStore(TrustStore):
    """A TrustStore that computes duplicate_subjects() once: a what-if for the last O(n) step.

    verify_chain calls ``store.duplicate_subjects()`` on every call, which walks every subject
    in the list. This emulates caching it (like the Store), to show what that would buy.
    """

    _duplicates: list[DuplicateSubject] | None = None

    def duplicate_subjects(self) -> list[DuplicateSubject]:
        if self._duplicates is None:
            self._duplicates = super().duplicate_subjects()
        return self._duplicates


ENGINE_CACHES_STORE = hasattr(TrustStore, "verification_store")


def build_cases(fx: Fixture) -> tuple[list[Case], dict[str, float]]:
    """Every case for both list sizes, plus the one-off load costs (excluded from the timings)."""
    cases: list[Case] = []
    load: dict[str, float] = {}
    host_name = x509.DNSName(HOST)
    leaf, inter = fx.leaf, fx.intermediate
    for size, certs in ((SMALL, fx.small), (LARGE, fx.large)):
        t0 = time.perf_counter()
        store = TrustStore(certs)
        load[f"TrustStore/{size}"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        crypto_store = verification.Store(certs)
        load[f"cryptography Store/{size}"] = time.perf_counter() - t0
        if ENGINE_CACHES_STORE:
            store.verification_store()  # build the engine's cached Store now, not in a timing
        per_call = PerCallStoreTrustStore(store.entries) if ENGINE_CACHES_STORE else None
        cached_dups = CachedDuplicatesTrustStore(store.entries)
        cached_dups.duplicate_subjects()
        if ENGINE_CACHES_STORE:
            cached_dups.verification_store()
        strict_trusted: object = store if ENGINE_CACHES_STORE else certs

        def run_verify_chain(store: TrustStore = store) -> object:
            return verify_chain(leaf, [inter], store, host=HOST, at=AT)

        def run_judge_path(store: TrustStore = store) -> object:
            return judge_path(CertFacts(leaf), [CertFacts(inter)], store, AT, host=HOST)

        def run_strict(trusted: Any = strict_trusted) -> object:
            return strict_verify(leaf, [inter], trusted, AT, host=HOST)

        def run_crypto(crypto_store: verification.Store = crypto_store) -> object:
            return (
                verification.PolicyBuilder()
                .store(crypto_store)
                .time(AT)
                .build_server_verifier(host_name)
                .verify(leaf, [inter])
            )

        def run_crypto_with_store(certs: list[x509.Certificate] = certs) -> object:
            return (
                verification.PolicyBuilder()
                .store(verification.Store(certs))
                .time(AT)
                .build_server_verifier(host_name)
                .verify(leaf, [inter])
            )

        def run_store_only(certs: list[x509.Certificate] = certs) -> object:
            return verification.Store(certs)

        def run_duplicates(store: TrustStore = store) -> object:
            return store.duplicate_subjects()

        cases += [
            Case("verify_chain", size, run_verify_chain),
            Case("judge_path", size, run_judge_path),
            Case("strict_verify", size, run_strict),
            Case("crypto_verify", size, run_crypto),
            Case("crypto_verify+Store", size, run_crypto_with_store),
            Case("Store()", size, run_store_only),
            Case("duplicate_subjects", size, run_duplicates),
        ]

        def run_verify_cached_dups(store: TrustStore = cached_dups) -> object:
            return verify_chain(leaf, [inter], store, host=HOST, at=AT)

        cases.append(Case("verify_chain-dups", size, run_verify_cached_dups))
        if per_call is not None:

            def run_verify_per_call(store: TrustStore = per_call) -> object:
                return verify_chain(leaf, [inter], store, host=HOST, at=AT)

            cases.append(Case("verify_chain+Store", size, run_verify_per_call))
    return cases, load


def sanity_check(fx: Fixture) -> list[str]:
    """Both verdicts must accept the chain with both lists, else the timings mean nothing."""
    problems = []
    for size, certs in ((SMALL, fx.small), (LARGE, fx.large)):
        report = verify_chain(fx.leaf, [fx.intermediate], TrustStore(certs), host=HOST, at=AT)
        if not report.expressway.trusted:
            problems.append(f"{size}: Expressway verdict untrusted: {report.expressway.reasons}")
        if not report.strict.trusted:
            problems.append(f"{size}: strict verdict untrusted: {report.strict.reasons}")
        if len(certs) != size:
            problems.append(f"list has {len(certs)} certificates, expected {size}")
    return problems


# --------------------------------------------------------------------------------------------
# report


ROW_TEXT = {  # table order
    "verify_chain": "verify_chain (both verdicts + findings)",
    "verify_chain+Store": "verify_chain, cryptography Store rebuilt per call",
    "verify_chain-dups": "verify_chain, duplicate_subjects cached (what-if)",
    "judge_path": "judge_path (Expressway verdict, indexed)",
    "strict_verify": "strict_verify (strict verdict, engine as is)",
    "crypto_verify": "cryptography verifier, Store built once",
    "crypto_verify+Store": "cryptography verifier incl. Store(list)",
    "Store()": "cryptography Store(list) construction only",
    "duplicate_subjects": "TrustStore.duplicate_subjects() (per verify_chain)",
}


def summarize(cases: Sequence[Case], target: float) -> dict[str, Any]:
    """Medians, p95s and ratios as a JSON-ready dict."""
    rows: dict[str, dict[str, Any]] = {}
    for c in cases:
        rows[c.key] = {
            "operation": c.name,
            "trusted_list": c.size,
            "samples": len(c.samples),
            "median_us": statistics.median(c.samples) * 1e6,
            "p95_us": percentile(c.samples, 95) * 1e6,
            "min_us": min(c.samples) * 1e6,
        }
    present = {c.name for c in cases}
    names = [n for n in ROW_TEXT if n in present] + sorted(present - ROW_TEXT.keys())
    ratios: dict[str, dict[str, float]] = {}
    for name in names:
        small, large = rows[f"{name}/{SMALL}"], rows[f"{name}/{LARGE}"]
        ratios[name] = {
            "median_10k_over_10": large["median_us"] / small["median_us"],
            "p95_10k_over_10": large["p95_us"] / small["p95_us"],
        }
    for row in rows.values():
        base = rows[f"crypto_verify/{row['trusted_list']}"]["median_us"]
        row["median_over_crypto_verify"] = row["median_us"] / base
    judge = ratios["judge_path"]["median_10k_over_10"]
    whole = ratios["verify_chain"]["median_10k_over_10"]
    summary: dict[str, Any] = {
        "target_ratio": target,
        "judge_path_ratio": judge,
        "judge_path_meets_target": judge <= target,
        "verify_chain_ratio": whole,
        "verify_chain_meets_target": whole <= target,
        "engine_caches_cryptography_store": ENGINE_CACHES_STORE,
    }
    if "verify_chain+Store" in ratios:
        per_call = ratios["verify_chain+Store"]["median_10k_over_10"]
        summary["verify_chain_per_call_store_ratio"] = per_call
        summary["verify_chain_per_call_store_meets_target"] = per_call <= target
    summary["store_construction_10k_us"] = rows[f"Store()/{LARGE}"]["median_us"]
    summary["verify_chain_10k_us"] = rows[f"verify_chain/{LARGE}"]["median_us"]
    summary["verify_chain_cached_duplicates_ratio"] = ratios["verify_chain-dups"]["median_10k_over_10"]
    return {"rows": rows, "ratios": ratios, "summary": summary}


def render(result: dict[str, Any], meta: dict[str, Any]) -> str:
    """The human-readable table and verdict lines."""
    rows, ratios, s = result["rows"], result["ratios"], result["summary"]
    lines = [
        f"certdoctor verify benchmark -- leaf {HOST} (RSA 2048, root -> intermediate -> leaf), "
        f"{meta['decoys']} same-subject decoy roots in each list, at={AT:%Y-%m-%d}",
        f"fixture {FIXTURE_SOURCE_TEXT[meta['fixture_source']]} in {meta['fixture_seconds']:.1f} s; "
        f"TrustStore load {meta['load_seconds']['TrustStore/10000'] * 1e3:.0f} ms (10k, untimed); "
        f"per-call {'CPU' if meta['clock'] == 'cpu' else 'wall'} time, {meta['rounds']} interleaved rounds",
        "",
        f"{'operation':<52} {'10: med':>9} {'p95':>9} {'10k: med':>9} {'p95':>9} {'10k/10':>7} {'vs crypto':>10}",
        f"{'':<52} {'(us)':>9} {'(us)':>9} {'(us)':>9} {'(us)':>9} {'median':>7} {'10 / 10k':>10}",
    ]
    for name in ratios:
        small, large = rows[f"{name}/{SMALL}"], rows[f"{name}/{LARGE}"]
        vs = f"{small['median_over_crypto_verify']:.1f}/{large['median_over_crypto_verify']:.1f}"
        lines.append(
            f"{ROW_TEXT.get(name, name):<52} {small['median_us']:>9.0f} {small['p95_us']:>9.0f} "
            f"{large['median_us']:>9.0f} {large['p95_us']:>9.0f} "
            f"{ratios[name]['median_10k_over_10']:>7.2f} {vs:>10}"
        )
    target = s["target_ratio"]

    def verdict(ok: bool) -> str:
        return "MEETS" if ok else "DOES NOT MEET"

    lines += [
        "",
        f"judge_path   10k/10 = {s['judge_path_ratio']:.2f}: {verdict(s['judge_path_meets_target'])} "
        f"the {target:g}x target (exit status depends on this)",
        f"verify_chain 10k/10 = {s['verify_chain_ratio']:.2f}: "
        f"{verdict(s['verify_chain_meets_target'])} the {target:g}x target as a whole "
        f"(engine {'caches' if s['engine_caches_cryptography_store'] else 'does NOT cache'} "
        "cryptography's Store per TrustStore)",
    ]
    if "verify_chain_per_call_store_ratio" in s:
        lines.append(
            f"verify_chain with a per-call Store 10k/10 = {s['verify_chain_per_call_store_ratio']:.2f}: "
            f"{verdict(s['verify_chain_per_call_store_meets_target'])} the target "
            f"(Store(10k) alone costs {s['store_construction_10k_us'] / 1e3:.2f} ms per call)"
        )
    lines.append(
        f"verify_chain with duplicate_subjects cached 10k/10 = "
        f"{s['verify_chain_cached_duplicates_ratio']:.2f} (what-if: duplicate_subjects() computed once)"
    )
    anchor = {size: rows[f"crypto_verify/{size}"]["median_us"] for size in (SMALL, LARGE)}
    lines.append(
        f"anchor: cryptography verifier (Store built once) median {anchor[SMALL]:.0f} us (10) / "
        f"{anchor[LARGE]:.0f} us (10k); ratio to it: "
        + ", ".join(
            f"{n} {rows[f'{n}/{SMALL}']['median_over_crypto_verify']:.2f}x / "
            f"{rows[f'{n}/{LARGE}']['median_over_crypto_verify']:.2f}x"
            for n in ("judge_path", "verify_chain", "strict_verify")
        )
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="write JSON results to stdout (the table goes to stderr)")
    parser.add_argument("--samples", type=int, default=600, help="timed calls per case (600)")
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds (20)")
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="time each call by this process's CPU time (default: steady when other processes "
        "share the cores) or by the wall clock",
    )
    parser.add_argument("--warmup", type=int, default=30, help="untimed calls per case (30)")
    parser.add_argument(
        "--case-budget",
        type=float,
        default=2.5,
        help="seconds of timed calls per case before samples are cut (2.5)",
    )
    parser.add_argument(
        "--decoys",
        type=int,
        default=4,
        help="roots with the real root's subject but other keys, in each list (4)",
    )
    parser.add_argument("--target", type=float, default=2.0, help="allowed 10k/10 ratio (2.0)")
    parser.add_argument(
        "--cache-dir", type=Path, default=DEFAULT_CACHE, help=f"PEM cache directory (default {DEFAULT_CACHE})"
    )
    parser.add_argument("--no-cache", action="store_true", help="generate, do not read/write a cache")
    parser.add_argument("--quick", action="store_true", help="at most 240 samples in 4 rounds, 1 s per case")
    args = parser.parse_args(argv)
    if not 0 <= args.decoys <= SMALL - 1:
        parser.error(f"--decoys must be between 0 and {SMALL - 1}")

    if args.quick:
        args.samples, args.rounds, args.case_budget = min(args.samples, 240), min(args.rounds, 4), 1.0
    facts = header(
        "bench_verify: one chain against a 10 vs a 10,000-certificate trusted list, "
        "anchored on cryptography's verifier",
        sys.stderr if args.json else sys.stdout,
    )
    started = time.perf_counter()
    fx = load_fixture(None if args.no_cache else args.cache_dir, args.decoys)
    problems = sanity_check(fx)
    if problems:
        print("fixture does not verify, timings would be meaningless:", *problems, sep="\n  ", file=sys.stderr)
        return 2
    cases, load = build_cases(fx)
    run_cases(
        cases,
        args.samples,
        args.rounds,
        args.warmup,
        args.case_budget,
        time.process_time if args.clock == "cpu" else time.perf_counter,
    )
    result = summarize(cases, args.target)
    meta = {
        **facts,
        "cryptography": cryptography.__version__,
        "decoys": args.decoys,
        "samples_per_case": args.samples,
        "rounds": args.rounds,
        "clock": args.clock,
        "warmup": args.warmup,
        "case_budget_seconds": args.case_budget,
        "fixture_source": fx.source,
        "fixture_seconds": fx.seconds,
        "load_seconds": load,
        "total_seconds": time.perf_counter() - started,
    }
    table = render(result, meta)
    if args.json:
        print(table, file=sys.stderr)
        json.dump({"meta": meta, **result}, sys.stdout, indent=2)
        print()
    else:
        print(table)
        print(f"\n(total {meta['total_seconds']:.1f} s)")
    return 0 if result["summary"]["judge_path_meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
