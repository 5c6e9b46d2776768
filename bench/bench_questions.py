"""Question efficiency: how many questions until a scenario's expected cause ranks first (issue 5).

For every scenario in scenarios/ with an expected top cause, a simulated customer answers truthfully
from the scenario's own facts. The session starts with what an engineer has before asking anything:
the certificate files, the settings and any text the customer pasted (errors, log lines, alarms);
the structured symptoms (zone status, SSH tunnels, MRA sign-in, recent changes, version) and the
scenario's answers are what the questions must find out. A question whose true answer the scenario
does not determine is answered "don't know" (skip) and still counts.

Two questioners: certdoctor's own (most useful question first) and a fixed checklist that follows the
seed document's order -- the anchor, run on the same scenarios in the same run; the ratio of their question
counts is printed. Target: median 3 or fewer, and never more than the checklist for a scenario. Counts are
deterministic (no timing), so the machine's load does not change them. Writes nothing.

    python bench/bench_questions.py [--json] [--no-files] [SCENARIO_DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import header

from certdoctor.case import CertificateSource, read_case
from certdoctor.conversation import Conversation, Turn, diagnose_conversation
from certdoctor.facts import derive
from certdoctor.kb import FactValue, KnowledgeBase, Question, load_knowledge
from certdoctor.scenarios.run import discover
from certdoctor.shell.cli import starting_case

#: The seed document's order: upload errors, traversal zone down, SSH tunnels down, MRA sign-in,
#: Jabber certificate warning; then the context questions in the order the seed mentions them.
CHECKLIST = [
    "problem",
    "upload_page",
    "zone_status",
    "ssh_tunnels",
    "mra_login",
    "jabber_warning",
    "recent_changes",
    "traffic_server_version",
    "restarted_after_change",
    "ntp_synchronized",
    "crl_checking",
    "secure_traversal_test",
    "cluster",
]
#: What the customer tells only when asked: the structured symptoms (pasted text stays in the base).
ASKED_FIELDS = (
    "zone_status",
    "ssh_tunnels",
    "mra_login",
    "recent_changes",
    "version",
    "previous_version",
    "upload_page",
)
MAX_QUESTIONS = 15


def _truth(path: Path, kb: KnowledgeBase) -> dict[str, list[FactValue]]:
    case = read_case(path)
    return derive(case, CertificateSource(path.resolve().parent, str(path)), kb).values()


def _reply(question: Question, truth: dict[str, list[FactValue]]) -> str | None:
    """The choice the truthful customer gives: every fact it sets is true of the scenario; None: don't know."""
    best, matched = None, 0
    for choice in question.choices:
        true = choice.sets and all(v in truth.get(name, []) for name, v in choice.sets.items())
        if true and len(choice.sets) > matched:
            best, matched = choice.value, len(choice.sets)
    return best


FILE_SECTIONS = ("upload", "expressway_c", "expressway_e", "cucm", "jabber", "crls")


def _base(path: Path, files: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = dict(starting_case(path))
    if not files:  # the customer has sent nothing yet: only what they said and pasted
        for section in FILE_SECTIONS:
            data.pop(section, None)
    data.pop("answers", None)
    symptoms = data.get("symptoms", {})
    for name in ASKED_FIELDS:
        symptoms.pop(name, None)
    return data


Chooser = Callable[[Conversation, list[str]], str | None]


def engine_chooser(conversation: Conversation, asked: list[str]) -> str | None:
    """certdoctor's own next question (most useful first)."""
    answer = diagnose_conversation(conversation)
    open_questions = [q.id for q in answer.questions if q.id not in asked]
    return open_questions[0] if open_questions else None


def checklist_chooser(kb: KnowledgeBase) -> Chooser:
    """The next checklist question whose subject is still unknown."""
    from certdoctor.rank import _answered

    def choose(conversation: Conversation, asked: list[str]) -> str | None:
        case = conversation.case()
        known = derive(case, CertificateSource(None, "bench"), kb).instances()
        for qid in CHECKLIST:
            question = next(q for q in kb.questions if q.id == qid)
            if qid not in asked and not _answered(question, known):
                return qid
        return None

    return choose


def _leader(conversation: Conversation) -> str | None:
    """The cause ranked first now (None: no cause)."""
    answer = diagnose_conversation(conversation)
    return answer.diagnoses[0].cause if answer.diagnoses else None


def could_change_leader(conversation: Conversation, question: Question) -> bool:
    """Whether some answer to the question puts another cause first (or none): else asking it was futile."""
    now = _leader(conversation)
    return any(_leader(conversation.then(Turn(answers={question.id: c.value}))) != now for c in question.choices)


def questions_needed(
    path: Path, expected: str, choose: Chooser, kb: KnowledgeBase, files: bool = True
) -> tuple[int | None, int]:
    """Questions asked until `expected` ranks first (None when they run out first), and how many of those
    could not have changed the leader whatever the answer (futile questions)."""
    truth = _truth(path, kb)
    conversation = Conversation(base=_base(path, files))
    asked: list[str] = []
    futile = 0
    while len(asked) <= MAX_QUESTIONS:
        answer = diagnose_conversation(conversation)
        if answer.diagnoses and answer.diagnoses[0].cause == expected:
            return len(asked), futile
        qid = choose(conversation, asked)
        if qid is None:
            return None, futile
        asked.append(qid)
        question = next(q for q in kb.questions if q.id == qid)
        futile += not could_change_leader(conversation, question)
        reply = _reply(question, truth)
        conversation = conversation.then(Turn(answers={qid: reply}) if reply else Turn(skip=[qid]))
    return None, futile


def needing(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Over the scenarios both questioners reach and at least one needs a question for: medians, maxima, totals."""
    there = [
        r
        for r in rows
        if r["certdoctor"] is not None and r["checklist"] is not None and r["certdoctor"] + r["checklist"] > 0
    ]
    out: dict[str, Any] = {"both_need": len(there)}
    for who in ("certdoctor", "checklist"):
        counts = [r[who] for r in there]
        out[f"there_{who}_median"] = statistics.median(counts) if counts else None
        out[f"there_{who}_max"] = max(counts) if counts else None
        out[f"there_{who}_total"] = sum(counts)
    total = out["there_checklist_total"]
    out["there_ratio"] = f"{out['there_certdoctor_total'] / total:.2f}x" if total else "n/a"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("library", nargs="?", default=str(Path(__file__).resolve().parents[1] / "scenarios"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--no-files",
        action="store_true",
        help="start without the certificate files and settings: only pasted text (harder)",
    )
    args = parser.parse_args()
    header(
        "bench_questions: questions until the expected cause ranks first, certdoctor vs the seed checklist"
        + (" (--no-files)" if args.no_files else ""),
        sys.stderr if args.json else sys.stdout,
    )
    started = time.perf_counter()
    kb = load_knowledge()
    rows: list[dict[str, Any]] = []
    for name, path in discover([args.library]):
        expect = read_case(path).expect
        if not expect or not expect.top or expect.top == "none":
            continue
        mine, futile = questions_needed(path, expect.top, engine_chooser, kb, not args.no_files)
        checklist, _ = questions_needed(path, expect.top, checklist_chooser(kb), kb, not args.no_files)
        rows.append({"scenario": name, "top": expect.top, "certdoctor": mine, "futile": futile, "checklist": checklist})
    reached = [r["certdoctor"] for r in rows if r["certdoctor"] is not None]
    listed = [r["checklist"] for r in rows if r["checklist"] is not None]
    worse = [
        r
        for r in rows
        if r["certdoctor"] is not None and r["checklist"] is not None and r["certdoctor"] > r["checklist"]
    ]
    lost = [r for r in rows if r["certdoctor"] is None and r["checklist"] is not None]
    summary: dict[str, Any] = {
        "scenarios": len(rows),
        "needing_questions": sum(1 for r in rows if (r["certdoctor"] or 0) + (r["checklist"] or 0) > 0),
        "certdoctor_median": statistics.median(reached) if reached else None,
        "certdoctor_max": max(reached) if reached else None,
        "certdoctor_unreached": len(rows) - len(reached),
        "checklist_median": statistics.median(listed) if listed else None,
        "checklist_max": max(listed) if listed else None,
        "checklist_unreached": len(rows) - len(listed),
        "more_than_checklist": [r["scenario"] for r in worse + lost],
        "questions_asked": sum(r["certdoctor"] or 0 for r in rows),
        "futile_questions": sum(r["futile"] for r in rows),
        **needing(rows),
        "seconds": round(time.perf_counter() - started, 1),
    }
    ok = (
        bool(reached)
        and summary["certdoctor_median"] <= 3
        and not worse
        and not lost
        and summary["futile_questions"] == 0
    )
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows, "meets_targets": ok}, indent=2))
    else:
        for r in rows:
            print(
                f"{r['scenario']:<60} certdoctor {r['certdoctor']!s:>4} (futile {r['futile']})  "
                f"checklist {r['checklist']!s:>4}"
            )
        print(f"{summary['scenarios']} scenarios with an expected top cause")
        print(
            f"certdoctor: median {summary['certdoctor_median']}, max {summary['certdoctor_max']}, "
            f"not reached {summary['certdoctor_unreached']}"
        )
        print(
            f"checklist (seed order): median {summary['checklist_median']}, max {summary['checklist_max']}, "
            f"not reached {summary['checklist_unreached']}"
        )
        print(f"scenarios where certdoctor needs more than the checklist: {summary['more_than_checklist'] or 'none'}")
        print(
            f"scenarios that need a question and both reach: {summary['both_need']}; there certdoctor median "
            f"{summary['there_certdoctor_median']} / max {summary['there_certdoctor_max']} "
            f"({summary['there_certdoctor_total']} in all), checklist median {summary['there_checklist_median']} / "
            f"max {summary['there_checklist_max']} ({summary['there_checklist_total']} in all); "
            f"ratio certdoctor/checklist {summary['there_ratio']}"
        )
        print(
            f"questions certdoctor asked: {summary['questions_asked']}, of which could not change the leader "
            f"whatever the answer: {summary['futile_questions']}"
        )
        print(f"({summary['seconds']} s)")
        print(
            "meets the targets (median <= 3, never more than the checklist, no futile question)"
            if ok
            else "DOES NOT meet the targets"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
