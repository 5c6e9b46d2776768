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
    assert "## Symptoms" in text
    assert "- What does the customer see? The traversal zone is up but the SSH tunnels are down" in text
    assert "answered problem" not in text and "seed:" not in text
    reference = "References: Cisco Doc ID 221624 (Troubleshoot Expressway Certificates), section 'Traversal zone up"
    assert reference in said(text)
    assert "## 1. Traversal zone up but SSH tunnels down" in text and "## Plan" in text


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
        code = interactive(session, input=keys, output=PlainTextOutput(stream), history=InMemoryHistory(), color=False)
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
    script = (
        "3\nload expressway_c-trust certs/expc-trust.pem\nload expressway_e certs/expe1.pem\nranking\n"
        f"save {tmp_path / 'piped.yaml'}\nquit\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "certdoctor.cli", "shell"],
        input=script,
        capture_output=True,
        text=True,
        cwd=deployment,
        env={"NO_COLOR": "", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout  # plain text
    assert "> load expressway_e certs/expe1.pem\n" in done.stdout
    assert "1.  97%  ssh.intermediate-not-trusted" in done.stdout
    assert done.stderr == ""  # saved: no unsaved-work note
    answer = subprocess.run(
        [sys.executable, "-m", "certdoctor.cli", "diagnose", str(tmp_path / "piped.yaml"), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
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
        '2026-11-30T10:00:01Z expc1 tvcs: Event="Outbound TLS Negotiation Error" Service="SIP"\n'
        '  Detail="Peer\'s TLS certificate identity was unacceptable" Protocol="TLS"\n'
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
    case.write_text(
        json.dumps(
            {
                "expressway_e": {
                    "certificate": str(deployment / "certs" / "expe1.pem"),
                    "trusted_cas": ["dep/trust.pem", pem],
                },
                "upload": {"file": inline},
            }
        ),
        encoding="utf-8",
    )
    base = starting_case(case)
    assert base["upload"] == {"file": inline}
    assert base["expressway_e"]["trusted_cas"] == [str(tmp_path / "dep" / "trust.pem"), pem]  # type: ignore[index]


@pytest.fixture(scope="module")
def pfx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Expressway-E's certificate, its chain and key in a PKCS#12 protected by a password."""
    from certdoctor.testpki import KeySpec, TestPKI, pkcs12

    pki = TestPKI(seed="shell-pfx")
    root = pki.root("Pfx Root CA", key=KeySpec("ec", 256))
    leaf = pki.leaf("expe.example.com", root, sans=["expe.example.com"], key=KeySpec("ec", 256))
    path = tmp_path_factory.mktemp("pfx") / "expe.pfx"
    path.write_bytes(pkcs12(leaf, [root.certificate], password=PASSWORD.encode()))
    return path


PASSWORD = "pfx-Pa55word"


def test_load_opens_a_pkcs12_with_its_password_and_keeps_the_password_nowhere(pfx: Path, tmp_path: Path) -> None:
    s = ShellSession(base_dir=pfx.parent)
    asked = said(s.handle("load expressway_e expe.pfx").text())
    assert "password-protected PKCS#12" in asked and "--password" in asked and said(asked).count("\n") <= 1
    assert "--password" in said(s.handle("help load").text())
    assert "does not open it" in said(s.handle("load expressway_e expe.pfx --password wrong").text())
    out = said(s.handle(f"load expressway_e expe.pfx --password {PASSWORD}").text())
    assert "expe.pfx -> expressway_e.certificate: 2 certificate(s); first 'expe.example.com'" in out
    assert "the key and the password are not" in out
    assert s.conversation.case().expressway_e is not None  # the certificates are in the case
    s.handle(f"save {tmp_path / 'pfx.yaml'}")
    s.handle(f"report {tmp_path / 'pfx.md'}")
    kept = [s.conversation.model_dump_json(), (tmp_path / "pfx.yaml").read_text(), (tmp_path / "pfx.md").read_text()]
    assert all(PASSWORD not in text and "PRIVATE KEY" not in text for text in kept)
    assert "BEGIN CERTIFICATE" in kept[1]  # saved as PEM: the case diagnoses without the password
    assert "the session keeps no password" in said(s.handle(f"load upload-key expe.pfx --password {PASSWORD}").text())
    before = s.conversation
    refused = s.handle(f"lod expressway_e expe.pfx --password {PASSWORD}").text()
    assert "not kept" in refused and PASSWORD not in refused and s.conversation == before


def test_a_locked_pfx_as_the_upload_file_is_judged_without_its_password(pfx: Path) -> None:
    s = ShellSession(base_dir=pfx.parent)
    out = said(s.handle("load upload expe.pfx").text())
    assert "expe.pfx -> upload.file: a password-protected PKCS#12; judged as a .pfx without the password" in out
    assert "error" not in out.casefold() and not s.handle("load upload expe.pfx").quit
    assert s.conversation.case().upload is not None
    assert ranking(s)[0][0] == "upload.invalid-format"
    assert s.answer is not None and "openssl pkcs12" in " ".join(s.answer.diagnoses[0].steps)


def test_a_pfx_upload_opened_with_its_password_shows_what_it_holds(pfx: Path, tmp_path: Path) -> None:
    s = ShellSession(base_dir=pfx.parent)
    wrong = s.handle("load upload expe.pfx --password wrong")
    assert "does not open it" in said(wrong.text()) and not wrong.quit and s.conversation.turns == []
    out = said(s.handle(f"load upload expe.pfx --password {PASSWORD}").text())
    assert "expe.pfx -> upload.file: opened with the password: 2 certificate(s) ('expe.example.com'" in out
    assert "'Pfx Root CA'" in out and "a private key inside (not shown, not kept)" in out
    assert ranking(s)[0][0] == "upload.invalid-format"  # a .pfx still, whatever it holds
    s.handle(f"save {tmp_path / 'upload.yaml'}")
    kept = [s.conversation.model_dump_json(), (tmp_path / "upload.yaml").read_text(), out]
    assert all(PASSWORD not in text and "PRIVATE KEY" not in text for text in kept)
    import base64

    from certdoctor.x509.load import parse_bytes

    ref = read_case(tmp_path / "upload.yaml").upload
    assert ref is not None
    inline = parse_bytes(base64.b64decode(str(ref.file).split(",", 1)[1]), "saved")
    assert len(inline.certificates) == 2 and not inline.private_keys  # the key stayed out of the saved case


def test_a_password_is_never_echoed_nor_kept_in_the_history(pfx: Path, tmp_path: Path) -> None:
    script = (
        f"load expressway_e expe.pfx --password {PASSWORD}\nwhat-if load expressway_e-trust expe.pfx "
        f"--password='{PASSWORD}'\nquit\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "certdoctor.cli", "shell"],
        input=script,
        capture_output=True,
        text=True,
        cwd=pfx.parent,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "> load expressway_e expe.pfx --password ***\n" in done.stdout and "--password ***" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    from prompt_toolkit.history import FileHistory

    stored = FileHistory(str(tmp_path / "history"))
    with create_pipe_input() as keys:
        keys.send_text(f"load expressway_e {pfx} --password {PASSWORD}\r")
        keys.send_text("\x04y\r")
        interactive(ShellSession(), input=keys, output=PlainTextOutput(io.StringIO()), history=stored, color=False)
    history = (tmp_path / "history").read_text(encoding="utf-8")
    assert f"load expressway_e {pfx} --password ***" in history and PASSWORD not in history


def test_undo_says_what_it_took_back(deployment: Path) -> None:
    s = ShellSession(base_dir=deployment)
    s.handle("3")
    s.handle("answer crl_checking no")
    s.handle("load expressway_e certs/expe1.pem")
    s.handle("set zone-status Active")
    s.handle("the customer says it worked yesterday, before the renewal of the certificates")
    undone = said(s.handle("undo").text())  # a sentence understood (a renewal) is the customer's words
    assert undone.startswith("Undone: the customer's words 'the customer says it worked yesterday...'")
    assert said(s.handle("undo").text()).startswith("Undone: set zone-status = Active")
    assert said(s.handle("undo").text()).startswith("Undone: loaded expressway_e certificate expe1.pem")
    assert said(s.handle("undo").text()).startswith("Undone: answer 'crl_checking = no'")
    assert said(s.handle("undo").text()).startswith("Undone: answer 'problem = ssh-down'")
    assert s.handle("undo").text() == "Nothing to undo.\n"
    nl = ShellSession(Conversation(lang="nl"), base_dir=deployment)
    nl.handle("load expressway_c-trust certs/expc-trust.pem")
    undone = said(nl.handle("undo").text())
    assert undone.startswith("Ongedaan gemaakt: geladen: expressway_c-trust vertrouwde CA-lijst expc-trust.pem")
    assert nl.handle("undo").text() == "Niets om ongedaan te maken.\n"


def test_why_names_readable_references_in_the_session_language() -> None:
    s = ShellSession()
    s.handle("2")  # zone down
    why = said(s.handle("why 1").text())
    assert "seed:" not in why and "Cisco Doc ID 221624 (Troubleshoot Expressway Certificates)" in why
    assert "section 'Traversal zone down with a TLS negotiation error'" in why
    nl = ShellSession(Conversation(lang="nl"))
    nl.handle("2")
    assert "sectie 'Traverse Zone omlaag met fout TLS-onderhandelingsfout'" in said(nl.handle("why 1").text())


def test_the_dutch_report_gives_answers_in_dutch(tmp_path: Path) -> None:
    s = ShellSession(Conversation(lang="nl"))
    s.handle("3")
    s.handle("answer crl_checking no")
    s.handle(f"report {tmp_path / 'notities.md'}")
    text = (tmp_path / "notities.md").read_text(encoding="utf-8")
    answer = "- Staat controle op certificaatintrekking aan voor de falende verbinding? Nee, CRL-controle staat uit"
    assert answer in text


def test_a_key_pasted_in_any_encoding_is_refused_and_never_kept_in_the_history(tmp_path: Path) -> None:
    """Not only PEM armour: unarmoured Base-64, hex and literal-\\n PEM are keys too (certdoctor.keydetect)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from prompt_toolkit.history import FileHistory

    from certdoctor.shell.app import SecretFreeHistory

    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    pastes = [base64.b64encode(der).decode(), der.hex(), pem.decode().replace("\n", "\\n")]
    s = ShellSession()
    before = s.conversation
    for paste in pastes:
        assert "Private keys are not taken as text" in s.handle(paste).text()
    assert s.conversation == before
    history = SecretFreeHistory(FileHistory(str(tmp_path / "history")))
    for paste in [*pastes, "ranking"]:
        history.store_string(paste)
    kept = (tmp_path / "history").read_text(encoding="utf-8")
    assert "ranking" in kept and all(paste not in kept for paste in pastes)


def test_a_customer_sentence_alone_leads_to_the_cause() -> None:
    """The call starts with what the customer says, not a menu choice; files and a setting decide it."""
    work = Path(__file__).resolve().parent.parent / "examples" / "cases" / "zone-down-after-renewal"
    s = ShellSession(base_dir=work)
    customer = "MRA login fails since we renewed the Expressway-E certificate last night, zone shows Failed"
    out = said(s.handle(customer).text())
    assert out.startswith("understood: MRA sign-in failing, recent change: certificate renewal (last night), zone")
    assert "not recognised" not in out and s.conversation.case().symptoms.description
    s.handle("load expressway_e-node1 certs/expe1.pem")
    s.handle("set peer-address edge1.example.com, edge2.example.com")
    assert ranking(s)[0][0] == "zone.peer-address-mismatch" and ranking(s)[0][1] >= 0.8
    assert "Nothing left to ask" in s.handle("ask").text() or s.clear()


def test_ssh_tunnels_in_the_customer_words_then_natural_answers(deployment: Path) -> None:
    s = ShellSession(base_dir=deployment)
    s.handle("since we renewed the certificates yesterday the ssh tunnels are down, the zone is still active")
    assert ranking(s)[0][0] == "ssh.intermediate-not-trusted"
    for _ in range(3):  # whatever is asked, a worded reply is taken as a choice, never as a log line
        if s.question is None:
            break
        asked = s.question.id
        s.handle("yes, X14.2.5" if asked == "traffic_server_version" else "nee hoor")
        assert asked in s.conversation.case().answers
    kept = s.conversation.case().symptoms.log_lines
    assert not any(reply in line for line in kept for reply in ("nee hoor", "yes, X14.2.5"))
    s.handle("load expressway_c-trust certs/expc-trust.pem")
    s.handle("load expressway_e certs/expe1.pem")
    assert ranking(s)[0] == ("ssh.intermediate-not-trusted", pytest.approx(0.97, abs=0.03))


def test_yes_with_a_version_answers_and_keeps_the_version() -> None:
    s = ShellSession()
    s.handle("answer traffic_server_version yes, X14.2.5")
    assert s.conversation.case().answers == {"traffic_server_version": "yes"}
    assert s.conversation.case().symptoms.version == "X14.2.5"
    s.handle("answer mra_login no it fails for everyone")
    assert s.conversation.case().answers["mra_login"] == "failed"


def test_what_was_understood_can_be_corrected() -> None:
    s = ShellSession()
    s.handle("the zone is down since we renewed the certificate")
    facts = s.handle("facts").text()
    assert "change.certificate_renewal = True" in facts and "zone.status = down" in facts
    assert said(s.handle("not renewal").text()).startswith("understood: no certificate renewal")
    assert "change.certificate_renewal = False" in s.handle("facts").text()
    assert "zone.status = down" in s.handle("facts").text()
    assert said(s.handle("undo").text()).startswith("Undone: the customer's words 'not renewal'")
    assert "change.certificate_renewal = True" in s.handle("facts").text()


def test_a_mistyped_command_gets_a_suggestion_and_changes_nothing() -> None:
    s = ShellSession()
    s.handle("2")
    before = s.conversation
    assert s.handle("raking").text() == "'raking' is not a command; did you mean 'ranking'? (`help` lists them)\n"
    assert "did you mean 'steps'?" in s.handle("stpes 1").text()
    assert s.conversation == before
    nl = ShellSession(Conversation(lang="nl"))
    assert "bedoelde u 'ranking'?" in nl.handle("raking").text()


def test_dutch_session_speaks_dutch_and_takes_ja_and_nee() -> None:
    s = ShellSession(Conversation(lang="nl"))
    out = said(
        s.handle(
            "sinds we gisteren het certificaat van de Expressway-E hebben vernieuwd werkt MRA niet meer, "
            "zone staat op failed"
        ).text()
    )
    assert out.startswith("begrepen: recente wijziging: certificaatvernieuwing (gisteren), aanmelden via MRA mislukt")
    assert "(nieuw)" in out and "(new)" not in out
    asked = s.question
    assert asked is not None
    s.handle("ja" if any(c.value == "yes" for c in asked.choices) else "nee hoor")
    assert asked.id in s.conversation.case().answers
    assert "voorop:" in s.toolbar() and "nuttige" in s.toolbar()
