"""x509-limbo: every SERVER testcase through verify_chain, against the suite and against `openssl verify`.

The strict verdict is compared with each testcase's expected_result, the Expressway verdict with what
OpenSSL's own `openssl verify -purpose sslserver` says (the CLI is only a test oracle here). Every
disagreement must be listed, with its reason, in docs/x509-limbo.md; see that file for the figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

try:  # pytest's default "prepend" import mode puts tests/ on sys.path
    import limbo_oracle as lo
except ImportError:  # --import-mode=importlib, or tests/ made a package: import it from the repo root
    from tests import limbo_oracle as lo  # type: ignore[no-redef]

#: Share of SERVER testcases on which each verdict must agree with its reference.
STRICT_VS_EXPECTED_MIN = 0.90
EXPRESSWAY_VS_OPENSSL_MIN = 0.97

#: Wall-time bound for one verify_chain call; the slowest limbo case (nc-dos-1) takes about 0.2 s.
MAX_SECONDS_PER_CASE = 5.0

#: The OpenSSL series the documented oracle disagreements were measured with (Expressway tracks 3.0).
DOCUMENTED_OPENSSL_SERIES = "OpenSSL 3.0."


@pytest.fixture(scope="module")
def limbo_data() -> Path:
    """limbo-core.json named by CERTDOCTOR_LIMBO_DATA; the data is not in the repository, so without it these skip."""
    path = lo.limbo_path()
    if path is None:
        pytest.skip(lo.missing_reason())
    return path


@pytest.fixture(scope="module")
def cases(limbo_data: Path) -> list[lo.Case]:
    """The SERVER testcases of limbo-core.json."""
    return lo.server_cases(limbo_data)


@pytest.fixture(scope="module")
def results(cases: list[lo.Case]) -> list[lo.CaseResult]:
    """certdoctor's two verdicts on every testcase, computed once for the module."""
    return [lo.run_case(c) for c in cases]


@pytest.fixture(scope="module")
def expected(results: list[lo.CaseResult]) -> dict[str, lo.Outcome]:
    """Each testcase's expected_result as an Outcome, keyed by id."""
    return {r.id: lo.Outcome(r.expected) for r in results}


@pytest.fixture(scope="module")
def openssl() -> str:
    """Path of the openssl CLI; the oracle tests skip without it."""
    binary = lo.openssl_binary()
    if binary is None:
        pytest.skip("openssl CLI not on PATH (apt install openssl): the Expressway verdict's oracle")
    return binary


@pytest.fixture(scope="module")
def oracle(cases: list[lo.Case], openssl: str) -> dict[str, lo.Outcome]:
    """`openssl verify -purpose sslserver` on every testcase, keyed by id."""
    return lo.openssl_verdicts(cases, openssl)


def _documented(table: str) -> list[str]:
    """Testcase ids of one disagreement table of docs/x509-limbo.md ('strict' or 'expressway')."""
    assert lo.DOC_PATH.is_file(), f"{lo.DOC_PATH} is missing: it must list every limbo disagreement"
    tables = lo.documented_ids(lo.DOC_PATH.read_text(encoding="utf-8"))
    assert table in tables, (
        f"docs/x509-limbo.md needs a '<!-- limbo-table: {table} -->' marker line "
        "right before that reference's disagreement table"
    )
    return tables[table]


def _disagreeing(results: Sequence[lo.CaseResult], reference: dict[str, lo.Outcome], which: str) -> list[str]:
    return [r.id for r in results if getattr(r, which).trusted != reference[r.id].trusted]


def _agreement_message(
    results: Sequence[lo.CaseResult], reference: dict[str, lo.Outcome], which: str, name: str, minimum: float
) -> str:
    lines = lo.disagreement_lines(results, reference, which, name)
    n = len(results)
    return (
        f"{which} verdict agrees with {name} on {n - len(lines)}/{n} SERVER testcases, below "
        f"{minimum:.0%}; disagreements:\n  " + "\n  ".join(lines)
    )


def _list_message(found: Sequence[str], listed: Sequence[str], lines: Sequence[str], table: str) -> str:
    new = sorted(set(found) - set(listed))
    fixed = sorted(set(listed) - set(found))
    dup = sorted({i for i in listed if listed.count(i) > 1})
    parts = [f"the '{table}' table of docs/x509-limbo.md is out of date:"]
    if new:
        parts.append("new disagreements, not documented: " + ", ".join(new))
        parts += ["  " + line for line in lines if line.split(": ", 1)[0] in new]
    if fixed:
        parts.append("documented but no longer disagreeing (remove the rows): " + ", ".join(fixed))
    if dup:
        parts.append("listed more than once: " + ", ".join(dup))
    return "\n".join(parts)


def test_every_case_runs_without_error_in_bounded_time(results: list[lo.CaseResult], limbo_data: Path) -> None:
    crashed = [f"{r.id}: {r.error}" for r in results if r.error]
    assert not crashed, "verify_chain raised on:\n  " + "\n  ".join(crashed)
    slow = [f"{r.id}: {r.seconds:.2f} s" for r in results if r.seconds >= MAX_SECONDS_PER_CASE]
    assert not slow, f"verify_chain took {MAX_SECONDS_PER_CASE} s or more on:\n  " + "\n  ".join(slow)
    assert results, f"no SERVER testcase found in {limbo_data}"


def test_strict_verdict_agrees_with_expected_result(
    results: list[lo.CaseResult], expected: dict[str, lo.Outcome]
) -> None:
    n = len(results)
    agree = n - len(_disagreeing(results, expected, "strict"))
    assert agree >= STRICT_VS_EXPECTED_MIN * n, _agreement_message(
        results, expected, "strict", "expected_result", STRICT_VS_EXPECTED_MIN
    )


def test_expressway_verdict_agrees_with_openssl(results: list[lo.CaseResult], oracle: dict[str, lo.Outcome]) -> None:
    n = len(results)
    agree = n - len(_disagreeing(results, oracle, "expressway"))
    assert agree >= EXPRESSWAY_VS_OPENSSL_MIN * n, _agreement_message(
        results, oracle, "expressway", "openssl", EXPRESSWAY_VS_OPENSSL_MIN
    )


def test_strict_disagreements_are_documented(results: list[lo.CaseResult], expected: dict[str, lo.Outcome]) -> None:
    found = _disagreeing(results, expected, "strict")
    listed = _documented("strict")
    assert sorted(found) == sorted(listed) and len(set(listed)) == len(listed), _list_message(
        found, listed, lo.disagreement_lines(results, expected, "strict", "expected_result"), "strict"
    )


def test_expressway_disagreements_are_documented(
    results: list[lo.CaseResult], oracle: dict[str, lo.Outcome], openssl: str
) -> None:
    version = lo.openssl_version(openssl)
    if not version.startswith(DOCUMENTED_OPENSSL_SERIES):
        pytest.skip(
            f"openssl CLI of the {DOCUMENTED_OPENSSL_SERIES}x series not on PATH (the series Expressway follows "
            f"and the documented disagreements were measured with); this one is '{version}'"
        )
    found = _disagreeing(results, oracle, "expressway")
    listed = _documented("expressway")
    assert sorted(found) == sorted(listed) and len(set(listed)) == len(listed), _list_message(
        found, listed, lo.disagreement_lines(results, oracle, "expressway", "openssl"), "expressway"
    )


def test_without_the_data_a_ci_run_fails_and_a_developer_run_skips() -> None:
    one = "tests/test_limbo.py::test_strict_verdict_agrees_with_expected_result"
    env = {k: v for k, v in os.environ.items() if k not in (lo.LIMBO_ENV, "CERTDOCTOR_FORBID_SKIPS")}
    root = Path(__file__).resolve().parents[1]

    def run(**extra: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", one]
        return subprocess.run(command, cwd=root, env={**env, **extra}, capture_output=True, text=True, timeout=300)

    developer = run()
    assert developer.returncode == 0 and "1 skipped" in developer.stdout, developer.stdout
    assert lo.LIMBO_MISSING in developer.stdout
    ci = run(CERTDOCTOR_FORBID_SKIPS="1")
    assert ci.returncode == 1, ci.stdout
    assert "skips are forbidden" in ci.stdout and lo.LIMBO_MISSING in ci.stdout
