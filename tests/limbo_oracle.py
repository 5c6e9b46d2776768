"""x509-limbo helpers for tests/test_limbo.py: run each testcase through certdoctor and through OpenSSL.

`openssl verify` is used here only as a test oracle for the Expressway (OpenSSL 3.0-like) verdict;
the product never runs it. Run this file directly to print the disagreement tables that
docs/x509-limbo.md must list:

    CERTDOCTOR_LIMBO_DATA=/path/to/limbo-core.json python tests/limbo_oracle.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning

from certdoctor.x509.verify import verify_chain

#: The environment variable naming limbo-core.json (C2SP x509-limbo); the data is not part of this repository.
LIMBO_ENV = "CERTDOCTOR_LIMBO_DATA"

#: What a run without the data says (the tests skip with it, naming the one thing missing).
LIMBO_MISSING = f"x509-limbo data not found: set {LIMBO_ENV} to limbo-core.json"

#: The document whose tables must list every disagreement.
DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "x509-limbo.md"

#: Seconds one `openssl verify` run may take before the oracle gives up on it.
OPENSSL_TIMEOUT = 20.0

#: Table markers in docs/x509-limbo.md: the rows after each marker list one reference's disagreements.
TABLE_MARKER = re.compile(r"<!--\s*limbo-table:\s*(\w+)\s*-->")
TABLE_ROW_ID = re.compile(r"^\|\s*`([^`]+)`\s*\|")

Case = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """One verdict on one testcase: trusted or not, and the first reason given (empty when trusted)."""

    trusted: bool
    reason: str = ""


@dataclass(frozen=True)
class CaseResult:
    """certdoctor's two verdicts on one SERVER testcase, with the suite's expectation."""

    id: str
    expected: bool
    strict: Outcome
    expressway: Outcome
    seconds: float
    load_error: str | None = None
    error: str | None = None


def limbo_path() -> Path | None:
    """limbo-core.json as named by CERTDOCTOR_LIMBO_DATA, or None when it is unset or names no file."""
    value = os.environ.get(LIMBO_ENV, "").strip()
    path = Path(value).expanduser() if value else None
    return path if path is not None and path.is_file() else None


def missing_reason() -> str:
    """Why limbo_path() is None, naming the variable and, when it is set, the file it names."""
    value = os.environ.get(LIMBO_ENV, "").strip()
    return f"{LIMBO_MISSING} ({LIMBO_ENV}={value} is not a file)" if value else LIMBO_MISSING


def server_cases(path: Path) -> list[Case]:
    """The testcases of limbo-core.json that validate a TLS server certificate."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in data["testcases"] if c["validation_kind"] == "SERVER"]


def validation_time(case: Case) -> datetime | None:
    """The instant the testcase validates at (None means now)."""
    text = case.get("validation_time")
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def host_of(case: Case) -> str | None:
    """The DNS name or IP address the peer certificate must carry, when the testcase names one."""
    name = case.get("expected_peer_name")
    return name["value"] if name else None


def _first(reasons: Sequence[str]) -> str:
    return reasons[0] if reasons else ""


def run_case(case: Case) -> CaseResult:
    """Both certdoctor verdicts on one testcase; unloadable input counts as not trusted for both."""
    expected = case["expected_result"] == "SUCCESS"
    with warnings.catch_warnings():
        # The suite feeds non-positive serials and similar on purpose; cryptography warns on load.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            leaf = x509.load_pem_x509_certificate(case["peer_certificate"].encode())
            chain = [x509.load_pem_x509_certificate(c.encode()) for c in case["untrusted_intermediates"]]
            trusted = [x509.load_pem_x509_certificate(c.encode()) for c in case["trusted_certs"]]
            crls = [x509.load_pem_x509_crl(c.encode()) for c in case["crls"]]
        except Exception as exc:  # the suite's malformed encodings: cryptography refuses them
            why = f"cryptography cannot load the input: {exc}"
            refused = Outcome(False, why)
            return CaseResult(case["id"], expected, refused, refused, 0.0, load_error=why)
        start = time.perf_counter()
        try:
            report = verify_chain(
                leaf,
                chain,
                trusted,
                host=host_of(case),
                at=validation_time(case),
                crls=crls,
                max_depth=case.get("max_chain_depth"),
            )
        except Exception as exc:  # a crash is a certdoctor bug; keep going so every case is reported
            seconds = time.perf_counter() - start
            why = f"verify_chain raised {type(exc).__name__}: {exc}"
            crashed = Outcome(False, why)
            return CaseResult(case["id"], expected, crashed, crashed, seconds, error=why)
        seconds = time.perf_counter() - start
    return CaseResult(
        case["id"],
        expected,
        strict=Outcome(report.strict.trusted, _first(report.strict.reasons)),
        expressway=Outcome(report.expressway.trusted, _first(report.expressway.reasons)),
        seconds=seconds,
    )


def openssl_binary() -> str | None:
    """The openssl CLI on PATH, if any."""
    return shutil.which("openssl")


def openssl_version(openssl: str) -> str:
    """`openssl version` output, e.g. 'OpenSSL 3.0.19 27 Jan 2026 (Library: ...)'."""
    done = subprocess.run([openssl, "version"], capture_output=True, text=True, timeout=OPENSSL_TIMEOUT, check=False)
    return done.stdout.strip()


def openssl_args(case: Case, openssl: str, workdir: Path) -> list[str]:
    """The `openssl verify -purpose sslserver` command line for one testcase, writing its PEM files."""

    def write(name: str, items: Iterable[str]) -> str:
        path = workdir / name
        path.write_text("".join(i if i.endswith("\n") else i + "\n" for i in items), encoding="ascii")
        return str(path)

    args = [openssl, "verify", "-purpose", "sslserver", "-no-CApath", "-no-CAstore"]
    if case["trusted_certs"]:
        args += ["-CAfile", write("trusted.pem", case["trusted_certs"])]
    else:
        args += ["-no-CAfile"]
    if case["untrusted_intermediates"]:
        args += ["-untrusted", write("inter.pem", case["untrusted_intermediates"])]
    at = validation_time(case)
    if at is not None:
        args += ["-attime", str(int(at.timestamp()))]
    name = case.get("expected_peer_name")
    if name:
        args += ["-verify_ip" if name["kind"] == "IP" else "-verify_hostname", name["value"]]
    if case["crls"]:
        args += ["-crl_check", "-CRLfile", write("crls.pem", case["crls"])]
    if case.get("max_chain_depth") is not None:
        args += ["-verify_depth", str(case["max_chain_depth"])]
    args.append(write("leaf.pem", [case["peer_certificate"]]))
    return args


def _openssl_error(output: str) -> str:
    """The first 'error N at depth D lookup: ...' line of openssl's output, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("error "):
            return line
    return lines[-1] if lines else ""


def openssl_verdict(case: Case, openssl: str, timeout: float = OPENSSL_TIMEOUT) -> Outcome:
    """What `openssl verify -purpose sslserver` says about one testcase (a timeout is not trusted)."""
    with tempfile.TemporaryDirectory(prefix="limbo-") as tmp:
        args = openssl_args(case, openssl, Path(tmp))
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return Outcome(False, f"openssl verify timed out after {timeout:.0f} s")
    if done.returncode == 0:
        return Outcome(True)
    return Outcome(False, _openssl_error(done.stdout + "\n" + done.stderr))


def openssl_verdicts(cases: Sequence[Case], openssl: str, workers: int = 8) -> dict[str, Outcome]:
    """The oracle's verdict for every testcase, keyed by id (runs a few openssl processes at once)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda c: openssl_verdict(c, openssl), cases))
    return {c["id"]: o for c, o in zip(cases, outcomes, strict=True)}


def documented_ids(text: str) -> dict[str, list[str]]:
    """Testcase ids of each disagreement table in docs/x509-limbo.md, keyed by the table's marker.

    A table starts after a `<!-- limbo-table: NAME -->` line and runs to the first line that is not a
    table row; each data row names its testcase in backticks in the first cell.
    """
    tables: dict[str, list[str]] = {}
    current: str | None = None
    in_table = False
    for line in text.splitlines():
        marker = TABLE_MARKER.search(line)
        if marker:
            current = marker.group(1)
            tables.setdefault(current, [])
            in_table = False
            continue
        if current is None:
            continue
        stripped = line.strip()
        if stripped.startswith("|"):
            in_table = True
            row = TABLE_ROW_ID.match(stripped)
            if row:
                tables[current].append(row.group(1))
        elif in_table or (stripped and not stripped.startswith("<!--")):
            current, in_table = None, False
    return tables


def verdict_word(trusted: bool) -> str:
    """SUCCESS / FAILURE, as the suite spells verdicts."""
    return "SUCCESS" if trusted else "FAILURE"


def disagreement_lines(
    results: Sequence[CaseResult],
    reference: dict[str, Outcome],
    which: str,
    reference_name: str = "reference",
) -> list[str]:
    """One line per case where certdoctor's `which` verdict differs from the reference verdicts."""
    lines = []
    for r in results:
        ours: Outcome = getattr(r, which)
        ref = reference[r.id]
        if ours.trusted != ref.trusted:
            ref_text = f"{reference_name} {verdict_word(ref.trusted)}" + (f" ({ref.reason})" if ref.reason else "")
            our_text = f"{which} {verdict_word(ours.trusted)}" + (f" ({ours.reason})" if ours.reason else "")
            lines.append(f"{r.id}: {ref_text}; {our_text}")
    return lines


def _main() -> int:
    """Print both disagreement lists and the agreement figures, for maintaining docs/x509-limbo.md."""
    path = limbo_path()
    if path is None:
        print(missing_reason(), file=sys.stderr)
        return 2
    cases = server_cases(path)
    results = [run_case(c) for c in cases]
    expected = {r.id: Outcome(r.expected) for r in results}
    n = len(results)
    strict_off = disagreement_lines(results, expected, "strict", "expected_result")
    print(f"strict vs expected_result: {n - len(strict_off)}/{n}")
    print("\n".join(strict_off))
    openssl = openssl_binary()
    if openssl is None:
        print("openssl not on PATH: no oracle")
        return 0
    oracle = openssl_verdicts(cases, openssl)
    print(openssl_version(openssl))
    off = disagreement_lines(results, oracle, "expressway", "openssl")
    print(f"expressway vs openssl: {n - len(off)}/{n}")
    print("\n".join(off))
    agree = sum(oracle[r.id].trusted == r.expected for r in results)
    print(f"openssl vs expected_result: {agree}/{n}")
    agree = sum(r.expressway.trusted == r.expected for r in results)
    print(f"expressway vs expected_result: {agree}/{n}")
    slow = sorted(results, key=lambda r: r.seconds, reverse=True)[:8]
    print("slowest:", ", ".join(f"{r.id} {r.seconds:.3f}s" for r in slow))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
