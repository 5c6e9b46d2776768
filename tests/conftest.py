"""Shared fixtures: one deterministic test PKI per session (certificates are generated, never pasted)."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from certdoctor.testpki import Issued, KeySpec, TestPKI

# validated knowledge bases are cached per user; tests use their own cache, never the developer's
os.environ["CERTDOCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="certdoctor-test-cache-")

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
