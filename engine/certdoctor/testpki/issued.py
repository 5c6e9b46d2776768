"""An issued test certificate with its private key, and its deterministic encodings."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from certdoctor.testpki.keys import TestPrivateKey


@dataclass(frozen=True)
class Issued:
    """A certificate together with its private key, as handed back by :class:`TestPKI`."""

    certificate: x509.Certificate
    key: TestPrivateKey

    def pem(self) -> bytes:
        """The certificate as PEM (deterministic)."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def der(self) -> bytes:
        """The certificate as DER (deterministic)."""
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def key_pem(self, password: bytes | None = None) -> bytes:
        """The key as PKCS#8 PEM; deterministic unencrypted, random salt/IV with a password."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.NoEncryption() if password is None else serialization.BestAvailableEncryption(password)
        )
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)

    @property
    def cn(self) -> str | None:
        """The subject CN (first one), or None; a convenience for assertions and labels."""
        return _first_cn(self.certificate.subject)


def _first_cn(name: x509.Name) -> str | None:
    """First commonName of a Name as str, or None."""
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not attrs:
        return None
    value = attrs[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
