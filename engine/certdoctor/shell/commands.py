"""The shell's vocabulary: its commands and short field names, the output it builds, and typo suggestions."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from certdoctor.shell.files import LOAD_USAGE

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


def near_command(line: str) -> str | None:
    """The command a mistyped line meant (`raking`, `stpes 1`), by rapidfuzz's ratio against the command names."""
    word, _, rest = line.strip().partition(" ")
    if len(word) < 3 or len(rest.split()) > 2:
        return None
    best = process.extractOne(word.casefold(), [*COMMANDS, "exit"], scorer=fuzz.ratio, score_cutoff=75)
    return str(best[0]) if best else None
