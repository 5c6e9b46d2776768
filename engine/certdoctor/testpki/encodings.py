"""File formats a test certificate is delivered in: PEM bundles, PKCS#7, PKCS#12, Windows Base-64."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7 as _pkcs7
from cryptography.hazmat.primitives.serialization import pkcs12 as _pkcs12

from certdoctor.testpki.issued import Issued

CertObject: TypeAlias = x509.Certificate | x509.CertificateRevocationList | x509.CertificateSigningRequest


def pem(*objs: CertObject) -> bytes:
    """Concatenated PEM of certificates, CRLs and CSRs, in the order given (a bundle file)."""
    return b"".join(obj.public_bytes(serialization.Encoding.PEM) for obj in objs)


def pkcs7(certs: Sequence[x509.Certificate], *, encoding: Literal["pem", "der"] = "der") -> bytes:
    """A certs-only PKCS#7 (.p7b/.p7c), as a CA or Windows export delivers a chain.

    The certificates are a SET in PKCS#7, so readers may return them in a different order.
    """
    enc = serialization.Encoding.DER if encoding == "der" else serialization.Encoding.PEM
    return _pkcs7.serialize_certificates(list(certs), enc)


def _pkcs12_encryption(password: bytes | None, legacy: bool) -> serialization.KeySerializationEncryption:
    """None: no encryption; legacy: 3DES/SHA-1 with 2048 KDF rounds; else cryptography's best."""
    if password is None:
        return serialization.NoEncryption()
    if legacy:
        return (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(_pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
            .build(password)
        )
    return serialization.BestAvailableEncryption(password)


def pkcs12(
    issued: Issued,
    cas: Sequence[x509.Certificate] = (),
    *,
    password: bytes | None = b"secret",
    name: bytes = b"certdoctor",
    legacy: bool = False,
) -> bytes:
    """A PKCS#12 (.pfx/.p12) with key, certificate and chain.

    Not byte-deterministic: cryptography always draws a random MAC salt (and, with a password,
    random encryption salts/IVs). The content -- key and certificates -- is deterministic.
    ``legacy=True`` uses 3DES/SHA-1 (what old Windows and Java builds can read); the default
    is cryptography's best available (AES-256/PBES2).
    """
    encryption = _pkcs12_encryption(password, legacy)
    return _pkcs12.serialize_key_and_certificates(name, issued.key, issued.certificate, list(cas) or None, encryption)


def windows_base64(cert: x509.Certificate) -> bytes:
    """What Windows "Base-64 encoded X.509 (.CER)" export writes: PEM, 64 columns, CRLF."""
    return cert.public_bytes(serialization.Encoding.PEM).replace(b"\n", b"\r\n")
