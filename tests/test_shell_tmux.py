"""End to end: the real `certdoctor shell` in a tmux terminal, driven as a person would drive it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from certdoctor.case import read_case
from certdoctor.diagnosis import diagnose_file
from certdoctor.lab import write_deployment

# tmux is the one thing here no pip package provides; .ci/run installs it and forbids skips
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not on PATH (apt install tmux)")


class Terminal:
    """One tmux session on a private server socket: type keys, read the screen."""

    def __init__(self, command: str, cwd: Path, env: dict[str, str]) -> None:
        self.socket = f"certdoctor-test-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        self._tmux(
            "new-session", "-d", "-s", "t", "-x", "80", "-y", "40", "-c", str(cwd), f"env {exports} {command}; sleep 30"
        )

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True).stdout

    def type(self, text: str) -> None:
        """Type a line and press Enter."""
        self._tmux("send-keys", "-t", "t", "-l", text)
        self._tmux("send-keys", "-t", "t", "Enter")

    def screen(self) -> str:
        """Everything printed so far (scroll-back included)."""
        return self._tmux("capture-pane", "-t", "t", "-p", "-J", "-S", "-2000")

    def wait_for(self, pattern: str, timeout: float = 30.0) -> str:
        """Wait until the screen matches; fail with the screen shown."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if re.search(pattern, text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {pattern!r}; screen:\n{self.screen()}")

    def close(self) -> None:
        """Stop the tmux server."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """certdoctor shell running in an 80-column tmux window, in a generated deployment's directory."""
    deployment = write_deployment(tmp_path / "dep", ["c-trust-root-only"]).parent
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "CERTDOCTOR_CACHE_DIR": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
    }
    term = Terminal(f"{sys.executable} -m certdoctor.cli shell", deployment, env)
    yield term
    term.close()


def live_prompt(screen: str) -> str | None:
    """The question id of the prompt waiting for input (the last prompt line, still empty)."""
    prompts = re.findall(r"^([a-z_]+)> ?(.*)$", screen, flags=re.MULTILINE)
    return prompts[-1][0] if prompts and not prompts[-1][1].strip() else None


def test_a_person_answers_loads_asks_why_saves_and_quits(terminal: Terminal, tmp_path: Path) -> None:
    terminal.wait_for(r"What does the customer see\?")
    asked = []
    for reply in ("3", "1", "1"):  # SSH tunnels down, then the first choice of the next two questions
        screen = terminal.wait_for(r"(?m)^[a-z_]+> ?$")
        question = live_prompt(screen)
        assert question and question not in asked, screen
        asked.append(question)
        terminal.type(reply)
        terminal.wait_for(rf"(?m)^{question}> {reply}$")
    terminal.type("load expressway_c-trust certs/expc-trust.pem")
    terminal.wait_for(r"expc-trust\.pem -> expressway_c\.trusted_cas")
    terminal.type("load expressway_e certs/expe1.pem")
    terminal.wait_for(r"expe1\.pem -> expressway_e\.certificate")
    terminal.type("why 1")
    screen = terminal.wait_for(r"rules: ")
    top = re.findall(r"^(\S+) (\d+)%: ", screen, flags=re.MULTILINE)[-1]
    terminal.type("save session.yaml")
    terminal.wait_for(r"(?m)^saved\b")
    terminal.type("quit")
    time.sleep(1.0)
    screen = terminal.screen()
    assert "Leave anyway" not in screen  # saved just before: nothing to confirm
    assert all(len(line) <= 80 for line in screen.splitlines())
    saved = tmp_path / "dep" / "session.yaml"
    answer = diagnose_file(saved)
    assert (answer.diagnoses[0].cause, round(answer.diagnoses[0].confidence * 100)) == (top[0], int(top[1]))
    assert not answer.warnings
    assert list(read_case(saved).answers) == asked
