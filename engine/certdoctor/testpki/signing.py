"""Deterministic signing for the test PKI: RFC 6979 ECDSA where supported, and SHA-1 by re-signing the DER."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from certdoctor.testpki.keys import TestPrivateKey

#: What a builder signs: the key into the lookup tables below.
Signable = Literal["certificate", "crl", "csr"]

_T = TypeVar("_T", x509.Certificate, x509.CertificateRevocationList, x509.CertificateSigningRequest)

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

# DER AlgorithmIdentifiers: sha1WithRSAEncryption (with NULL parameters), ecdsa-with-SHA1
_SHA1_WITH_RSA = bytes.fromhex("300d06092a864886f70d0101050500")
_ECDSA_WITH_SHA1 = bytes.fromhex("300906072a8648ce3d0401")


def _supports_deterministic(sign: Callable[..., Any]) -> bool:
    """Whether a builder's sign() takes ``ecdsa_deterministic`` (cryptography >= 44)."""
    return "ecdsa_deterministic" in inspect.signature(sign).parameters


_DETERMINISTIC_SIGN: dict[Signable, bool] = {
    "certificate": _supports_deterministic(x509.CertificateBuilder.sign),
    "crl": _supports_deterministic(x509.CertificateRevocationListBuilder.sign),
    "csr": _supports_deterministic(x509.CertificateSigningRequestBuilder.sign),
}

_DER_LOADERS: dict[Signable, Callable[[bytes], object]] = {
    "certificate": x509.load_der_x509_certificate,
    "crl": x509.load_der_x509_crl,
    "csr": x509.load_der_x509_csr,
}


def _hash_for(key: TestPrivateKey, name: str) -> hashes.HashAlgorithm | None:
    """The signature hash object for ``name``; None for Ed25519 keys."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    try:
        return _HASHES[name.lower()]()
    except KeyError:
        raise ValueError(f"hash must be one of {sorted(_HASHES)}, got {name!r}") from None


def signed(sign: Callable[..., _T], key: TestPrivateKey, hash_name: str, what: Signable) -> _T:
    """Call a builder's sign() with the right hash, RFC 6979 nonces for ECDSA when supported.

    SHA-1 goes through :func:`_resign_sha1`, because cryptography 50's builders refuse it.
    """
    algorithm = _hash_for(key, hash_name)
    sha1 = isinstance(algorithm, hashes.SHA1)
    if sha1:
        algorithm = hashes.SHA256()
    if isinstance(key, ec.EllipticCurvePrivateKey) and _DETERMINISTIC_SIGN[what]:
        result = sign(key, algorithm, ecdsa_deterministic=True)
    else:
        result = sign(key, algorithm)
    if not sha1:
        return result
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    der = _resign_sha1(result.public_bytes(serialization.Encoding.DER), key, what)
    return cast(_T, _DER_LOADERS[what](der))


def _der_split(data: bytes) -> list[bytes]:
    """Split concatenated DER TLVs (single-byte tags, definite lengths) into whole TLVs."""
    out = []
    pos = 0
    while pos < len(data):
        length = data[pos + 1]
        header = 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[pos + 2 : pos + 2 + count], "big")
            header += count
        out.append(data[pos : pos + header + length])
        pos += header + length
    return out


def _der_content(tlv: bytes) -> bytes:
    """The value bytes of one DER TLV."""
    length = tlv[1]
    return tlv[2 + (length & 0x7F if length & 0x80 else 0) :]


def _der_tlv(tag: int, content: bytes) -> bytes:
    """Encode one DER TLV with a definite length."""
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def _tbs_algorithm_index(fields: list[bytes], what: Signable) -> int | None:
    """Where the TBS names its signature algorithm: certificate 2, CRL 0 or 1, CSR nowhere (None)."""
    if what == "certificate":  # [0] version, serialNumber, signature, ...
        return 2
    if what == "crl":  # version (optional INTEGER), signature, ...
        return 1 if fields[0][0] == 0x02 else 0
    return None  # a CSR's CertificationRequestInfo names no algorithm


def _resign_sha1(der: bytes, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, what: Signable) -> bytes:
    """Re-sign a certificate, CRL or CSR with SHA-1 (RSA PKCS#1 v1.5 or RFC 6979 ECDSA).

    cryptography 50 refuses SHA-1 in its X.509 builders but still signs SHA-1 with a key, and
    tests need SHA-1-signed objects: swap the AlgorithmIdentifier (outer, and inside the TBS of
    certificates and CRLs), sign the new TBS bytes, and reassemble the DER.
    """
    tbs, old_algorithm, _ = _der_split(_der_content(der))
    algorithm = _SHA1_WITH_RSA if isinstance(key, rsa.RSAPrivateKey) else _ECDSA_WITH_SHA1
    fields = _der_split(_der_content(tbs))
    index = _tbs_algorithm_index(fields, what)
    if index is not None:
        assert fields[index] == old_algorithm, "unexpected TBS layout"
        fields[index] = algorithm
    new_tbs = _der_tlv(0x30, b"".join(fields))
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(new_tbs, padding.PKCS1v15(), hashes.SHA1())
    else:
        signature = key.sign(new_tbs, ec.ECDSA(hashes.SHA1(), deterministic_signing=True))
    return _der_tlv(0x30, new_tbs + algorithm + _der_tlv(0x03, b"\x00" + signature))
