"""The stored copy of certdoctor's answers to the whole scenario library (issue 17's safety net for the diagnosis).

For every scenario, in English and in Dutch: the ranking (cause, confidence, entities, folded causes,
hypotheses' deciding files), the causes ruled out, the questions, the plan's causes per step, and a digest
of the whole JSON answer and of the concise text answer. A speed change to facts, rules or ranking must
leave every one of them as it was; a deliberate knowledge change records the copy again.

Record (only with the code the stored copy must describe, i.e. before a speed change):

    python tests/answers_stored.py --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "answers-stored"
SCENARIOS = ROOT / "scenarios"


def digest(value: object, size: int = 16) -> str:
    """A short, stable digest of a JSON-able value."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:size]


def scenario_paths() -> list[Path]:
    """Every scenario file of the library, sorted."""
    from certdoctor.scenarios.run import discover

    return sorted(path for _, path in discover([str(SCENARIOS)]))


def summary(path: Path) -> dict[str, Any]:
    """What the answers to one scenario say, in both languages, reduced to what a reader would compare."""
    from certdoctor.answer import render_text
    from certdoctor.diagnosis import diagnose_file

    out: dict[str, Any] = {}
    for lang in ("en", "nl"):
        answer = diagnose_file(path, lang=lang)
        whole = json.loads(answer.model_dump_json())
        out[lang] = {
            "ranking": [[d.cause, d.confidence, d.entities, d.folded, bool(d.decide_with)] for d in answer.diagnoses],
            "ruled_out": [r.cause for r in answer.ruled_out],
            "questions": [q.id for q in answer.questions],
            "plan": [list(step.causes) for step in answer.plan],
            "json": digest(whole),
            "text": digest(render_text(answer)),
        }
    return out


def record() -> dict[str, Any]:
    """The stored copy: one summary per scenario, keyed by its path under scenarios/."""
    return {str(path.relative_to(SCENARIOS)): summary(path) for path in scenario_paths()}


def main(argv: list[str]) -> int:
    """--write: record the stored copy into tests/data/answers-stored/scenarios.json."""
    if argv != ["--write"]:
        print(__doc__)
        return 2
    DATA.mkdir(parents=True, exist_ok=True)
    target = DATA / "scenarios.json"
    target.write_text(json.dumps(record(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
