"""What this process has read before: certificate files by content, each certificate's facts, trusted lists.

A server sees the same certificates again and again: every turn of a conversation re-diagnoses its case, one
customer's cases share their CAs, and every trusted list holds the same roots. Parsing them and reading the
fields verification asks about (CertFacts) is about half of deriving a case's facts, and none of it depends on
anything but the bytes. So it is kept here, per process, keyed by what the content is: a file by the SHA-256 of
its bytes (and the name it was read under, which its messages quote), a certificate by its DER (cryptography
hashes and compares certificates by their encoding), a trusted list by the certificates it holds, in order.

Bounded: at most MAX_FILES files and MAX_FILE_BYTES of their content, MAX_CERTIFICATES certificates' facts and
MAX_LIST_CERTIFICATES certificates in kept lists, least recently used first out. Private: a file holding a
private key, or anything that may be one, is never kept (nor its digest); only certificates, requests and CRLs
and what is derived from them, which is what a reply may quote anyway. `forget()` empties it (benchmarks'
cold figures, tests).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from cryptography import x509

from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.load import LoadedFile, Unreadable
from certdoctor.x509.store import TrustStore

#: Files kept, and the most bytes of file content they may add up to.
MAX_FILES = 512
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Certificates whose facts are kept.
MAX_CERTIFICATES = 8192
#: Certificates the kept trusted lists may hold together (a list larger than this is never kept).
MAX_LIST_CERTIFICATES = 20_000

#: What a file holding a key shows somewhere in its bytes (PEM labels; a PKCS#12 or DER key has no label).
_KEY_MARKERS = (b"PRIVATE KEY", b"ENCRYPTED")

_lock = threading.Lock()
_files: OrderedDict[tuple[bytes, str], tuple[LoadedFile, int]] = OrderedDict()
_file_bytes = 0
_facts: OrderedDict[x509.Certificate, CertFacts] = OrderedDict()
_lists: OrderedDict[tuple[x509.Certificate, ...], TrustStore] = OrderedDict()
_list_certificates = 0


def read(data: bytes, source: str, parse: Callable[[bytes, str], LoadedFile | Unreadable]) -> LoadedFile | Unreadable:
    """parse(data, source), or what it gave before for the same bytes under the same name."""
    global _file_bytes
    if not data.startswith(b"-----BEGIN") and b"-----BEGIN" not in data[:4096]:
        return parse(data, source)  # binary (DER, PKCS#7, PKCS#12): may hold a key no marker shows
    if any(marker in data for marker in _KEY_MARKERS):
        return parse(data, source)
    key = (hashlib.sha256(data).digest(), source)
    with _lock:
        kept = _files.get(key)
        if kept is not None:
            _files.move_to_end(key)
            return kept[0]
    loaded = parse(data, source)
    if not isinstance(loaded, LoadedFile) or loaded.private_keys or len(data) > MAX_FILE_BYTES // 4:
        return loaded
    with _lock:
        if key not in _files:
            _files[key] = (loaded, len(data))
            _file_bytes += len(data)
        while len(_files) > MAX_FILES or _file_bytes > MAX_FILE_BYTES:
            _, (_, size) = _files.popitem(last=False)
            _file_bytes -= size
    return loaded


def facts_of(cert: x509.Certificate) -> CertFacts:
    """The CertFacts of a certificate, made once per encoding (its cached fields are computed once too)."""
    with _lock:
        found = _facts.get(cert)
        if found is not None:
            _facts.move_to_end(cert)
            return found
    made = CertFacts(cert)
    with _lock:
        made = _facts.setdefault(cert, made)
        while len(_facts) > MAX_CERTIFICATES:
            _facts.popitem(last=False)
    return made


def trusted_list(certificates: Sequence[x509.Certificate]) -> TrustStore:
    """A TrustStore of the certificates, indexed once per distinct list (same certificates, same order)."""
    global _list_certificates
    key = tuple(certificates)
    with _lock:
        found = _lists.get(key)
        if found is not None:
            _lists.move_to_end(key)
            return found
    made = TrustStore(key)  # its own CertFacts, made as it looks them up: a list's entries are not a chain's
    if len(key) > MAX_LIST_CERTIFICATES // 2:
        return made
    with _lock:
        if key not in _lists:
            _lists[key] = made
            _list_certificates += len(key)
        while _list_certificates > MAX_LIST_CERTIFICATES:
            old, _ = _lists.popitem(last=False)
            _list_certificates -= len(old)
    return _lists.get(key, made)


def held() -> dict[str, int]:
    """How much is kept: files, their bytes, certificates' facts, trusted lists and the certificates in them."""
    with _lock:
        return {
            "files": len(_files),
            "file_bytes": _file_bytes,
            "certificates": len(_facts),
            "lists": len(_lists),
            "list_certificates": _list_certificates,
        }


def forget() -> None:
    """Empty every cache (a cold start without a new process)."""
    global _file_bytes, _list_certificates
    with _lock:
        _files.clear()
        _facts.clear()
        _lists.clear()
        _file_bytes = _list_certificates = 0
