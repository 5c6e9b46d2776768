"""Read whatever certificate-ish file a user brings: PEM, DER, Base-64, PKCS#7, PKCS#12, CSR, keys, CRLs."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from certdoctor.errors import InputError
from certdoctor.limits import MAX_CERTIFICATES_PER_FILE, MAX_FILE_BYTES
from certdoctor.safeinput import read_regular_file
from certdoctor.x509.der import bulk, note_plain_subjects, plain_subject_key, tlv
from certdoctor.x509.findings import FileFormat
from certdoctor.x509.keys import PrivateKeyItem, load_der_key, load_pem_key, try_der_key
from certdoctor.x509.pkcs12 import KdfBudget, Pkcs12Error, open_pkcs12

#: PEM text larger than this is parsed with the cyclic garbage collector held (a trusted list of many CAs).
_BULK_BYTES = 64 * 1024
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 #]+)-----(.*?)-----END ([A-Z0-9 #]+)-----", re.DOTALL)
_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 #]+)-----")
#: One certificate block of a plain PEM bundle: nothing but Base-64 lines inside, only blank space between blocks.
_PLAIN_CERT_BLOCK = re.compile(
    r"[ \t\r\n]*(?:-----BEGIN CERTIFICATE-----([A-Za-z0-9+/\r\n]*(?:=[\r\n]*){0,2})-----END CERTIFICATE-----"
    r"|([^ \t\r\n]))"
)
_BASE64_TEXT = re.compile(rb"^[A-Za-z0-9+/=\s]+$")
_CERT_LABELS = {"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"}
_CSR_LABELS = {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"}
_KEY_LABELS = {
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "DSA PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "OPENSSH PRIVATE KEY",
}
_PKCS7_LABELS = {"PKCS7", "CMS", "PKCS #7 SIGNED DATA"}
_CRL_LABELS = {"X509 CRL"}
_OID_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")
_OID_PKCS7_DATA = bytes.fromhex("06092a864886f70d010701")


@dataclass
class LoadedFile:
    """The parsed content of one file, in file order, and how it was encoded."""

    source: str
    format: FileFormat
    size: int
    notes: list[str] = field(default_factory=list)
    certificates: list[x509.Certificate] = field(default_factory=list)
    requests: list[x509.CertificateSigningRequest] = field(default_factory=list)
    private_keys: list[PrivateKeyItem] = field(default_factory=list, repr=False)
    crls: list[x509.CertificateRevocationList] = field(default_factory=list)
    text_outside_pem: bool = False
    #: A PEM block without its END line was skipped (a truncated file): what was read is not the whole file.
    truncated: str = ""
    byte_order_mark: bool = False
    utf16: bool = False
    crlf: bool = False
    kdf: KdfBudget = field(default_factory=KdfBudget, repr=False, compare=False)


@dataclass(frozen=True)
class Unreadable:
    """A file whose content cannot be read fully: a finding about that file, not the end of a diagnosis.

    `format` is what the file is when that much is known (a PKCS#12 container, whatever is inside it);
    `locked` says it needs a password nobody gave (closed, not broken).
    """

    source: str
    problem: str
    format: FileFormat | None = None
    locked: bool = False


def parse_or_unreadable(data: bytes, source: str, password: bytes | None = None) -> LoadedFile | Unreadable:
    """parse_bytes, with content that cannot be read fully (corrupt, truncated, locked, beyond a limit) as Unreadable.

    A PEM file whose last block has no END line is read in part by parse_bytes (with a note, for `inspect`); here
    it is Unreadable, since a trusted list or chain read in part would make CAs look missing.

    The limits stay in force: a PKCS#12 asking for too many iterations is Unreadable before any key is derived.
    """
    try:
        loaded = parse_bytes(data, source, password)
    except Pkcs12Error as exc:
        return Unreadable(source, exc.problem, FileFormat.PKCS12, locked=exc.locked)
    except InputError as exc:
        return Unreadable(source, exc.problem)
    return Unreadable(source, loaded.truncated, loaded.format) if loaded.truncated else loaded


def read_file(path: str | Path, password: bytes | None = None) -> LoadedFile:
    """Read and parse one regular file, refusing missing, unreadable, oversized or special files with one line."""
    return parse_bytes(read_regular_file(path, MAX_FILE_BYTES, "certificate file"), str(path), password)


def parse_bytes(data: bytes, source: str, password: bytes | None = None) -> LoadedFile:
    """Parse file content; returns a LoadedFile or raises InputError naming source and problem."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(source, f"content is larger than the limit of {MAX_FILE_BYTES} bytes")
    if not data.strip():
        raise InputError(source, "file is empty")
    bom = data.startswith(b"\xef\xbb\xbf")
    utf16 = _utf16_encoding(data)
    text: str | None = None
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            raise InputError(source, "looks like UTF-16 text but does not decode") from None
        text = text.lstrip("\ufeff")
    elif bom:
        text = data[3:].decode("utf-8", errors="replace")
    elif b"-----BEGIN" in data:
        text = data.decode("latin-1")
    if text is not None and not text.strip():
        raise InputError(source, "file is empty (it holds only a byte-order mark or blanks)")
    if text is not None and "-----BEGIN" in text:
        with bulk() if len(data) > _BULK_BYTES else contextlib.nullcontext():
            loaded = _parse_pem(text, source, len(data), password)
    elif text is not None:
        raw = text.encode("latin-1", errors="replace")
        loaded = _parse_unarmoured(raw, source, len(data), password)
    else:
        loaded = _parse_unarmoured(data, source, len(data), password)
    loaded.byte_order_mark = bom or (utf16 is not None and data[:2] in (b"\xff\xfe", b"\xfe\xff"))
    loaded.utf16 = utf16 is not None
    if loaded.utf16:
        loaded.notes.insert(0, "text is UTF-16 encoded (Notepad 'Unicode'); Expressway reads ASCII")
    elif bom:
        loaded.notes.insert(0, "file starts with a UTF-8 byte-order mark")
    if len(loaded.certificates) > MAX_CERTIFICATES_PER_FILE:
        raise InputError(
            source,
            f"holds {len(loaded.certificates)} certificates; the limit is {MAX_CERTIFICATES_PER_FILE}",
        )
    return loaded


def _utf16_encoding(data: bytes) -> str | None:
    """'utf-16' when the bytes are UTF-16 text (BOM, or NULs in every other byte)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:200]
    if len(head) >= 8 and len(head) % 2 == 0:
        if head[1::2].count(0) == len(head) // 2 and head[0::2].count(0) == 0:
            return "utf-16-le"
        if head[0::2].count(0) == len(head) // 2 and head[1::2].count(0) == 0:
            return "utf-16-be"
    return None


def _plain_bundle(text: str, source: str, size: int, note: bool) -> LoadedFile | None:
    """A file of CERTIFICATE blocks only, read as _parse_pem reads it, with less work; None for any other file.

    Each block's body is Base-64 lines only (so no RFC 1421 headers, padding only at its end), and nothing but blank
    space lies outside the blocks: _parse_pem would decode the same bytes, load the same certificates and raise the
    same errors in the same order, and add no note. `note` keeps each subject's byte key for a TrustStore."""
    found = _PLAIN_CERT_BLOCK.findall(text)  # every character is in a block, blank, or an `other` one
    if not found or any(other for _, other in found):
        return None
    try:
        ders = [binascii.a2b_base64(body) for body, _ in found]
    except (binascii.Error, ValueError):
        return None
    if not all(ders):
        return None
    loaded = LoadedFile(source=source, format=FileFormat.PEM, size=size)
    loaded.crlf = "\r\n" in text
    certificates = loaded.certificates
    plain: list[tuple[x509.Certificate, bytes]] = []
    load = x509.load_der_x509_certificate
    for index, der in enumerate(ders, start=1):
        # the usual case first: one whole certificate, plain fields (else the same steps as _parse_pem takes)
        if len(der) > 4 and der[0] == 0x30 and der[1] == 0x82 and (der[2] << 8 | der[3]) + 4 == len(der):
            try:
                cert = load(der)
            except (ValueError, x509.InvalidVersion):
                pass
            else:
                key = plain_subject_key(der)
                if key is not None:
                    certificates.append(cert)
                    plain.append((cert, key))
                    continue
        where = f"PEM block {index} ('CERTIFICATE')"
        certificates.append(_load_certificate(_first_tlv(der, source, where), source, where, note=note))
    if note:
        note_plain_subjects(plain)
    loaded.format = _pem_format(["CERTIFICATE"] * len(ders), loaded)
    return loaded


def _parse_pem(text: str, source: str, size: int, password: bytes | None) -> LoadedFile:
    """Parse every PEM block in text, noting text outside blocks and CRLF line endings."""
    plain = _plain_bundle(text, source, size, size > _BULK_BYTES)
    if plain is not None:
        return plain
    loaded = LoadedFile(source=source, format=FileFormat.PEM, size=size)
    loaded.crlf = "\r\n" in text
    labels: list[str] = []
    outside: list[str] = []
    last = 0
    for index, m in enumerate(_PEM_BLOCK.finditer(text), start=1):
        outside.append(text[last : m.start()])
        last = m.end()
        begin, body, end = m.group(1), m.group(2), m.group(3)
        if begin != end:
            raise InputError(source, f"PEM block {index} starts as '{begin}' but ends as '{end}'")
        if "-----BEGIN" in body:
            inner = _PEM_BEGIN.search(body)
            raise InputError(
                source,
                f"PEM block {index} ('{begin}') has no END line before the next BEGIN "
                f"('{inner.group(1) if inner else '?'}'): the file is truncated or pasted badly",
            )
        labels.append(begin)
        _parse_pem_block(loaded, begin, body, index, password)
    tail = text[last:]
    dangling = _PEM_BEGIN.search(tail)
    if dangling:
        if not labels:
            raise InputError(
                source,
                f"PEM block '{dangling.group(1)}' has no END line: the file is truncated",
            )
        loaded.truncated = (
            f"a '{dangling.group(1)}' block after block {len(labels)} has no END line and was skipped (truncated?)"
        )
        loaded.notes.append(loaded.truncated)
        tail = tail[: dangling.start()]
    outside.append(tail)
    if any(chunk.strip() for chunk in outside):
        loaded.text_outside_pem = True
        loaded.notes.append("the file holds text outside the PEM blocks")
    loaded.format = _pem_format(labels, loaded)
    return loaded


def _pem_body(body: str, label: str, index: int, source: str) -> tuple[bytes, bool]:
    """Base-64 decode a PEM body, skipping RFC 1421 headers; returns (der, encrypted-header)."""
    lines = body.strip().splitlines()
    encrypted = False
    if any(":" in line for line in lines):
        header_end = 0
        for i, line in enumerate(lines):
            if ":" in line:
                header_end = i + 1
                if line.startswith("Proc-Type") and "ENCRYPTED" in line:
                    encrypted = True
        lines = lines[header_end:]
    compact = "".join("".join(lines).split())
    try:
        der = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(
            source, f"PEM block {index} ('{label}') is not valid Base-64 (corrupted or truncated)"
        ) from None
    if not der:
        raise InputError(source, f"PEM block {index} ('{label}') is empty")
    return der, encrypted


def _parse_pem_block(loaded: LoadedFile, label: str, body: str, index: int, password: bytes | None) -> None:
    """Decode one PEM block by its label and append what it holds to loaded."""
    source = loaded.source
    der, encrypted_header = _pem_body(body, label, index, source)
    where = f"PEM block {index} ('{label}')"
    if label in _CERT_LABELS:
        loaded.certificates.append(_load_certificate(_first_tlv(der, source, where), source, where))
    elif label in _CSR_LABELS:
        try:
            loaded.requests.append(x509.load_der_x509_csr(der))
        except ValueError as exc:
            raise InputError(source, f"{where} is not a readable CSR: {exc}") from None
    elif label in _KEY_LABELS:
        if encrypted_header or label == "ENCRYPTED PRIVATE KEY":
            loaded.private_keys.append(load_pem_key(body, label, password, source, where, loaded.kdf))
        elif label == "OPENSSH PRIVATE KEY":
            loaded.private_keys.append(PrivateKeyItem(encrypted=False))
        else:
            loaded.private_keys.append(load_der_key(der, password, source, where, loaded.kdf))
    elif label in _PKCS7_LABELS:
        loaded.certificates.extend(_load_pkcs7(der, source, where))
    elif label in _CRL_LABELS:
        try:
            loaded.crls.append(x509.load_der_x509_crl(der))
        except ValueError as exc:
            raise InputError(source, f"{where} is not a readable CRL: {exc}") from None
    elif label == "PUBLIC KEY":
        raise InputError(source, f"{where} is a bare public key, not a certificate")
    else:
        raise InputError(source, f"{where} is not a certificate, CSR, key, PKCS#7 or CRL")


def _pem_format(labels: list[str], loaded: LoadedFile) -> FileFormat:
    """Name the format of a PEM file from its block labels."""
    kinds = {
        "cert"
        if lab in _CERT_LABELS
        else "csr"
        if lab in _CSR_LABELS
        else "key"
        if lab in _KEY_LABELS
        else "p7"
        if lab in _PKCS7_LABELS
        else "crl"
        for lab in labels
    }
    if kinds == {"p7"}:
        return FileFormat.PKCS7_PEM
    if kinds == {"csr"}:
        return FileFormat.CSR
    if kinds == {"key"}:
        return FileFormat.PRIVATE_KEY
    if kinds == {"crl"}:
        return FileFormat.CRL
    if kinds == {"cert"}:
        if len(labels) > 1:
            return FileFormat.PEM_BUNDLE
        return FileFormat.WINDOWS_BASE64 if loaded.crlf else FileFormat.PEM
    return FileFormat.MIXED_PEM


def _parse_unarmoured(data: bytes, source: str, size: int, password: bytes | None) -> LoadedFile:
    """Parse DER, or Base-64 text without PEM armour."""
    stripped = data.strip()
    fmt_if_der = FileFormat.DER
    der = data
    if stripped and _BASE64_TEXT.match(stripped) and not stripped.startswith(b"0"):
        try:
            der = base64.b64decode(b"".join(stripped.split()), validate=True)
            fmt_if_der = FileFormat.BASE64
        except (binascii.Error, ValueError):
            raise InputError(source, "looks like Base-64 text but does not decode (truncated or corrupted?)") from None
    elif _looks_like_text(data):
        lines = data.decode("latin-1").strip().splitlines()
        first = lines[0][:60] if lines else ""
        raise InputError(source, f"is a text file without a certificate (first line: {first!r})")
    loaded = LoadedFile(source=source, format=fmt_if_der, size=size)
    _parse_der(loaded, der, password)
    if fmt_if_der is FileFormat.BASE64:
        loaded.notes.append("Base-64 without -----BEGIN/END----- lines")
        if loaded.format is FileFormat.DER:
            loaded.format = FileFormat.BASE64
    return loaded


def _looks_like_text(data: bytes) -> bool:
    """True when data is printable text (so it cannot be DER)."""
    sample = data[:4096]
    printable = sum(1 for b in sample if 32 <= b < 127 or b in (9, 10, 13))
    return printable >= 0.95 * len(sample)


def _first_tlv(der: bytes, source: str, where: str) -> bytes:
    """The first complete DER element of der; trailing data (OpenSSL aux trust) is dropped."""
    head = tlv(der, 0)
    if head is None:
        raise InputError(source, f"{where} is not DER-encoded ASN.1")
    _, hlen, clen = head
    if hlen + clen > len(der):
        raise InputError(
            source,
            f"{where} is truncated: its DER structure declares {hlen + clen} bytes but only {len(der)} are present",
        )
    return der[: hlen + clen]


def _der_shape(der: bytes) -> str:
    """A best guess at what a DER SEQUENCE holds, from its first children."""
    head = tlv(der, 0)
    if head is None or head[0] != 0x30:
        return "unknown"
    _, hlen, _ = head
    child = tlv(der, hlen)
    if child is None:
        return "unknown"
    tag, chlen, cclen = child
    if tag == 0x06:
        oid = der[hlen : hlen + chlen + cclen]
        return "pkcs7" if oid == _OID_SIGNED_DATA else "content-info"
    if tag == 0x02:
        value = der[hlen + chlen : hlen + chlen + cclen]
        second = tlv(der, hlen + chlen + cclen)
        if value == b"\x03" and second is not None and second[0] == 0x30:
            return "pkcs12"
        return "private-key"
    if tag == 0x30:
        inner = tlv(der, hlen + chlen)
        if inner is not None and inner[0] == 0xA0:
            return "certificate"
        if inner is not None and inner[0] == 0x02:
            value = der[hlen + chlen + inner[1] : hlen + chlen + inner[1] + inner[2]]
            return "csr" if value == b"\x00" else "certificate-v1-or-crl"
        return "certificate-v1-or-crl"
    return "unknown"


def _parse_der(loaded: LoadedFile, der: bytes, password: bytes | None) -> None:
    """Classify and load one DER blob into loaded, or raise InputError saying what it is."""
    source = loaded.source
    head = tlv(der, 0)
    if head is None or head[0] != 0x30:
        raise InputError(source, "is neither PEM text nor DER data: not a certificate file")
    _, hlen, clen = head
    if hlen + clen > len(der):
        raise InputError(
            source,
            f"is truncated: its DER structure declares {hlen + clen} bytes but the file has {len(der)}",
        )
    if hlen + clen < len(der) and der[hlen + clen :].strip(b"\x00\r\n \t"):
        loaded.notes.append(f"{len(der) - hlen - clen} bytes after the DER structure were ignored")
    der = der[: hlen + clen]
    shape = _der_shape(der)
    where = "DER data"
    if shape == "pkcs7":
        loaded.format = FileFormat.PKCS7_DER
        loaded.certificates.extend(_load_pkcs7(der, source, where))
        return
    if shape == "pkcs12":
        loaded.format = FileFormat.PKCS12
        _load_pkcs12(loaded, der, password)
        return
    if shape == "csr":
        try:
            loaded.requests.append(x509.load_der_x509_csr(der))
        except ValueError as exc:
            raise InputError(source, f"is a DER CSR that cannot be parsed: {exc}") from None
        loaded.format = FileFormat.CSR
        return
    if shape == "private-key":
        loaded.format = FileFormat.PRIVATE_KEY
        loaded.private_keys.append(load_der_key(der, password, source, where, loaded.kdf))
        return
    if shape in ("certificate", "certificate-v1-or-crl"):
        try:
            cert = x509.load_der_x509_certificate(der)
        except (ValueError, x509.InvalidVersion) as cert_error:  # InvalidVersion is no ValueError
            if shape == "certificate":
                raise InputError(source, f"is a DER certificate that cannot be parsed: {cert_error}") from None
        else:
            loaded.certificates.append(_checked(cert, source, where))
            return
        try:
            loaded.crls.append(x509.load_der_x509_crl(der))
            loaded.format = FileFormat.CRL
            return
        except ValueError:
            pass
        key_item = try_der_key(der, password, source, where, loaded.kdf)
        if key_item is not None:
            loaded.format = FileFormat.PRIVATE_KEY
            loaded.private_keys.append(key_item)
            return
        raise InputError(source, "is DER data that is not a certificate, CSR, CRL, key or bundle")
    raise InputError(source, "is DER data of an unknown kind, not a certificate file")


def _load_certificate(der: bytes, source: str, where: str, *, note: bool = False) -> x509.Certificate:
    """Load one DER certificate, with a one-line error on failure.

    When its names, serial and validity are plain in the DER (der.plain_subject_key), reading them cannot fail
    or warn, so _checked is skipped: building cryptography's Name objects was most of the time of loading a
    large trusted list."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except (ValueError, x509.InvalidVersion) as exc:
        raise InputError(source, f"{where} is not a readable certificate: {exc}") from None
    key = plain_subject_key(der)
    if key is None:
        return _checked(cert, source, where)
    if note:
        note_plain_subjects([(cert, key)])
    return cert


#: Fields every report and path needs; cryptography parses them lazily, so they are read once here.
_CORE_FIELDS = (
    "subject",
    "issuer",
    "serial_number",
    "not_valid_before_utc",
    "not_valid_after_utc",
    "signature_algorithm_oid",
    "version",
)


def _checked(cert: x509.Certificate, source: str, where: str) -> x509.Certificate:
    """The certificate, once its core fields are known to parse; else a one-line error naming the field."""
    for name in _CORE_FIELDS:
        try:
            value = getattr(cert, name)
            if name in ("subject", "issuer"):
                value.rfc4514_string()
        except Exception as exc:  # ValueError from the lazy ASN.1 parser, InvalidVersion, ...
            detail = str(exc).split(" {", 1)[0] if "ParseError" in str(exc) else str(exc)
            raise InputError(
                source,
                f"{where}: the certificate's {name.removesuffix('_utc')} field cannot be parsed ({detail})",
            ) from None
    return cert


def _load_pkcs7(der: bytes, source: str, where: str) -> list[x509.Certificate]:
    """Certificates of a PKCS#7 / .p7b bundle."""
    from cryptography.hazmat.primitives.serialization import pkcs7  # loaded only for .p7b files

    try:
        certs = list(pkcs7.load_der_pkcs7_certificates(der))
    except ValueError as exc:
        raise InputError(source, f"{where} is a PKCS#7 bundle that cannot be read: {exc}") from None
    except Exception as exc:  # UnsupportedAlgorithm for non-signedData content
        raise InputError(source, f"{where} is a PKCS#7 structure without certificates: {exc}") from None
    return [_checked(c, source, f"{where} certificate {i}") for i, c in enumerate(certs, start=1)]


def _load_pkcs12(loaded: LoadedFile, der: bytes, password: bytes | None) -> None:
    """Certificates and key of a PKCS#12 / .pfx file (iteration counts checked before any key derivation)."""
    certs, key = open_pkcs12(der, password, loaded.source, loaded.kdf)
    loaded.certificates.extend(
        _checked(c, loaded.source, f"PKCS#12 certificate {i}") for i, c in enumerate(certs, start=1)
    )
    if key is not None:
        loaded.private_keys.append(PrivateKeyItem(encrypted=False, key=key))
