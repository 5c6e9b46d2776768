"""Whether text holds private-key material in any common encoding, in bounded time and without deriving keys.

Chat surfaces refuse such text so that no key enters a state token, a session store, a log or a reply.
Recognised: PEM armour (also with literal "\\n" escapes), PuTTY key files, JWK with a private member,
and DER private keys (PKCS#1, SEC1, DSA, PKCS#8, encrypted PKCS#8, OpenSSH, PKCS#12) as Base-64,
base64url, hex or raw bytes, also glued to a word or inside Base-64 of a PEM file. Structure is
recognised only: nothing is parsed by cryptography and no PKCS#12 key derivation ever runs.
"""

from __future__ import annotations

import binascii
import re

from certdoctor.limits import MAX_KEYDETECT_CANDIDATES, MAX_KEYDETECT_CHARS
from certdoctor.x509.der import children, oid_text, tlv
from certdoctor.x509.pkcs12 import PBE_OID_PREFIXES, is_pkcs12

_ARMOUR = re.compile(rb"-{3,}\s*BEGIN\s+[A-Z0-9 ]*PRIVATE\s+KEY|PuTTY-User-Key-File-\d+\s*:")
#: A JWK private member ("d": RSA, EC and OKP keys) in a JSON or Python-literal object that has a "kty".
_JWK_KTY = re.compile(rb"""["']kty["']\s*:""")
_JWK_D = re.compile(rb"""["']d["']\s*:\s*["'][A-Za-z0-9_\-+/=]{8,}["']""")
_OPENSSH = b"openssh-key-v1\x00"
#: Runs of Base-64 / base64url text (line breaks and blanks inside allowed), and of hex (colons allowed).
#: Possessive, so a long run is taken whole and never re-scanned from inside (the scan stays linear).
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/_\-\s]{40,}+")
_HEX_RUN = re.compile(rb"[0-9A-Fa-f:\s]{64,}+")
_BLANKS = re.compile(rb"[\s:]+")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LENGTH = rb"(?:[\x00-\x7f]|\x81[\s\S]|\x82[\s\S]{2}|\x83[\s\S]{3})"
#: Where a DER key may start: SEQUENCE, length, then INTEGER 0, 1 or 3 (PKCS#1, SEC1, DSA, PKCS#8, PKCS#12),
#: or an AlgorithmIdentifier naming PBES1/PBES2 or a PKCS#12 PBE scheme (encrypted PKCS#8).
_DER_START = re.compile(
    rb"\x30"
    + _LENGTH
    + rb"(?:\x02\x01[\x00\x01\x03]|\x30"
    + _LENGTH
    + rb"\x06[\x09\x0a]\x2a\x86\x48\x86\xf7\x0d\x01(?:\x05|\x0c\x01))"
)
_ESCAPES = ((b"\\r\\n", b"\n"), (b"\\n", b"\n"), (b"\\r", b"\n"), (b"\\/", b"/"), (b'\\"', b'"'))
_URL_SAFE = bytes.maketrans(b"-_", b"+/")
#: Smallest DER private key recognised (a SEC1 P-256 key without its optional fields is 39 bytes).
_MIN_DER = 32


class _TooMany(Exception):
    """More key-shaped candidates than MAX_KEYDETECT_CANDIDATES: stop and refuse rather than spend unbounded time."""


def holds_private_key(text: str) -> bool:
    """Whether text (its first MAX_KEYDETECT_CHARS characters) holds private-key material in any common encoding."""
    try:
        return _scan(text[:MAX_KEYDETECT_CHARS], [MAX_KEYDETECT_CANDIDATES])
    except _TooMany:
        return True


def _scan(text: str, budget: list[int]) -> bool:
    """The detector proper; budget[0] counts down the DER candidates still allowed."""
    raw = text.encode("utf-8", errors="surrogatepass")
    for old, new in _ESCAPES:
        if old in raw:
            raw = raw.replace(old, new)
    if _text_holds_key(raw):
        return True
    binary = not raw.isascii() or _CONTROL.search(raw) is not None  # DER always holds control bytes
    if binary and _bytes_hold_key(text.encode("latin-1", errors="ignore"), budget):  # bytes pasted as text
        return True
    for run in _BASE64_RUN.finditer(raw):
        compact = _BLANKS.sub(b"", run.group()).translate(_URL_SAFE)
        for shift in range(4):
            chunk = compact[shift:]
            decoded = _b64(chunk[: len(chunk) - len(chunk) % 4])
            if decoded and (_bytes_hold_key(decoded, budget) or _text_holds_key(decoded)):
                return True
    for run in _HEX_RUN.finditer(raw):
        compact = _BLANKS.sub(b"", run.group())
        for shift in range(2):
            chunk = compact[shift:]
            try:
                decoded = binascii.unhexlify(chunk[: len(chunk) - len(chunk) % 2])
            except (binascii.Error, ValueError):
                continue
            if _bytes_hold_key(decoded, budget):
                return True
    return False


def _b64(chunk: bytes) -> bytes:
    """Base-64 decoded, or b'' when it does not decode."""
    try:
        return binascii.a2b_base64(chunk)
    except (binascii.Error, ValueError):
        return b""


def _text_holds_key(data: bytes) -> bool:
    """PEM or PuTTY armour of a private key, or a JWK with a private member, in text."""
    if (b"PRIVATE" in data or b"PuTTY-User-Key-File-" in data) and _ARMOUR.search(data):
        return True
    return b"kty" in data and bool(_JWK_D.search(data) and _JWK_KTY.search(data))


def _bytes_hold_key(data: bytes, budget: list[int]) -> bool:
    """Whether decoded bytes hold a DER private key, an encrypted one, a PKCS#12 file or an OpenSSH key."""
    if _OPENSSH in data:
        return True
    for match in _DER_START.finditer(data):
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooMany
        head = tlv(data, match.start())
        if head is None or head[1] + head[2] < _MIN_DER:
            continue
        end = min(match.start() + head[1] + head[2], len(data))
        if _der_is_key(data[match.start() : end]):
            return True
    return False


#: Elements of a key structure looked at: its shape is in the first few (bounded work on untrusted input).
_FEW = 11


def _der_is_key(der: bytes) -> bool:
    """The shapes of private keys: PKCS#1 RSA, DSA, SEC1 EC, PKCS#8 (plain or encrypted), PKCS#12."""
    head = tlv(der, 0)
    if head is None:
        return False
    parts = children(der, head[1], head[1] + head[2], _FEW)
    tags = [tag for _, tag, _ in parts]
    if len(parts) < 2:
        return False
    first = der[parts[0][0] : parts[0][0] + parts[0][2]]
    if tags[0] == 0x30:  # EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier (a PBE scheme), OCTET STRING }
        return len(parts) == 2 and tags[1] == 0x04 and _pbe_algorithm(first)
    if first == b"\x02\x01\x03":
        return is_pkcs12(der)
    if tags[:9] == [0x02] * 9 and (len(tags) == 9 or (len(tags) == 10 and tags[9] == 0x30)):
        return True  # RSAPrivateKey: version, n, e, d, p, q, dp, dq, qinv (, otherPrimeInfos)
    if tags == [0x02] * 6:
        return True  # OpenSSL DSA: version, p, q, g, y, x
    if first == b"\x02\x01\x01" and tags[1] == 0x04 and set(tags[2:]) <= {0xA0, 0xA1}:
        return 16 <= parts[1][2] - 2 <= 130  # SEC1 ECPrivateKey: version 1, the private scalar, [0], [1]
    if len(parts) >= 3 and tags[1] == 0x30 and tags[2] == 0x04:  # PKCS#8 PrivateKeyInfo / OneAsymmetricKey
        alg_head = tlv(der, parts[1][0])
        alg = children(der, parts[1][0] + alg_head[1], parts[1][0] + parts[1][2], 1) if alg_head else []
        return bool(alg) and alg[0][1] == 0x06
    return False


def _pbe_algorithm(alg: bytes) -> bool:
    """Whether an AlgorithmIdentifier names a password-based encryption scheme (PBES1, PBES2, PKCS#12 PBE)."""
    head = tlv(alg, 0)
    if head is None:
        return False
    inner = children(alg, head[1], head[1] + head[2])
    if not inner or inner[0][1] != 0x06:
        return False
    off, _, length = inner[0]
    oid_head = tlv(alg, off)
    if oid_head is None:
        return False
    return (oid_text(alg[off + oid_head[1] : off + length]) + ".").startswith(PBE_OID_PREFIXES)
