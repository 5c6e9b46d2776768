"""`certdoctor shell`: the session's commands, the prompt-toolkit loop on pipe input, and a pipe script."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.plain_text import PlainTextOutput

from certdoctor.case import read_case
from certdoctor.conversation import Conversation
from certdoctor.diagnosis import diagnose_case
from certdoctor.lab import write_deployment
from certdoctor.shell.app import history_path, interactive
from certdoctor.shell.session import ShellSession


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated deployment whose Expressway-C trusts only the root (SSH tunnels down after a renewal)."""
    return write_deployment(tmp_path_factory.mktemp("dep"), ["c-trust-root-only"]).parent


def said(text: str) -> str:
    """Output with the line wrapping undone (the session wraps to the terminal width)."""
    return " ".join(text.split())


def ranking(session: ShellSession) -> list[tuple[str, float]]:
    """The session's current ranking."""
    return [(d.cause, d.confidence) for d in session.answer.diagnoses]


def test_opens_with_what_it_does_and_the_first_question() -> None:
    text = ShellSession().intro().text()
    assert "certificate troubleshooting" in text
    assert "What does the customer see?" in text and "3) ssh-down" in text


def test_answers_by_number_value_or_label_and_the_ranking_updates() -> None:
    s = ShellSession()
    out = s.handle("3").text()
    assert ranking(s)[0][0] == "ssh.intermediate-not-trusted"
    assert "1.  55%  ssh.intermediate-not-trusted (new)" in out
    s2 = ShellSession()
    s2.handle("ssh-down")
    s3 = ShellSession()
    s3.handle("SSH tunnels are down")  # a unique word run of the label
    assert ranking(s2) == ranking(s3) == ranking(s)


def test_pasted_text_is_recognised_as_a_symptom_or_kept() -> None:
    s = ShellSession()
    s.handle("3")
    before = dict(ranking(s))
    out = s.handle('2026-11-30T10:00:01Z alarm 35013 raised: "Unified Communications SSH tunnel failure"').text()
    assert dict(ranking(s))["ssh.intermediate-not-trusted"] > before["ssh.intermediate-not-trusted"]
    assert "not recognised" not in out
    assert "not recognised as a known symptom" in s.handle("the customer says it worked yesterday").text()


def test_load_why_steps_undo_and_what_if(deployment: Path) -> None:
    s = ShellSession(base_dir=deployment)
    s.handle("3")
    after_answer = s.answer.model_dump_json()
    out = said(s.handle("load expressway_c-trust certs/expc-trust.pem").text())
    assert "expc-trust.pem -> expressway_c.trusted_cas: 1 certificate(s); first 'Lab Root CA'" in out
    s.handle("load expressway_e certs/expe1.pem")
    assert ranking(s)[0] == ("ssh.intermediate-not-trusted", pytest.approx(0.97, abs=0.01))
    why = said(s.handle("why 1").text())
    assert "intermediate 'Lab Issuing CA'" in why and "rules: ssh.intermediate-not-trusted/" in why
    assert "Maintenance > Security > Trusted CA certificate" in said(s.handle("steps 1").text())
    s.handle("undo")
    s.handle("undo")
    assert s.answer.model_dump_json() == after_answer  # exactly as it was
    what_if = s.handle("what-if load expressway_e certs/expe1.pem").text()
    assert "What if" in what_if
    assert s.answer.model_dump_json() == after_answer  # a what-if changes nothing
    assert "Nothing to undo" in ShellSession().handle("undo").text()


def test_save_gives_a_case_that_diagnoses_the_same(deployment: Path, tmp_path: Path) -> None:
    s = ShellSession(base_dir=deployment)
    lines = ["3", "alarm 35013", "load expressway_c-trust certs/expc-trust.pem", "load expressway_e certs/expe1.pem"]
    for line in [*lines, "set peer-address expe1.example.com, expe2.example.com"]:
        s.handle(line)
    assert s.unsaved
    target = tmp_path / "notes" / "session.yaml"
    target.parent.mkdir()
    assert "saved" in s.handle(f"save {target}").text()
    assert not s.unsaved
    saved = read_case(target)
    assert saved.expressway_c and saved.expressway_c.trusted_cas
    assert saved.expressway_c.trusted_cas[0].startswith("../")  # relative to where the case was saved
    again = diagnose_case(saved, base_dir=target.parent)
    assert [(d.cause, d.confidence) for d in again.diagnoses] == ranking(s)
    assert saved.expressway_c and saved.expressway_c.traversal_zone
    assert saved.expressway_c.traversal_zone.peer_addresses == ["expe1.example.com", "expe2.example.com"]
    # a file the session did not write is never overwritten
    other = tmp_path / "other.yaml"
    other.write_text("title: keep me\n", encoding="utf-8")
    assert "already exists; not overwritten" in said(s.handle(f"save {other}").text())
    assert other.read_text(encoding="utf-8") == "title: keep me\n"


def test_report_is_markdown_for_case_notes(deployment: Path, tmp_path: Path) -> None:
    s = ShellSession(base_dir=deployment)
    for line in ("3", "load expressway_c-trust certs/expc-trust.pem", "load expressway_e certs/expe1.pem"):
        s.handle(line)
    s.handle(f"report {tmp_path / 'notes.md'}")
    text = (tmp_path / "notes.md").read_text(encoding="utf-8")
    assert text.startswith("# certdoctor: TAC session")
    assert "## Symptoms" in text and "- answered problem: ssh-down" in text
    assert "## 1. Traversal zone up but SSH tunnels down" in text and "**Steps**" in text


def test_bad_input_is_one_line_and_changes_nothing(deployment: Path) -> None:
    s = ShellSession(base_dir=deployment)
    s.handle("3")
    before = s.answer.model_dump_json()
    assert s.handle("load expressway_x certs/expe1.pem").text().startswith("error: expressway_x: unknown role")
    assert "no such file" in s.handle("load expressway_e certs/nope.pem").text()
    assert "give a cause number from 1 to" in s.handle("why 99").text()
    assert s.handle("answer ntp_synchronized perhaps").text() == (
        "error: ntp_synchronized: 'perhaps' is not one of its choices (yes, no)\n"
    )
    refused = s.handle("-----BEGIN PRIVATE KEY----- MIIEv...").text()
    assert "Private keys are not taken as text" in refused and "MIIEv" not in refused
    assert s.answer.model_dump_json() == before


def test_dutch_questions_and_remediation() -> None:
    s = ShellSession(Conversation(lang="nl"))
    assert "Wat ziet de klant?" in s.intro().text()
    s.handle("3")
    assert "Ga naar" in s.handle("steps 1").text() or "ga naar" in s.handle("steps 1").text()


def test_prompt_toolkit_loop_on_pipe_input(tmp_path: Path) -> None:
    """Typed keys through prompt-toolkit: an answer, Ctrl-C drops a half line, Ctrl-D asks before leaving."""
    stream = io.StringIO()
    with create_pipe_input() as keys:
        keys.send_text("3\r")
        keys.send_text("why 1 half typed\x03")  # Ctrl-C: the line is dropped, the session goes on
        keys.send_text("why 1\r")
        keys.send_text("\x04")  # Ctrl-D with unsaved work: asks first
        keys.send_text("y\r")
        session = ShellSession()
        code = interactive(session, input=keys, output=PlainTextOutput(stream), history=InMemoryHistory(),
                           color=False)
    text = stream.getvalue()
    assert code == 0
    assert "ssh.intermediate-not-trusted" in text
    assert "why: the SSH tunnels are down" in text
    assert "half typed" not in "".join(session.conversation.model_dump_json())
    assert [t.answers for t in session.conversation.turns] == [{"problem": "ssh-down"}]


def test_history_lives_in_the_state_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert history_path() == tmp_path / "certdoctor" / "shell-history"


def test_piped_script_runs_line_by_line_in_plain_text(deployment: Path, tmp_path: Path) -> None:
    script = "3\nload expressway_c-trust certs/expc-trust.pem\nload expressway_e certs/expe1.pem\nranking\n" \
             f"save {tmp_path / 'piped.yaml'}\nquit\n"
    done = subprocess.run(
        [sys.executable, "-m", "certdoctor.cli", "shell"], input=script, capture_output=True, text=True,
        cwd=deployment, env={"NO_COLOR": "", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout  # plain text
    assert "> load expressway_e certs/expe1.pem\n" in done.stdout
    assert "1.  97%  ssh.intermediate-not-trusted" in done.stdout
    assert done.stderr == ""  # saved: no unsaved-work note
    answer = subprocess.run([sys.executable, "-m", "certdoctor.cli", "diagnose", str(tmp_path / "piped.yaml"),
                             "--format", "json"], capture_output=True, text=True, timeout=60)
    assert json.loads(answer.stdout)["diagnoses"][0]["cause"] == "ssh.intermediate-not-trusted"


def test_a_skipped_question_is_not_asked_again() -> None:
    s = ShellSession()
    s.handle("2")  # zone down
    first = s.question
    assert first is not None
    s.handle("skip")
    assert s.question is not None and s.question.id != first.id
    assert first.id not in [q.id for q in s.answer.questions]


def test_colours_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from certdoctor.shell.app import use_color

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Terminal()) and not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Terminal())


def test_choices_are_offered_as_completions() -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from certdoctor.shell.app import ShellCompleter

    s = ShellSession()
    words = [c.text for c in ShellCompleter(s).get_completions(Document(""), CompleteEvent())]
    assert words[:6] == ["upload-error", "zone-down", "ssh-down", "mra-login-failed", "jabber-warning", "other"]
    roles = [c.text for c in ShellCompleter(s).get_completions(Document("load expressway_c-t"), CompleteEvent())]
    assert roles == ["expressway_c-trust"]


def test_a_multi_line_paste_is_one_symptom_text() -> None:
    s = ShellSession()
    s.handle("2")  # zone down
    pasted = (
        "2026-11-30T10:00:01Z expc1 tvcs: Event=\"Outbound TLS Negotiation Error\" Service=\"SIP\"\n"
        "  Detail=\"Peer's TLS certificate identity was unacceptable\" Protocol=\"TLS\"\n"
    )
    s.handle(pasted)
    assert s.conversation.case().symptoms.log_lines == [pasted.strip()]
    assert "cert.name-mismatch" in [d.cause for d in s.answer.diagnoses]


def test_a_starting_case_gets_absolute_paths_and_keeps_inline_content(deployment: Path, tmp_path: Path) -> None:
    from certdoctor.case import DATA_URI
    from certdoctor.shell.cli import starting_case

    inline = DATA_URI + "MIIBAA=="
    case = tmp_path / "start.yaml"
    pem = (deployment / "certs" / "expe1.pem").read_text(encoding="utf-8")
    case.write_text(json.dumps({"expressway_e": {"certificate": str(deployment / "certs" / "expe1.pem"),
                                                 "trusted_cas": ["dep/trust.pem", pem]},
                                "upload": {"file": inline}}), encoding="utf-8")
    base = starting_case(case)
    assert base["upload"] == {"file": inline}
    assert base["expressway_e"]["trusted_cas"] == [str(tmp_path / "dep" / "trust.pem"), pem]  # type: ignore[index]
