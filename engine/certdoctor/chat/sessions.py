"""Server-side sessions for integrators that prefer an id to carrying a token: in-process or Redis.

A session holds the same sealed token a chatbot would carry, so the store is never trusted either:
what comes back from it is opened and checked like any token. Turns on one session are applied with
compare-and-set: two turns racing on one session cannot silently drop one; the loser gets a conflict
and retries. Redis lets several worker processes (or machines) serve one conversation.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

from certdoctor.errors import CertdoctorError, InputError

from .api import ChatInput, ChatReply, advance, converse
from .token import StateSealer

#: Sessions expire this long after their last turn (seconds), unless configured otherwise.
DEFAULT_TTL = 24 * 3600
#: Most sessions an in-process store keeps; the least recently used go first.
MAX_MEMORY_SESSIONS = 10_000

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


class MemoryStore:
    """Sessions in this process: bounded (LRU) and expiring; for one worker."""

    kind = "memory"

    def __init__(self, ttl: float = DEFAULT_TTL, max_sessions: int = MAX_MEMORY_SESSIONS) -> None:
        self.ttl = ttl
        self.max_sessions = max_sessions
        self._items: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _live(self, session_id: str) -> str:
        item = self._items.get(check_id(session_id))
        if item is None or item[1] < time.monotonic():
            self._items.pop(session_id, None)
            raise SessionNotFound(session_id)
        self._items.move_to_end(session_id)
        return item[0]

    def create(self, token: str) -> str:
        session_id = new_session_id()
        with self._lock:
            self._items[session_id] = (token, time.monotonic() + self.ttl)
            while len(self._items) > self.max_sessions:
                self._items.popitem(last=False)
        return session_id

    def get(self, session_id: str) -> str:
        with self._lock:
            return self._live(session_id)

    def replace(self, session_id: str, expected: str, token: str) -> None:
        with self._lock:
            if self._live(session_id) != expected:
                raise SessionConflict("the session was changed by another turn meanwhile; send the turn again")
            self._items[session_id] = (token, time.monotonic() + self.ttl)

    def delete(self, session_id: str) -> bool:
        with self._lock:
            return self._items.pop(check_id(session_id), None) is not None

    def health(self) -> dict[str, Any]:
        with self._lock:
            return {"store": self.kind, "sessions": len(self._items)}


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

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except self._errors as exc:
            raise StoreUnavailable(f"the session store (Redis) cannot be reached: {type(exc).__name__}") from None

    def ping(self) -> None:
        """Fail early (StoreUnavailable) when Redis is not there."""
        self._call(self._redis.ping)

    def create(self, token: str) -> str:
        session_id = new_session_id()
        self._call(self._redis.set, self.prefix + session_id, token, ex=self.ttl, nx=True)
        return session_id

    def get(self, session_id: str) -> str:
        value = self._call(self._redis.get, self.prefix + check_id(session_id))
        if value is None:
            raise SessionNotFound(session_id)
        return value.decode("ascii") if isinstance(value, bytes) else str(value)

    def replace(self, session_id: str, expected: str, token: str) -> None:
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
    """The conversation API with its key and session store: what the MCP server and the HTTP API serve."""

    def __init__(self, sealer: StateSealer, store: SessionStore | None = None) -> None:
        self.sealer = sealer
        self.store: SessionStore = store if store is not None else MemoryStore()

    def converse(self, state: str | None, data: ChatInput) -> ChatReply:
        """Token mode: the previous state (None to start) plus input -> reply with the new state."""
        return converse(state, data, sealer=self.sealer)

    def start_session(self, data: ChatInput) -> ChatReply:
        """Session mode: start a conversation held server-side; the reply names its session id."""
        conversation, answer, question = advance(None, data)
        session_id = self.store.create(self.sealer.seal(conversation))
        return ChatReply(answer=answer, question=question, session=session_id, turns=len(conversation.turns))

    def continue_session(self, session_id: str, data: ChatInput) -> ChatReply:
        """Session mode: one more turn on a held conversation (compare-and-set against racing turns)."""
        before = self.store.get(session_id)
        conversation, answer, question = advance(self.sealer.open(before), data)
        after = self.sealer.seal(conversation)
        if after != before:
            self.store.replace(session_id, before, after)
        return ChatReply(answer=answer, question=question, session=session_id, turns=len(conversation.turns))

    def end_session(self, session_id: str) -> None:
        """Forget a session; SessionNotFound if there was none."""
        if not self.store.delete(session_id):
            raise SessionNotFound(session_id)
