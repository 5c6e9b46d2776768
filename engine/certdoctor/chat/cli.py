"""`certdoctor mcp`, `serve` and `inline` (a case for them, certificates inline): registered here, imported when run."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from certdoctor.limits import MAX_REQUEST_BYTES  # constants only: the CLI starts as fast

if TYPE_CHECKING:
    from certdoctor.chat.sessions import ChatService


#: Idle keep-alive connections are kept this long. uvicorn's 5 s default closes pooled connections a
#: chatbot backend is about to reuse; the race shows as a dropped request under load (bench_chat.py).
KEEP_ALIVE_S = 75


def _service(args: argparse.Namespace, *, per_process_key: bool = False, workers: int = 2) -> ChatService:
    """The ChatService the options ask for: state key, session store (memory or Redis), worker processes.

    per_process_key: without a configured key, seal with a random key of this process (stdio only).
    The workers start when the server does (a command that fails before serving starts none).
    """
    from certdoctor.chat.sessions import ChatService, MemoryStore, RedisStore, SessionStore
    from certdoctor.chat.token import sealer_from_config
    from certdoctor.chat.work import ProcessRunner
    from certdoctor.errors import InputError

    if not args.time_budget > 0:
        raise InputError("--time-budget", "give a number of seconds above 0")
    sealer = sealer_from_config(args.state_key_file, per_process=per_process_key)
    store: SessionStore = RedisStore(args.redis, args.session_ttl) if args.redis else MemoryStore(args.session_ttl)
    if isinstance(store, RedisStore):
        store.ping()
    return ChatService(sealer, store, ProcessRunner(workers, args.time_budget))


def _check_port_free(host: str, port: int) -> None:
    """Fail in one line, before claiming to serve, when host:port cannot be listened on (in use, say).

    Binds the way uvicorn does (SO_REUSEADDR), then lets go: a port held by a listening server is
    refused here, one that only has connections in TIME_WAIT is not.
    """
    import errno
    import socket

    from certdoctor.errors import InputError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"{host}:{port}", f"port {port} is in use; stop what holds it or use --port") from None
            raise InputError(f"{host}:{port}", f"cannot listen there: {exc.strerror or exc}") from None


def _log_to_stderr(access_log: bool = False) -> None:
    """Warnings go to stderr as one line each; the access log (when on) as bare JSON lines."""
    import logging

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="certdoctor: %(message)s")
    access = logging.getLogger("certdoctor.access")
    access.propagate = False
    if access_log:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)


def cmd_mcp(args: argparse.Namespace) -> int:
    """Run the MCP server on stdio (default) or streamable HTTP (--http)."""
    _log_to_stderr()
    # over stdio the server and every token it seals live in one process: a key of its own will do;
    # and it serves one assistant, so one worker process does
    service = _service(args, per_process_key=not args.http, workers=2 if args.http else 1)
    if args.http:
        _check_port_free(args.host, args.port)
    from certdoctor.chat.mcp_server import run_http, run_stdio

    if args.http:
        print(f"certdoctor: MCP over streamable HTTP at http://{args.host}:{args.port}/mcp", file=sys.stderr)
        run_http(service, args.host, args.port)
    else:
        run_stdio(service)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the JSON HTTP API on uvicorn."""
    from certdoctor.errors import InputError

    _log_to_stderr(args.access_log)
    if args.workers < 1:
        raise InputError("--workers", "give a number of worker processes of at least 1")
    # --workers N: N worker processes compute, one request each at a time (Python's GIL), behind this one
    # server process, which hands every request to whichever worker is idle. (uvicorn's own --workers would
    # run N server processes instead: a keep-alive connection stays with the process that accepted it, so the
    # load split as the connections did, and one server's workers idled while the other's queued.)
    service = _service(args, workers=args.workers)  # fails early, here, on a missing key or an unreachable Redis
    _check_port_free(args.host, args.port)

    print(f"certdoctor: HTTP API at http://{args.host}:{args.port} (OpenAPI: /openapi.json)", file=sys.stderr)
    from certdoctor.chat.http import create_app
    from certdoctor.chat.work import run_uvicorn

    app = create_app(service, max_body=args.max_body)
    run_uvicorn(
        app,
        service.runner,
        host=args.host,
        port=args.port,
        access_log=False,
        log_level="warning",
        timeout_keep_alive=KEEP_ALIVE_S,
    )
    return 0


def cmd_inline(args: argparse.Namespace) -> int:
    """Print a case file as JSON with its certificates inline: what the HTTP and MCP interfaces take."""
    import json

    from certdoctor.chat.api import load_case_inline

    print(json.dumps(load_case_inline(args.case), indent=1))
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--state-key-file",
        metavar="FILE",
        help="file holding the secret that seals conversation state (default: $CERTDOCTOR_STATE_KEY)",
    )
    p.add_argument("--redis", metavar="URL", help="keep sessions in Redis (redis://host:port/db), shared by workers")
    p.add_argument("--session-ttl", type=int, default=24 * 3600, metavar="SECONDS", help="idle session lifetime")
    p.add_argument(
        "--time-budget",
        type=float,
        default=20.0,  # certdoctor.chat.work.DEFAULT_TIME_BUDGET, not imported: the CLI starts without it
        metavar="SECONDS",
        help="longest a request may compute before it is stopped and answered 503 (20)",
    )


def add_commands(sub: argparse._SubParsersAction, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register the chatbot-facing sub-commands."""
    p = sub.add_parser(
        "mcp",
        help="run the Model Context Protocol server (stdio, or streamable HTTP with --http)",
        description="Run the MCP server. Over stdio no state key is needed: without one, conversation state is "
        "sealed with a random key of this process. --http needs CERTDOCTOR_STATE_KEY or --state-key-file "
        "(CERTDOCTOR_DEV=1: a throwaway key).",
    )
    p.add_argument("--http", action="store_true", help="serve streamable HTTP at /mcp instead of stdio")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on with --http (127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port to listen on with --http (8765)")
    _common(p)
    p.set_defaults(func=cmd_mcp)

    p = sub.add_parser("serve", help="run the JSON HTTP API (diagnose, conversation, inspect, verify, health)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (8080)")
    p.add_argument(
        "--workers", type=int, default=2, help="worker processes behind the one server process, about one per core (2)"
    )
    p.add_argument(
        "--max-body", type=int, default=MAX_REQUEST_BYTES, metavar="BYTES", help="largest request body (4 MiB)"
    )
    p.add_argument("--no-access-log", dest="access_log", action="store_false", help="no JSON access-log lines")
    _common(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "inline",
        help="print a case file as JSON with every certificate inline, for a chatbot (the servers read no files)",
        description="Print CASE as JSON with every certificate file replaced by its content (PEM), as "
        "`certdoctor serve` and `certdoctor mcp` take it: they read no files. upload.key is left out.",
    )
    p.add_argument("case", metavar="CASE", help="case file (YAML or JSON); certificate paths relative to it")
    p.set_defaults(func=cmd_inline)
