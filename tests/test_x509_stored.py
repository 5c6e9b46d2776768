"""Chain verdicts stay what they were: every judged chain recomputed and compared with the stored copy.

The stored copy (tests/data/x509-stored/, written by tests/x509_stored.py before the performance work of
issue 17) holds, per case, both verdicts, the finding codes and a digest of the whole answer (reasons,
path, differences, every finding's message). A difference names the case and shows the codes before and
after; run the case by hand to see the messages.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

try:  # pytest's default "prepend" import mode puts tests/ on sys.path
    import x509_stored as xs
except ImportError:
    from tests import x509_stored as xs  # type: ignore[no-redef]


def _stored(name: str) -> Any:
    path = xs.DATA / name
    assert path.is_file(), f"{path} is missing: the stored copy is part of the repository"
    return json.loads(path.read_text(encoding="utf-8"))


def _differences(stored: dict[str, Any], now: dict[str, Any], what: str) -> str:
    lines = [f"{len(now)} {what} differ from the stored copy:"]
    for key, result in list(now.items())[:30]:
        lines.append(f"  {key}\n    stored: {stored.get(key)}\n    now:    {result}")
    return "\n".join(lines)


def _inputs_by_content(stored: dict[str, str], root: Path) -> list[str]:
    """Lay out every stored input file under root at its recorded path, found by content in the library.

    The scenario pool names a file after what the scenarios that share it have in common, so adding
    scenarios may rename a file; its content, which the stored copy records, does not change.
    Returns the recorded files whose content no longer exists anywhere in the library.
    """
    library = {
        hashlib.sha256(f.read_bytes()).hexdigest()[:16]: f for f in (xs.ROOT / "scenarios").rglob("*") if f.is_file()
    }
    missing = []
    for name, content in stored.items():
        source = library.get(content)
        if source is None:
            missing.append(name)
            continue
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return missing


def test_scenario_library_verify_answers_are_unchanged(tmp_path: Path) -> None:
    stored = _stored("scenarios-verify.json")
    changed_inputs = _inputs_by_content(stored["files"], tmp_path)
    assert not changed_inputs, (
        "scenario files the stored copy was made from changed or vanished (record the copy again, from the "
        "verification code as it was, with `python tests/x509_stored.py --write`): " + ", ".join(changed_inputs)
    )
    differ: dict[str, Any] = {}
    before: dict[str, Any] = {}
    for case in stored["cases"]:
        combo = {k: v for k, v in case.items() if k != "result"}
        result = xs.run_combo(combo, tmp_path)
        if result != case["result"]:
            key = "certdoctor " + " ".join(xs.combo_args(combo, "json"))
            differ[key], before[key] = result, case["result"]
    assert not differ, _differences(before, differ, "`certdoctor verify` answers")
    assert len(stored["cases"]) >= 150


def test_limbo_core_answers_are_unchanged() -> None:
    path = xs.limbo_core_path()
    if path is None:
        pytest.skip(f"x509-limbo data not found: set {xs.LIMBO_ENV} to limbo-core.json")
    stored = _stored("limbo-core.json")
    cases = xs.limbo_cases(path, bettertls=False)
    assert sorted(c["id"] for c in cases) == sorted(stored), "the limbo-core testcases are not those recorded"
    now = {c["id"]: xs.run_limbo_case(c) for c in cases}
    differ = {k: v for k, v in now.items() if v != stored[k]}
    assert not differ, _differences(stored, differ, "limbo testcases")


def test_bettertls_answers_are_unchanged() -> None:
    path = xs.limbo_full_path()
    if path is None:
        pytest.skip(
            f"limbo-full.json.gz (the BetterTLS cases) not found: set {xs.LIMBO_FULL_ENV}, or put it beside "
            f"the file {xs.LIMBO_ENV} names"
        )
    stored = _stored("bettertls.json")
    cases = sorted(xs.limbo_cases(path, bettertls=True), key=lambda c: c["id"])
    assert len(cases) == stored["count"] and xs.digest([c["id"] for c in cases]) == stored["ids"], (
        "the BetterTLS testcases are not those recorded"
    )
    digests = stored["digests"]
    differ = {}
    for i, case in enumerate(cases):
        result = xs.run_limbo_case(case)
        if xs.digest(result, 8) != digests[8 * i : 8 * i + 8]:
            differ[case["id"]] = result
    assert not differ, _differences({}, differ, "BetterTLS testcases (stored: digest only)")
