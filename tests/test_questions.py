"""The questioner asks only what matters: what can change the lead, "what changed?" early, nothing once clear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from certdoctor.answer import Answer
from certdoctor.case import case_from_data, read_case
from certdoctor.diagnosis import diagnose_case
from certdoctor.lab import write_deployment
from certdoctor.rank import stands_clear
from certdoctor.scenarios.run import discover

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios"


def _leader(answer: Answer) -> str | None:
    return answer.diagnoses[0].cause if answer.diagnoses else None


def _diagnose(data: dict[str, Any], base: Path | None) -> Answer:
    return diagnose_case(case_from_data(data, "test"), base_dir=base)


def _without(data: dict[str, Any], *fields: str) -> dict[str, Any]:
    """The case as a customer first tells it: the structured symptoms removed, pasted text kept."""
    out = {k: v for k, v in data.items() if k not in ("expect", "answers")}
    out["symptoms"] = {k: v for k, v in data.get("symptoms", {}).items() if k not in fields}
    return out


ASKED = ("zone_status", "ssh_tunnels", "mra_login", "recent_changes", "version", "previous_version", "upload_page")


def _sample() -> list[Path]:
    """Every fifth scenario of the library: each family is represented, and the test stays quick."""
    return [path for _, path in discover([str(LIBRARY)])][::5]


@pytest.mark.parametrize("path", _sample(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_question_asked_can_change_the_leader(path: Path) -> None:
    data = _without(read_case(path).model_dump(mode="json", exclude_none=True, by_alias=True), *ASKED)
    answer = _diagnose(data, path.parent)
    now = _leader(answer)
    for question in answer.questions[:3]:
        leaders = {
            _leader(_diagnose({**data, "answers": {question.id: choice.value}}, path.parent))
            for choice in question.choices
        }
        assert leaders != {now}, f"{question.id}: no answer changes the leader {now}"


def test_no_question_once_the_leader_stands_clear(tmp_path: Path) -> None:
    case = write_deployment(tmp_path / "d", ["peer-address"], symptoms={"zone_status": "Failed"})
    answer = diagnose_case(read_case(case), base_dir=case.parent)
    assert stands_clear([d.confidence for d in answer.diagnoses])
    assert answer.questions == []


def test_what_changed_is_asked_first_when_no_change_is_known() -> None:
    answer = _diagnose({"symptoms": {"zone_status": "Failed"}}, None)
    assert answer.questions and answer.questions[0].id == "recent_changes"
    told = _diagnose({"symptoms": {"zone_status": "Failed", "recent_changes": ["ca-change"]}}, None)
    assert "recent_changes" not in [q.id for q in told.questions]


def test_no_ssh_tunnel_question_once_the_zone_is_failed() -> None:
    answer = _diagnose({"symptoms": {"zone_status": "Failed", "recent_changes": ["certificate-renewal"]}}, None)
    assert "ssh_tunnels" not in [q.id for q in answer.questions]
