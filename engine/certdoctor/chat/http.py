"""`certdoctor serve`: the JSON HTTP API (FastAPI on uvicorn), OpenAPI document at /openapi.json.

Every bad input is a 4xx problem-details response (RFC 9457, application/problem+json) naming the
field, never a 500 and never an echo of what was sent (it may hold certificate or key material): a
message quotes at most a short prefix of a value. Request bodies are size-limited before they are
parsed; the work of a request runs in a worker process within a time budget (503 past it), so
`/health` answers while a slow request runs. Each request is logged as one JSON line (method, path,
status, duration, sizes, problem type and field) without any body.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from certdoctor._version import __version__
from certdoctor.answer import Answer
from certdoctor.errors import CertdoctorError, InputError
from certdoctor.limits import MAX_REQUEST_BYTES, MAX_TEXT_CHARS
from certdoctor.x509.models import FileReport, VerifyReport

from .api import (
    CauseEntry,
    ChatInput,
    ChatReply,
    DiagnoseRequest,
    InspectRequest,
    VerifyRequest,
    catalogue,
)
from .rawturn import TokenTurn
from .sessions import ChatService, SessionConflict, SessionNotFound, StoreUnavailable
from .token import ConversationTooLarge, StateError
from .untrusted import public_text
from .work import DEFAULT_WORKERS, TooSlow, WorkerLost

#: Largest request body accepted, by default (a conversation state with full trust lists fits easily).
DEFAULT_MAX_BODY = MAX_REQUEST_BYTES
#: Threads that run requests in one server process (the rest wait in order); each hands its work to a worker.
WORKER_THREADS = DEFAULT_WORKERS
#: Room kept in a request body beside a state token, so every token issued fits with the next input.
STATE_MARGIN = MAX_TEXT_CHARS
PROBLEM_TYPE = "https://certdoctor.invalid/problems/"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("certdoctor.access")
#: The chat turns that take the short way (Front._hot): token mode, a new session, a session's next turn.
_HOT_TURN = re.compile(r"/v1/conversation|/v1/sessions(?:/([^/]+)/turns)?")
_log = logging.getLogger("certdoctor.http")


class FieldProblem(BaseModel):
    """One field that was refused, and why (the value itself is never echoed)."""

    field: str
    problem: str


class Problem(BaseModel):
    """An error response (RFC 9457 problem details)."""

    type: str = Field(description="URI naming the kind of problem")
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="the request path")
    errors: list[FieldProblem] = []


class Health(BaseModel):
    """Liveness and what this server runs."""

    status: str
    version: str
    causes: int
    store: dict[str, Any]


_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    500: "Internal error",
    503: "Service unavailable",
}

#: FastAPI's own message when the body cannot be parsed at all (JSON nested past the parser's limit).
_UNPARSED = "There was an error parsing the body"


def problem_response(
    request: Request | None,
    status: int,
    kind: str,
    detail: str,
    errors: list[FieldProblem] | None = None,
    *,
    instance: str | None = None,
) -> JSONResponse:
    """A problem-details response; also notes the problem kind and field for the access log."""
    errors = [FieldProblem(field=public_text(e.field), problem=public_text(e.problem)) for e in errors or []]
    if request is not None:
        request.state.problem = kind
        request.state.field = errors[0].field if errors else None
    body = Problem(
        type=PROBLEM_TYPE + kind,
        title=_TITLES.get(status, "Error"),
        status=status,
        detail=public_text(detail),
        instance=request.url.path if request is not None else instance,
        errors=errors,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type="application/problem+json")


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    """`body.input.answers` from a validation error location; long parts (pasted data as a key) are cut."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        name = str(part) if len(str(part)) <= 40 and "\n" not in str(part) else str(part)[:12] + "..."
        text += f".{name}" if text else name
    return text or "body"


def _validation_problem(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            return problem_response(request, 400, "malformed-json", "the request body is not valid JSON")
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")  # pydantic never puts input here
        errors.append(FieldProblem(field=_loc(err.get("loc", ())), problem=message))
    first = errors[0] if errors else FieldProblem(field="body", problem="invalid")
    return problem_response(request, 422, "invalid-request", f"{first.field}: {first.problem}", errors)


def _json(model: BaseModel, status: int = 200) -> Response:
    """A model as a JSON response, serialised once by pydantic (FastAPI would validate it all again)."""
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")


def _raw(body: bytes, status: int = 200) -> Response:
    """JSON a worker already serialised (a conversation reply)."""
    return Response(body, status_code=status, media_type="application/json")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        return _validation_problem(request, exc)

    @app.exception_handler(StateError)
    async def bad_state(request: Request, exc: StateError) -> Response:
        problem = FieldProblem(field="state", problem=exc.problem)
        return problem_response(request, 400, "invalid-state", str(exc), [problem])

    @app.exception_handler(SessionNotFound)
    async def no_session(request: Request, exc: SessionNotFound) -> Response:
        return problem_response(request, 404, "session-not-found", str(exc))

    @app.exception_handler(ConversationTooLarge)
    async def too_large(request: Request, exc: ConversationTooLarge) -> Response:
        problem = FieldProblem(field=exc.source, problem=exc.problem)
        return problem_response(request, 422, "conversation-too-large", str(exc), [problem])

    @app.exception_handler(TooSlow)
    async def too_slow(request: Request, exc: TooSlow) -> Response:
        return problem_response(request, 503, "time-budget-exceeded", str(exc))

    @app.exception_handler(WorkerLost)
    async def worker_lost(request: Request, exc: WorkerLost) -> Response:
        return problem_response(request, 503, "worker-lost", str(exc))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        return problem_response(
            request, 422, "invalid-input", str(exc), [FieldProblem(field=exc.source, problem=exc.problem)]
        )

    @app.exception_handler(SessionConflict)
    async def conflict(request: Request, exc: SessionConflict) -> Response:
        return problem_response(request, 409, "session-conflict", str(exc))

    @app.exception_handler(StoreUnavailable)
    async def store_down(request: Request, exc: StoreUnavailable) -> Response:
        return problem_response(request, 503, "store-unavailable", str(exc))

    @app.exception_handler(CertdoctorError)
    async def certdoctor_error(request: Request, exc: CertdoctorError) -> Response:
        _log.error("certdoctor error on %s: %s", request.url.path, type(exc).__name__)
        return problem_response(request, 500, "internal-error", "certdoctor could not finish this request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == _UNPARSED:  # nested past the JSON parser's own limit
            detail = "the request body is not JSON certdoctor can read (nested too deep?)"
            return problem_response(request, 400, "malformed-json", detail)
        kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem_response(request, exc.status_code, kind, str(exc.detail))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        _log.exception("internal error on %s", request.url.path)
        return problem_response(request, 500, "internal-error", "an internal error occurred; it was logged")


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": _TITLES[status], "content": {"application/problem+json": {}}}
    for status in (400, 413, 415, 422, 503)
}
_SESSION_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    **{
        status: {"model": Problem, "description": _TITLES[status], "content": {"application/problem+json": {}}}
        for status in (404, 409)
    },
}

_DIAGNOSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer: JSON (docs/answer.md), or Markdown when the request asks for it",
        "content": {"text/markdown": {"schema": {"type": "string"}}},
    },
    **_ERRORS,
}


def create_app(service: ChatService, *, max_body: int = DEFAULT_MAX_BODY) -> ASGIApp:
    """The HTTP API around a ChatService, wrapped in the body-size limit and the access log.

    The service issues no state token longer than fits in a body of max_body with the next input.
    """
    service.max_state_chars = min(service.max_state_chars, max(max_body - STATE_MARGIN, 1024))
    health_threads = anyio.CapacityLimiter(1)  # /health never waits behind requests for a thread

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # workers compile the knowledge base before the first request; they stop with the server
        # (work.run_uvicorn, or with this process: they are daemons), not here: test clients run the
        # lifespan around every request
        service.runner.start()
        # each request waits on its worker in a thread, first come, first served: two threads per worker, so
        # that while one thread writes a reply out the next request already waits at the worker; more would
        # only queue at the workers
        workers = getattr(service.runner, "workers", WORKER_THREADS)
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2 * max(1, int(workers))
        yield

    app = FastAPI(
        title="certdoctor",
        version=__version__,
        description="Troubleshooting certificate problems on Cisco Expressway: diagnose a case, hold a "
        "conversation turn by turn (sealed state tokens or server-side sessions), inspect a certificate, "
        "verify a chain. Errors are RFC 9457 problem details.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    _install_error_handlers(app)
    service_info = {"causes": len(catalogue())}

    @app.get("/health", response_model=Health, tags=["service"])
    async def health() -> Health:
        """Liveness: version, knowledge base size and the session store (503 when Redis is down)."""
        store = service.store
        info = (
            store.health()
            if store.kind == "memory"
            else await anyio.to_thread.run_sync(store.health, limiter=health_threads)
        )
        return Health(status="ok", version=__version__, causes=service_info["causes"], store=info)

    @app.post("/v1/diagnose", response_model=Answer, responses=_DIAGNOSE_RESPONSES, tags=["diagnosis"])
    def diagnose(request: DiagnoseRequest) -> Response:
        """Diagnose a whole case (certificates inline): the answer (docs/answer.md), or Markdown notes if asked."""
        if request.format == "markdown":
            return Response(service.diagnose_markdown(request), media_type="text/markdown; charset=utf-8")
        return _json(service.diagnose(request))

    @app.post("/v1/conversation", response_model=ChatReply, responses=_ERRORS, tags=["conversation"])
    def conversation(turn: TokenTurn) -> Response:
        """One turn in token mode: send the previous reply's `state` (none to start) and the new input."""
        return _raw(service.converse_json(turn.state, turn.input))

    @app.post("/v1/sessions", response_model=ChatReply, status_code=201, responses=_SESSION_ERRORS, tags=["sessions"])
    def start_session(data: ChatInput) -> Response:
        """Start a conversation held server-side; the reply's `session` is the id for the next turns."""
        return _raw(service.start_session_json(data), 201)

    @app.post("/v1/sessions/{session}/turns", response_model=ChatReply, responses=_SESSION_ERRORS, tags=["sessions"])
    def session_turn(session: str, data: ChatInput) -> Response:
        """One more turn on a server-side session (409 when another turn changed it meanwhile: resend)."""
        return _raw(service.continue_session_json(session, data))

    @app.get("/v1/sessions/{session}", response_model=ChatReply, responses=_SESSION_ERRORS, tags=["sessions"])
    def session_answer(session: str) -> Response:
        """The answer and next question of a session as it stands."""
        return _raw(service.continue_session_json(session, ChatInput()))

    @app.delete("/v1/sessions/{session}", status_code=204, responses=_SESSION_ERRORS, tags=["sessions"])
    def end_session(session: str) -> Response:
        """End a session and forget its state."""
        service.end_session(session)
        return Response(status_code=204)

    @app.post("/v1/inspect", response_model=FileReport, responses=_ERRORS, tags=["certificates"])
    def inspect(request: InspectRequest) -> Response:
        """What a certificate file holds and whether Expressway's upload page accepts it (keys never shown)."""
        return _json(service.inspect(request))

    @app.post("/v1/verify", response_model=VerifyReport, responses=_ERRORS, tags=["certificates"])
    def verify(request: VerifyRequest) -> Response:
        """Expressway-compatible and strict verdicts for a leaf, its chain and a trusted CA list."""
        return _json(service.verify(request))

    @app.get("/v1/causes", response_model=list[CauseEntry], tags=["diagnosis"])
    async def causes() -> list[CauseEntry]:
        """The cause catalogue: stable ids (docs/causes.md)."""
        return catalogue()

    return Front(app, max_body=max_body, service=service)


_SESSION_PATH = re.compile(r"(/sessions/)([^/]{6})[^/]*")


class Front:
    """Outermost ASGI layer: body-size limit and media type, then one JSON access-log line per request."""

    def __init__(self, app: FastAPI, *, max_body: int, service: ChatService | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.service = service

    def __getattr__(self, name: str) -> Any:  # openapi(), routes, state ...: the FastAPI app's
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        scope.setdefault("state", {})
        info: dict[str, Any] = {"status": 0, "bytes_out": 0, "bytes_in": 0}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                info["status"] = message["status"]
            elif message["type"] == "http.response.body":
                info["bytes_out"] += len(message.get("body", b""))
            await send(message)

        try:
            refused = await self._check(scope, receive, counting_send, info)
            if not refused and not await self._hot(scope, receive, counting_send, info):
                await self.app(scope, info.pop("replay"), counting_send)
        finally:
            state = scope.get("state") or {}
            access_log.info(
                json.dumps(
                    {
                        "event": "request",
                        "method": scope.get("method"),
                        "path": _SESSION_PATH.sub(r"\1\2...", scope.get("path", "")),
                        "status": info["status"],
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "bytes_in": info["bytes_in"],
                        "bytes_out": info["bytes_out"],
                        "problem": state.get("problem"),
                        "field": state.get("field"),
                        "client": (scope.get("client") or ("-",))[0],
                    },
                    separators=(",", ":"),
                )
            )

    async def _check(self, scope: Scope, receive: Receive, send: Send, info: dict[str, Any]) -> bool:
        """Read the body (bounded) and check its media type; answer with a problem and True when refused."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        declared = headers.get("content-length", "")
        too_large = f"the body is larger than {self.max_body} bytes"
        if declared.isdigit() and int(declared) > self.max_body:
            await self._refuse(scope, receive, send, 413, "too-large", too_large)
            return True
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return True
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._refuse(scope, receive, send, 413, "too-large", too_large)
                return True
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        info["bytes_in"] = size
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if size and not (media == "application/json" or media.endswith("+json")):
            await self._refuse(scope, receive, send, 415, "unsupported-media-type", "send the body as application/json")
            return True
        body = info["body"] = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        info["replay"] = replay
        return False

    async def _hot(self, scope: Scope, receive: Receive, send: Send, info: dict[str, Any]) -> bool:
        """A chat turn the short way (chat/rawturn.py): True when answered, False to take FastAPI's way.

        Errors are answered by the app's own exception handlers, as on the long way; a body the worker does not
        validate goes the long way, where FastAPI names the field.
        """
        path, service, body = scope.get("path", ""), self.service, info.get("body", b"")
        if service is None or scope.get("method") != "POST" or not body:
            return False
        turn = _HOT_TURN.fullmatch(path)
        if turn is None:
            return False
        try:
            if path == "/v1/conversation":
                reply, status = await anyio.to_thread.run_sync(service.converse_raw, body), 200
            elif path == "/v1/sessions":
                reply, status = await anyio.to_thread.run_sync(service.start_session_raw, body), 201
            else:
                reply, status = await anyio.to_thread.run_sync(service.continue_session_raw, turn[1], body), 200
        except Exception as exc:  # answered as the app answers it: the handler registered for its class
            handler = next(
                (self.app.exception_handlers[c] for c in type(exc).__mro__ if c in self.app.exception_handlers),
                None,
            )
            if handler is None:
                raise
            response = handler(Request(scope, receive), exc)
            if inspect.isawaitable(response):  # every handler here is async; Starlette allows plain ones
                response = await response
            await response(scope, receive, send)
            return True
        if reply is None:
            return False
        await _raw(reply, status)(scope, receive, send)
        return True

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, kind: str, detail: str) -> None:
        scope["state"]["problem"] = kind
        await problem_response(None, status, kind, detail, instance=scope.get("path"))(scope, receive, send)


def app_from_env() -> ASGIApp:
    """The app configured through the environment (an ASGI factory, e.g. `uvicorn --factory` with this name)."""
    from .sessions import DEFAULT_TTL, MemoryStore, RedisStore, SessionStore
    from .token import sealer_from_config
    from .work import DEFAULT_TIME_BUDGET, ProcessRunner

    sealer = sealer_from_config(os.environ.get("CERTDOCTOR_STATE_KEY_FILE") or None)
    ttl = int(os.environ.get("CERTDOCTOR_SESSION_TTL", DEFAULT_TTL))
    redis_url = os.environ.get("CERTDOCTOR_REDIS_URL")
    store: SessionStore = RedisStore(redis_url, ttl) if redis_url else MemoryStore(ttl)
    max_body = int(os.environ.get("CERTDOCTOR_MAX_BODY", DEFAULT_MAX_BODY))
    runner = ProcessRunner(budget=float(os.environ.get("CERTDOCTOR_TIME_BUDGET", DEFAULT_TIME_BUDGET)))
    return create_app(ChatService(sealer, store, runner), max_body=max_body)
