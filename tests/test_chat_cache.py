"""The per-process cache of a conversation's facts (chat/cache.py): same answers, bounded, no key kept."""

from __future__ import annotations

import contextlib
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_chat_support import private_key_pem

from certdoctor.chat.api import ChatInput, take_turn
from certdoctor.chat.cache import CACHE, FactCache, _conclusions_size, diagnose_cached
from certdoctor.chat.token import StateSealer
from certdoctor.conversation import Conversation, Turn, diagnose_conversation, step
from certdoctor.diagnosis import diagnose_case
from certdoctor.keydetect import holds_private_key
from certdoctor.testpki import KeySpec, TestPKI, pem

EC = KeySpec("ec", 256)


def _case(at: str | None = "2026-01-15T00:00:00Z") -> dict[str, object]:
    pki = TestPKI(seed="chat-cache")
    root = pki.root("Cache Root CA", key=EC)
    issuing = pki.intermediate("Cache Issuing CA", root, key=EC)
    c_leaf = pki.leaf("expc.cache.example", issuing, sans=["expc.cache.example"], key=EC)
    e_leaf = pki.leaf("expe.cache.example", issuing, sans=["expe.cache.example"], key=EC)
    case: dict[str, object] = {
        "title": "cache",
        "symptoms": {"zone_status": "Failed", "log_lines": ["TLS negotiation failure"]},
        "expressway_c": {
            "fqdn": "expc.cache.example",
            "certificate": pem(c_leaf.certificate, issuing.certificate).decode(),
            "trusted_cas": [pem(root.certificate).decode()],
            "traversal_zone": {"peer_addresses": ["edge.cache.example"]},
        },
        "expressway_e": {
            "fqdn": "expe.cache.example",
            "certificate": pem(e_leaf.certificate, issuing.certificate).decode(),
            "trusted_cas": [pem(root.certificate, issuing.certificate).decode()],
        },
    }
    if at is not None:
        case["at"] = at
    return case


def _full(conversation: Conversation) -> str:
    case = conversation.case()
    answer = diagnose_case(case, source="conversation", lang=conversation.lang, answered=conversation.skipped())
    return answer.model_dump_json()


@pytest.mark.parametrize("at", ["2026-01-15T00:00:00Z", None])
def test_an_answer_only_turn_gives_exactly_the_full_diagnosis(at: str | None) -> None:
    CACHE.clear()
    conversation = Conversation(base=_case(at))
    first = step(conversation)
    assert first.answer.model_dump_json() == _full(conversation)
    hits = CACHE.hits
    for answers in ({"problem": "zone-down"}, {"ntp_synchronized": "yes"}, {"ntp_synchronized": "no"}):
        conversation = conversation.then(Turn(answers=answers))
        taken = step(conversation)
        assert taken.answer.model_dump_json() == _full(conversation)  # the same answer, to the byte
        for entry in CACHE._entries.values():  # the bytes counted turn by turn are those a recount finds
            assert entry.concluded is not None
            assert entry.concluded_size == _conclusions_size(entry.concluded[1])
    assert CACHE.hits >= hits + 3  # each answer-only turn re-used the facts
    for lang in ("nl", "en"):  # an answer seen before (the language switched back) comes from the cache
        conversation = conversation.model_copy(update={"lang": lang})
        assert step(conversation).answer.model_dump_json() == _full(conversation)
    assert CACHE.answer_hits >= 1


def test_the_whole_token_conversation_matches_full_diagnoses() -> None:
    CACHE.clear()
    sealer = StateSealer(b"k" * 32)
    state = None
    turns = [
        {"case": _case(), "text": "TLS negotiation failure"},
        {"answers": {"problem": "zone-down"}},
        {"set": {"expressway_c.traversal_zone.peer_addresses": "expe.cache.example"}},
        {"answers": {"ntp_synchronized": "yes"}},
        {},
        {"undo": True},
        {"lang": "nl"},
    ]
    for data in turns:
        state, reply = take_turn(sealer, state, ChatInput.model_validate(data))
        conversation = sealer.open(state)
        assert reply.answer.model_copy(update={"markdown": None}).model_dump_json() == _full(conversation)


def test_a_case_whose_time_is_now_is_reused_only_while_no_certificate_date_is_crossed() -> None:
    store = FactCache()
    case = Conversation(base=_case(None)).case()
    data = Conversation(base=_case(None)).case_data()
    diagnose_cached(case, data, cache=store)
    (entry,) = store.entries()
    assert entry.dates and not entry.fixed
    assert entry.holds_at(entry.when + timedelta(seconds=1))
    crossing = min(d for d in entry.dates if d > entry.when)
    assert not entry.holds_at(crossing + timedelta(seconds=1))
    assert entry.when <= datetime.now(UTC)


def test_the_cache_is_bounded_in_entries_and_bytes() -> None:
    store = FactCache(max_entries=3, max_bytes=10**9)
    for i in range(6):
        data = {**_case(), "title": f"case {i}"}
        conversation = Conversation(base=data)
        diagnose_cached(conversation.case(), conversation.case_data(), cache=store)
    assert len(store) == 3
    small = FactCache(max_entries=100, max_bytes=store.size // 3 + 1)
    for i in range(6):
        conversation = Conversation(base={**_case(), "title": f"case {i}"})
        diagnose_cached(conversation.case(), conversation.case_data(), cache=small)
    assert 0 < len(small) < 6 and small.size <= small.max_bytes


def test_the_cache_keeps_no_key_and_no_case_with_files_or_a_key(tmp_path: Path) -> None:
    store = FactCache()
    conversation = Conversation(base=_case())
    diagnose_cached(conversation.case(), conversation.case_data(), cache=store)
    assert len(store) == 1
    kept = pickle.dumps(store.entries())
    assert b"PRIVATE KEY" not in kept and not holds_private_key(kept.decode("latin-1"))
    assert b"-----BEGIN" not in kept  # not even the certificates themselves: only what was derived from them
    # a case that reads a file from disk, or names a key, is never kept
    cert = tmp_path / "c.pem"
    cert.write_text(str(_case()["expressway_c"]["certificate"]))  # type: ignore[index]
    on_disk = Conversation(base={**_case(), "expressway_c": {"fqdn": "expc.cache.example", "certificate": str(cert)}})
    with_key = Conversation(base={**_case(), "upload": {"key": private_key_pem("cache")}})
    for other in (on_disk, with_key):
        store = FactCache()
        with contextlib.suppress(Exception):  # a case the diagnosis refuses is not kept either
            diagnose_cached(other.case(), other.case_data(), cache=store, base_dir=tmp_path)
        assert len(store) == 0
    assert diagnose_conversation(conversation) is not None
