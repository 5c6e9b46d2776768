"""PKCS#12 (.pfx/.p12) and encrypted keys: key-derivation cost read from the DER before any key is derived.

A PKCS#12 file names its own iteration counts (MacData.iterations, and the PBES1/PBES2 parameters of
each encrypted bag). They are chosen by whoever wrote the file: a 749-byte file asking for 10^8 MAC
iterations costs ~25 s of CPU with the GIL held. So the counts are read here with a small BER walker,
and refused above the limits in certdoctor.limits, before cryptography derives any key. Counts inside
an encrypted SafeContents cannot be read without decrypting it (docs/limits.md says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509

from certdoctor.errors import InputError
from certdoctor.limits import MAX_KDF_ITERATIONS, MAX_KDF_ITERATIONS_PER_FILE, MAX_PKCS12_NESTING
from certdoctor.x509.der import oid_text
from certdoctor.x509.naming import is_ca

_DATA = "1.2.840.113549.1.7.1"
_SIGNED_DATA = "1.2.840.113549.1.7.2"
_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_SCRYPT = "1.3.6.1.4.1.11591.4.11"
#: Password-based encryption schemes: PKCS#5 PBES1/PBES2 and the PKCS#12 PBE family.
PBE_OID_PREFIXES = ("1.2.840.113549.1.5.", "1.2.840.113549.1.12.1.")

_SEQUENCE, _INTEGER, _OCTETS, _OID = 0x30, 0x02, 0x04, 0x06


class _Malformed(Exception):
    """The structure cannot be walked."""


@dataclass(frozen=True)
class _El:
    """One BER element: tag, content span and the offset after it."""

    tag: int
    start: int
    end: int
    after: int


def _element(data: bytes, off: int, end: int, depth: int = 0) -> _El:
    """The BER element at off (definite or indefinite length); _Malformed when it is not one."""
    if off + 2 > end or data[off] & 0x1F == 0x1F:
        raise _Malformed
    tag, first = data[off], data[off + 1]
    if first == 0x80:  # indefinite length (BER): constructed only, ends at the first 00 00 at this level
        if not tag & 0x20 or depth >= MAX_PKCS12_NESTING:
            raise _Malformed
        pos = off + 2
        while not (pos + 2 <= end and data[pos] == 0 and data[pos + 1] == 0):
            pos = _element(data, pos, end, depth + 1).after
        return _El(tag, off + 2, pos, pos + 2)
    if first < 0x80:
        start, length = off + 2, first
    else:
        n = first & 0x7F
        if n > 4 or off + 2 + n > end:
            raise _Malformed
        start, length = off + 2 + n, int.from_bytes(data[off + 2 : off + 2 + n], "big")
    if start + length > end:
        raise _Malformed
    return _El(tag, start, start + length, start + length)


def _children(data: bytes, el: _El) -> list[_El]:
    """The elements inside a constructed element."""
    found, pos = [], el.start
    while pos < el.end:
        child = _element(data, pos, el.end)
        found.append(child)
        pos = child.after
    return found


def _integer(data: bytes, el: _El) -> int:
    """An INTEGER's value; absurdly long ones read as the largest 64-bit value (they are refused anyway)."""
    if el.tag != _INTEGER:
        raise _Malformed
    content = data[el.start : el.end]
    if len(content) > 8:
        return 2**63 - 1
    return int.from_bytes(content, "big", signed=True)


def _octets(data: bytes, el: _El, depth: int = 0) -> bytes:
    """An OCTET STRING's content, joining the chunks of a constructed (BER) one."""
    if el.tag == _OCTETS:
        return data[el.start : el.end]
    if el.tag == _OCTETS | 0x20 and depth < MAX_PKCS12_NESTING:
        return b"".join(_octets(data, c, depth + 1) for c in _children(data, el))
    raise _Malformed


def _oid(data: bytes, el: _El) -> str:
    """An OBJECT IDENTIFIER's dotted text; _Malformed when el is something else."""
    if el.tag != _OID:
        raise _Malformed
    return oid_text(data[el.start : el.end])


@dataclass(frozen=True)
class Kdf:
    """One password-based key derivation a file asks for: what it protects and its iteration count."""

    what: str
    iterations: int


def _algorithm_cost(data: bytes, alg: _El) -> int:
    """Iterations of a PBE AlgorithmIdentifier: PBES2 (PBKDF2, scrypt N x p) or PBES1 / PKCS#12 PBE params."""
    parts = _children(data, alg)
    if not parts:
        raise _Malformed
    oid = _oid(data, parts[0])
    if not oid.startswith(PBE_OID_PREFIXES) or len(parts) < 2 or parts[1].tag != _SEQUENCE:
        return 0
    params = _children(data, parts[1])
    if oid == _PBES2:
        kdf = _children(data, params[0]) if params and params[0].tag == _SEQUENCE else []
        kdf_params = _children(data, kdf[1]) if len(kdf) > 1 and kdf[1].tag == _SEQUENCE else []
        kdf_oid = _oid(data, kdf[0]) if kdf else ""
        if kdf_oid == _PBKDF2 and len(kdf_params) > 1:
            return max(_integer(data, kdf_params[1]), 1)
        if kdf_oid == _SCRYPT and len(kdf_params) > 3:
            return max(_integer(data, kdf_params[1]), 1) * max(_integer(data, kdf_params[3]), 1)
        return 0
    if len(params) > 1 and params[1].tag == _INTEGER:  # PBEParameter / pkcs-12PbeParams: salt, iterations
        return max(_integer(data, params[1]), 1)
    return 0


def encrypted_key_kdf(der: bytes) -> Kdf | None:
    """The key derivation of an EncryptedPrivateKeyInfo (PKCS#8), or None when der is not one."""
    try:
        top = _element(der, 0, len(der))
        parts = _children(der, top) if top.tag == _SEQUENCE else []
        if len(parts) != 2 or parts[0].tag != _SEQUENCE or parts[1].tag not in (_OCTETS, _OCTETS | 0x20):
            return None
        return Kdf("encrypted private key", _algorithm_cost(der, parts[0]))
    except _Malformed:
        return None


def _bags(data: bytes, contents: _El, depth: int, found: list[Kdf]) -> None:
    """Costs of the shrouded key bags in a SafeContents element, nested SafeContents bags included."""
    if depth > MAX_PKCS12_NESTING:
        raise _Malformed
    for bag in _children(data, contents):
        parts = _children(data, bag)
        if len(parts) < 2 or parts[1].tag != 0xA0:
            raise _Malformed
        kind = _oid(data, parts[0])
        inner = _children(data, parts[1])
        if kind == _SHROUDED_KEY_BAG and inner:
            key_parts = _children(data, inner[0])
            if not key_parts:
                raise _Malformed
            found.append(Kdf("PKCS#12 key bag", _algorithm_cost(data, key_parts[0])))
        elif kind == _SAFE_CONTENTS_BAG and inner:
            _bags(data, inner[0], depth + 1, found)


def _safe_contents(data: bytes, wrapper: _El) -> tuple[bytes, _El] | None:
    """The SafeContents inside a data ContentInfo's [0] (an OCTET STRING holding its DER)."""
    inner = _children(data, wrapper)
    if not inner:
        return None
    octets = _octets(data, inner[0])
    return octets, _element(octets, 0, len(octets))


def pkcs12_kdfs(der: bytes) -> list[Kdf]:
    """Every key derivation a PKCS#12 file asks for that can be read without a password: MAC and bags.

    ValueError when the structure cannot be walked: the caller refuses the file, whose cost could not be bounded.
    """
    try:
        top = _element(der, 0, len(der))
        pfx = _children(der, top)
        if len(pfx) < 2 or pfx[1].tag != _SEQUENCE:
            raise _Malformed
        found: list[Kdf] = []
        if len(pfx) > 2:
            mac = _children(der, pfx[2])
            iterations = _integer(der, mac[2]) if len(mac) > 2 else 1
            found.append(Kdf("PKCS#12 MAC", max(iterations, 1)))
        auth = _children(der, pfx[1])
        if not auth or _oid(der, auth[0]) != _DATA:
            return found  # public-key integrity (signedData): OpenSSL refuses it before deriving anything
        if len(auth) < 2 or auth[1].tag != 0xA0:
            raise _Malformed
        authenticated = _safe_contents(der, auth[1])
        if authenticated is None:
            raise _Malformed
        safes, sequence = authenticated
        for info in _children(safes, sequence):
            parts = _children(safes, info)
            kind = _oid(safes, parts[0]) if parts else ""
            if kind == _DATA and len(parts) > 1:
                contents = _safe_contents(safes, parts[1])
                if contents is not None:
                    _bags(*contents, 1, found)
            elif kind == _ENCRYPTED_DATA and len(parts) > 1:
                encrypted = _children(safes, _children(safes, parts[1])[0])
                content_info = _children(safes, encrypted[1]) if len(encrypted) > 1 else []
                if len(content_info) < 2:
                    raise _Malformed
                found.append(Kdf("PKCS#12 certificate bag encryption", _algorithm_cost(safes, content_info[1])))
        return found
    except (_Malformed, IndexError):
        raise ValueError("the PKCS#12 structure cannot be read") from None


def is_pkcs12(der: bytes) -> bool:
    """Whether der is shaped like a PKCS#12 PFX: version 3 and a data or signedData ContentInfo (nothing derived)."""
    try:
        pfx = _children(der, _element(der, 0, len(der)))
        if len(pfx) < 2 or _integer(der, pfx[0]) != 3 or pfx[1].tag != _SEQUENCE:
            return False
        auth = _children(der, pfx[1])
        return bool(auth) and _oid(der, auth[0]) in (_DATA, _SIGNED_DATA)
    except _Malformed:
        return False


class Pkcs12Error(InputError):
    """A PKCS#12 file that cannot be opened: locked (no password given), the wrong password, or beyond a limit.

    What the file is, is known (a PKCS#12 container): the diagnosis judges it as such (facts/uploads.py) and goes on.
    """

    def __init__(self, source: str, problem: str, *, locked: bool = False) -> None:
        super().__init__(source, problem)
        #: The file needs a password nobody gave: not broken, only closed.
        self.locked = locked


@dataclass
class KdfBudget:
    """Iterations spent on password-based key derivation while reading one file (MAX_KDF_ITERATIONS_PER_FILE)."""

    spent: int = 0

    def charge(self, kdfs: Iterable[Kdf], source: str, attempts: int = 1) -> None:
        """Refuse any count above MAX_KDF_ITERATIONS, or a file total above the per-file limit, before deriving."""
        total = 0
        for kdf in kdfs:
            if kdf.iterations > MAX_KDF_ITERATIONS:
                raise InputError(
                    source, f"{kdf.what} iteration count {kdf.iterations} is above the limit {MAX_KDF_ITERATIONS}"
                )
            total += kdf.iterations * attempts
        if self.spent + total > MAX_KDF_ITERATIONS_PER_FILE:
            raise InputError(
                source,
                f"key derivation would take {self.spent + total} iterations in all; "
                f"the limit per file is {MAX_KDF_ITERATIONS_PER_FILE}",
            )
        self.spent += total


def open_pkcs12(
    der: bytes, password: bytes | None, source: str, budget: KdfBudget
) -> tuple[list[x509.Certificate], object | None]:
    """Certificates and key of a PKCS#12 file, its derivation cost checked first; tries no password and '' first."""
    from cryptography.hazmat.primitives.serialization.pkcs12 import load_pkcs12  # only for .pfx files

    try:
        kdfs = pkcs12_kdfs(der)
    except ValueError:
        raise Pkcs12Error(source, "is a PKCS#12 (.pfx/.p12) file whose structure cannot be read") from None
    attempts = [password] if password is not None else [None, b""]
    try:
        budget.charge(kdfs, source, len(attempts))
    except InputError as exc:  # the limits hold with or without a password: refused before any derivation
        raise Pkcs12Error(exc.source, exc.problem) from None
    for attempt in attempts:
        try:
            bundle = load_pkcs12(der, attempt)
        except ValueError:
            continue
        certs = ([bundle.cert.certificate] if bundle.cert is not None else []) + [
            c.certificate for c in bundle.additional_certs
        ]
        return certs, bundle.key
    if password is None:
        raise Pkcs12Error(source, "is a PKCS#12 (.pfx/.p12) file protected by a password: give --password", locked=True)
    raise Pkcs12Error(source, "is a PKCS#12 (.pfx/.p12) file and the password given does not open it")


def certificates_only(certs: Sequence[x509.Certificate]) -> bytes:
    """A PKCS#12 holding these certificates and nothing else: no key, no password (an opened .pfx, still a .pfx).

    What `certdoctor fix --password` and the shell's `load upload X.pfx --password` hand to the diagnosis: the
    format stays what the customer has (a .pfx is not what the upload page takes), the key and password stay out.
    """
    from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12  # only for a .pfx

    leaf = next((c for c in certs if not is_ca(c)), certs[0] if certs else None)
    cas = [c for c in certs if c is not leaf]
    return pkcs12.serialize_key_and_certificates(None, None, leaf, cas or None, NoEncryption())
