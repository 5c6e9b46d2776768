"""Shared fixtures: one deterministic test PKI per session (certificates are generated, never pasted).

Also the CI gate on skips: with CERTDOCTOR_FORBID_SKIPS=1 (set by .ci/run) any skipped test fails the run,
so a test that skips for want of tmux, the openssl CLI or the x509-limbo data cannot pass CI unseen.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from certdoctor.testpki import Issued, KeySpec, TestPKI

# validated knowledge bases are cached per user; tests use their own cache, never the developer's
os.environ["CERTDOCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="certdoctor-test-cache-")

#: Whether a skip fails the run (CI sets it; a developer without tmux or openssl gets skips, not failures).
FORBID_SKIPS = os.environ.get("CERTDOCTOR_FORBID_SKIPS") == "1"

#: "test id: reason" of every skip this session, collected for the CI gate.
_skips: list[str] = []


def _skip_line(report: pytest.TestReport | pytest.CollectReport) -> str:
    """'test id: reason' of a skipped report (its longrepr is (path, line, 'Skipped: reason'))."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    return f"{report.nodeid or 'collection'}: {reason.removeprefix('Skipped: ')}"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Record each skipped test (an expected failure, xfail, is not a skip)."""
    if report.skipped and not hasattr(report, "wasxfail"):
        _skips.append(_skip_line(report))


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """Record each module skipped at collection (pytest.skip(..., allow_module_level=True))."""
    if report.skipped:
        _skips.append(_skip_line(report))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CERTDOCTOR_FORBID_SKIPS=1, a run with any skip exits as failed (a run with no tests already does)."""
    if FORBID_SKIPS and _skips and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Under CERTDOCTOR_FORBID_SKIPS=1, list every skip and say that it fails the run."""
    if FORBID_SKIPS and _skips:
        terminalreporter.section("skips are forbidden (CERTDOCTOR_FORBID_SKIPS=1): this run fails", red=True)
        for line in _skips:
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"{len(_skips)} skipped: install what each names, or unset CERTDOCTOR_FORBID_SKIPS")


#: The instant the tests judge validity at: inside every default validity window of the PKI.
AT = datetime(2026, 1, 15, tzinfo=UTC)


class Deployment:
    """A small Expressway-like PKI: root -> issuing CA -> Expressway-E / -C leaves."""

    def __init__(self) -> None:
        self.pki = TestPKI(seed="certdoctor-tests")
        self.root = self.pki.root("Test Root CA")
        self.issuing = self.pki.intermediate("Test Issuing CA", self.root)
        self.expe = self.pki.leaf(
            "expe.example.com", self.issuing, sans=["expe.example.com", "collab-edge.example.com"]
        )
        self.expc = self.pki.leaf(
            "expc.example.com",
            self.issuing,
            sans=["expc.example.com", "expc1.example.com"],
            eku=["serverAuth"],
        )

    def leaf(self, cn: str, **kw: object) -> Issued:
        """A leaf from the issuing CA with EC keys (fast) unless a key is given."""
        kw.setdefault("key", KeySpec("ec", 256))
        return self.pki.leaf(cn, self.issuing, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def dep() -> Deployment:
    """The session's deployment PKI."""
    return Deployment()


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """write(name, bytes) -> path of a file in a fresh temporary directory."""

    def _write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return _write
