"""Where a server's expensive work runs: in worker processes, each call within a time budget.

Diagnosis, chain verification and PKCS#12 key derivation are CPU-bound, and some of it holds the GIL
for a long time (one PKCS#12 derivation at the iteration limit: about 0.4 s). Run in the server's own
process, one slow request would stall every other, `/health` included. So servers hand each call to
a worker process (`ProcessRunner`): the event loop only waits on a pipe, a call over its time budget
has its worker killed and replaced (`TooSlow`), and stopping the server stops the workers at once.
The Python API runs calls in place (`InlineRunner`).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import signal
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Protocol, TypeVar

from certdoctor.errors import CertdoctorError, InputError

_T = TypeVar("_T")
_E = TypeVar("_E", bound=CertdoctorError)
_log = logging.getLogger("certdoctor.chat")

#: Seconds one request may compute before its worker is stopped and the request answered 503.
DEFAULT_TIME_BUDGET = 20.0
#: Worker processes of one server process (diagnosis is CPU-bound: one per core of the reference machine).
DEFAULT_WORKERS = 2
#: Longest a new worker may take to start (import certdoctor, compile the knowledge base: about 1 s).
STARTUP_S = 120.0


class TooSlow(CertdoctorError):
    """A call took longer than the time budget; its worker was stopped."""


class WorkerLost(CertdoctorError):
    """The worker running a call stopped (killed, out of memory, or the server is shutting down)."""


class Runner(Protocol):
    """Runs a module-level certdoctor function with picklable arguments and returns its result."""

    def __call__(self, fn: Callable[..., _T], *args: Any) -> _T:
        """fn(*args), wherever it runs; its CertdoctorError arrives as raised."""
        ...

    def start(self) -> None:
        """Get ready to run calls (start workers ahead of the first request)."""
        ...

    def close(self) -> None:
        """Stop; calls still running end with WorkerLost."""
        ...


class InlineRunner:
    """Runs each call in the calling thread: the Python API and tests, no budget."""

    def __call__(self, fn: Callable[..., _T], *args: Any) -> _T:
        """fn(*args) here and now."""
        return fn(*args)

    def start(self) -> None:
        """Nothing to start."""

    def close(self) -> None:
        """Nothing to stop."""


# -- the worker process -------------------------------------------------------------------------------


def _serve(conn: Connection) -> None:
    """A worker's loop: receive (fn, args), send back ("ok", result) or the error, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server decides
    from certdoctor.answer import render_markdown
    from certdoctor.case import Case
    from certdoctor.diagnosis import diagnose_case, shipped_engine

    shipped_engine()  # compile the knowledge base before the first call, not during it
    # and walk the whole pipeline once, so the first call's budget is not spent importing its modules
    # (a replacement worker after a stopped call starts as cold as a new one)
    render_markdown(diagnose_case(Case.model_validate({"symptoms": {"zone_status": "Active"}})))
    try:
        conn.send(("ready",))
    except (EOFError, OSError):
        return
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):  # the server is gone
            return
        try:
            reply: tuple[Any, ...] = ("ok", fn(*args))
        except InputError as exc:
            reply = ("input", type(exc).__module__, type(exc).__qualname__, exc.source, exc.problem)
        except CertdoctorError as exc:
            reply = ("error", type(exc).__module__, type(exc).__qualname__, str(exc))
        except Exception as exc:  # a bug: reported to the server, which logs it, and answered 500
            reply = ("crash", type(exc).__name__, traceback.format_exc())
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # a result that cannot be pickled: a bug
            conn.send(("crash", type(exc).__name__, traceback.format_exc()))


def _error_class(module: str, name: str, base: type[_E]) -> type[_E]:
    """A certdoctor exception class by module and name (base when it is not one)."""
    if module.split(".")[0] == "certdoctor":
        found = getattr(importlib.import_module(module), name, None)
        if isinstance(found, type) and issubclass(found, base):
            return found
    return base


def _unwrap(reply: tuple[Any, ...]) -> Any:
    """The result a worker sent, or its error raised here as the same class (without calling its __init__)."""
    kind = reply[0]
    if kind == "ok":
        return reply[1]
    if kind == "input":
        cls = _error_class(reply[1], reply[2], InputError)
        exc = cls.__new__(cls)
        InputError.__init__(exc, reply[3], reply[4])
        raise exc
    if kind == "error":
        err = _error_class(reply[1], reply[2], CertdoctorError)
        failure = err.__new__(err)
        Exception.__init__(failure, reply[3])
        raise failure
    _log.error("internal error in a worker process (%s):\n%s", reply[1], reply[2])
    raise RuntimeError(f"internal error in a worker process ({reply[1]})")


class _Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), name="certdoctor-worker", daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self) -> None:
        """Wait (at most STARTUP_S) for the worker to have compiled the knowledge base: not part of any budget."""
        if not self.ready:
            if not self.conn.poll(STARTUP_S) or self.conn.recv() != ("ready",):
                raise EOFError("the worker did not start")
            self.ready = True

    def stop(self) -> None:
        """Kill the process at once (it may be deep in a computation) and reap it; safe to call twice at once.

        At SIGTERM the server's signal handler stops every worker while request threads stop theirs: a
        second close of the pipe must not raise (EBADF) out of the signal handler and crash the server.
        """
        with contextlib.suppress(OSError, ValueError):
            if self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()


class ProcessRunner:
    """A pool of worker processes; each call gets one worker and `budget` seconds, or TooSlow.

    Called from threads (the HTTP and MCP servers run requests in a few threads): a call waits for an
    idle worker, sends it the call, and waits on the pipe (the GIL is free meanwhile).
    """

    def __init__(self, workers: int = DEFAULT_WORKERS, budget: float = DEFAULT_TIME_BUDGET) -> None:
        self.workers = max(1, workers)
        self.budget = budget
        self._context = multiprocessing.get_context("spawn")  # no fork of a process that runs threads
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._ready = threading.Condition()
        self._closed = False
        self._started = False

    def start(self) -> None:
        """Start the workers (they compile the knowledge base while the server starts)."""
        with self._ready:
            if self._started or self._closed:
                return
            self._started = True
            self._idle = [_Worker(self._context) for _ in range(self.workers)]

    def close(self) -> None:
        """Stop every worker; calls in progress end with WorkerLost, later calls too."""
        with self._ready:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle.clear()
            self._ready.notify_all()
        for worker in workers:
            worker.stop()

    def _take(self) -> _Worker:
        with self._ready:
            if not self._started:
                self.start()
            while not self._idle and not self._closed:
                self._ready.wait()
            if self._closed:
                raise WorkerLost("the server is shutting down; send the request again to another server")
            worker = self._idle.pop()
            self._busy.add(worker)
            return worker

    def _give_back(self, worker: _Worker, replace: bool) -> None:
        with self._ready:
            self._busy.discard(worker)
            if replace and not self._closed:
                worker = _Worker(self._context)
            if not self._closed:
                self._idle.append(worker)
                self._ready.notify()

    def __call__(self, fn: Callable[..., _T], *args: Any) -> _T:
        """fn(*args) in a worker within the budget; TooSlow when over it, WorkerLost when the worker died.

        The worker goes back to the pool only after a reply: on any failure (over budget, gone, or an
        argument that cannot be sent) it is stopped and replaced, so a failed call never leaks a worker.
        """
        worker = self._take()
        replied = False
        try:
            worker.wait_ready()
            worker.conn.send((fn, args))
            if not worker.conn.poll(self.budget):
                raise TooSlow(
                    f"this request took longer than {self.budget:g} s and was stopped; "
                    "send less at once (fewer certificates, a smaller case) or try again later"
                )
            reply = worker.conn.recv()
            replied = True
        except (EOFError, OSError):
            if self._closed:
                raise WorkerLost("the server is shutting down; send the request again") from None
            raise WorkerLost("the worker running this request stopped; send it again") from None
        finally:
            if not replied:
                worker.stop()
            self._give_back(worker, replace=not replied)
        return _unwrap(reply)


#: Seconds uvicorn waits for requests in flight after SIGTERM before it stops anyway.
GRACEFUL_SHUTDOWN_S = 5


def run_uvicorn(app: Any, runner: Runner, **options: Any) -> None:
    """uvicorn.run(app, **options) with the runner started first, and stopped at the first SIGTERM or Ctrl-C.

    Stopping the workers at once ends the requests still computing with 503 (WorkerLost): the server
    then closes promptly instead of waiting out a slow request.
    """
    import uvicorn

    class _Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            runner.close()
            super().handle_exit(sig, frame)

    options.setdefault("timeout_graceful_shutdown", GRACEFUL_SHUTDOWN_S)
    runner.start()
    try:
        _Server(uvicorn.Config(app, **options)).run()
    finally:
        runner.close()
