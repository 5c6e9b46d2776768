"""Private keys found in a user's file: recognised, opened only with a password, never printed or kept in text.

An encrypted PKCS#8 key names its own PBKDF2 iteration count; it is checked against the limits before
the password is tried (x509/pkcs12.py), as for PKCS#12 files.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from certdoctor.errors import InputError
from certdoctor.x509.pkcs12 import KdfBudget, encrypted_key_kdf


@dataclass
class PrivateKeyItem:
    """A private key found in a file; the key object stays in memory and is never printed."""

    encrypted: bool
    key: object | None = field(default=None, repr=False)


def _der_key(der: bytes, password: bytes | None) -> object:
    """A DER private key. The RSA self-check is skipped: keys are only compared, never used to sign,
    and the check costs tens of milliseconds per key."""
    from cryptography.hazmat.primitives.serialization import load_der_private_key  # only for key files

    return load_der_private_key(der, password=password, unsafe_skip_rsa_key_validation=True)


def _charge(der: bytes, source: str, budget: KdfBudget) -> None:
    """Refuse an encrypted PKCS#8 key whose iteration count is above the limits, before deriving its key."""
    kdf = encrypted_key_kdf(der)
    if kdf is not None:
        budget.charge([kdf], source)


def load_der_key(der: bytes, password: bytes | None, source: str, where: str, budget: KdfBudget) -> PrivateKeyItem:
    """A DER private key, or a one-line error when it is not one."""
    item = try_der_key(der, password, source, where, budget)
    if item is None:
        raise InputError(source, f"{where} is not a readable private key")
    return item


def try_der_key(
    der: bytes, password: bytes | None, source: str, where: str, budget: KdfBudget
) -> PrivateKeyItem | None:
    """A DER private key; an encrypted one without a password is recognised, not opened."""
    try:
        return PrivateKeyItem(encrypted=False, key=_der_key(der, None))
    except ValueError:
        return None
    except TypeError:  # encrypted: cryptography asks for a password (nothing is derived without one)
        pass
    if password is None:
        return PrivateKeyItem(encrypted=True)
    _charge(der, source, budget)
    try:
        return PrivateKeyItem(encrypted=True, key=_der_key(der, password))
    except (ValueError, TypeError):
        raise InputError(source, f"{where} is an encrypted private key the password does not open") from None


def load_pem_key(
    body: str, label: str, password: bytes | None, source: str, where: str, budget: KdfBudget
) -> PrivateKeyItem:
    """An encrypted PEM private key (legacy Proc-Type, one MD5 round, or PKCS#8 with its count checked)."""
    if password is None:
        return PrivateKeyItem(encrypted=True)
    if label == "ENCRYPTED PRIVATE KEY":
        try:
            _charge(base64.b64decode("".join(body.split())), source, budget)
        except (binascii.Error, ValueError):
            raise InputError(source, f"{where} is not valid Base-64 (corrupted or truncated)") from None
    pem = f"-----BEGIN {label}-----{body}-----END {label}-----\n".encode()
    try:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        key = load_pem_private_key(pem, password, unsafe_skip_rsa_key_validation=True)
        return PrivateKeyItem(encrypted=True, key=key)
    except (ValueError, TypeError):
        raise InputError(source, f"{where} is an encrypted private key the password does not open") from None
