"""Write the whole library: stage every scenario and the pool, pin what the engine concludes, then swap it in.

The script owns the pool and the scenario group directories: it wipes and rewrites what it wrote there
(files that start with HEADER) and leaves everything else alone.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from .build import HEADER, POOL, Pool, build_case, dump, rewrite_refs
from .common import Scenario
from .families import scenarios

LIBRARY = Path(__file__).resolve().parents[1]  # scenarios/: where the library lives
FIXED_GROUPS = ("healthy", "mixed", "symptom-only")


def owned_dirs(specs: list[Scenario]) -> list[str]:
    """The directories the script writes: the pool and every scenario group."""
    return sorted({POOL, *FIXED_GROUPS, *(s.group for s in specs)})


def generated_files(directory: Path) -> list[Path]:
    """What the script owns in one of its directories: the whole pool; in a group, the files it wrote.

    A group file is the script's when it starts with HEADER, so a hand-written scenario placed in a
    group directory survives a run.
    """
    if not directory.is_dir():
        return []
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    if directory.name == POOL:
        return files
    return [p for p in files if p.suffix == ".yaml" and p.read_bytes().startswith(HEADER.encode())]


def _replace(staged: Path, target: Path) -> None:
    """Remove what the script owns in target, then copy the staged directory in."""
    for old in generated_files(target):
        old.unlink()
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    if staged.is_dir():
        shutil.copytree(staged, target, dirs_exist_ok=True)


def write_library(outdir: Path, specs: list[Scenario] | None = None) -> list[Path]:
    """Write every scenario and the certificate pool under outdir; return the scenario paths.

    Everything is built in a temporary directory first; only then are the owned files of outdir replaced,
    so a failed run leaves the library as it was. Files the script did not write are left alone.
    """
    specs = scenarios() if specs is None else specs
    seen = [s.name for s in specs]
    duplicates = sorted({n for n in seen if seen.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate scenario names: {', '.join(duplicates)}")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="certdoctor-scenarios-") as tmp:
        staging = Path(tmp) / "out"
        pool = Pool()
        cases = [build_case(spec, Path(tmp) / "work", pool) for spec in specs]
        pool.write(staging / POOL)
        refs = pool.names()
        for spec, case in zip(specs, cases, strict=True):
            target = staging / spec.group / f"{spec.slug}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(dump(rewrite_refs(case, refs)), encoding="utf-8")
        _pin_outcomes(staging, specs, cases, refs)
        for name in owned_dirs(specs):
            _replace(staging / name, outdir / name)
    return [outdir / s.group / f"{s.slug}.yaml" for s in specs]


def _pin_outcomes(staging: Path, specs: list[Scenario], cases: list[dict[str, Any]], refs: dict[str, str]) -> None:
    """Pin what the reviewed knowledge base concludes, beyond the hand-written expectations (approval testing).

    Each scenario must first meet its hand-written expect block; then it also expects the first three
    causes of its ranking in order, whether the top cause stands clear, every cause its files rule out,
    every general cause folded into a specific one, every hypothesis waiting for its deciding files, and
    (symptom only) every candidate cause. A deliberate knowledge change shows up as a diff of these files to review.
    """
    from certdoctor.diagnosis import shipped_engine
    from certdoctor.rank import stands_clear
    from certdoctor.scenarios.run import check, evaluate

    engine = shipped_engine()
    failures = []
    for spec, case in zip(specs, cases, strict=True):
        target = staging / spec.group / f"{spec.slug}.yaml"
        ev = evaluate(spec.name, target, engine)
        assert ev.case.expect is not None
        problems = check(ev.case.expect, ev.answer)
        if problems:
            failures.append(f"{spec.name}: {'; '.join(problems)}")
            continue
        ranked = [d.cause for d in ev.answer.diagnoses]
        expect = dict(case["expect"])
        if ranked:
            expect["ranking"] = ranked[:3]
        if expect.get("top") not in (None, "none"):
            expect["clear"] = stands_clear([d.confidence for d in ev.answer.diagnoses])
        # what the files decide: every cause they rule out, every general cause folded, every hypothesis
        # that names the files that would decide it (hand-written entries first, in their order)
        for key, found in (
            ("ruled_out", [r.cause for r in ev.answer.ruled_out]),
            ("folded", [g for d in ev.answer.diagnoses for g in d.folded]),
            ("decide_with", [d.cause for d in ev.answer.diagnoses if d.decide_with]),
        ):
            pinned = [*expect.get(key, []), *(c for c in found if c not in expect.get(key, []))]
            if pinned:
                expect[key] = pinned
        if not spec.certificates:
            top = expect.get("top")
            expect["includes"] = [
                *expect.get("includes", []),
                *(c for c in ranked if c != top and c not in expect.get("includes", [])),
            ]
        case["expect"] = expect
        target.write_text(dump(rewrite_refs(case, refs)), encoding="utf-8")
    if failures:
        raise SystemExit("scenarios that do not meet their own expectations:\n  " + "\n  ".join(failures))
