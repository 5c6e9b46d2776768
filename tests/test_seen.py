"""What the process keeps of certificates it read (certdoctor.seen): the same answers, bounded, never a key."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_chat_support import private_key_pem

from certdoctor import seen
from certdoctor.answer import render_text
from certdoctor.case import read_case
from certdoctor.diagnosis import diagnose_case
from certdoctor.lab import write_deployment
from certdoctor.testpki import TestPKI
from certdoctor.x509.load import parse_or_unreadable


@pytest.fixture(autouse=True)
def _cold() -> None:
    seen.forget()


def test_a_case_diagnosed_again_gets_the_same_answer(tmp_path: Path) -> None:
    path = write_deployment(tmp_path / "d", ["c-trust-missing"], symptoms={"zone_status": "Failed"})
    case = read_case(path)
    cold = diagnose_case(case, base_dir=path.parent)
    assert seen.held()["files"] > 0 and seen.held()["certificates"] > 0
    warm = diagnose_case(case, base_dir=path.parent)
    assert cold.diagnoses[0].cause == "zone.ca-not-trusted"
    assert render_text(warm) == render_text(cold)
    assert warm.model_dump_json() == cold.model_dump_json()


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    """Kept by content: the same path with other bytes is another file."""
    path = write_deployment(tmp_path / "d", [], symptoms={"zone_status": "Active"})
    case = read_case(path)
    assert diagnose_case(case, base_dir=path.parent).diagnoses == []
    broken = write_deployment(tmp_path / "other", ["c-trust-missing"], symptoms={"zone_status": "Failed"})
    listed = case.expressway_c.trusted_cas[0] if case.expressway_c else ""
    (path.parent / listed).write_bytes((broken.parent / listed).read_bytes())
    causes = [d.cause for d in diagnose_case(case, base_dir=path.parent).diagnoses]
    assert "zone.ca-not-trusted" in causes  # the list as it is now, not as it was first read


def test_a_file_holding_a_private_key_is_never_kept() -> None:
    cert = TestPKI(seed="seen-tests").root("Seen Test Root").pem()
    with_key = cert + private_key_pem("seen-test-key").encode()
    loaded = seen.read(with_key, "upload.pem", parse_or_unreadable)
    assert loaded.private_keys  # type: ignore[union-attr]
    assert seen.held()["files"] == 0
    seen.read(cert, "ca.pem", parse_or_unreadable)
    assert seen.held()["files"] == 1


def test_what_is_kept_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seen, "MAX_FILES", 3)
    monkeypatch.setattr(seen, "MAX_CERTIFICATES", 4)
    pki = TestPKI(seed="seen-bounds")
    for i in range(8):
        loaded = seen.read(pki.root(f"Seen Bound {i}").pem(), f"f{i}.pem", parse_or_unreadable)
        seen.facts_of(loaded.certificates[0])  # type: ignore[union-attr]
    assert seen.held()["files"] == 3 and seen.held()["certificates"] == 4
