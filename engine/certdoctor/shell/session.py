"""The TAC session's command interpreter: a line in, styled text out. The terminal front end is app.py;
what `load` and `probe` read is files.py, what the session writes down (case file, notes, undo) notes.py.

It holds a Conversation (engine/conversation.py) and nothing else that matters: every command that
changes what is known becomes a turn, the ranking is recomputed from scratch, and undo drops the
last turn. Output is a list of (style, text) fragments, so the same session prints plain text to a
pipe and colours to a terminal.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from certdoctor.answer import Answer, Diagnosis, QuestionOut
from certdoctor.case import CertificateSource
from certdoctor.conversation import Conversation, Turn, diagnose_conversation
from certdoctor.errors import CertdoctorError, InputError
from certdoctor.kb import Lang, Question, load_knowledge
from certdoctor.keydetect import holds_private_key
from certdoctor.output import write_whole
from certdoctor.rank import stands_clear
from certdoctor.shell.commands import COMMANDS, FIELDS, Fragments, Output, near_command
from certdoctor.shell.files import ROLES, Read, load_turn, probe_turn
from certdoctor.shell.notes import case_file, describe, report_markdown, undone
from certdoctor.understand import Reply, choose, correction_hint, said_back, understand
from certdoctor.wording import choice_word, say

__all__ = ["COMMANDS", "FIELDS", "ROLES", "Fragments", "Output", "ShellSession"]


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
        d, lang = self.answer.diagnoses, self.lang
        lead = say("shell.leading", lang, cause=d[0].cause, percent=f"{d[0].confidence:.0%}") if d else None
        parts = [lead or say("shell.no_cause", lang), say("shell.useful", lang, n=len(self.answer.questions))]
        if self.unsaved:
            parts.append(say("shell.unsaved", lang))
        return " | ".join(parts)

    def prompt(self) -> str:
        """The prompt: the question id when one is asked."""
        return f"{self.question.id}> " if self.question else "certdoctor> "

    # -- the conversation -------------------------------------------------------------------------

    def intro(self) -> Output:
        """What certdoctor can do, then the first question."""
        out = Output()
        out.wrapped(say("shell.title", self.lang), "title")
        out.wrapped(say("shell.intro", self.lang))
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
            self._said.append(said or describe(after.turns[-1], self.lang))
        self.conversation, self.answer = after, answer
        if answer.unrecognized and turn.text and any(turn.text.strip() in u for u in answer.unrecognized):
            out.line(say("shell.unrecognised", self.lang), "dim")
        self._ranking(out, answer, before)
        self._next_question(out)

    def _next_question(self, out: Output) -> None:
        """Ask the most useful open question, unless the leading cause stands clear."""
        self.question = None
        if not self.answer.questions:
            if self.answer.diagnoses:
                out.line(say("shell.done", self.lang), "dim")
            return
        if self.clear() and not self.asking:
            return
        if self.clear():
            self.asking = False
            d = self.answer.diagnoses[0]
            out.wrapped(say("shell.clear", self.lang, title=d.title), "ok")
            return
        self.question = self.answer.questions[0]
        out.line()
        self._show_question(out)

    def _show_question(self, out: Output) -> None:
        """The question asked and its numbered choices (in Dutch: Dutch words, or the labels alone)."""
        q = self.question
        assert q is not None
        out.wrapped(q.text, "question")
        for i, c in enumerate(q.choices, 1):
            word = choice_word(c.value, c.label, self.lang)
            out.wrapped(f"{i}) {word}: {c.label}" if word != c.label else f"{i}) {c.label}", "choice", "  ")

    def _ranking(self, out: Output, answer: Answer, before: Answer | None = None, top: int = 3) -> None:
        """The top causes, with the change since the previous ranking."""
        was = {d.cause: d.confidence for d in before.diagnoses} if before else {}
        out.line()
        if not answer.diagnoses:
            out.line(say("shell.none", self.lang), "dim")
        for i, d in enumerate(answer.diagnoses[:top], 1):
            delta = ""
            if before is not None:
                old = was.get(d.cause)
                change = f"{'+' if old is not None and d.confidence >= old else ''}{d.confidence - (old or 0):.0%}"
                delta = f" ({say('shell.new', self.lang) if old is None else change})"
                delta = "" if old is not None and abs(d.confidence - old) < 0.005 else delta
            out.line(f"{i}. {d.confidence:>4.0%}  {d.cause}{delta}", "cause")
            out.wrapped(d.title, "dim", "         ")
        if len(answer.diagnoses) > top:
            out.line("   " + say("shell.more", self.lang, n=len(answer.diagnoses) - top), "dim")

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
            elif self.question and (reply := self._reply(self.question, text)) is not None:
                self._answered(self.question.id, reply, text, out)
            elif understood := understand(text):
                out.wrapped(said_back(understood, self.lang), "ok")
                out.wrapped(correction_hint(self.lang), "dim", "  ")
                self._take(Turn(text=text), out)
            elif (near := near_command(text)) is not None:
                out.line(say("shell.did_you_mean", self.lang, word=word, command=near), "error")
            else:
                self._take(Turn(text=text), out)
        except CertdoctorError as exc:
            out.wrapped(f"{say('shell.error', self.lang)}: {exc}", "error")
        return out

    def _question(self, qid: str) -> Question | None:
        """The knowledge base's question with this id (its labels in both languages)."""
        return next((q for q in self.kb.questions if q.id == qid), None)

    def _reply(self, question: QuestionOut, text: str) -> Reply | None:
        """The choice a reply means: a number, a value, words of a label in either language, yes/no, ja/nee."""
        asked = self._question(question.id)
        labels = {c.value: [c.label.en, c.label.nl] for c in asked.choices} if asked else {}
        choices = [
            (c.value, [c.label, *labels.get(c.value, []), choice_word(c.value, c.label, self.lang)])
            for c in question.choices
        ]
        return choose(question.id, question.field, choices, text)

    def _answered(self, qid: str, reply: Reply, text: str, out: Output) -> None:
        """Take a reply as the answer it means; what else it says (another symptom, a change) is read too."""
        topics = {"zone_status": "zone", "ssh_tunnels": "ssh", "mra_login": "mra", "jabber_warning": "jabber"}
        understood = understand(text)
        same = {"problem": {"zone", "ssh", "mra", "jabber", "upload"}, "recent_changes": set(understood.said)}
        more = set(understood.said) - same.get(qid, {topics.get(qid, "")})
        if more:
            out.wrapped(said_back(understood, self.lang), "ok")
        self._take(Turn(answers={qid: reply.value}, set=reply.set, text=text if more else None), out)

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
        self._read(load_turn(rest, self.base_dir, self.lang), out)

    def _cmd_probe(self, rest: str, out: Output) -> None:
        self._read(probe_turn(rest, self._fetch, self.lang), out)

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
        question = self._question(qid)
        if question is None:
            known = ", ".join(q.id for q in self.kb.questions)
            raise InputError(qid or "answer", f"no such question (one of: {known})")
        shown = QuestionOut.model_validate(
            {
                "id": question.id,
                "text": question.text.get(self.lang),
                "field": question.field,
                "impact": 0.0,
                "choices": [{"value": c.value, "label": c.label.get(self.lang)} for c in question.choices],
            }
        )
        choice = self._reply(shown, reply)
        if choice is None:
            raise InputError(qid, f"'{reply}' is not one of its choices ({', '.join(c.value for c in shown.choices)})")
        return Turn(answers={qid: choice.value}, set=choice.set)

    def _cmd_answer(self, rest: str, out: Output) -> None:
        self._take(self._answer_turn(rest), out)

    def _cmd_skip(self, rest: str, out: Output) -> None:
        if not self.question:
            out.line(say("shell.no_question", self.lang), "dim")
            return
        self._take(Turn(skip=[self.question.id]), out)

    def _cmd_ask(self, rest: str, out: Output) -> None:
        self.asking = True
        if not self.answer.questions:
            out.line(say("shell.nothing_left", self.lang), "dim")
            return
        self.question = self.answer.questions[0]
        self._show_question(out)

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
        lang = self.lang
        for e in d.evidence:
            out.wrapped(f"{say('why', lang)}: {e}", "", "  ")
        for e in d.counter_evidence:
            out.wrapped(f"{say('against', lang)}: {e}", "dim", "  ")
        out.wrapped(f"{say('shell.rules', lang)}: " + ", ".join(d.rules), "dim", "  ")
        out.wrapped(f"{say('references', lang).lower()}: " + "; ".join(d.references), "dim", "  ")

    def _cmd_steps(self, rest: str, out: Output) -> None:
        d = self._numbered(rest)
        out.wrapped(f"{d.cause}: {d.title}", "cause")
        for n, s in enumerate(d.steps, 1):
            out.wrapped(f"{n}. {s}", "", "  ")
        for c in d.checks:
            out.wrapped(f"{say('then', self.lang)}: {c}", "dim", "  ")

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
        out.line(say("shell.what_if", self.lang), "title")
        self._ranking(out, answer, self.answer, top=5)
        gone = {d.cause for d in self.answer.diagnoses} - {d.cause for d in answer.diagnoses}
        for cause in sorted(gone):
            out.line(f"   {say('shell.gone', self.lang)}: {cause}", "dim")

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
        out.wrapped(say("shell.saved", self.lang, path=self._shown(path), name=path.name), "ok")

    def _cmd_report(self, rest: str, out: Output) -> None:
        path, _ = self._target(rest)
        write_whole(path, report_markdown(self.conversation, self.answer, self.kb))
        self._saved_to.add(path)
        out.wrapped(say("shell.wrote", self.lang, path=self._shown(path)), "ok")

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
        also = f" {say('shell.and', self.lang)} " + ", ".join(pems) if pems else ""
        out.wrapped(say("shell.wrote", self.lang, path=self._shown(folder / PLAN)) + also, "ok")
