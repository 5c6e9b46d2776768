"""Sealed conversation state: a compact, versioned token a chatbot carries between turns.

Layout (then Base64url without padding):

    version (1 byte) | key id (4 bytes) | zlib(JSON of the Conversation) | HMAC-SHA256 over all before (32 bytes)

The MAC key is derived from the configured secret (`CERTDOCTOR_STATE_KEY` or a key file), so a token
sealed by another deployment names another key id and is refused as foreign; a changed or cut token
fails the MAC; a token of another format version is refused before anything else is read. Nothing
in a token is trusted until the MAC checks out, and nothing in it is secret: it is signed, not
encrypted, which is why no private key or password may ever enter a conversation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import secrets
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import ValidationError

from certdoctor.conversation import Conversation
from certdoctor.errors import CertdoctorError, InputError
from certdoctor.limits import MAX_FILE_BYTES, MAX_STATE_JSON_BYTES, MAX_STATE_TOKEN_CHARS
from certdoctor.safeinput import read_regular_file

#: The token format this certdoctor writes and reads.
TOKEN_VERSION = 1
#: Shortest secret accepted: HMAC-SHA256 wants 32 bytes of entropy; a shorter secret is a mistake.
MIN_SECRET_CHARS = 32

ENV_KEY = "CERTDOCTOR_STATE_KEY"
ENV_PREVIOUS = "CERTDOCTOR_STATE_KEY_PREVIOUS"
ENV_DEV = "CERTDOCTOR_DEV"

_HEADER = 1 + 4
_MAC = 32
_log = logging.getLogger("certdoctor.chat")


class StateError(InputError):
    """A state token that cannot be trusted or read; the message says why, never what it held."""

    def __init__(self, problem: str) -> None:
        super().__init__("state", problem)


class ConversationTooLarge(InputError):
    """A turn would make the conversation larger than any state this server accepts: refused before issuing it."""

    def __init__(self, detail: str) -> None:
        super().__init__("conversation", f"this conversation is too large: start a new one ({detail})")


class KeyMissingError(CertdoctorError):
    """No state key is configured and development mode is off."""


def _derive(secret: bytes) -> tuple[bytes, bytes]:
    """The MAC key (domain-separated from the configured secret) and its public 4-byte id."""
    mac_key = hmac.new(b"certdoctor state key v1", secret, hashlib.sha256).digest()
    key_id = hmac.new(mac_key, b"key id", hashlib.sha256).digest()[:4]
    return mac_key, key_id


class StateSealer:
    """Seals Conversations into tokens and opens them again, with one current key and older ones.

    Older keys (rotation) only open tokens; every new token is sealed with the current key.
    """

    def __init__(self, secret: bytes, previous: Sequence[bytes] = (), *, ephemeral: bool = False) -> None:
        if len(secret) < MIN_SECRET_CHARS and not ephemeral:
            raise KeyMissingError(
                f"the state key is {len(secret)} characters; use at least {MIN_SECRET_CHARS} random characters"
            )
        self.ephemeral = ephemeral
        self._key, self.key_id = _derive(secret)
        self._keys: dict[bytes, bytes] = {self.key_id: self._key}
        for old in previous:
            key, key_id = _derive(old)
            self._keys.setdefault(key_id, key)

    @classmethod
    def ephemeral_key(cls) -> StateSealer:
        """A throwaway key for development: tokens die with the process."""
        return cls(secrets.token_bytes(32), ephemeral=True)

    def seal(self, conversation: Conversation, max_chars: int | None = None) -> str:
        """The token for a conversation (deterministic: the same conversation gives the same token).

        Never one that open() would refuse: JSON over MAX_STATE_JSON_BYTES, or a token longer than
        MAX_STATE_TOKEN_CHARS (or max_chars, when a server's request bodies are smaller), is
        ConversationTooLarge instead, and the caller keeps the previous state.
        """
        # keys keep their order: a turn's answers apply in the order given (a later one wins a conflict)
        data = conversation.model_dump(mode="json", exclude_defaults=True)
        text = json.dumps(data, separators=(",", ":")).encode("utf-8")
        if len(text) > MAX_STATE_JSON_BYTES:
            raise ConversationTooLarge(f"its state would be {len(text)} bytes; the limit is {MAX_STATE_JSON_BYTES}")
        body = zlib.compress(text, 9)
        head = bytes([TOKEN_VERSION]) + self.key_id
        mac = hmac.new(self._key, head + body, hashlib.sha256).digest()
        token = base64.urlsafe_b64encode(head + body + mac).rstrip(b"=").decode("ascii")
        limit = min(MAX_STATE_TOKEN_CHARS, max_chars or MAX_STATE_TOKEN_CHARS)
        if len(token) > limit:
            raise ConversationTooLarge(f"its state would be {len(token)} characters; the limit is {limit}")
        return token

    def open(self, token: str) -> Conversation:
        """The conversation a token holds; StateError when it is damaged, foreign, old or changed."""
        if not isinstance(token, str) or not token.strip():
            raise StateError("empty; send the state from the previous reply, or none to start")
        token = token.strip()
        if len(token) > MAX_STATE_TOKEN_CHARS:
            raise StateError(f"longer than {MAX_STATE_TOKEN_CHARS} characters; not a state this server wrote")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise StateError("not a certdoctor state token (not Base64url text: damaged or truncated?)") from None
        if len(raw) < _HEADER + _MAC + 1:
            raise StateError("not a certdoctor state token (too short: truncated?)")
        if raw[0] != TOKEN_VERSION:
            raise StateError(
                f"token format version {raw[0]} is not supported (this certdoctor reads version {TOKEN_VERSION}); "
                "start a new conversation"
            )
        key = self._keys.get(raw[1:_HEADER])
        if key is None and self.ephemeral:
            raise StateError(
                "this conversation was started with an earlier certdoctor process, whose state key ended with it "
                f"(no {ENV_KEY} is set, so each process seals with a key of its own); start a new conversation"
            )
        if key is None:
            raise StateError("sealed with another key than this server's state key; start a new conversation")
        body, mac = raw[:-_MAC], raw[-_MAC:]
        if not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest(), mac):
            raise StateError("integrity check failed: the token was changed or truncated")
        try:
            inflate = zlib.decompressobj()
            text = inflate.decompress(body[_HEADER:], MAX_STATE_JSON_BYTES)
            if inflate.unconsumed_tail or not inflate.eof:
                raise StateError("content is incomplete or larger than the limit")
            return Conversation.model_validate(json.loads(text))
        except (zlib.error, ValueError, ValidationError):  # sealed by us yet unreadable: an old or broken writer
            raise StateError("content is not a conversation this certdoctor can read; start a new one") from None


def _read_secret_file(path: str | Path) -> bytes:
    """A key file's secret (surrounding blanks removed); errors name the file, never its content."""
    secret = read_regular_file(path, MAX_FILE_BYTES, "state key file").strip()
    if len(secret) < MIN_SECRET_CHARS:
        raise InputError(str(path), f"the state key must be at least {MIN_SECRET_CHARS} characters")
    return secret


def sealer_from_config(
    key_file: str | Path | None = None, environ: Mapping[str, str] | None = None, *, per_process: bool = False
) -> StateSealer:
    """The sealer the configuration asks for: key file, else CERTDOCTOR_STATE_KEY, else (dev) an ephemeral key.

    Outside development mode (CERTDOCTOR_DEV=1) a missing key is an error: tokens sealed with a
    throwaway key would be refused after a restart or by another worker. per_process=True (MCP over
    stdio: the server and every token it hands out live in one process) seals with a random key of
    this process instead, and says so.
    """
    env = os.environ if environ is None else environ
    previous = [s.encode() for s in env.get(ENV_PREVIOUS, "").split() if s]
    if key_file is not None:
        return StateSealer(_read_secret_file(key_file), previous)
    secret = env.get(ENV_KEY, "").strip()
    if secret:
        if len(secret) < MIN_SECRET_CHARS:
            raise KeyMissingError(f"{ENV_KEY} must be at least {MIN_SECRET_CHARS} characters")
        return StateSealer(secret.encode(), previous)
    if env.get(ENV_DEV, "") not in ("", "0"):
        _log.warning("development mode: state tokens are sealed with an ephemeral key and are refused after a restart")
        return StateSealer.ephemeral_key()
    if per_process:
        _log.warning(f"no {ENV_KEY}: conversation state is sealed with a random key of this process and ends with it")
        return StateSealer.ephemeral_key()
    raise KeyMissingError(
        f"no state key: set {ENV_KEY} (or --state-key-file FILE) to a secret of at least {MIN_SECRET_CHARS} "
        f"random characters, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`; "
        f"{ENV_DEV}=1 uses a throwaway key for development"
    )


_default: StateSealer | None = None


def default_sealer() -> StateSealer:
    """The process-wide sealer from the environment (built on first use, then kept: one key per process)."""
    global _default
    if _default is None:
        _default = sealer_from_config()
    return _default
