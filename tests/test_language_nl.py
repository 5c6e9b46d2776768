"""A Dutch answer carries no English label: text, Markdown, verbose, HTTP/MCP, the shell and its report, plan.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from certdoctor.answer import render_markdown, render_text
from certdoctor.case import read_case
from certdoctor.chat.api import DiagnoseRequest, converse, diagnose_inline, load_case_inline
from certdoctor.chat.token import StateSealer
from certdoctor.conversation import Conversation
from certdoctor.diagnosis import diagnose_case
from certdoctor.shell.session import ShellSession

ROOT = Path(__file__).resolve().parent.parent
#: English labels certdoctor itself adds around the knowledge base's texts (which are Dutch already).
ENGLISH = [
    r"\bwhy:",
    r"\bagainst:",
    r"\bconfidence\b",
    r"\balso explains\b",
    r"\bstep \d",
    r"\bthen check\b",
    r"\bwould be decided by\b",
    r"\bRuled out\b",
    r"\bHypotheses\b",
    r"\bPlan \(likely",
    r"\bQuestions that\b",
    r"\bnot recognised\b",
    r"\bEvidence\b",
    r"\bSteps\b",
    r"\bCertificate findings\b",
    r"\bReferences\b",
    r"\breferences:",
    r"\bOpen questions\b",
    r"\bSymptoms\b",
    r"\bsection '",
    r"\((yes|no|ok|failed|up|down|passed)( / |, )",
    r"\brules:",
    r"\bwarning:",
    r"\band \d+ more\b",
    r"\d+ more \(",
    r"\bNo documented cause\b",
    r"\(new\)",
    r"\bleading:",
    r"\buseful question",
    r"\bNothing left\b",
    r"\bThe leading cause\b",
    r"\bunderstood:",
    r"\bUndone\b",
    r"\bWhat if\b",
    r"\bsaved\b",
    r"\bwrote\b",
    r"\bTAC session\b",
    r"\bnone given\b",
    r"\b(zone_status|mra_login|ssh_tunnels|recent_changes|log_lines|jabber_warning)\b",
    r"^\s*\d\) (yes|no|ok|failed|up|down|passed):",
    r"## (Files to upload|Diagnosis|Notes|Certificates to obtain)",
    r"\| File \| Target",
    r"\b(causes|targets): `",
    r"\bcertificate\(s\)",
    r"\bvalid until\b",
]
SCENARIOS = [
    "ssh.intermediate-not-trusted/renewal-c-trusts-root-only.yaml",
    "zone.peer-address-mismatch",
    "cert.expired",
    "upload.invalid-format",
    "jabber.edge-domain-not-in-san",
    "mra.cucm-does-not-trust-expressway-c",
]


def english_labels(text: str) -> list[str]:
    """Every line of text that carries an English label."""
    return [line for line in text.splitlines() for pattern in ENGLISH if re.search(pattern, line)]


def _scenario(name: str) -> Path:
    path = ROOT / "scenarios" / name
    return path if path.is_file() else sorted(path.glob("*.yaml"))[0]


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_english_label_in_a_dutch_answer(name: str) -> None:
    path = _scenario(name)
    answer = diagnose_case(read_case(path), base_dir=path.parent, lang="nl")
    assert answer.diagnoses
    for text in (
        render_text(answer),
        render_text(answer, verbose=True),
        render_markdown(answer),
        render_markdown(answer, verbose=True),
    ):
        assert english_labels(text) == []


@pytest.mark.parametrize("name", SCENARIOS[:3])
def test_no_english_label_in_http_and_mcp_answers(name: str) -> None:
    """HTTP's /v1/diagnose and MCP's diagnose tool return this answer; converse returns the next question too."""
    case = load_case_inline(_scenario(name))
    answer = diagnose_inline(DiagnoseRequest(case=case, lang="nl"))
    assert answer.markdown and english_labels(answer.markdown) == []
    sealer = StateSealer(b"n" * 40)
    reply = converse(None, {"text": "de zone staat op failed sinds de vernieuwing", "lang": "nl"}, sealer=sealer)
    assert reply.answer.markdown and english_labels(reply.answer.markdown) == []
    assert reply.question is not None and english_labels(reply.question.title) == []


def test_no_english_label_in_the_dutch_shell(tmp_path: Path) -> None:
    base = ROOT / "examples" / "cases" / "zone-down-after-renewal"
    s = ShellSession(Conversation(lang="nl"), base_dir=base)
    lines = [
        "de zone staat op failed sinds we gisteren het certificaat van de Expressway-E hebben vernieuwd",
        "load expressway_e-node1 certs/expe1.pem",
        "ranking",
        "why 1",
        "steps 1",
        "what-if set peer-address edge1.example.com",
        "set peer-address edge1.example.com, edge2.example.com",
        "ask",
        "undo",
        "raking",
        f"report {tmp_path / 'notities.md'}",
        f"save {tmp_path / 'casus.yaml'}",
    ]
    printed = s.intro().text() + "".join(s.handle(line).text() for line in lines) + s.toolbar()
    assert english_labels(printed) == []
    report = (tmp_path / "notities.md").read_text(encoding="utf-8")
    assert "## Symptomen" in report and "zonestatus" not in report  # the description, in the customer's words
    assert "in de woorden van de klant" in report
    assert english_labels(report) == []


def test_no_english_label_in_a_dutch_plan(tmp_path: Path) -> None:
    from certdoctor.fix import build_fix

    path = _scenario(SCENARIOS[0])
    files = build_fix(read_case(path), base_dir=path.parent, source="case", lang="nl")
    plan = next(text for name, text in files.items() if name.endswith(".md"))
    assert english_labels(plan.decode() if isinstance(plan, bytes) else plan) == []
