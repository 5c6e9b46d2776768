"""Minimal DER walking: sniff structures, and read a certificate's extensions one by one when some are broken.

cryptography parses extensions all at once: one malformed extension makes `cert.extensions` raise and hides
the others. OpenSSL ignores a malformed extension it does not use (AIA, say). To judge like OpenSSL and to
say *which* field is broken, the extension list is split here and each extension is tried on its own.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography import x509


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Hold the cyclic garbage collector while many certificate objects are made (nothing they make is cyclic
    garbage): without this, collections triggered by the allocations took 40-60% of loading a large list."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def tlv(data: bytes, offset: int) -> tuple[int, int, int] | None:
    """(tag, header length, content length) of the DER element at offset, or None if malformed."""
    if offset + 2 > len(data):
        return None
    tag = data[offset]
    first = data[offset + 1]
    if first < 0x80:
        return tag, 2, first
    n = first & 0x7F
    if n == 0 or n > 4 or offset + 2 + n > len(data):
        return None
    return tag, 2 + n, int.from_bytes(data[offset + 2 : offset + 2 + n], "big")


def children(data: bytes, start: int, end: int, most: int | None = None) -> list[tuple[int, int, int]]:
    """(offset, tag, total length) of each element between start and end (the first `most` of them, for
    bounded work on untrusted input); stops at malformed data."""
    found: list[tuple[int, int, int]] = []
    offset = start
    while offset < end and (most is None or len(found) < most):
        head = tlv(data, offset)
        if head is None:
            break
        tag, hlen, clen = head
        if offset + hlen + clen > end:
            break
        found.append((offset, tag, hlen + clen))
        offset += hlen + clen
    return found


def encode(tag: int, content: bytes) -> bytes:
    """One DER element with definite length."""
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def oid_text(content: bytes) -> str:
    """Dotted text of an OBJECT IDENTIFIER's content octets."""
    if not content:
        return ""
    parts = [str(min(content[0] // 40, 2)), str(content[0] - 40 * min(content[0] // 40, 2))]
    value = 0
    for byte in content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(str(value))
            value = 0
    return ".".join(parts)


@dataclass(frozen=True)
class RawExtension:
    """One extension as encoded: its OID, criticality and DER bytes."""

    oid: str
    critical: bool
    der: bytes


@dataclass(frozen=True)
class CertificateParts:
    """A certificate split so its extension list can be rebuilt."""

    before_extensions: list[bytes]
    extensions: list[RawExtension]
    after_tbs: bytes


def split_certificate(der: bytes) -> CertificateParts | None:
    """Split a DER certificate into TBS fields, raw extensions and the signature part."""
    outer = tlv(der, 0)
    if outer is None:
        return None
    _, ohlen, oclen = outer
    top = children(der, ohlen, ohlen + oclen)
    if len(top) != 3:
        return None
    tbs_off, _, tbs_len = top[0]
    tbs_head = tlv(der, tbs_off)
    if tbs_head is None:
        return None
    fields = children(der, tbs_off + tbs_head[1], tbs_off + tbs_len)
    before: list[bytes] = []
    raw: list[RawExtension] = []
    for off, tag, length in fields:
        if tag != 0xA3:
            before.append(der[off : off + length])
            continue
        head = tlv(der, off)
        if head is None:
            return None
        seq_off = off + head[1]
        seq = tlv(der, seq_off)
        if seq is None:
            return None
        for e_off, _, e_len in children(der, seq_off + seq[1], seq_off + seq[1] + seq[2]):
            e_head = tlv(der, e_off)
            if e_head is None:
                continue
            parts = children(der, e_off + e_head[1], e_off + e_len)
            if not parts or parts[0][1] != 0x06:
                continue
            o_off, _, o_len = parts[0]
            o_head = tlv(der, o_off)
            assert o_head is not None
            oid = oid_text(der[o_off + o_head[1] : o_off + o_len])
            critical = len(parts) > 2 and parts[1][1] == 0x01 and der[parts[1][0] + 2] != 0
            raw.append(RawExtension(oid, critical, der[e_off : e_off + e_len]))
    after = b"".join(der[off : off + length] for off, _, length in top[1:])
    return CertificateParts(before, raw, after)


def rebuild(parts: CertificateParts, keep: list[RawExtension]) -> bytes:
    """A certificate with only the extensions in keep (its signature no longer verifies)."""
    fields = list(parts.before_extensions)
    if keep:
        fields.append(encode(0xA3, encode(0x30, b"".join(e.der for e in keep))))
    return encode(0x30, encode(0x30, b"".join(fields)) + parts.after_tbs)


def has_explicit_curve(parts: CertificateParts) -> bool:
    """True when the subjectPublicKeyInfo spells out EC curve parameters instead of naming a curve."""
    fields = parts.before_extensions
    index = 6 if fields and fields[0][0] == 0xA0 else 5
    if len(fields) <= index:
        return False
    spki = fields[index]
    head = tlv(spki, 0)
    if head is None:
        return False
    inner = children(spki, head[1], len(spki))
    if not inner:
        return False
    alg_off, _, alg_len = inner[0]
    alg_head = tlv(spki, alg_off)
    if alg_head is None:
        return False
    alg = children(spki, alg_off + alg_head[1], alg_off + alg_len)
    return len(alg) > 1 and alg[1][1] == 0x30


@dataclass(frozen=True)
class ExtensionProblem:
    """An extension cryptography cannot parse, or one present twice."""

    oid: str
    critical: bool
    reason: str


def readable_extensions(cert: x509.Certificate) -> tuple[x509.Extensions, list[ExtensionProblem]]:
    """The extensions that parse, and a problem for each that does not (or is duplicated)."""
    try:
        return cert.extensions, []
    except Exception as whole:  # cryptography raises ValueError, TypeError, DuplicateExtension
        first_error = str(whole) or type(whole).__name__
    from cryptography.hazmat.primitives.serialization import Encoding  # only for broken certificates

    parts = split_certificate(cert.public_bytes(Encoding.DER))
    if parts is None:
        return x509.Extensions([]), [ExtensionProblem("?", False, first_error)]
    problems: list[ExtensionProblem] = []
    seen: dict[str, int] = {}
    for ext in parts.extensions:
        seen[ext.oid] = seen.get(ext.oid, 0) + 1
    good: list[RawExtension] = []
    for ext in parts.extensions:
        if seen[ext.oid] > 1:
            if not any(p.oid == ext.oid for p in problems):
                problems.append(ExtensionProblem(ext.oid, ext.critical, "the extension appears more than once"))
            continue
        try:
            _ = x509.load_der_x509_certificate(rebuild(parts, [ext])).extensions
        except Exception as exc:
            problems.append(ExtensionProblem(ext.oid, ext.critical, str(exc) or type(exc).__name__))
            continue
        good.append(ext)
    try:
        return x509.load_der_x509_certificate(rebuild(parts, good)).extensions, problems
    except Exception:
        return x509.Extensions([]), problems or [ExtensionProblem("?", False, first_error)]
