"""Answers stay what they were: every scenario of the library diagnosed again and compared with the stored copy.

The copy (tests/data/answers-stored/, written by tests/answers_stored.py before the diagnosis speed work of
issue 17) holds, per scenario and language, the ranking with confidences, the rule-outs, the questions, the
plan and digests of the whole answer. A difference names the scenario and shows the ranking before and after.
"""

from __future__ import annotations

import json
from typing import Any

try:  # pytest's default "prepend" import mode puts tests/ on sys.path
    import answers_stored as stored_answers
except ImportError:
    from tests import answers_stored as stored_answers  # type: ignore[no-redef]


def _stored() -> dict[str, Any]:
    path = stored_answers.DATA / "scenarios.json"
    assert path.is_file(), f"{path} is missing: the stored copy is part of the repository"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_every_scenario_answer_is_the_stored_one() -> None:
    stored = _stored()
    now = {str(p.relative_to(stored_answers.SCENARIOS)): p for p in stored_answers.scenario_paths()}
    assert sorted(now) == sorted(stored), (
        "the scenario library is not the one the stored copy was made from: record it again with "
        "`python tests/answers_stored.py --write` (with the code as it was before a speed change)"
    )
    differ = []
    for name, path in now.items():
        result = stored_answers.summary(path)
        if result != stored[name]:
            differ.append(f"{name}\n    stored: {stored[name]['en']['ranking']}\n    now:    {result['en']['ranking']}")
    assert not differ, f"{len(differ)} scenario answers differ from the stored copy:\n  " + "\n  ".join(differ[:20])
