"""The TAC session's command interpreter: a line in, styled text out. The terminal front end is app.py;
what `load` and `probe` read is files.py, what the session writes down (case file, notes, undo) notes.py.

It holds a Conversation (engine/conversation.py) and nothing else that matters: every command that
changes what is known becomes a turn, the ranking is recomputed from scratch, and undo drops the
last turn. Output is a list of (style, text) fragments, so the same session prints plain text to a
pipe and colours to a terminal.
"""

from __future__ import annotations

import shlex
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from certdoctor.answer import Answer, ChoiceOut, Diagnosis, QuestionOut
from certdoctor.case import CertificateSource
from certdoctor.conversation import Conversation, Turn, diagnose_conversation
from certdoctor.errors import CertdoctorError, InputError
from certdoctor.kb import Lang, load_knowledge
from certdoctor.keydetect import holds_private_key
from certdoctor.output import write_whole
from certdoctor.rank import stands_clear
from certdoctor.shell.files import LOAD_USAGE, ROLES, Read, load_turn, probe_turn
from certdoctor.shell.notes import case_file, describe, report_markdown, undone

Fragments = list[tuple[str, str]]

#: Short names for the case fields a TAC engineer sets most (`set NAME VALUE`).
FIELDS: dict[str, str] = {
    "zone-status": "symptoms.zone_status",
    "ssh-tunnels": "symptoms.ssh_tunnels",
    "mra-login": "symptoms.mra_login",
    "jabber-warning": "symptoms.jabber_warning",
    "upload-error": "symptoms.upload_error",
    "alarms": "symptoms.alarms",
    "changes": "symptoms.recent_changes",
    "version": "symptoms.version",
    "previous-version": "symptoms.previous_version",
    "peer-address": "expressway_c.traversal_zone.peer_addresses",
    "tls-verify-name": "expressway_e.traversal_zone.tls_verify_subject_name",
    "c-cluster-fqdn": "expressway_c.cluster_fqdn",
    "e-cluster-fqdn": "expressway_e.cluster_fqdn",
    "c-fqdn": "expressway_c.fqdn",
    "e-fqdn": "expressway_e.fqdn",
    "cucm-servers": "expressway_c.cucm_servers",
    "jabber-domain": "jabber.domain",
    "upload-target": "upload.target",
    "at": "at",
    "title": "title",
}
COMMANDS: dict[str, tuple[str, str]] = {
    "load": (
        LOAD_USAGE.removeprefix("usage: "),
        "read a certificate, trusted list, CRL or upload file (see `help roles`); --password opens a PKCS#12 "
        "(.pfx/.p12) file, and is never echoed, kept in the history or saved",
    ),
    "probe": ("probe ROLE HOST[:PORT] [SNI]", "fetch the chain a live server presents and load it"),
    "set": ("set FIELD VALUE", "set a case field (see `help fields`); lists take commas"),
    "answer": ("answer QUESTION CHOICE", "answer any question, asked or not"),
    "skip": ("skip", "cannot answer the current question: do not ask it again"),
    "ask": ("ask", "ask the most useful open question now"),
    "ranking": ("ranking", "show every ranked cause"),
    "why": ("why N", "the evidence and rules behind cause N"),
    "steps": ("steps N", "the remediation steps of cause N"),
    "what-if": ("what-if COMMAND ...", "show how load/set/answer/probe would change the ranking, changing nothing"),
    "undo": ("undo", "take back the last change and say which; the ranking returns to what it was"),
    "facts": ("facts", "every fact the diagnosis knows, and where it comes from"),
    "save": ("save FILE [--force]", "write the session as a case file (a scenario in the making)"),
    "report": ("report FILE [--force]", "write Markdown for the case notes"),
    "fix": (
        "fix DIR [--force]",
        "write the certificate files the plan needs (one PEM per target, never a key) and plan.md into DIR",
    ),
    "help": ("help [COMMAND|roles|fields]", "this list, or more on one thing"),
    "quit": ("quit", "leave (Ctrl-D too)"),
}


@dataclass
class Output:
    """What a command printed, and whether the session should end."""

    fragments: Fragments = field(default_factory=list)
    quit: bool = False

    def line(self, text: str = "", style: str = "") -> Output:
        """Append one line."""
        self.fragments.append((f"class:{style}" if style else "", text + "\n"))
        return self

    def wrapped(self, text: str, style: str = "", indent: str = "") -> Output:
        """Append text wrapped to the terminal width (80 columns at most in a pipe)."""
        width = max(40, min(shutil.get_terminal_size((80, 24)).columns, 100) - 1)
        lines = textwrap.wrap(
            text, width, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False
        )
        for line in lines or [""]:
            self.line(line, style)
        return self

    def text(self) -> str:
        """Plain text, for pipes and tests."""
        return "".join(t for _, t in self.fragments)


def _first(question: QuestionOut, reply: str) -> str | None:
    """The choice a reply means: its number, its value, a unique prefix, or a unique word of its label."""
    r = reply.strip().casefold()
    values = [c.value for c in question.choices]
    if r.isdigit() and 1 <= int(r) <= len(values):
        return values[int(r) - 1]
    for v in values:
        if v.casefold() == r:
            return v
    prefixed = [v for v in values if v.casefold().startswith(r)]
    if len(prefixed) == 1 and r:
        return prefixed[0]
    labelled = [c.value for c in question.choices if r and r in c.label.casefold()]
    return labelled[0] if len(labelled) == 1 else None


class ShellSession:
    """One TAC session: the conversation, the current ranking, the question being asked."""

    def __init__(
        self,
        conversation: Conversation | None = None,
        *,
        base_dir: Path | None = None,
        fetch: Callable[[str, int, str | None, float], list[bytes]] | None = None,
    ) -> None:
        self.conversation = conversation or Conversation()
        self.base_dir = (base_dir or Path.cwd()).resolve()
        self.kb = load_knowledge()
        self._saved: list[Turn] = list(self.conversation.turns)
        self._said = [describe(t, self.conversation.lang) for t in self.conversation.turns]  # what undo names
        self._saved_to: set[Path] = set()
        self._fetch = fetch
        self.asking = True
        self.answer = self._diagnose(self.conversation)
        self.question: QuestionOut | None = None
        self._opening = Output()
        self._next_question(self._opening)  # the first question is asked from the start

    # -- state ------------------------------------------------------------------------------------

    @property
    def lang(self) -> Lang:
        """The language of questions and remediation."""
        return self.conversation.lang

    @property
    def unsaved(self) -> bool:
        """Whether something was said since the last save (or since the start)."""
        return self.conversation.turns != self._saved

    def _diagnose(self, conversation: Conversation) -> Answer:
        return diagnose_conversation(conversation, self.base_dir)

    def clear(self) -> bool:
        """Whether the leading cause stands clear of the rest."""
        return stands_clear([d.confidence for d in self.answer.diagnoses])

    def toolbar(self) -> str:
        """The bottom line: leading cause, useful questions left, unsaved work."""
        d = self.answer.diagnoses
        lead = f"leading: {d[0].cause} {d[0].confidence:.0%}" if d else "no cause yet"
        parts = [lead, f"{len(self.answer.questions)} useful question(s) left"]
        if self.unsaved:
            parts.append("unsaved")
        return " | ".join(parts)

    def prompt(self) -> str:
        """The prompt: the question id when one is asked."""
        return f"{self.question.id}> " if self.question else "certdoctor> "

    # -- the conversation -------------------------------------------------------------------------

    def intro(self) -> Output:
        """What certdoctor can do, then the first question."""
        out = Output()
        out.wrapped("certdoctor shell: certificate troubleshooting for Expressway, Unified CM and Jabber MRA.", "title")
        out.wrapped(
            "Answer the questions (a number, a value, or Tab for the choices), paste error text or log lines "
            "as they are, load certificate files with `load ROLE PATH`. `help` lists every command; "
            "`undo` takes back the last change; Ctrl-D leaves."
        )
        if self.conversation.turns or self.conversation.base:
            self._ranking(out, self.answer)
        out.fragments += self._opening.fragments
        return out

    def _take(self, turn: Turn, out: Output, said: str | None = None) -> None:
        """Apply a turn, rediagnose, show what changed and ask on; said is how undo will name the turn."""
        after = self.conversation.then(turn)
        answer = self._diagnose(after)  # raises on a bad file before anything changes
        before = self.answer
        if len(after.turns) > len(self.conversation.turns):
            self._said.append(said or describe(turn, self.lang))
        self.conversation, self.answer = after, answer
        if answer.unrecognized and turn.text and any(turn.text.strip() in u for u in answer.unrecognized):
            out.line("not recognised as a known symptom; kept for the record", "dim")
        self._ranking(out, answer, before)
        self._next_question(out)

    def _next_question(self, out: Output) -> None:
        """Ask the most useful open question, unless the leading cause stands clear."""
        self.question = None
        if not self.answer.questions:
            if self.answer.diagnoses:
                out.line("Nothing left to ask that would change the ranking. `steps 1` shows the fix.", "dim")
            return
        if self.clear() and not self.asking:
            return
        if self.clear():
            self.asking = False
            d = self.answer.diagnoses[0]
            out.wrapped(
                f"The leading cause stands clear: {d.title}. `steps 1` for the fix, `why 1` for the "
                "evidence, `ask` to keep going.",
                "ok",
            )
            return
        q = self.answer.questions[0]
        self.question = q
        out.line()
        out.wrapped(q.text, "question")
        for i, c in enumerate(q.choices, 1):
            out.wrapped(f"{i}) {c.value}: {c.label}", "choice", "  ")

    def _ranking(self, out: Output, answer: Answer, before: Answer | None = None, top: int = 3) -> None:
        """The top causes, with the change since the previous ranking."""
        was = {d.cause: d.confidence for d in before.diagnoses} if before else {}
        out.line()
        if not answer.diagnoses:
            out.line("No documented cause matches what is known yet.", "dim")
        for i, d in enumerate(answer.diagnoses[:top], 1):
            delta = ""
            if before is not None:
                old = was.get(d.cause)
                delta = " (new)" if old is None else f" ({'+' if d.confidence >= old else ''}{d.confidence - old:.0%})"
                delta = "" if old is not None and abs(d.confidence - old) < 0.005 else delta
            out.line(f"{i}. {d.confidence:>4.0%}  {d.cause}{delta}", "cause")
            out.wrapped(d.title, "dim", "         ")
        if len(answer.diagnoses) > top:
            out.line(f"   ... {len(answer.diagnoses) - top} more (`ranking`)", "dim")

    # -- commands ---------------------------------------------------------------------------------

    def handle(self, line: str) -> Output:
        """Run one input line: a command, an answer to the current question, or pasted text."""
        out = Output()
        text = line.strip()
        if not text:
            return out
        if holds_private_key(text):  # PEM, Base-64, hex, JWK ...: keydetect knows them all
            return out.line(
                "Private keys are not taken as text: `load upload-key PATH` reads one from a file.", "error"
            )
        word, _, rest = text.partition(" ")
        command = word.casefold()
        if "--password" in text and command not in ("load", "what-if"):
            return out.line("A password goes only with `load ROLE PATH --password X`; the line was not kept.", "error")
        try:
            if command in ("quit", "exit"):
                out.quit = True
                return out
            handler = getattr(self, "_cmd_" + command.replace("-", "_"), None)
            if command in COMMANDS and handler:
                handler(rest.strip(), out)
            elif self.question and (choice := _first(self.question, text)) is not None:
                self._take(Turn(answers={self.question.id: choice}), out)
            else:
                self._take(Turn(text=text), out)
        except CertdoctorError as exc:
            out.wrapped(f"error: {exc}", "error")
        return out

    def _cmd_help(self, rest: str, out: Output) -> None:
        if rest == "roles":
            for name, (path, what) in ROLES.items():
                out.wrapped(f"{name:<24} {what}  [{path}]", "", "  ")
            out.line("  (or any case-file path such as expressway_c.nodes[2].certificate)")
            return
        if rest == "fields":
            for name, path in FIELDS.items():
                out.line(f"  {name:<18} {path}")
            out.line("  (or any case-file path, see docs/schema/case.schema.json)")
            return
        for name, (usage, what) in COMMANDS.items():
            if not rest or rest == name:
                out.wrapped(f"{usage:<30} {what}", "", "  ")
        out.line("  Anything else is an answer to the question asked, or pasted text (errors, logs, alarms).", "dim")

    def _cmd_load(self, rest: str, out: Output) -> None:
        self._read(load_turn(rest, self.base_dir), out)

    def _cmd_probe(self, rest: str, out: Output) -> None:
        self._read(probe_turn(rest, self._fetch), out)

    def _read(self, read: Read, out: Output) -> None:
        out.wrapped(read.summary, "ok")
        self._take(read.turn, out, describe(read.turn, self.lang, read.origin, read.probed))

    def _set_turn(self, rest: str) -> Turn:
        name, _, value = rest.partition(" ")
        if not name or not value.strip():
            raise InputError("set", "usage: set FIELD VALUE (see `help fields`)")
        return Turn(set={FIELDS.get(name, name): value.strip()})

    def _cmd_set(self, rest: str, out: Output) -> None:
        turn = self._set_turn(rest)
        self._take(turn, out, describe(turn, self.lang, rest.partition(" ")[0]))

    def _answer_turn(self, rest: str) -> Turn:
        qid, _, reply = rest.partition(" ")
        question = next((q for q in self.kb.questions if q.id == qid), None)
        if question is None:
            known = ", ".join(q.id for q in self.kb.questions)
            raise InputError(qid or "answer", f"no such question (one of: {known})")
        shown = QuestionOut(
            id=question.id,
            text=question.text.get(self.lang),
            impact=0.0,
            choices=[ChoiceOut(value=c.value, label=c.label.get(self.lang)) for c in question.choices],
        )
        choice = _first(shown, reply)
        if choice is None:
            raise InputError(qid, f"'{reply}' is not one of its choices ({', '.join(c.value for c in shown.choices)})")
        return Turn(answers={qid: choice})

    def _cmd_answer(self, rest: str, out: Output) -> None:
        self._take(self._answer_turn(rest), out)

    def _cmd_skip(self, rest: str, out: Output) -> None:
        if not self.question:
            out.line("No question is being asked.", "dim")
            return
        self._take(Turn(skip=[self.question.id]), out)

    def _cmd_ask(self, rest: str, out: Output) -> None:
        self.asking = True
        if not self.answer.questions:
            out.line("Nothing left to ask that would change the ranking.", "dim")
            return
        self.question = self.answer.questions[0]
        out.wrapped(self.question.text, "question")
        for i, c in enumerate(self.question.choices, 1):
            out.wrapped(f"{i}) {c.value}: {c.label}", "choice", "  ")

    def _cmd_ranking(self, rest: str, out: Output) -> None:
        self._ranking(out, self.answer, top=len(self.answer.diagnoses))

    def _numbered(self, rest: str) -> Diagnosis:
        if not self.answer.diagnoses:
            raise InputError(rest or "N", "no cause is ranked yet")
        if not rest.isdigit() or not 1 <= int(rest) <= len(self.answer.diagnoses):
            raise InputError(rest or "N", f"give a cause number from 1 to {len(self.answer.diagnoses)}")
        return self.answer.diagnoses[int(rest) - 1]

    def _cmd_why(self, rest: str, out: Output) -> None:
        d = self._numbered(rest)
        out.wrapped(f"{d.cause} {d.confidence:.0%}: {d.title}", "cause")
        for e in d.evidence:
            out.wrapped(f"why: {e}", "", "  ")
        for e in d.counter_evidence:
            out.wrapped(f"against: {e}", "dim", "  ")
        out.wrapped("rules: " + ", ".join(d.rules), "dim", "  ")
        out.wrapped("references: " + "; ".join(d.references), "dim", "  ")

    def _cmd_steps(self, rest: str, out: Output) -> None:
        d = self._numbered(rest)
        out.wrapped(f"{d.cause}: {d.title}", "cause")
        for n, s in enumerate(d.steps, 1):
            out.wrapped(f"{n}. {s}", "", "  ")
        for c in d.checks:
            out.wrapped(f"then check: {c}", "dim", "  ")

    def _cmd_what_if(self, rest: str, out: Output) -> None:
        word, _, args = rest.partition(" ")
        makers: dict[str, Callable[[str], Any]] = {
            "load": lambda a: load_turn(a, self.base_dir).turn,
            "probe": lambda a: probe_turn(a, self._fetch).turn,
            "set": self._set_turn,
            "answer": self._answer_turn,
        }
        if word not in makers:
            raise InputError("what-if", "usage: what-if load|probe|set|answer ...")
        turn = makers[word](args)
        answer = self._diagnose(self.conversation.then(turn))
        out.line("What if (nothing changed in the session):", "title")
        self._ranking(out, answer, self.answer, top=5)
        gone = {d.cause for d in self.answer.diagnoses} - {d.cause for d in answer.diagnoses}
        for cause in sorted(gone):
            out.line(f"   gone: {cause}", "dim")

    def _cmd_undo(self, rest: str, out: Output) -> None:
        if not self.conversation.turns:
            out.line(undone(None, self.lang), "dim")
            return
        before = self.answer
        self.conversation = self.conversation.undo()
        self.answer = self._diagnose(self.conversation)
        self.asking = True
        out.wrapped(undone(self._said.pop() if self._said else None, self.lang), "ok")
        self._ranking(out, self.answer, before)
        self._next_question(out)

    def _cmd_facts(self, rest: str, out: Output) -> None:
        from certdoctor.facts import derive

        facts = derive(self.conversation.case(), CertificateSource(self.base_dir, "session"), self.kb)
        seen: set[tuple[str, str, str]] = set()
        for f in sorted(facts.items, key=lambda f: (f.name, str(f.value))):
            about = ", ".join(f"{k}={v}" for k, v in f.params.items() if k not in ("value", "text"))
            key = (f.name, str(f.value), about)
            if key not in seen:
                seen.add(key)
                out.wrapped(f"{f.name} = {f.value}  ({f.source}{'; ' + about if about else ''})", "", "  ")

    def _target(self, rest: str) -> tuple[Path, bool]:
        args = shlex.split(rest)
        force = "--force" in args
        names = [a for a in args if a != "--force"]
        if len(names) != 1:
            raise InputError("save", "give one file name")
        path = Path(names[0]).expanduser()
        path = (path if path.is_absolute() else self.base_dir / path).resolve()
        if path.exists() and not force and path not in self._saved_to:
            raise InputError(str(path), "already exists; not overwritten (add --force)")
        return path, force

    def _shown(self, path: Path) -> str:
        """A path as the user would type it: relative to the working directory when inside it."""
        try:
            return path.relative_to(self.base_dir).as_posix()
        except ValueError:
            return str(path)

    def _cmd_save(self, rest: str, out: Output) -> None:
        path, _ = self._target(rest)
        text = yaml.safe_dump(case_file(self.conversation, path.parent), sort_keys=False, allow_unicode=True)
        write_whole(path, text)
        self._saved = list(self.conversation.turns)
        self._saved_to.add(path)
        out.wrapped(f"saved {self._shown(path)} (`certdoctor diagnose {path.name}` gives this ranking)", "ok")

    def _cmd_report(self, rest: str, out: Output) -> None:
        path, _ = self._target(rest)
        write_whole(path, report_markdown(self.conversation, self.answer, self.kb))
        self._saved_to.add(path)
        out.wrapped(f"wrote {self._shown(path)}", "ok")

    def _cmd_fix(self, rest: str, out: Output) -> None:
        from certdoctor.fix import PLAN, build_fix, case_files, write_folder

        args = shlex.split(rest)
        names = [a for a in args if a != "--force"]
        if len(names) != 1:
            raise InputError("fix", "usage: fix DIR [--force]")
        folder = Path(names[0]).expanduser()
        folder = (folder if folder.is_absolute() else self.base_dir / folder).resolve()
        case = self.conversation.case()
        answered = self.conversation.skipped()
        files = build_fix(case, base_dir=self.base_dir, source="session", lang=self.lang, answered=answered)
        written = write_folder(folder, files, force="--force" in args, protected=case_files(case, self.base_dir))
        pems = [self._shown(p) for p in written if p.name != PLAN]
        out.wrapped(f"wrote {self._shown(folder / PLAN)}" + (" and " + ", ".join(pems) if pems else ""), "ok")
