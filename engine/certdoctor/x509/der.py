"""Minimal DER walking: sniff structures, and read a certificate's extensions one by one when some are broken.

cryptography parses extensions all at once: one malformed extension makes `cert.extensions` raise and hides
the others. OpenSSL ignores a malformed extension it does not use (AIA, say). To judge like OpenSSL and to
say *which* field is broken, the extension list is split here and each extension is tried on its own.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import re
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


# --- plain names: read from the DER itself, without building cryptography Name objects -------------------------
#
# A "plain" name is a sequence of single-attribute RDNs, each an id-at (2.5.4.x) attribute other than
# uniqueIdentifier, as a UTF8String, PrintableString or IA5String of printable ASCII with no leading, trailing
# or doubled spaces, a CN of 1 to 64 characters and a C of 2. Such a name cannot fail or warn when cryptography
# reads it (cert.subject, rfc4514_string), and its canonical form (certfacts.name_key) is its lower-cased text,
# so a byte key -- the content with letters lower-cased and the three string tags made one -- groups exactly the
# names name_key groups (loose_key_of_name gives the same key from a canonical name).


#: One RDN's fixed part: SET, SEQUENCE, OID 2.5.4.x (not 45), string tag, value length (all short forms).
_RDN_HEAD = re.compile(rb"\x31[\x0a-\x7f]\x30[\x08-\x7d]\x06\x03\x55\x04[\x00-\x2c\x2e-\x7f][\x0c\x13\x16][\x01-\x76]")
_PLAIN_VALUE = re.compile(rb"[!-~](?:[ -~]*[!-~])?")
_LOOSE = bytes.maketrans(bytes(range(0x41, 0x5B)) + b"\x13\x16", bytes(range(0x61, 0x7B)) + b"\x0c\x0c")
_VALIDITY = re.compile(rb"(?:\x17\x0d[0-9]{12}Z|\x18\x0f(?!0000)[0-9]{14}Z){2}")


def _plain(name: bytes) -> bool:
    """True when the content of a Name is plain (see above)."""
    head, value = _RDN_HEAD.match, _PLAIN_VALUE.fullmatch
    at, end = 0, len(name)
    while at < end:
        if head(name, at) is None:
            return False
        n = name[at + 10]
        nxt = at + 11 + n
        if name[at + 1] != n + 9 or name[at + 3] != n + 7 or nxt > end or value(name, at + 11, nxt) is None:
            return False
        arc = name[at + 8]
        if (arc == 3 and n > 64) or (arc == 6 and n != 2):
            return False
        at = nxt
    return b"  " not in name


#: Certificate and TBSCertificate headers, the version if any, and the serialNumber's tag and (short) length.
_TBS_TO_SERIAL = re.compile(
    rb"\x30(?:\x82..|\x81.|[\x00-\x7f])\x30(?:\x82..|\x81.|[\x00-\x7f])(?:\xa0\x03\x02\x01[\x00-\x02])?\x02[\x01-\x7f]",
    re.DOTALL,
)


def _name_span(der: bytes, at: int) -> tuple[int, int]:
    """(start, end) of the content of the Name at offset at (up to 255 bytes); IndexError otherwise."""
    first = der[at + 1]
    if der[at] != 0x30:
        raise IndexError(at)
    if first < 0x80:
        return at + 2, at + 2 + first
    if first == 0x81:
        return at + 3, at + 3 + der[at + 2]
    raise IndexError(at)


def plain_subject_key(der: bytes) -> bytes | None:
    """For a certificate cryptography has loaded from der: the byte key of its subject when the fields the loader
    checks (issuer, subject, a positive serial, validity) cannot fail or warn when read, else None."""
    found = _TBS_TO_SERIAL.match(der)
    if found is None:
        return None
    try:
        at = found.end()
        if der[at] & 0x80 or (der[at - 1] == 1 and der[at] == 0):  # serialNumber: positive
            return None
        at += der[at - 1]  # signature algorithm (short form)
        if der[at] != 0x30 or der[at + 1] & 0x80:
            return None
        at += 2 + der[at + 1]  # issuer
        issuer_start, issuer_end = _name_span(der, at)
        at = issuer_end  # validity (short form)
        if der[at + 1] & 0x80 or _VALIDITY.fullmatch(der, at + 2, at + 2 + der[at + 1]) is None:
            return None
        subject_start, subject_end = _name_span(der, at + 2 + der[at + 1])
    except IndexError:
        return None
    subject = der[subject_start:subject_end]
    if not _plain(subject):
        return None
    issuer = der[issuer_start:issuer_end]
    if issuer != subject and not _plain(issuer):
        return None
    return subject.translate(_LOOSE)


def loose_key_of_name(key: tuple[object, ...]) -> bytes | None:
    """The byte key a plain name with this canonical key (certfacts.name_key) has; None when no plain name has it."""
    out = []
    for rdn in key:
        if not isinstance(rdn, tuple) or len(rdn) != 1:
            return None
        oid, value = rdn[0]
        if not isinstance(value, str) or not oid.startswith("2.5.4.") or not value.isascii():
            return None
        arc = oid[6:]
        n = len(value)
        if not arc.isdigit() or int(arc) > 127 or not 0 < n < 119:
            return None
        out.append(bytes([0x31, n + 9, 0x30, n + 7, 0x06, 0x03, 0x55, 0x04, int(arc), 0x0C, n]) + value.encode())
    return b"".join(out).translate(_LOOSE)


#: Certificates loaded from a large PEM file, with the byte key of their subject, until a TrustStore takes them
#: (bounded: the oldest go first; a certificate not found here is simply keyed the slow way).
_plain_subjects: dict[int, tuple[x509.Certificate, bytes]] = {}
_PLAIN_SUBJECTS_SIZE = 20_000


def note_plain_subjects(pairs: list[tuple[x509.Certificate, bytes]]) -> None:
    """Remember the byte key of each certificate's subject, read from its DER, for the TrustStore it goes into."""
    _plain_subjects.update((id(cert), (cert, key)) for cert, key in pairs)
    if len(_plain_subjects) > _PLAIN_SUBJECTS_SIZE:
        for stale in list(itertools.islice(_plain_subjects, len(_plain_subjects) - _PLAIN_SUBJECTS_SIZE)):
            del _plain_subjects[stale]


def take_plain_subject(cert: x509.Certificate) -> bytes | None:
    """The byte key noted for cert (and forget it), None when none was noted."""
    found = _plain_subjects.pop(id(cert), None)  # the entry holds its certificate, so no other has its id
    return None if found is None else found[1]
