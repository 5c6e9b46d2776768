"""The `certdoctor` command line: argument parsing, I/O and exit codes around the pure layers."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from certdoctor._version import __version__
from certdoctor.errors import CertdoctorError, InputError

if TYPE_CHECKING:
    from cryptography import x509

    from certdoctor.scenarios.run import ScenarioResult
    from certdoctor.x509.load import LoadedFile
    from certdoctor.x509.text import Style

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"certdoctor: {message} (see --help)\n")


def _style() -> Style:
    """Colour only on a terminal and never with NO_COLOR."""
    from certdoctor.x509.text import ansi, plain

    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return plain
    return ansi


def _password(args: argparse.Namespace) -> bytes | None:
    """The PKCS#12 / key password from --password or --password-env, never echoed."""
    if getattr(args, "password_env", None):
        value = os.environ.get(args.password_env)
        if value is None:
            raise InputError("--password-env", f"environment variable {args.password_env} is not set")
        return value.encode()
    return args.password.encode() if getattr(args, "password", None) is not None else None


def _short(text: str, most: int = 40) -> str:
    """A short, printable prefix of what the user typed, for an error message (never the whole of a long value)."""
    first = text.split("\n", 1)[0][:most]
    shown = "".join(c if c.isprintable() else "?" for c in first)
    return shown + ("..." if len(text) > len(first) else "")


def _parse_time(text: str) -> datetime:
    """--at: ISO 8601, with Z or an offset; a time without zone is UTC (and must stay in range once it is)."""
    problem = f"'{_short(text)}' is not an ISO-8601 time such as 2026-11-28T12:00:00Z"
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except ValueError:
        raise InputError("--at", problem) from None
    except OverflowError:  # 0001-01-01T00:00:00+23:59 is before year 1 in UTC
        raise InputError("--at", f"'{_short(text)}' is out of range once converted to UTC") from None


def cmd_inspect(args: argparse.Namespace) -> int:
    """Describe each file; exit 2 if any could not be read."""
    from certdoctor.x509.findings import UploadVerdict
    from certdoctor.x509.load import FileFormat, Unreadable, read_file
    from certdoctor.x509.pkcs12 import Pkcs12Error
    from certdoctor.x509.report import report_for
    from certdoctor.x509.text import render_file_report
    from certdoctor.x509.upload import unreadable_verdict

    password = _password(args)
    reports = []
    errors: list[InputError] = []
    locked: dict[int, tuple[str, UploadVerdict]] = {}  # id of the error -> path and verdict of a locked .pfx
    for path in args.files:
        try:
            reports.append(report_for(read_file(path, password)))
        except Pkcs12Error as exc:
            errors.append(exc)
            if not exc.locked:
                print(f"certdoctor: {exc}", file=sys.stderr)
                continue
            # locked, no password given: what the file is, and the upload page's verdict on it all the same
            verdict = unreadable_verdict(Unreadable(path, exc.problem, FileFormat.PKCS12, locked=True))
            locked[id(exc)] = (path, verdict)
            print(
                f"certdoctor: {path}: a password-protected PKCS#12 (.pfx/.p12); the upload page does not take it "
                "(its upload verdict follows); --password or --password-env VAR shows what it holds",
                file=sys.stderr,
            )
        except InputError as exc:
            errors.append(exc)
            print(f"certdoctor: {exc}", file=sys.stderr)
    if args.format == "json":
        doc = {
            "files": [r.model_dump(mode="json") for r in reports],
            "errors": [
                {"path": e.source, "problem": e.problem}
                | ({"upload": locked[id(e)][1].model_dump(mode="json")} if id(e) in locked else {})
                for e in errors
            ],
        }
        print(json.dumps(doc, indent=2))
    else:
        style = _style()
        shown = [render_file_report(r, style) for r in reports]
        for path, verdict in locked.values():  # what the upload page makes of it, without the password
            lines = [style(f"{path}: pkcs12 (password-protected; --password shows what it holds)", "title")]
            lines.append(style("  Upload (Maintenance > Security > Server certificate): NOT accepted as is", "warning"))
            lines += [f"    - {r}" for r in verdict.reasons] + ["    How to fix:"]
            lines += [f"      * {c}" for c in verdict.conversion]
            shown.append("\n".join(lines))
        print("\n\n".join(shown))
    return EXIT_BAD_INPUT if errors else EXIT_OK


def _certificates(path: str, password: bytes | None, what: str) -> LoadedFile:
    """Load a file that must hold at least one certificate."""
    from certdoctor.x509.load import read_file

    loaded = read_file(path, password)
    if not loaded.certificates:
        raise InputError(path, f"holds no certificate ({loaded.format.value}); {what} needs one")
    return loaded


def cmd_verify(args: argparse.Namespace) -> int:
    """Judge LEAF against --trusted; exit 0 trusted, 1 not trusted, 2 bad input."""
    from certdoctor.x509.load import read_file
    from certdoctor.x509.names import host_a_labels
    from certdoctor.x509.text import render_verify_report
    from certdoctor.x509.verify import verify_chain

    password = _password(args)
    if not args.trusted:
        raise InputError("verify", "give at least one --trusted FILE (the trusted CA list)")
    leaf_file = _certificates(args.leaf, password, "the leaf argument")
    leaf = leaf_file.certificates[0]
    chain = list(leaf_file.certificates[1:])
    for path in args.chain or []:
        chain += _certificates(path, password, "--chain").certificates
    trusted: list[x509.Certificate] = []
    for path in args.trusted:
        trusted += _certificates(path, password, "--trusted").certificates
    crls: list[x509.CertificateRevocationList] = []
    for path in args.crl or []:
        loaded = read_file(path)
        if not loaded.crls:
            raise InputError(path, f"holds no CRL ({loaded.format.value})")
        crls += loaded.crls
    at = _parse_time(args.at) if args.at else None
    host = host_a_labels(args.host, "--host") if args.host else None  # bücher.example: as certificates carry it
    report = verify_chain(leaf, chain, trusted, host=host, at=at, crls=crls)
    if args.format == "json":
        print(report.model_dump_json(indent=2))
    else:
        print(render_verify_report(report, _style()))
    verdict = report.strict if args.strict else report.expressway
    return EXIT_OK if verdict.trusted else EXIT_FOUND


def _server_certificate(loaded: LoadedFile) -> x509.Certificate:
    """The certificate to upload: the first that is not a CA, else the first."""
    from certdoctor.x509.naming import is_ca

    return next((c for c in loaded.certificates if not is_ca(c)), loaded.certificates[0])


def cmd_convert(args: argparse.Namespace) -> int:
    """Write the server certificate of any input file as the single PEM block Expressway wants."""
    from cryptography.hazmat.primitives.serialization import Encoding

    loaded = _certificates(args.file, _password(args), "convert")
    out = Path(args.output)
    if out.resolve() == Path(args.file).resolve():
        raise InputError(args.output, "is the input file; choose another output name")
    if out.exists() and not args.force:
        raise InputError(args.output, "already exists; not overwritten (use --force)")
    cert = _server_certificate(loaded)
    try:
        out.write_bytes(cert.public_bytes(Encoding.PEM))
    except OSError as exc:
        raise InputError(args.output, f"cannot write: {exc.strerror or exc}") from None
    print(
        f"wrote {out}: {cert.subject.rfc4514_string()} as PEM "
        f"({len(loaded.certificates)} certificate(s) in {args.file}, 1 written)"
    )
    return EXIT_OK


def cmd_diagnose(args: argparse.Namespace) -> int:
    """Diagnose a case file; exit 0 no cause, 1 cause found, 2 bad input."""
    from certdoctor.answer import render_markdown, render_text
    from certdoctor.case import read_case
    from certdoctor.diagnosis import diagnose_case

    case = read_case(args.case)
    at = _parse_time(args.at) if args.at else None
    answer = diagnose_case(case, base_dir=Path(args.case).resolve().parent, source=args.case, lang=args.lang, at=at)
    for warning in answer.warnings:
        print(f"certdoctor: {args.case}: {warning}", file=sys.stderr)
    if args.format == "json":
        print(answer.model_dump_json(indent=2))
    elif args.format == "markdown":
        print(render_markdown(answer, case.title, verbose=args.verbose))
    else:
        print(render_text(answer, verbose=args.verbose))
    return EXIT_FOUND if answer.diagnoses else EXIT_OK


def cmd_fix(args: argparse.Namespace) -> int:
    """Write the files the plan needs (one PEM per target) and plan.md into --out; exit 0 written, 2 bad input."""
    from certdoctor.case import read_case
    from certdoctor.fix import PLAN, build_fix, case_files, write_folder

    case = read_case(args.case)
    base = Path(args.case).resolve().parent
    at = _parse_time(args.at) if args.at else None
    files = build_fix(case, base_dir=base, source=args.case, lang=args.lang, at=at, password=_password(args))
    out = Path(args.out)
    protected = case_files(case, base) | {Path(args.case).resolve()}
    written = write_folder(out, files, force=args.force, protected=protected)
    for path in written:
        if path.name != PLAN:
            print(f"wrote {path}")
    print(f"plan: {out / PLAN}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the case file or the answer."""
    from certdoctor.answer import Answer
    from certdoctor.case import Case

    model = Case if args.which == "case" else Answer
    print(json.dumps(model.model_json_schema(), indent=2))
    return EXIT_OK


def cmd_kb_check(args: argparse.Namespace) -> int:
    """Validate and lint a knowledge directory; exit 1 when lint finds problems."""
    from certdoctor.kb import load_knowledge
    from certdoctor.kblint import lint
    from certdoctor.rules import RuleEngine

    kb = load_knowledge(Path(args.dir) if args.dir else None)
    problems = lint(kb)
    RuleEngine(kb)  # it must compile, too
    for p in problems:
        print(f"{p.file}: {p.key}: {p.problem}")
    rules = sum(len(c.rules) for c in kb.causes)
    print(
        f"{len(kb.causes)} causes, {rules} rules, {len(kb.questions)} questions, "
        f"{len(kb.symptoms)} symptom patterns, {len(kb.facts)} facts: "
        + (f"{len(problems)} problem(s)" if problems else "ok")
    )
    return EXIT_FOUND if problems else EXIT_OK


def cmd_kb_doc(args: argparse.Namespace) -> int:
    """Print the generated cause reference (docs/causes.md)."""
    from certdoctor.kb import load_knowledge
    from certdoctor.kbdoc import cause_reference

    print(cause_reference(load_knowledge(Path(args.dir) if args.dir else None)), end="")
    return EXIT_OK


def _progress_bar() -> Callable[[int, int, ScenarioResult], None] | None:
    """A one-line progress bar on stderr, only on a terminal (CI logs get the table alone)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, result: ScenarioResult) -> None:
        filled = 30 * done // total
        line = f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {result.name[:36]:<36}"
        print(line if done < total else "\r" + " " * len(line) + "\r", end="", file=sys.stderr, flush=True)

    return show


def cmd_scenarios_run(args: argparse.Namespace) -> int:
    """Run scenarios and check their expectations; exit 1 on any failure or broken scenario."""
    from certdoctor.scenarios.report import side_by_side, summary_table
    from certdoctor.scenarios.run import discover, run

    report, _ = run(discover(args.paths), progress=None if args.format == "json" else _progress_bar())
    if args.junit:
        from certdoctor.output import write_whole
        from certdoctor.scenarios.report import junit_xml

        write_whole(Path(args.junit), junit_xml(report))
    if args.format == "json":
        print(report.model_dump_json(indent=2))
    else:
        print(summary_table(report))
        for result in report.results:
            if not result.passed:
                print()
                print(side_by_side(result))
    return EXIT_OK if report.ok else EXIT_FOUND


def cmd_scenarios_coverage(args: argparse.Namespace) -> int:
    """Report knowledge-base coverage; exit 1 when a cause lacks a positive or near miss or a rule never fires."""
    from certdoctor.diagnosis import shipped_engine
    from certdoctor.scenarios.coverage import coverage, coverage_text
    from certdoctor.scenarios.run import discover, run

    engine = shipped_engine()
    _, evaluated = run(discover(args.paths), engine)
    report = coverage(evaluated, engine.kb)
    print(report.model_dump_json(indent=2) if args.format == "json" else coverage_text(report))
    return EXIT_OK if report.ok else EXIT_FOUND


def cmd_scenarios_mutate(args: argparse.Namespace) -> int:
    """Mutate the knowledge-base data and score how many mutants the scenarios catch."""
    from certdoctor.diagnosis import shipped_engine
    from certdoctor.scenarios.mutate import OPERATORS, mutate, mutation_text
    from certdoctor.scenarios.run import discover, run

    engine = shipped_engine()
    _, evaluated = run(discover(args.paths), engine)
    report = mutate(evaluated, engine.kb, args.operator or OPERATORS)
    print(report.model_dump_json(indent=2) if args.format == "json" else mutation_text(report, args.survivors))
    return EXIT_OK if report.score >= args.min_score else EXIT_FOUND


def build_parser() -> argparse.ArgumentParser:
    """All sub-commands and their options."""
    parser = _Parser(
        prog="certdoctor",
        description="Troubleshoot certificate problems on Cisco Expressway (X14), Unified CM and Jabber MRA.",
        epilog="Exit codes: 0 fine / trusted, 1 problem found / not trusted, 2 bad input or usage.",
    )
    parser.add_argument("--version", action="version", version=f"certdoctor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def password_options(p: argparse.ArgumentParser) -> None:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--password", help="password of a PKCS#12 (.pfx/.p12) file or encrypted key")
        group.add_argument("--password-env", metavar="VAR", help="read that password from environment variable VAR")

    p = sub.add_parser("inspect", help="say what a certificate file is and whether Expressway accepts it for upload")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["text", "json"], default="text")
    password_options(p)
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("verify", help="judge a server certificate and its chain against a trusted CA list")
    p.add_argument("leaf", metavar="LEAF", help="server certificate (a bundle: the first is the leaf)")
    p.add_argument("--chain", action="append", metavar="FILE", help="intermediates the server sends")
    p.add_argument(
        "--trusted",
        action="append",
        metavar="FILE",
        help="the trusted CA list of the side that checks (repeatable)",
    )
    p.add_argument("--host", metavar="NAME", help="the FQDN or IP address used to reach the server")
    p.add_argument("--at", metavar="TIME", help="judge validity at this ISO-8601 time (default: now)")
    p.add_argument("--crl", action="append", metavar="FILE", help="a CRL to check revocation with")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit on the strict verdict instead of the Expressway-compatible one",
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    password_options(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("diagnose", help="rank the documented causes for a case file, with evidence and steps")
    p.add_argument("case", metavar="CASE", help="case file (YAML or JSON, see docs/case-file.md)")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of titles and steps")
    p.add_argument("--at", metavar="TIME", help="judge validity at this time (default: the case's at, or now)")
    p.add_argument(
        "--verbose", action="store_true", help="text and markdown: every cause, evidence line and step, not the summary"
    )
    p.set_defaults(func=cmd_diagnose)

    p = sub.add_parser("fix", help="write the certificate files the plan needs, one PEM per target, and plan.md")
    p.add_argument("case", metavar="CASE", help="case file (YAML or JSON, see docs/case-file.md)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write (refused if not empty, see --force)")
    p.add_argument("--lang", choices=["en", "nl"], default="en", help="language of plan.md")
    p.add_argument("--at", metavar="TIME", help="judge validity at this time (default: the case's at, or now)")
    p.add_argument("--force", action="store_true", help="write into DIR even if it holds files (same names replaced)")
    password_options(p)
    p.set_defaults(func=cmd_fix)

    p = sub.add_parser("schema", help="print the JSON Schema of the case file or the answer")
    p.add_argument("which", choices=["case", "answer"])
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("kb", help="knowledge-base tools")
    kb_sub = p.add_subparsers(dest="kb_command", metavar="KB_COMMAND", parser_class=_Parser, required=True)
    q = kb_sub.add_parser("check", help="validate and lint the knowledge base")
    q.add_argument("dir", nargs="?", help="knowledge directory (default: the shipped one)")
    q.set_defaults(func=cmd_kb_check)
    q = kb_sub.add_parser("doc", help="print the cause reference generated from the knowledge base")
    q.add_argument("dir", nargs="?", help="knowledge directory (default: the shipped one)")
    q.set_defaults(func=cmd_kb_doc)

    p = sub.add_parser("scenarios", help="run the scenario library, measure its coverage, mutate the knowledge base")
    sc_sub = p.add_subparsers(
        dest="scenarios_command", metavar="SCENARIOS_COMMAND", parser_class=_Parser, required=True
    )
    paths_help = "scenario files or directories searched for them (default: scenarios)"
    q = sc_sub.add_parser("run", help="run scenarios and check each one's expect: block")
    q.add_argument("paths", nargs="*", default=["scenarios"], metavar="PATH", help=paths_help)
    q.add_argument("--format", choices=["text", "json"], default="text")
    q.add_argument("--junit", metavar="FILE", help="also write JUnit XML to FILE (for CI)")
    q.set_defaults(func=cmd_scenarios_run)
    q = sc_sub.add_parser("coverage", help="per cause: positive and near-miss scenarios; per rule: fired or not")
    q.add_argument("paths", nargs="*", default=["scenarios"], metavar="PATH", help=paths_help)
    q.add_argument("--format", choices=["text", "json"], default="text")
    q.set_defaults(func=cmd_scenarios_coverage)
    q = sc_sub.add_parser("mutate", help="score how many knowledge-base mutants the scenarios catch")
    q.add_argument("paths", nargs="*", default=["scenarios"], metavar="PATH", help=paths_help)
    q.add_argument("--format", choices=["text", "json"], default="text")
    q.add_argument(
        "--operator",
        action="append",
        choices=["drop-condition", "flip-comparison", "zero-certainty", "swap-steps"],
        help="only this mutation operator (repeatable; default: all)",
    )
    q.add_argument("--min-score", type=float, default=0.8, help="exit 1 below this share of caught mutants (0.8)")
    q.add_argument("--survivors", type=int, default=40, help="how many surviving mutants to list (40)")
    q.set_defaults(func=cmd_scenarios_mutate)

    p = sub.add_parser("convert", help="write the server certificate of any file as a single PEM")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", required=True, metavar="OUT")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    password_options(p)
    p.set_defaults(func=cmd_convert)

    # the interactive session and the chatbot interfaces register their own sub-commands
    # (their modules import only argparse at load time: the CLI starts as fast without them)
    from certdoctor.chat.cli import add_commands as add_chat_commands
    from certdoctor.shell.cli import add_commands as add_shell_commands

    add_shell_commands(sub, _Parser)
    add_chat_commands(sub, _Parser)
    return parser


def _error_line(exc: CertdoctorError) -> str:
    """An error as one line, and never with key material (a case's field name can hold a pasted key)."""
    from certdoctor.keydetect import holds_private_key

    text = " ".join(str(exc).split())
    if holds_private_key(text):
        where = exc.source if isinstance(exc, InputError) and not holds_private_key(exc.source) else "the input"
        return f"{where}: a value there holds a private key (not shown); keys belong in key files only"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors are one line on stderr, never a traceback."""
    # certdoctor's own models use no pydantic plugin; scanning every installed package for one costs
    # milliseconds at each start (only in this process, which is certdoctor's own)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.func(args))
    except CertdoctorError as exc:
        print(f"certdoctor: {_error_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: still one line, and a distinct exit code
        print(f"certdoctor: internal error ({type(exc).__name__}: {exc}); please report it", file=sys.stderr)
        return EXIT_INTERNAL


def run() -> None:
    """The console-script entry: main(), then leave without tearing the interpreter down.

    Freeing every object of a finished run costs about 35 ms of a 230 ms `certdoctor diagnose`
    (measured; mypy's hard_exit does the same for the same reason). Nothing is left to clean up:
    output is flushed here, and every file certdoctor writes is closed as soon as it is written.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a closed pipe: nothing more can be said
        pass
    os._exit(code)


if __name__ == "__main__":
    run()
