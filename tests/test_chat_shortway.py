"""The chat turns' short way through the HTTP process (chat/rawturn.py) answers exactly as FastAPI's long way."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import httpx
import pytest

from certdoctor.chat.http import create_app
from certdoctor.chat.sessions import ChatService, MemoryStore
from certdoctor.chat.token import StateSealer


class _Counting(ChatService):
    """A ChatService that counts the turns answered the short way."""

    short = 0

    def converse_raw(self, body: bytes) -> bytes | None:
        """converse_raw, counted when it answered."""
        reply = super().converse_raw(body)
        _Counting.short += reply is not None
        return reply


def _both(requests: list[tuple[str, str, bytes]]) -> list[tuple[tuple[int, Any], tuple[int, Any]]]:
    """Each request sent through the whole app (short way for turns) and through its FastAPI app alone (long way)."""
    service = _Counting(StateSealer(secrets.token_bytes(32)), MemoryStore())
    front = create_app(service)
    long_way = front.app

    async def run() -> list[tuple[tuple[int, Any], tuple[int, Any]]]:
        out = []
        short = httpx.AsyncClient(transport=httpx.ASGITransport(app=front), base_url="http://t")
        long = httpx.AsyncClient(transport=httpx.ASGITransport(app=long_way), base_url="http://t")
        async with short, long:
            for method, path, body in requests:
                headers = {"content-type": "application/json"}
                a = await short.request(method, path, content=body, headers=headers)
                b = await long.request(method, path, content=body, headers=headers)
                out.append(((a.status_code, _comparable(a)), (b.status_code, _comparable(b))))
        return out

    return asyncio.run(run())


def _comparable(response: httpx.Response) -> Any:
    """The reply without its session id (each way starts its own session)."""
    try:
        body = response.json()
    except ValueError:
        return response.text
    if isinstance(body, dict) and body.get("session"):
        body["session"] = "<id>"
    return body


@pytest.mark.parametrize(
    "body",
    [
        b'{"input": {"text": "TLS negotiation failure, the zone is down"}}',
        b'{"state": null, "input": {"answers": {"problem": "zone-down"}}}',
        b'{"input": {"answers": 5}}',  # refused by the model: the field is named
        b'{"input": {"text": "x"}, "extra": 1}',
        b'{"state": "not a state token", "input": {}}',  # refused by the sealer: 400 invalid-state
        b'{"input": {"set": {"upload.key": "x"}}}',  # refused by the turn: 422 naming set.upload.key
        b"{not json",
        b"[]",
    ],
)
def test_a_token_turn_answers_the_same_both_ways(body: bytes) -> None:
    before = _Counting.short
    ((short, long),) = _both([("POST", "/v1/conversation", body)])
    assert short == long
    assert short[0] in (200, 400, 422)
    assert (_Counting.short > before) == (short[0] == 200)  # an answer came the short way; a refusal the long one


def test_session_turns_answer_the_same_both_ways() -> None:
    start = b'{"text": "Peer\'s TLS certificate identity was unacceptable"}'
    results = _both([("POST", "/v1/sessions", start), ("POST", "/v1/sessions", b'{"answers": 7}')])
    for short, long in results:
        assert short == long
    assert [r[0][0] for r in results] == [201, 422]


def test_a_turn_on_a_missing_session_checks_the_body_first() -> None:
    results = _both(
        [
            ("POST", "/v1/sessions/no-such-session/turns", b'{"answers": {"problem": "zone-down"}}'),
            ("POST", "/v1/sessions/no-such-session/turns", b'{"answers": 7}'),
        ]
    )
    for short, long in results:
        assert short == long
    assert [r[0][0] for r in results] == [404, 422]
    assert results[1][0][1]["errors"][0]["field"] == "body.answers"
