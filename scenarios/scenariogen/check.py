"""The --check report: regenerate in a temporary directory, run every scenario, report coverage and staleness."""

from __future__ import annotations

import filecmp
import tempfile
import time
from pathlib import Path

from .families import scenarios
from .library import LIBRARY, generated_files, owned_dirs, write_library


def _same_tree(a: Path, b: Path) -> bool:
    """Whether b holds exactly the generated files of a, byte for byte (other files in b do not count)."""
    files_a = [p.relative_to(a) for p in generated_files(a)]
    files_b = [p.relative_to(b) for p in generated_files(b)]
    return files_a == files_b and all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def check(library: Path = LIBRARY) -> int:
    """Regenerate into a temporary directory, run every scenario, print the report; 1 when anything fails."""
    from certdoctor.diagnosis import shipped_engine
    from certdoctor.scenarios.coverage import expected_roles
    from certdoctor.scenarios.run import check as unmet
    from certdoctor.scenarios.run import evaluate

    engine = shipped_engine()
    kb = engine.kb
    specs = scenarios()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="certdoctor-check-") as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        paths = write_library(out, specs)
        took = time.perf_counter() - start
        fired: dict[str, list[str]] = {f"{c.id}/{r.id}": [] for c in kb.causes for r in c.rules}
        positive: dict[str, list[str]] = {c.id: [] for c in kb.causes}
        near: dict[str, list[str]] = {c.id: [] for c in kb.causes}
        ruled_out: dict[str, list[str]] = {c.id: [] for c in kb.causes}
        awaiting: dict[str, list[str]] = {c.id: [] for c in kb.causes}
        for spec, path in zip(specs, paths, strict=True):
            ev = evaluate(spec.name, path, engine)
            for c in ev.conclusions:
                fired[f"{c.cause}/{c.rule}"].append(spec.name)
            expect = ev.case.expect
            assert expect is not None
            roles = expected_roles(expect)
            for cause in roles.positive:
                positive[cause].append(spec.name)
            for cause in roles.near_miss:
                near[cause].append(spec.name)
            for cause in roles.ruled_out:
                ruled_out[cause].append(spec.name)
            for cause in roles.decide_with:
                awaiting[cause].append(spec.name)
            for problem in unmet(expect, ev.answer):
                ranking = ", ".join(f"{d.cause} {d.confidence:.2f}" for d in ev.answer.diagnoses[:4])
                problems.append(f"{spec.name}: {problem}  [ranking: {ranking or 'none'}]")
        stale = [name for name in owned_dirs(specs) if not _same_tree(out / name, library / name)]
    groups: dict[str, int] = {}
    for spec in specs:
        groups[spec.group] = groups.get(spec.group, 0) + 1
    print(f"{len(specs)} scenarios, generated in {took:.1f} s")
    for group in sorted(groups):
        print(f"  {group:40} {groups[group]}")
    decidable = {c.id for c in kb.causes if c.rule_out is not None}
    print(f"\n{'cause':40} positive  near-miss  ruled-out  awaits-files")
    for cause in sorted(positive):
        flag = "" if len(positive[cause]) >= 2 and near[cause] else "   <-- needs 2 positives and a near miss"
        if cause in decidable and not (ruled_out[cause] and awaiting[cause]):
            flag += "   <-- its files decide it: needs ruled_out and decide_with scenarios"
        counts = (len(ruled_out[cause]), len(awaiting[cause])) if cause in decidable else ("-", "-")
        shown = f"{counts[0]:>10} {counts[1]:>13}"
        print(f"  {cause:40} {len(positive[cause]):5} {len(near[cause]):10} {shown}{flag}")
        if flag:
            problems.append(
                f"{cause}: {len(positive[cause])} positive, {len(near[cause])} near-miss, "
                f"{len(ruled_out[cause])} ruled-out, {len(awaiting[cause])} awaiting-files scenarios"
            )
    never = [rule for rule, where in fired.items() if not where]
    print(f"\nrules fired: {len(fired) - len(never)} of {len(fired)}")
    for rule in never:
        print(f"  never fired: {rule}")
        problems.append(f"{rule}: no scenario fires it")
    if stale:
        print(f"\nout of date on disk ({library}): {', '.join(stale)}; run python scenarios/generate.py")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print(f"  {p}")
    return 1 if problems or stale else 0
