"""Benchmark the diagnosis: one typical case in-process, 1,000 cases in one process, and a fresh CLI process.

Targets (issue 3): median <= 20 ms and p95 <= 50 ms per typical case in-process; 1,000 cases in <= 10 s;
`certdoctor diagnose` as a fresh process within 2.5x `python -c "import cryptography.x509, pydantic"`.
The typical case is certdoctor.lab's deployment: two clustered Expressways (2 + 2 nodes), Unified CM,
11 certificate files, symptoms text, one fault. Run: python bench/bench_diagnose.py [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from certdoctor.case import read_case
from certdoctor.diagnosis import diagnose_case, shipped_engine
from certdoctor.lab import FAULTS, write_deployment

SYMPTOMS = {
    "zone_status": "Failed",
    "log_lines": ['Event="Outbound TLS Negotiation Error" Detail="Peer\'s TLS certificate identity was unacceptable"'],
    "recent_changes": ["certificate-renewal"],
}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _process_seconds(commands: list[list[str]], runs: int) -> list[float]:
    """Median wall time of each command as a fresh process; runs are interleaved so machine drift hits all alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for argv, bucket in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(argv, check=False, capture_output=True)
            bucket.append(time.perf_counter() - start)
    return [statistics.median(bucket) for bucket in times]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--certdoctor", default=str(Path(sys.executable).with_name("certdoctor")),
                        help="the certdoctor executable for the fresh-process figure (default: this venv's; "
                             "an editable install adds ~40 ms of import-hook and path overhead)")
    args = parser.parse_args()
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        typical = write_deployment(root / "typical", ["peer-address"], symptoms=SYMPTOMS)
        case = read_case(typical)
        shipped_engine()  # compile once, as a long-running process would
        for _ in range(10):
            diagnose_case(case, base_dir=typical.parent)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            diagnose_case(case, base_dir=typical.parent)
            times.append((time.perf_counter() - start) * 1000)
        results["typical_median_ms"] = statistics.median(times)
        results["typical_p95_ms"] = _percentile(times, 0.95)
        faults = sorted(FAULTS)
        cases = []
        for i, fault in enumerate(faults):
            path = write_deployment(root / f"many{i}", [fault], symptoms=SYMPTOMS)
            cases.append((read_case(path), path.parent))
        start = time.perf_counter()
        for n in range(1000):
            c, base = cases[n % len(cases)]
            diagnose_case(c, base_dir=base)
        results["thousand_cases_s"] = time.perf_counter() - start
        python = str(Path(args.certdoctor).with_name("python"))
        baseline, cli = _process_seconds(
            [[python, "-c", "import cryptography.x509, pydantic"], [args.certdoctor, "diagnose", str(typical)]], 31
        )
        results["baseline_import_s"], results["cli_diagnose_s"] = baseline, cli
        results["cli_ratio"] = results["cli_diagnose_s"] / results["baseline_import_s"]
    ok = (results["typical_median_ms"] <= 20 and results["typical_p95_ms"] <= 50
          and results["thousand_cases_s"] <= 10 and results["cli_ratio"] <= 2.5)
    if args.json:
        print(json.dumps({**results, "meets_targets": ok}, indent=2))
    else:
        print(f"typical case in-process: median {results['typical_median_ms']:.1f} ms (<= 20), "
              f"p95 {results['typical_p95_ms']:.1f} ms (<= 50)")
        print(f"1,000 cases in one process: {results['thousand_cases_s']:.2f} s (<= 10)")
        print(f"fresh process: certdoctor diagnose {results['cli_diagnose_s'] * 1000:.0f} ms vs "
              f"import cryptography.x509, pydantic {results['baseline_import_s'] * 1000:.0f} ms: "
              f"{results['cli_ratio']:.2f}x (<= 2.5)")
        print("meets all targets" if ok else "DOES NOT meet all targets")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
