"""`certdoctor shell`: registered here, imported lazily when run."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register the interactive session's sub-command."""
    p = sub.add_parser(
        "shell", help="interactive troubleshooting: questions, certificate files, the ranking live (a TAC call)"
    )
    p.add_argument("case", nargs="?", metavar="CASE", help="start from what this case file already says")
    p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of questions and remediation")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the session: prompt-toolkit on a terminal, line by line from a pipe."""
    import sys
    from pathlib import Path

    from certdoctor.conversation import Conversation
    from certdoctor.shell.app import interactive, scripted, use_color
    from certdoctor.shell.session import ShellSession

    base = starting_case(Path(args.case)) if args.case else {}
    session = ShellSession(Conversation(lang=args.lang, base=base))
    if sys.stdin.isatty() and sys.stdout.isatty():
        return interactive(session, color=use_color(sys.stdout))
    return scripted(session, sys.stdin, sys.stdout)


def starting_case(path: object) -> dict[str, object]:
    """A case file as the session's starting point: file references made absolute, the expect block dropped."""
    from pathlib import Path

    from certdoctor.case import map_file_references, read_case

    case_path = Path(str(path))
    data = read_case(case_path).model_dump(mode="json", exclude_defaults=True, by_alias=True)
    data.pop("expect", None)
    where = case_path.resolve().parent
    result: dict[str, object] = map_file_references(data, lambda ref: str(where / ref))
    return result
