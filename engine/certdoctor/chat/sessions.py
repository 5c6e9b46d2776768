"""Server-side sessions for integrators that prefer an id to carrying a token: in-process or Redis.

A session holds the same sealed token a chatbot would carry, so the store is never trusted either:
what comes back from it is opened and checked like any token. Turns on one session are applied with
compare-and-set: two turns racing on one session cannot silently drop one; the loser gets a conflict
and retries. Redis lets several worker processes (or machines) serve one conversation. The in-process
store is bounded in sessions and bytes (least recently used go first); a session value is never
larger than a state token may be, in either store.

`ChatService` is what the servers serve: the conversation API with its key, its store and the runner
that does the expensive work (worker processes within a time budget, for servers).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

from certdoctor.answer import Answer
from certdoctor.errors import CertdoctorError, InputError
from certdoctor.limits import MAX_SESSION_STORE_BYTES, MAX_SESSIONS, MAX_STATE_TOKEN_CHARS
from certdoctor.x509.models import FileReport, VerifyReport

from .api import (
    ChatInput,
    ChatReply,
    DiagnoseRequest,
    InspectRequest,
    VerifyRequest,
    check_input,
    diagnose_inline,
    diagnose_markdown,
    inspect_content,
    reply_json,
    take_turn,
    take_turn_json,
    verify_content,
)
from .rawturn import take_turn_raw
from .token import ConversationTooLarge, StateError, StateSealer
from .untrusted import check_shape
from .work import InlineRunner, Runner

#: Sessions expire this long after their last turn (seconds), unless configured otherwise.
DEFAULT_TTL = 24 * 3600

_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class SessionNotFound(InputError):
    """No such session: never created, expired, or ended."""

    def __init__(self, session_id: str) -> None:
        shown = session_id[:8] + "..." if len(session_id) > 8 else session_id
        super().__init__("session", f"'{shown}' does not exist (never created, expired or ended); start a new one")


class SessionConflict(CertdoctorError):
    """Another turn changed the session while this one was being taken."""


class StoreUnavailable(CertdoctorError):
    """The session store (Redis) cannot be reached."""


def new_session_id() -> str:
    """An unguessable session id: whoever holds it can continue the conversation."""
    return secrets.token_urlsafe(24)


def check_id(session_id: str) -> str:
    """The id if it is shaped like one; SessionNotFound otherwise (never a lookup with odd input)."""
    if not isinstance(session_id, str) or not _ID.match(session_id):
        raise SessionNotFound(str(session_id)[:16])
    return session_id


class SessionStore(Protocol):
    """Where sealed tokens live, keyed by session id."""

    kind: str

    def create(self, token: str) -> str:
        """Store a new session; return its id."""
        ...

    def get(self, session_id: str) -> str:
        """The session's token; SessionNotFound when there is none."""
        ...

    def replace(self, session_id: str, expected: str, token: str) -> None:
        """Swap expected for token; SessionConflict if the session changed meanwhile."""
        ...

    def delete(self, session_id: str) -> bool:
        """End a session; whether it existed."""
        ...

    def health(self) -> dict[str, Any]:
        """What /health reports about the store."""
        ...


def _check_size(token: str) -> None:
    """A session value is a state token: never larger than one (ConversationTooLarge before it is stored)."""
    if len(token) > MAX_STATE_TOKEN_CHARS:
        raise ConversationTooLarge(f"its state would be {len(token)} characters; the limit is {MAX_STATE_TOKEN_CHARS}")


class MemoryStore:
    """Sessions in this process: expiring, and bounded in count and bytes (least recently used go first)."""

    kind = "memory"

    def __init__(
        self, ttl: float = DEFAULT_TTL, max_sessions: int = MAX_SESSIONS, max_bytes: int = MAX_SESSION_STORE_BYTES
    ) -> None:
        self.ttl = ttl
        self.max_sessions = max_sessions
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def _live(self, session_id: str) -> str:
        item = self._items.get(check_id(session_id))
        if item is None or item[1] < time.monotonic():
            self._drop(session_id)
            raise SessionNotFound(session_id)
        self._items.move_to_end(session_id)
        return item[0]

    def _drop(self, session_id: str) -> bool:
        item = self._items.pop(session_id, None)
        if item is not None:
            self._bytes -= len(item[0])
        return item is not None

    def _put(self, session_id: str, token: str) -> None:
        """Store (or replace) a session as the most recently used, then evict to stay within budget."""
        _check_size(token)
        if len(token) > self.max_bytes:
            raise ConversationTooLarge(f"its state would be {len(token)} characters; the store holds {self.max_bytes}")
        self._drop(session_id)
        self._items[session_id] = (token, time.monotonic() + self.ttl)
        self._bytes += len(token)
        now = time.monotonic()
        while len(self._items) > 1:
            oldest, (_, deadline) = next(iter(self._items.items()))
            if deadline >= now and len(self._items) <= self.max_sessions and self._bytes <= self.max_bytes:
                break
            self._drop(oldest)

    def create(self, token: str) -> str:
        session_id = new_session_id()
        with self._lock:
            self._put(session_id, token)
        return session_id

    def get(self, session_id: str) -> str:
        with self._lock:
            return self._live(session_id)

    def replace(self, session_id: str, expected: str, token: str) -> None:
        with self._lock:
            if self._live(session_id) != expected:
                raise SessionConflict("the session was changed by another turn meanwhile; send the turn again")
            self._put(session_id, token)

    def delete(self, session_id: str) -> bool:
        with self._lock:
            return self._drop(check_id(session_id))

    def health(self) -> dict[str, Any]:
        with self._lock:
            return {"store": self.kind, "sessions": len(self._items), "bytes": self._bytes}


# KEYS[1] session key; ARGV[1] the largest value taken. -1 gone, -2 larger than any token, else the value.
_GET = """
local size = redis.call('STRLEN', KEYS[1])
if size == 0 then return -1 end
if size > tonumber(ARGV[1]) then return -2 end
return redis.call('GET', KEYS[1])
"""

# KEYS[1] session key; ARGV: expected token, new token, ttl seconds. -1 gone, 0 changed meanwhile, 1 done.
_CAS = """
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
return 1
"""


class RedisStore:
    """Sessions in Redis, shared by every worker and server pointing at it; expire after ttl seconds idle."""

    kind = "redis"

    def __init__(self, url: str, ttl: int = DEFAULT_TTL, prefix: str = "certdoctor:session:") -> None:
        import redis

        self._errors: tuple[type[BaseException], ...] = (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
        )
        try:
            self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        except ValueError as exc:
            raise InputError("--redis", f"not a Redis URL ({exc})") from None
        self.url = url
        self.ttl = int(ttl)
        self.prefix = prefix
        self._cas = self._redis.register_script(_CAS)
        self._get = self._redis.register_script(_GET)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except self._errors as exc:
            raise StoreUnavailable(f"the session store (Redis) cannot be reached: {type(exc).__name__}") from None

    def ping(self) -> None:
        """Fail early (StoreUnavailable) when Redis is not there."""
        self._call(self._redis.ping)

    def create(self, token: str) -> str:
        _check_size(token)
        session_id = new_session_id()
        self._call(self._redis.set, self.prefix + session_id, token, ex=self.ttl, nx=True)
        return session_id

    def get(self, session_id: str) -> str:
        value = self._call(self._get, keys=[self.prefix + check_id(session_id)], args=[MAX_STATE_TOKEN_CHARS])
        if value == -1 or value is None:
            raise SessionNotFound(session_id)
        if value == -2:  # not a value this server wrote: never read into memory
            raise StateError("the stored session is larger than any state this server writes; start a new one")
        try:
            return value.decode("ascii") if isinstance(value, bytes) else str(value)
        except UnicodeDecodeError:
            raise StateError("the stored session is not a state this server wrote; start a new one") from None

    def replace(self, session_id: str, expected: str, token: str) -> None:
        _check_size(token)
        done = self._call(self._cas, keys=[self.prefix + check_id(session_id)], args=[expected, token, self.ttl])
        if done == -1:
            raise SessionNotFound(session_id)
        if done == 0:
            raise SessionConflict("the session was changed by another turn meanwhile; send the turn again")

    def delete(self, session_id: str) -> bool:
        return bool(self._call(self._redis.delete, self.prefix + check_id(session_id)))

    def health(self) -> dict[str, Any]:
        self.ping()
        return {"store": self.kind}


class ChatService:
    """The conversation API with its key, session store and runner: what the MCP server and the HTTP API serve.

    Every method is blocking (servers call it from a thread); the expensive part runs in the runner
    (worker processes with a time budget, for servers), the store is touched here. max_state_chars
    bounds the tokens issued to what the server accepts back (a token must fit in a request body).
    """

    def __init__(
        self,
        sealer: StateSealer,
        store: SessionStore | None = None,
        runner: Runner | None = None,
        max_state_chars: int = MAX_STATE_TOKEN_CHARS,
    ) -> None:
        self.sealer = sealer
        self.store: SessionStore = store if store is not None else MemoryStore()
        self.runner: Runner = runner if runner is not None else InlineRunner()
        self.max_state_chars = max_state_chars

    def _turn(self, state: str | None, data: ChatInput) -> tuple[str, ChatReply]:
        check_input(data)  # the shape before the input is copied to a worker (pickling recurses)
        return self.runner(take_turn, self.sealer, state, data, self.max_state_chars)

    def converse(self, state: str | None, data: ChatInput) -> ChatReply:
        """Token mode: the previous state (None to start) plus input -> reply with the new state."""
        token, reply = self._turn(state, data)
        return reply.model_copy(update={"state": token})

    def start_session(self, data: ChatInput) -> ChatReply:
        """Session mode: start a conversation held server-side; the reply names its session id."""
        token, reply = self._turn(None, data)
        return reply.model_copy(update={"session": self.store.create(token)})

    def continue_session(self, session_id: str, data: ChatInput) -> ChatReply:
        """Session mode: one more turn on a held conversation (compare-and-set against racing turns)."""
        before = self.store.get(session_id)
        after, reply = self._turn(before, data)
        if after != before:
            self.store.replace(session_id, before, after)
        return reply.model_copy(update={"session": session_id})

    def _turn_json(self, state: str | None, data: ChatInput) -> tuple[str, bytes]:
        check_input(data)
        return self.runner(take_turn_json, self.sealer, state, data, self.max_state_chars)

    def converse_json(self, state: str | None, data: ChatInput) -> bytes:
        """converse, as the reply's JSON (serialised in the worker: the HTTP API's path)."""
        token, body = self._turn_json(state, data)
        return reply_json(body, state=token)

    def start_session_json(self, data: ChatInput) -> bytes:
        """start_session, as the reply's JSON."""
        token, body = self._turn_json(None, data)
        return reply_json(body, session=self.store.create(token))

    def continue_session_json(self, session_id: str, data: ChatInput) -> bytes:
        """continue_session, as the reply's JSON."""
        before = self.store.get(session_id)
        after, body = self._turn_json(before, data)
        if after != before:
            self.store.replace(session_id, before, after)
        return reply_json(body, session=session_id)

    def converse_raw(self, body: bytes) -> bytes | None:
        """converse_json on the raw body of a token-mode request; None when it does not validate (take the long way)."""
        done = self.runner(take_turn_raw, self.sealer, None, body, self.max_state_chars, True)
        return None if done is None else reply_json(done[1], state=done[0])

    def start_session_raw(self, body: bytes) -> bytes | None:
        """start_session_json on the raw body (a ChatInput); None when it does not validate."""
        done = self.runner(take_turn_raw, self.sealer, None, body, self.max_state_chars, False)
        return None if done is None else reply_json(done[1], session=self.store.create(done[0]))

    def continue_session_raw(self, session_id: str, body: bytes) -> bytes | None:
        """continue_session_json on the raw body (a ChatInput); None when it does not validate or names no session.

        The long way checks the body before the session, so a bad body for a missing session stays a 422 there.
        """
        try:
            before = self.store.get(session_id)
        except SessionNotFound:
            return None
        done = self.runner(take_turn_raw, self.sealer, before, body, self.max_state_chars, False)
        if done is None:
            return None
        if done[0] != before:
            self.store.replace(session_id, before, done[0])
        return reply_json(done[1], session=session_id)

    def end_session(self, session_id: str) -> None:
        """Forget a session; SessionNotFound if there was none."""
        if not self.store.delete(session_id):
            raise SessionNotFound(session_id)

    def diagnose(self, request: DiagnoseRequest) -> Answer:
        """A whole case's answer (certificates inline)."""
        check_shape(request.case, "case")
        return self.runner(diagnose_inline, request)

    def diagnose_markdown(self, request: DiagnoseRequest) -> str:
        """A whole case's answer as Markdown case notes."""
        check_shape(request.case, "case")
        return self.runner(diagnose_markdown, request)

    def inspect(self, request: InspectRequest) -> FileReport:
        """What a certificate file holds (a PKCS#12 is opened in the runner: its key derivation costs time)."""
        return self.runner(inspect_content, request)

    def verify(self, request: VerifyRequest) -> VerifyReport:
        """Both verdicts for a leaf, its chain and a trusted list."""
        return self.runner(verify_content, request)
