"""A password-protected PKCS#12 (.pfx) that is the same bytes on every run: what the scenario library can hold.

cryptography (and OpenSSL) draw random salts and IVs for a .pfx, so a library compared byte for byte cannot keep
one. This writer builds the same structure cryptography's BestAvailableEncryption writes (and a Windows CA export
resembles): certificates in an encrypted SafeContents, the key in a shrouded key bag, both PBES2 (PBKDF2 with
HMAC-SHA256, AES-256-CBC), and a SHA-256 MAC from the PKCS#12 key derivation (RFC 7292, appendix B). Salts and
IVs are derived from a label, so the output is a pure function of its inputs. For tests and scenarios only:
a real .pfx needs random salts.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from certdoctor.testpki import TestPrivateKey

#: Key-derivation iterations: what cryptography writes by default (well inside certdoctor's limits).
ITERATIONS = 2048

_DATA = "1.2.840.113549.1.7.1"
_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_X509_CERTIFICATE = "1.2.840.113549.1.9.22.1"
_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
_LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_HMAC_SHA256 = "1.2.840.113549.2.9"
_AES256_CBC = "2.16.840.1.101.3.4.1.42"
_SHA256 = "2.16.840.1.101.3.4.2.1"


def _tlv(tag: int, content: bytes) -> bytes:
    """One DER element."""
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def _seq(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _set(*parts: bytes) -> bytes:
    return _tlv(0x31, b"".join(sorted(parts)))  # DER: a SET OF in sorted order


def _octets(data: bytes) -> bytes:
    return _tlv(0x04, data)


def _explicit0(inner: bytes) -> bytes:
    return _tlv(0xA0, inner)


def _int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(p) for p in dotted.split("."))
    body = bytearray([40 * first + second])
    for arc in rest:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return _tlv(0x06, bytes(body))


def _null() -> bytes:
    return b"\x05\x00"


def _salt(label: bytes, what: str, size: int) -> bytes:
    """A salt or IV derived from the label: the same on every run."""
    return hashlib.sha256(b"certdoctor-lab-pfx\0" + label + b"\0" + what.encode()).digest()[:size]


def _pbes2_encrypt(data: bytes, password: bytes, label: bytes, what: str) -> tuple[bytes, bytes]:
    """(AlgorithmIdentifier, ciphertext) of PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC."""
    salt, iv = _salt(label, what + "/salt", 16), _salt(label, what + "/iv", 16)
    key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=ITERATIONS).derive(password)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    kdf = _seq(_oid(_PBKDF2), _seq(_octets(salt), _int(ITERATIONS), _seq(_oid(_HMAC_SHA256), _null())))
    algorithm = _seq(_oid(_PBES2), _seq(kdf, _seq(_oid(_AES256_CBC), _octets(iv))))
    return algorithm, ciphertext


def _pkcs12_kdf(password: bytes, salt: bytes, purpose: int, iterations: int, size: int) -> bytes:
    """RFC 7292 B.2 with SHA-256 (u = 32, v = 64); the password as a NUL-terminated BMPString."""
    u, v = 32, 64
    secret = password.decode("utf-8").encode("utf-16-be") + b"\0\0"

    def stretch(data: bytes) -> bytes:  # copies of data up to a whole number of v-byte blocks
        whole = v * -(-len(data) // v)
        return (data * (whole // len(data) + 1))[:whole] if data else b""

    block = stretch(salt) + stretch(secret)
    diversifier = bytes([purpose]) * v
    out = b""
    while len(out) < size:
        a = hashlib.sha256(diversifier + block).digest()
        for _ in range(iterations - 1):
            a = hashlib.sha256(a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big") + 1
        block = b"".join(
            ((int.from_bytes(block[i : i + v], "big") + b) % (1 << (8 * v))).to_bytes(v, "big")
            for i in range(0, len(block), v)
        )
    return out[:size]


def _attributes(name: bytes, key_id: bytes) -> bytes:
    """friendlyName and localKeyId: how readers pair the key with its certificate."""
    friendly = _seq(_oid(_FRIENDLY_NAME), _set(_tlv(0x1E, name.decode("utf-8").encode("utf-16-be"))))
    local = _seq(_oid(_LOCAL_KEY_ID), _set(_octets(key_id)))
    return _set(friendly, local)


def locked_pfx(
    key: TestPrivateKey,
    certificate: x509.Certificate,
    cas: Sequence[x509.Certificate],
    password: bytes,
    *,
    name: bytes = b"certdoctor-lab",
) -> bytes:
    """A PKCS#12 with the key, its certificate and the CAs, protected by password, byte-identical on every run."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    key_id = hashlib.sha1(der).digest()  # what cryptography and OpenSSL use as the localKeyId
    label = name + b"\0" + der
    bags = [
        _seq(
            _oid(_CERT_BAG),
            _explicit0(_seq(_oid(_X509_CERTIFICATE), _explicit0(_octets(der)))),
            _attributes(name, key_id),
        )
    ]
    for ca in cas:
        ca_der = ca.public_bytes(serialization.Encoding.DER)
        bags.append(_seq(_oid(_CERT_BAG), _explicit0(_seq(_oid(_X509_CERTIFICATE), _explicit0(_octets(ca_der))))))
    algorithm, sealed = _pbes2_encrypt(_seq(*bags), password, label, "certificates")
    encrypted_data = _seq(_int(0), _seq(_oid(_DATA), algorithm, _tlv(0x80, sealed)))
    certificates = _seq(_oid(_ENCRYPTED_DATA), _explicit0(encrypted_data))
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_algorithm, shrouded = _pbes2_encrypt(pkcs8, password, label, "key")
    key_bag = _seq(
        _oid(_SHROUDED_KEY_BAG), _explicit0(_seq(key_algorithm, _octets(shrouded))), _attributes(name, key_id)
    )
    keys = _seq(_oid(_DATA), _explicit0(_octets(_seq(key_bag))))
    authenticated = _seq(certificates, keys)
    mac_salt = _salt(label, "mac", 16)
    mac_key = _pkcs12_kdf(password, mac_salt, 3, ITERATIONS, 32)
    digest = hmac.new(mac_key, authenticated, hashlib.sha256).digest()
    mac = _seq(_seq(_seq(_oid(_SHA256), _null()), _octets(digest)), _octets(mac_salt), _int(ITERATIONS))
    return _seq(_int(3), _seq(_oid(_DATA), _explicit0(_octets(authenticated))), mac)
