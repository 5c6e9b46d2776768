"""The terminal front end of `certdoctor shell`: prompt-toolkit on a TTY, plain lines from a pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import ColorDepth, Output
from prompt_toolkit.styles import Style

from certdoctor.shell.files import hide_password
from certdoctor.shell.session import COMMANDS, FIELDS, ROLES, ShellSession
from certdoctor.wording import say

STYLE = Style.from_dict(
    {
        "title": "bold",
        "cause": "bold ansicyan",
        "dim": "ansibrightblack",
        "error": "ansired",
        "ok": "ansigreen",
        "question": "bold ansiyellow",
        "choice": "",
        "bottom-toolbar": "reverse",
    }
)


def history_path() -> Path:
    """Where typed commands are kept between sessions: $XDG_STATE_HOME/certdoctor/shell-history."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "certdoctor" / "shell-history"


class SecretFreeHistory(History):
    """A history (on disk or in memory) that keeps no password and stores no line holding a private key."""

    def __init__(self, inner: History) -> None:
        super().__init__()
        self.inner = inner

    def load_history_strings(self) -> Iterable[str]:
        """The lines the wrapped history holds, newest first."""
        return self.inner.load_history_strings()

    def append_string(self, string: str) -> None:
        """Keep the line with any --password value hidden, for Up/Down too."""
        super().append_string(hide_password(string))

    def store_string(self, string: str) -> None:
        """Store a line unless it holds a private key (in any encoding keydetect knows: PEM, Base-64, hex, JWK)."""
        from certdoctor.keydetect import holds_private_key

        if not holds_private_key(string):
            self.inner.store_string(string)


def _history() -> History:
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileHistory(str(path))
    except OSError:  # a read-only home: the session still works, without history
        return InMemoryHistory()


class ShellCompleter(Completer):
    """Commands, roles, field names, file paths after `load ROLE`, and the choices of the current question."""

    def __init__(self, session: ShellSession) -> None:
        self.session = session
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        """Completions for the word being typed."""
        text = document.text_before_cursor
        words = text.split()
        ending = not text or text.endswith(" ")
        current = "" if ending else words[-1]
        position = len(words) - (0 if ending else 1)
        head = words[0] if words else ""
        if head == "what-if" and position >= 1:
            head, position = (words[1] if len(words) > 1 else ""), position - 1
        if position == 0:
            yield from self._words(current, self._first_words())
        elif head in ("load", "probe") and position == 1:
            yield from self._words(current, ROLES)
        elif (head == "load" and position == 2) or (head == "fix" and position == 1):
            path_doc = Document(current, len(current))
            yield from self.paths.get_completions(path_doc, complete_event)
        elif head == "load" and position == 3:
            yield from self._words(current, ["--password"])
        elif head == "set" and position == 1:
            yield from self._words(current, FIELDS)
        elif head == "answer" and position == 1:
            yield from self._words(current, [q.id for q in self.session.kb.questions])
        elif head == "help" and position == 1:
            yield from self._words(current, [*COMMANDS, "roles", "fields"])

    def _first_words(self) -> list[str]:
        q = self.session.question
        return ([c.value for c in q.choices] if q else []) + list(COMMANDS)

    @staticmethod
    def _words(current: str, words: Iterable[str]) -> Iterator[Completion]:
        for w in words:
            if w.startswith(current):
                yield Completion(w, start_position=-len(current))


def _print(out: Output | None, fragments: FormattedText, color: bool) -> None:
    plain = FormattedText([("", part[1]) for part in fragments])
    print_formatted_text(fragments if color else plain, end="", style=STYLE, output=out)


def use_color(stream: TextIO) -> bool:
    """Colours only on a terminal, and never when NO_COLOR is set."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def interactive(
    session: ShellSession,
    *,
    input: Input | None = None,
    output: Output | None = None,
    history: History | None = None,
    color: bool = True,
) -> int:
    """The prompt-toolkit loop: Ctrl-C cancels the line, Ctrl-D leaves (asking first if work is unsaved)."""
    prompt: PromptSession[str] = PromptSession(
        history=SecretFreeHistory(history if history is not None else _history()),
        completer=ShellCompleter(session),
        complete_while_typing=True,
        bottom_toolbar=session.toolbar,
        style=STYLE,
        color_depth=None if color else ColorDepth.DEPTH_1_BIT,
        input=input,
        output=output,
    )
    _print(output, FormattedText(session.intro().fragments), color)
    while True:
        try:
            # with a question pending its choices open at once: pick with the arrow keys, or type
            line = prompt.prompt(session.prompt(), pre_run=_show_choices(prompt) if session.question else None)
        except KeyboardInterrupt:
            continue  # Ctrl-C: drop what was typed, keep the session
        except EOFError:
            line = "quit"
        result = session.handle(line)
        _print(output, FormattedText(result.fragments), color)
        if result.quit and _confirm_leave(prompt, session):
            return 0


def _show_choices(prompt: PromptSession[str]) -> Callable[[], None]:
    def start() -> None:
        prompt.app.current_buffer.start_completion(select_first=False)

    return start


def _confirm_leave(prompt: PromptSession[str], session: ShellSession) -> bool:
    if not session.unsaved:
        return True
    try:
        reply = prompt.prompt(say("shell.leave", session.lang))
    except (EOFError, KeyboardInterrupt):
        return True
    return reply.strip().casefold() in ("y", "yes", "j", "ja")


def scripted(session: ShellSession, lines: Iterable[str], out: TextIO) -> int:
    """Without a terminal: the same commands, one per line, plain output (the session is scriptable)."""
    out.write(session.intro().text())
    for raw in lines:
        line = raw.rstrip("\n")
        out.write(f"{session.prompt()}{hide_password(line)}\n")
        result = session.handle(line)
        out.write(result.text())
        if result.quit:
            break
    if session.unsaved:
        print("certdoctor shell: left with unsaved work (end the script with `save FILE` to keep it)", file=sys.stderr)
    return 0
