"""Deterministic test PKI: every certificate the tests and scenarios need, generated, never pasted.

Everything here is a pure function of the PKI ``seed``, the ``epoch`` and the calls made, so the
same calls give byte-identical PEM/DER output in any process:

* keys are derived from ``(seed, key label, KeySpec)`` -- EC scalars and Ed25519 seeds from
  SHA-256, RSA primes from a ``random.Random`` seeded with SHA-256 (see :func:`derive_key`);
* ECDSA signatures use RFC 6979 (``ecdsa_deterministic=True``); RSA PKCS#1 v1.5 and Ed25519
  signatures are deterministic by construction. SHA-1 signatures, which cryptography 50's
  builders refuse, are made by re-signing the DER (see :func:`_resign_sha1`);
* serial numbers are hashes of (seed, subject DN, issuer DN, occurrence counter);
* validity windows are relative to ``epoch`` (default 2025-01-01T00:00:00Z), never "now".

Two outputs are *not* byte-deterministic because cryptography draws a random salt/IV for them:
:func:`pkcs12` files and :meth:`Issued.key_pem` with a password. Their *content* (the key and
certificates inside) is deterministic.

Key-label rule: ``key_label`` is used verbatim when given. Otherwise CA certificates (``root``,
``intermediate``) use ``"ca:" + cn`` and leaves/CSRs use ``"leaf:" + cn`` (``"leaf-sans:" + the
comma-joined SANs`` for a leaf without CN). So a CA re-issued under the same CN (renewal,
cross-certificate) keeps its key, a CSR and the leaf for the same CN share a key, and a leaf that
happens to carry its issuer's CN does not silently get the CA's key. Pass distinct ``key_label``
values to get "same subject, different key" cases, or the same label to share a key on purpose.

Run ``python -m certdoctor.testpki examples OUTDIR`` to write the README example set.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import inspect
import ipaddress
import math
import random
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar, cast

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7 as _pkcs7
from cryptography.hazmat.primitives.serialization import pkcs12 as _pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "DEFAULT_EPOCH",
    "EXAMPLES_SEED",
    "Issued",
    "KeyKind",
    "KeySpec",
    "TestPKI",
    "TestPrivateKey",
    "derive_key",
    "is_probable_prime",
    "pem",
    "pkcs7",
    "pkcs12",
    "windows_base64",
    "write_examples",
]

KeyKind = Literal["rsa", "ec", "ed25519"]
TestPrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
CertObject: TypeAlias = x509.Certificate | x509.CertificateRevocationList | x509.CertificateSigningRequest

_T = TypeVar("_T", x509.Certificate, x509.CertificateRevocationList, x509.CertificateSigningRequest)

DEFAULT_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
EXAMPLES_SEED = "certdoctor-examples"

_RSA_EXPONENT = 65537
_MR_ROUNDS = 40
_SERIAL_LIMIT = 1 << 159

_EC_CURVES: dict[int, tuple[Callable[[], ec.EllipticCurve], int]] = {
    256: (
        ec.SECP256R1,
        0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    ),
    384: (
        ec.SECP384R1,
        int(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
            16,
        ),
    ),
    521: (
        ec.SECP521R1,
        int(
            "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
            "FA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
            16,
        ),
    ),
}

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

_NAME_ATTRIBUTES: dict[str, x509.ObjectIdentifier] = {
    "CN": NameOID.COMMON_NAME,
    "C": NameOID.COUNTRY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "L": NameOID.LOCALITY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "DC": NameOID.DOMAIN_COMPONENT,
    "STREET": NameOID.STREET_ADDRESS,
    "SERIALNUMBER": NameOID.SERIAL_NUMBER,
    "EMAILADDRESS": NameOID.EMAIL_ADDRESS,
    "E": NameOID.EMAIL_ADDRESS,
    "TITLE": NameOID.TITLE,
    "GN": NameOID.GIVEN_NAME,
    "SN": NameOID.SURNAME,
    "UID": NameOID.USER_ID,
}

_EKU_NAMES: dict[str, x509.ObjectIdentifier] = {
    "serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
    "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "codeSigning": ExtendedKeyUsageOID.CODE_SIGNING,
    "emailProtection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "timeStamping": ExtendedKeyUsageOID.TIME_STAMPING,
    "OCSPSigning": ExtendedKeyUsageOID.OCSP_SIGNING,
    "anyExtendedKeyUsage": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
}

_KEY_USAGE_NAMES: dict[str, str] = {
    "digitalSignature": "digital_signature",
    "contentCommitment": "content_commitment",
    "nonRepudiation": "content_commitment",
    "keyEncipherment": "key_encipherment",
    "dataEncipherment": "data_encipherment",
    "keyAgreement": "key_agreement",
    "keyCertSign": "key_cert_sign",
    "cRLSign": "crl_sign",
    "encipherOnly": "encipher_only",
    "decipherOnly": "decipher_only",
}

_DOTTED_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")


# --------------------------------------------------------------------------------------------
# keys


@dataclass(frozen=True)
class KeySpec:
    """Which key to derive: RSA modulus bits, EC curve bits (256/384/521), or Ed25519."""

    kind: KeyKind = "rsa"
    size: int = 2048

    def __post_init__(self) -> None:
        if self.kind == "rsa":
            if self.size < 512 or self.size % 2:
                raise ValueError(f"RSA size must be even and >= 512, got {self.size}")
        elif self.kind == "ec":
            if self.size not in _EC_CURVES:
                raise ValueError(f"EC size must be one of {sorted(_EC_CURVES)}, got {self.size}")
        elif self.kind != "ed25519":
            raise ValueError(f"unknown key kind {self.kind!r}")


def _digest(*parts: str | bytes | int) -> bytes:
    """SHA-256 over length-prefixed parts, so ("ab", "c") and ("a", "bc") never collide."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, int):
            part = str(part)
        raw = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(raw).to_bytes(4, "big"))
        h.update(raw)
    return h.digest()


def _hash_int(bits: int, *parts: str | bytes | int) -> int:
    """An integer of ``bits`` bits expanded from SHA-256 in counter mode."""
    out = b""
    counter = 0
    while len(out) * 8 < bits:
        out += _digest(*parts, counter)
        counter += 1
    return int.from_bytes(out, "big") >> (len(out) * 8 - bits)


@functools.cache
def _small_primes() -> tuple[int, ...]:
    """Odd primes below 2**16, for the candidate sieve."""
    limit = 1 << 16
    flags = bytearray([1]) * limit
    flags[0:2] = b"\x00\x00"
    for i in range(2, math.isqrt(limit) + 1):
        if flags[i]:
            flags[i * i :: i] = bytes(len(range(i * i, limit, i)))
    return tuple(i for i in range(3, limit) if flags[i])


def _miller_rabin(n: int, rounds: int = _MR_ROUNDS) -> bool:
    """Miller-Rabin: base 2 first (cheap rejection), then bases from a Random seeded with n."""
    if n < 5:
        return n in (2, 3)
    if n % 2 == 0:
        return False
    d = n - 1
    s = (d & -d).bit_length() - 1
    d >>= s
    bases = random.Random(n)
    for r in range(rounds):
        a = 2 if r == 0 else bases.randrange(3, n - 1)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def is_probable_prime(n: int, rounds: int = _MR_ROUNDS) -> bool:
    """Trial division by small primes, then Miller-Rabin; exposed so tests can check it."""
    if n < 2:
        return False
    if n == 2:
        return True
    for p in _small_primes():
        if n == p:
            return True
        if n % p == 0:
            return False
    return _miller_rabin(n, rounds)


# Mersenne primes 2**127 - 1 and 2**1279 - 1, and a composite that is a strong pseudoprime to
# bases 2, 3, 5 and 7: the fixtures for the OpenSSL primality self-test below.
_M127 = (1 << 127) - 1
_M1279 = (1 << 1279) - 1
_STRONG_PSEUDOPRIME = 3215031751


def _openssl_says_prime(candidate: int) -> bool:
    """Primality via OpenSSL: RSA key validation runs BN_check_prime on p and q.

    ``RSAPrivateNumbers.private_key()`` (validation left on) has OpenSSL re-test both primes with
    at least 64 Miller-Rabin rounds, in C -- about 10x faster than ``pow`` in CPython. We pair
    the candidate with the known prime 2**127 - 1 and a consistent d, so primality of the
    candidate is the only check that can fail. Requires gcd(65537, candidate - 1) == 1.
    """
    q = _M127
    try:
        d = pow(_RSA_EXPONENT, -1, math.lcm(candidate - 1, q - 1))
        rsa.RSAPrivateNumbers(
            p=candidate,
            q=q,
            d=d,
            dmp1=rsa.rsa_crt_dmp1(d, candidate),
            dmq1=rsa.rsa_crt_dmq1(d, q),
            iqmp=rsa.rsa_crt_iqmp(candidate, q),
            public_numbers=rsa.RSAPublicNumbers(_RSA_EXPONENT, candidate * q),
        ).private_key()
    except ValueError:
        return False
    return True


@functools.cache
def _openssl_primality_works() -> bool:
    """Self-test: OpenSSL accepts a known prime and rejects a strong pseudoprime."""
    return _openssl_says_prime(_M1279) and not _openssl_says_prime(_STRONG_PSEUDOPRIME)


def _is_prime_candidate(candidate: int) -> bool:
    """Primality of a sieved candidate: >= 40 Miller-Rabin rounds, in C when OpenSSL allows.

    Fast path: OpenSSL's key validation (>= 64 rounds, see :func:`_openssl_says_prime`) plus one
    pure-Python base-2 round as a guard. Fallback (self-test failed): 40 pure-Python rounds.
    Both are correct primality tests, so they pick the same primes and the keys are identical.
    """
    if _openssl_primality_works():
        return _openssl_says_prime(candidate) and _miller_rabin(candidate, 1)
    return _miller_rabin(candidate, _MR_ROUNDS)


def _random_prime(rng: random.Random, bits: int, is_prime: Callable[[int], bool] = _is_prime_candidate) -> int:
    """A prime of exactly ``bits`` bits, top two bits set, with gcd(65537, p - 1) == 1.

    Draws an odd start from ``rng``, sieves a window of odd candidates with the primes below
    2**16 and tests the survivors in order, so the result depends only on the rng (and not on
    which correct primality test ``is_prime`` is).
    """
    primes = _small_primes()
    window = 2 * bits  # odd offsets; covers ~5.8 average prime gaps
    while True:
        start = rng.getrandbits(bits) | (0b11 << (bits - 2)) | 1
        sieve = bytearray([1]) * window
        for p in primes:
            # first offset i with start + 2*i == 0 (mod p); (p + 1) // 2 is 2^-1 mod p
            i = (-(start % p) * ((p + 1) // 2)) % p
            if i < window:
                if p < window:
                    sieve[i::p] = bytes(len(range(i, window, p)))
                else:
                    sieve[i] = 0
        i = sieve.find(1)
        while i != -1:
            candidate = start + 2 * i
            if candidate.bit_length() != bits:
                break
            if candidate % _RSA_EXPONENT != 1 and is_prime(candidate):
                return candidate
            i = sieve.find(1, i + 1)


def _derive_rsa(material: bytes, size: int, is_prime: Callable[[int], bool] = _is_prime_candidate) -> rsa.RSAPrivateKey:
    """An RSA key of exactly ``size`` bits from seeded prime generation."""
    rng = random.Random(int.from_bytes(_digest(b"rsa", size, material), "big"))
    p_bits = size // 2
    q_bits = size - p_bits
    while True:
        p = _random_prime(rng, p_bits, is_prime)
        q = _random_prime(rng, q_bits, is_prime)
        # FIPS 186-5: |p - q| > 2^(size/2 - 100); random primes virtually always satisfy it
        if abs(p - q).bit_length() > size // 2 - 100:
            break
    if p < q:
        p, q = q, p
    n = p * q
    assert n.bit_length() == size
    e = _RSA_EXPONENT
    lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    d = pow(e, -1, lam)
    numbers = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(e, n),
    )
    # When the primes came from OpenSSL's own check, validating the key again would only re-run
    # the same 64 Miller-Rabin rounds on p and q; otherwise let OpenSSL check everything.
    already_checked = is_prime is _is_prime_candidate and _openssl_primality_works()
    return numbers.private_key(unsafe_skip_rsa_key_validation=already_checked)


@functools.cache
def derive_key(seed: str, label: str, spec: KeySpec) -> TestPrivateKey:
    """The private key for (seed, label, spec); pure, cached in-process.

    EC: scalar = SHA-256 stream mod (order - 1) + 1. Ed25519: SHA-256 as the private bytes.
    RSA: primes from a ``random.Random`` seeded with SHA-256, small-prime sieve, Miller-Rabin
    (see :func:`_is_prime_candidate`), e = 65537. CPU time per new RSA key, measured on a slow
    2-core CPython 3.11 box: 1024 ~0.03 s, 2048 ~0.11 s (max 0.23 s), 3072 ~0.3 s, 4096
    ~0.9 s (max 1.6 s), and 8192 ~6 s -- allowed, but use it only where the size matters.
    Each key is computed once per process thanks to the cache.
    """
    material = _digest(b"certdoctor-testpki-v1", seed, label, spec.kind)
    if spec.kind == "ed25519":
        return ed25519.Ed25519PrivateKey.from_private_bytes(_digest(b"ed25519", material))
    if spec.kind == "ec":
        curve_factory, order = _EC_CURVES[spec.size]
        scalar = _hash_int(order.bit_length() + 64, b"ec", spec.size, material) % (order - 1) + 1
        return ec.derive_private_key(scalar, curve_factory())
    return _derive_rsa(material, spec.size)


# --------------------------------------------------------------------------------------------
# issued certificates


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


def _supports_deterministic(sign: Callable[..., Any]) -> bool:
    """Whether a builder's sign() takes ``ecdsa_deterministic`` (cryptography >= 44)."""
    return "ecdsa_deterministic" in inspect.signature(sign).parameters


_DETERMINISTIC_SIGN = {
    "certificate": _supports_deterministic(x509.CertificateBuilder.sign),
    "crl": _supports_deterministic(x509.CertificateRevocationListBuilder.sign),
    "csr": _supports_deterministic(x509.CertificateSigningRequestBuilder.sign),
}


def _hash_for(key: TestPrivateKey, name: str) -> hashes.HashAlgorithm | None:
    """The signature hash object for ``name``; None for Ed25519 keys."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    try:
        return _HASHES[name.lower()]()
    except KeyError:
        raise ValueError(f"hash must be one of {sorted(_HASHES)}, got {name!r}") from None


def _signed(sign: Callable[..., _T], key: TestPrivateKey, hash_name: str, what: str) -> _T:
    """Call a builder's sign() with the right hash, RFC 6979 nonces for ECDSA when supported.

    SHA-1 goes through :func:`_resign_sha1`, because cryptography 50's builders refuse it.
    """
    algorithm = _hash_for(key, hash_name)
    sha1 = isinstance(algorithm, hashes.SHA1)
    if sha1:
        algorithm = hashes.SHA256()
    if isinstance(key, ec.EllipticCurvePrivateKey) and _DETERMINISTIC_SIGN[what]:
        signed = sign(key, algorithm, ecdsa_deterministic=True)
    else:
        signed = sign(key, algorithm)
    if not sha1:
        return signed
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    der = _resign_sha1(signed.public_bytes(serialization.Encoding.DER), key, what)
    loader: Callable[[bytes], object] = {
        "certificate": x509.load_der_x509_certificate,
        "crl": x509.load_der_x509_crl,
        "csr": x509.load_der_x509_csr,
    }[what]
    return cast(_T, loader(der))


# DER AlgorithmIdentifiers: sha1WithRSAEncryption (with NULL parameters), ecdsa-with-SHA1
_SHA1_WITH_RSA = bytes.fromhex("300d06092a864886f70d0101050500")
_ECDSA_WITH_SHA1 = bytes.fromhex("300906072a8648ce3d0401")


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


def _resign_sha1(der: bytes, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, what: str) -> bytes:
    """Re-sign a certificate, CRL or CSR with SHA-1 (RSA PKCS#1 v1.5 or RFC 6979 ECDSA).

    cryptography 50 refuses SHA-1 in its X.509 builders but still signs SHA-1 with a key, and
    tests need SHA-1-signed objects: swap the AlgorithmIdentifier (outer, and inside the TBS of
    certificates and CRLs), sign the new TBS bytes, and reassemble the DER.
    """
    tbs, old_algorithm, _ = _der_split(_der_content(der))
    algorithm = _SHA1_WITH_RSA if isinstance(key, rsa.RSAPrivateKey) else _ECDSA_WITH_SHA1
    fields = _der_split(_der_content(tbs))
    if what == "certificate":  # [0] version, serialNumber, signature, ...
        index: int | None = 2
    elif what == "crl":  # version (optional INTEGER), signature, ...
        index = 1 if fields[0][0] == 0x02 else 0
    else:  # a CSR's CertificationRequestInfo names no algorithm
        index = None
    if index is not None:
        assert fields[index] == old_algorithm, "unexpected TBS layout"
        fields[index] = algorithm
    new_tbs = _der_tlv(0x30, b"".join(fields))
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(new_tbs, padding.PKCS1v15(), hashes.SHA1())
    else:
        signature = key.sign(new_tbs, ec.ECDSA(hashes.SHA1(), deterministic_signing=True))
    return _der_tlv(0x30, new_tbs + algorithm + _der_tlv(0x03, b"\x00" + signature))


def _utc(value: datetime) -> datetime:
    """Treat naive datetimes as UTC; convert aware ones to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _attribute_oid(name: str) -> x509.ObjectIdentifier:
    """OID for an attribute short name ("O", "OU", ...) or a dotted OID string."""
    if _DOTTED_OID.match(name):
        return x509.ObjectIdentifier(name)
    try:
        return _NAME_ATTRIBUTES[name.upper()]
    except KeyError:
        raise ValueError(f"unknown subject attribute {name!r}; use a dotted OID") from None


def _name(cn: str | None, extra: Sequence[tuple[str, str]]) -> x509.Name:
    """Subject name: ``extra`` attributes in the given order, then CN (if any) last."""
    attributes = [x509.NameAttribute(_attribute_oid(k), v) for k, v in extra]
    if cn is not None:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attributes)


def _general_name(value: str) -> x509.GeneralName:
    """A SAN entry: IP address if it parses as one, ``uri:``/``email:``/``dns:`` prefixes, else DNS."""
    try:
        return x509.IPAddress(ipaddress.ip_address(value))
    except ValueError:
        pass
    lowered = value.lower()
    if lowered.startswith("uri:"):
        return x509.UniformResourceIdentifier(value[4:])
    if lowered.startswith("email:"):
        return x509.RFC822Name(value[6:])
    if lowered.startswith("dns:"):
        return x509.DNSName(value[4:])
    return x509.DNSName(value)


def _eku_oid(name: str) -> x509.ObjectIdentifier:
    """EKU OID for a short name (serverAuth, clientAuth, ...) or a dotted OID."""
    if name in _EKU_NAMES:
        return _EKU_NAMES[name]
    if _DOTTED_OID.match(name):
        return x509.ObjectIdentifier(name)
    raise ValueError(f"unknown EKU {name!r}; use one of {sorted(_EKU_NAMES)} or a dotted OID")


def _key_usage(names: Sequence[str]) -> x509.KeyUsage:
    """A KeyUsage extension value from RFC 5280 bit names (digitalSignature, ...)."""
    flags = dict.fromkeys(set(_KEY_USAGE_NAMES.values()), False)
    for name in names:
        try:
            flags[_KEY_USAGE_NAMES[name]] = True
        except KeyError:
            raise ValueError(f"unknown key usage {name!r}; use one of {sorted(_KEY_USAGE_NAMES)}") from None
    return x509.KeyUsage(**flags)


def _authority_key_id(issuer: Issued) -> x509.AuthorityKeyIdentifier:
    """AKI from the issuer's SKI extension, or from its public key when it has none."""
    try:
        ski = issuer.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except x509.ExtensionNotFound:
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key())
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski.value)


def _url_extensions(
    crl_urls: Sequence[str], ocsp_urls: Sequence[str], aia_issuer_urls: Sequence[str]
) -> list[tuple[x509.ExtensionType, bool]]:
    """CRL distribution points and authority information access, each only when non-empty."""
    out: list[tuple[x509.ExtensionType, bool]] = []
    if crl_urls:
        points = [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
            for url in crl_urls
        ]
        out.append((x509.CRLDistributionPoints(points), False))
    if ocsp_urls or aia_issuer_urls:
        descriptions = [
            x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(url))
            for url in ocsp_urls
        ] + [
            x509.AccessDescription(
                x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier(url),
            )
            for url in aia_issuer_urls
        ]
        out.append((x509.AuthorityInformationAccess(descriptions), False))
    return out


class TestPKI:
    """A seeded certificate factory: roots, intermediates, leaves, CRLs and CSRs, reproducibly."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, seed: str = "certdoctor", epoch: datetime = DEFAULT_EPOCH) -> None:
        """Remember the seed and the epoch all default validity windows start at."""
        self.seed = seed
        self.epoch = _utc(epoch)
        self._serial_counts: dict[tuple[str, str], int] = {}

    # -- building blocks ----------------------------------------------------------------------

    def key(self, label: str, spec: KeySpec = KeySpec()) -> TestPrivateKey:
        """The key for ``label`` and ``spec`` under this PKI's seed (same label => same key)."""
        return derive_key(self.seed, label, spec)

    def serial(self, subject: str, issuer: str) -> int:
        """Next serial for (subject, issuer): hash of seed, both names and an occurrence count.

        Positive, nonzero and below 2**159. Depends only on how many certificates this PKI has
        already issued for the same subject/issuer pair, not on unrelated calls.
        """
        count = self._serial_counts.get((subject, issuer), 0)
        self._serial_counts[(subject, issuer)] = count + 1
        value = int.from_bytes(_digest(b"serial", self.seed, subject, issuer, count), "big")
        return value % (_SERIAL_LIMIT - 1) + 1

    def _window(self, days: int, not_before: datetime | None, not_after: datetime | None) -> tuple[datetime, datetime]:
        """Validity: not_before defaults to the epoch, not_after to not_before + days."""
        start = _utc(not_before) if not_before is not None else self.epoch
        end = _utc(not_after) if not_after is not None else start + timedelta(days=days)
        return start, end

    def _issue(
        self,
        *,
        subject: x509.Name,
        subject_key: TestPrivateKey,
        issuer: Issued | None,
        validity: tuple[datetime, datetime],
        hash: str,
        extensions: Sequence[tuple[x509.ExtensionType, bool]],
        ski: bool,
        aki: bool,
        serial: int | None,
    ) -> Issued:
        """Build and sign one certificate; issuer None means self-signed with subject_key."""
        signing_key = subject_key if issuer is None else issuer.key
        issuer_name = subject if issuer is None else issuer.certificate.subject
        if serial is None:
            serial = self.serial(subject.rfc4514_string(), issuer_name.rfc4514_string())
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(subject_key.public_key())
            .serial_number(serial)
            .not_valid_before(validity[0])
            .not_valid_after(validity[1])
        )
        for ext, critical in extensions:
            builder = builder.add_extension(ext, critical=critical)
        if ski:
            builder = builder.add_extension(
                x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()),
                critical=False,
            )
        if aki:
            if issuer is None:
                aki_value = x509.AuthorityKeyIdentifier.from_issuer_public_key(subject_key.public_key())
            else:
                aki_value = _authority_key_id(issuer)
            builder = builder.add_extension(aki_value, critical=False)
        cert = _signed(builder.sign, signing_key, hash, "certificate")
        return Issued(certificate=cert, key=subject_key)

    def _ca(
        self,
        cn: str,
        issuer: Issued | None,
        *,
        key: KeySpec,
        days: int,
        not_before: datetime | None,
        not_after: datetime | None,
        hash: str,
        basic_constraints: bool,
        ca: bool,
        path_length: int | None,
        key_usage: bool,
        key_cert_sign: bool,
        subject_extra: Sequence[tuple[str, str]],
        ski: bool,
        aki: bool,
        key_label: str | None,
        crl_urls: Sequence[str],
        ocsp_urls: Sequence[str],
        aia_issuer_urls: Sequence[str],
        serial: int | None,
        extra_extensions: Sequence[tuple[x509.ExtensionType, bool]],
    ) -> Issued:
        """Shared body of root() and intermediate()."""
        extensions: list[tuple[x509.ExtensionType, bool]] = []
        if basic_constraints:
            extensions.append((x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), True))
        if key_usage:
            names = ["keyCertSign", "cRLSign"] if key_cert_sign else ["digitalSignature", "cRLSign"]
            extensions.append((_key_usage(names), True))
        extensions += _url_extensions(crl_urls, ocsp_urls, aia_issuer_urls)
        extensions += list(extra_extensions)
        subject_key = self.key(key_label if key_label is not None else f"ca:{cn}", key)
        return self._issue(
            subject=_name(cn, subject_extra),
            subject_key=subject_key,
            issuer=issuer,
            validity=self._window(days, not_before, not_after),
            hash=hash,
            extensions=extensions,
            ski=ski,
            aki=aki,
            serial=serial,
        )

    # -- public factories ---------------------------------------------------------------------

    def root(
        self,
        cn: str,
        *,
        key: KeySpec = KeySpec(),
        days: int = 3650,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        hash: str = "sha256",
        basic_constraints: bool = True,
        ca: bool = True,
        path_length: int | None = None,
        key_usage: bool = True,
        key_cert_sign: bool = True,
        subject_extra: Sequence[tuple[str, str]] = (),
        ski: bool = True,
        aki: bool = False,
        key_label: str | None = None,
        crl_urls: Sequence[str] = (),
        ocsp_urls: Sequence[str] = (),
        aia_issuer_urls: Sequence[str] = (),
        serial: int | None = None,
        extra_extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
    ) -> Issued:
        """A self-signed CA: basicConstraints CA:TRUE and keyUsage keyCertSign+cRLSign, critical.

        ``basic_constraints=False`` / ``key_usage=False`` drop those extensions and
        ``key_cert_sign=False`` leaves only digitalSignature+cRLSign, for broken-CA cases.
        ``aki`` (default off, as for most real roots) adds an AKI equal to the SKI.
        """
        return self._ca(
            cn,
            None,
            key=key,
            days=days,
            not_before=not_before,
            not_after=not_after,
            hash=hash,
            basic_constraints=basic_constraints,
            ca=ca,
            path_length=path_length,
            key_usage=key_usage,
            key_cert_sign=key_cert_sign,
            subject_extra=subject_extra,
            ski=ski,
            aki=aki,
            key_label=key_label,
            crl_urls=crl_urls,
            ocsp_urls=ocsp_urls,
            aia_issuer_urls=aia_issuer_urls,
            serial=serial,
            extra_extensions=extra_extensions,
        )

    def intermediate(
        self,
        cn: str,
        issuer: Issued,
        *,
        key: KeySpec = KeySpec(),
        days: int = 3650,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        hash: str = "sha256",
        basic_constraints: bool = True,
        ca: bool = True,
        path_length: int | None = None,
        key_usage: bool = True,
        key_cert_sign: bool = True,
        subject_extra: Sequence[tuple[str, str]] = (),
        ski: bool = True,
        aki: bool = True,
        key_label: str | None = None,
        crl_urls: Sequence[str] = (),
        ocsp_urls: Sequence[str] = (),
        aia_issuer_urls: Sequence[str] = (),
        serial: int | None = None,
        extra_extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
    ) -> Issued:
        """A CA certificate signed by ``issuer``; same options as root(), plus CRL/AIA URLs.

        Re-issuing the same CN (e.g. as a cross-certificate under another root) reuses the key.
        """
        return self._ca(
            cn,
            issuer,
            key=key,
            days=days,
            not_before=not_before,
            not_after=not_after,
            hash=hash,
            basic_constraints=basic_constraints,
            ca=ca,
            path_length=path_length,
            key_usage=key_usage,
            key_cert_sign=key_cert_sign,
            subject_extra=subject_extra,
            ski=ski,
            aki=aki,
            key_label=key_label,
            crl_urls=crl_urls,
            ocsp_urls=ocsp_urls,
            aia_issuer_urls=aia_issuer_urls,
            serial=serial,
            extra_extensions=extra_extensions,
        )

    def leaf(
        self,
        cn: str | None,
        issuer: Issued | None,
        *,
        sans: Sequence[str] = (),
        eku: Sequence[str] | None = ("serverAuth", "clientAuth"),
        key: KeySpec = KeySpec(),
        days: int = 730,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        hash: str = "sha256",
        subject_extra: Sequence[tuple[str, str]] = (),
        crl_urls: Sequence[str] = (),
        ocsp_urls: Sequence[str] = (),
        aia_issuer_urls: Sequence[str] = (),
        key_usage: Sequence[str] | None = ("digitalSignature", "keyEncipherment"),
        basic_constraints: bool = True,
        aki: bool = True,
        ski: bool = True,
        key_label: str | None = None,
        san_critical: bool | None = None,
        serial: int | None = None,
        extra_extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
    ) -> Issued:
        """An end-entity certificate (issuer None = self-signed), e.g. an Expressway server cert.

        ``sans`` entries are IP addresses when they parse as one, else DNS names (wildcards ok;
        ``uri:``/``email:``/``dns:`` prefixes force a type). The SAN extension is present only
        when ``sans`` is non-empty and is critical when the subject is empty (RFC 5280), unless
        ``san_critical`` says otherwise. ``eku``/``key_usage`` None omit those extensions.
        """
        extensions: list[tuple[x509.ExtensionType, bool]] = []
        if basic_constraints:
            extensions.append((x509.BasicConstraints(ca=False, path_length=None), True))
        if key_usage is not None:
            extensions.append((_key_usage(key_usage), True))
        if eku is not None:
            extensions.append((x509.ExtendedKeyUsage([_eku_oid(e) for e in eku]), False))
        subject = _name(cn, subject_extra)
        if sans:
            critical = len(subject) == 0 if san_critical is None else san_critical
            general_names = [_general_name(s) for s in sans]
            extensions.append((x509.SubjectAlternativeName(general_names), critical))
        extensions += _url_extensions(crl_urls, ocsp_urls, aia_issuer_urls)
        extensions += list(extra_extensions)
        if key_label is None:
            key_label = f"leaf:{cn}" if cn is not None else "leaf-sans:" + ",".join(sans)
        return self._issue(
            subject=subject,
            subject_key=self.key(key_label, key),
            issuer=issuer,
            validity=self._window(days, not_before, not_after),
            hash=hash,
            extensions=extensions,
            ski=ski,
            aki=aki,
            serial=serial,
        )

    def crl(
        self,
        issuer: Issued,
        revoked: Sequence[Issued | int] = (),
        *,
        this_update: datetime | None = None,
        next_update: datetime | None = None,
        days: int = 30,
        hash: str = "sha256",
        crl_number: int = 1,
        revocation_date: datetime | None = None,
        aki: bool = True,
    ) -> x509.CertificateRevocationList:
        """A CRL signed by ``issuer`` listing the given certificates or serial numbers.

        this_update defaults to the epoch, next_update to this_update + days, and each entry's
        revocation date to this_update.
        """
        start = _utc(this_update) if this_update is not None else self.epoch
        end = _utc(next_update) if next_update is not None else start + timedelta(days=days)
        revoked_at = _utc(revocation_date) if revocation_date is not None else start
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.certificate.subject)
            .last_update(start)
            .next_update(end)
            .add_extension(x509.CRLNumber(crl_number), critical=False)
        )
        if aki:
            builder = builder.add_extension(_authority_key_id(issuer), critical=False)
        for entry in revoked:
            number = entry.certificate.serial_number if isinstance(entry, Issued) else entry
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(number).revocation_date(revoked_at).build()
            )
        return _signed(builder.sign, issuer.key, hash, "crl")

    def csr(
        self,
        cn: str,
        *,
        sans: Sequence[str] = (),
        key: KeySpec = KeySpec(),
        key_label: str | None = None,
        subject_extra: Sequence[tuple[str, str]] = (),
        hash: str = "sha256",
    ) -> x509.CertificateSigningRequest:
        """A CSR as Expressway would generate it; shares the key of leaf() for the same CN."""
        subject_key = self.key(key_label if key_label is not None else f"leaf:{cn}", key)
        builder = x509.CertificateSigningRequestBuilder().subject_name(_name(cn, subject_extra))
        if sans:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([_general_name(s) for s in sans]), critical=False
            )
        return _signed(builder.sign, subject_key, hash, "csr")


# --------------------------------------------------------------------------------------------
# encodings


def pem(*objs: CertObject) -> bytes:
    """Concatenated PEM of certificates, CRLs and CSRs, in the order given (a bundle file)."""
    return b"".join(obj.public_bytes(serialization.Encoding.PEM) for obj in objs)


def pkcs7(certs: Sequence[x509.Certificate], *, encoding: Literal["pem", "der"] = "der") -> bytes:
    """A certs-only PKCS#7 (.p7b/.p7c), as a CA or Windows export delivers a chain.

    The certificates are a SET in PKCS#7, so readers may return them in a different order.
    """
    enc = serialization.Encoding.DER if encoding == "der" else serialization.Encoding.PEM
    return _pkcs7.serialize_certificates(list(certs), enc)


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
    encryption: serialization.KeySerializationEncryption
    if password is None:
        encryption = serialization.NoEncryption()
    elif legacy:
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(_pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
            .build(password)
        )
    else:
        encryption = serialization.BestAvailableEncryption(password)
    return _pkcs12.serialize_key_and_certificates(name, issued.key, issued.certificate, list(cas) or None, encryption)


def windows_base64(cert: x509.Certificate) -> bytes:
    """What Windows "Base-64 encoded X.509 (.CER)" export writes: PEM, 64 columns, CRLF."""
    return cert.public_bytes(serialization.Encoding.PEM).replace(b"\n", b"\r\n")


# --------------------------------------------------------------------------------------------
# README example set

_EXAMPLES_README = """\
# Example certificates

Generated by `python -m certdoctor.testpki examples examples/` (module `certdoctor.testpki`,
seed `{seed}`, epoch 2025-01-01T00:00:00Z). Every file except `expe.pfx` is byte-identical on
each run; PKCS#12 always contains a random salt, so `expe.pfx` differs byte-wise between runs
while its content (key, leaf, chain) is the same. These are throw-away test keys: never use them
for anything real.

PKI: `ACME Root CA` (2020-01-01 .. 2040-01-01) signs `ACME Issuing CA 2` (2022-01-01 ..
2035-01-01, CRL at http://pki.acme.example/issuing2.crl), which signs the leaves (2025-01-01 ..
2031-01-01 unless stated). All keys are RSA 2048, all signatures sha256WithRSAEncryption.

{table}

With certdoctor (`certdoctor --help` for all options):

- `certdoctor inspect expe.pfx --password secret`: what is in the PKCS#12 and whether
  Expressway accepts it for upload.
- `certdoctor verify expe.pem --trusted trusted-root-only.pem --host expe.example.com`:
  not trusted, the issuer (the intermediate) is missing.
- `certdoctor verify expe-chain.pem --trusted trusted-root-only.pem --host expe.example.com`:
  the TLS path is fine, but the intermediate is not in the trusted list (SSH tunnels need it).
- `certdoctor verify expc.pem --trusted trusted-full.pem --host expc.example.com`: clientAuth
  is missing from the extended key usage.
- `certdoctor verify expired.pem --trusted trusted-full.pem`: expired on 2024-01-01.
- `certdoctor verify revoked.pem --trusted trusted-full.pem --crl issuing2.crl`: revoked by
  `issuing2.crl`.
"""


_EXAMPLE_FILES: tuple[tuple[str, str, str], ...] = (
    (
        "acme-root.pem",
        'Root CA "ACME Root CA", self-signed',
        "`openssl x509 -in acme-root.pem -noout -text`: CA:TRUE, keyCertSign",
    ),
    (
        "acme-issuing.pem",
        'Intermediate "ACME Issuing CA 2", signed by the root',
        "`openssl x509 -in acme-issuing.pem -noout -ext crlDistributionPoints`: the CRL URL",
    ),
    (
        "expe.pem",
        "Expressway-E server cert, CN expe.example.com, SANs expe/collab-edge/example.com, EKU serverAuth+clientAuth",
        "`openssl x509 -in expe.pem -noout -ext subjectAltName,extendedKeyUsage`",
    ),
    (
        "expe.key",
        "Private key of `expe.pem` (unencrypted PKCS#8)",
        "`openssl pkey -in expe.key -pubout` equals `openssl x509 -in expe.pem -noout -pubkey`",
    ),
    (
        "expe-chain.pem",
        "`expe.pem` followed by the intermediate (what a CA ships)",
        "`openssl verify -CAfile acme-root.pem -untrusted expe-chain.pem expe.pem`: OK",
    ),
    (
        "expc.pem",
        "Expressway-C server cert, CN expc.example.com, SANs expc/expc1/expc2.example.com,"
        " EKU serverAuth only (deliberate fault: no clientAuth, so it fails as a TLS client)",
        "`openssl x509 -in expc.pem -noout -ext extendedKeyUsage`",
    ),
    (
        "trusted-root-only.pem",
        "Trust store with only the root (the SSH-tunnel case: intermediate missing)",
        "`openssl verify -CAfile trusted-root-only.pem expe.pem`: error 20, unable to get local issuer certificate",
    ),
    (
        "trusted-full.pem",
        "Trust store with root + intermediate",
        "`openssl verify -CAfile trusted-full.pem expe.pem`: OK",
    ),
    (
        "expe.der",
        "`expe.pem` in DER",
        "`openssl x509 -inform der -in expe.der -noout -subject`",
    ),
    (
        "expe.p7b",
        "DER PKCS#7 with leaf, intermediate, root",
        "`openssl pkcs7 -inform der -in expe.p7b -print_certs -noout`",
    ),
    (
        "expe.pfx",
        "PKCS#12 with key, leaf and chain; password `secret` (not byte-reproducible, see above)",
        "`openssl pkcs12 -in expe.pfx -passin pass:secret -nokeys -info`",
    ),
    (
        "expe-windows.cer",
        '`expe.pem` as Windows "Base-64 encoded X.509 (.CER)" export: CRLF line endings',
        "`cat -A expe-windows.cer`: every line ends in `^M$`",
    ),
    (
        "expe.csr",
        "CSR for expe.example.com (same key as `expe.pem`)",
        "`openssl req -in expe.csr -noout -text -verify`",
    ),
    (
        "expired.pem",
        "Leaf CN old-expe.example.com, valid 2023-01-01 .. 2024-01-01: expired",
        "`openssl x509 -in expired.pem -noout -dates`",
    ),
    (
        "revoked.pem",
        "Leaf CN revoked.example.com, listed in `issuing2.crl`",
        "`openssl x509 -in revoked.pem -noout -serial`",
    ),
    (
        "issuing2.crl",
        "PEM CRL of the intermediate, revokes `revoked.pem`; 2025-01-01 .. 2035-01-01",
        "`openssl crl -in issuing2.crl -noout -text`; `openssl verify -crl_check -CAfile"
        " trusted-full.pem -CRLfile issuing2.crl revoked.pem`: error 23, certificate revoked",
    ),
)


def _examples_readme() -> str:
    """examples/README.md: the intro plus one table row per file in _EXAMPLE_FILES."""
    rows = ["| File | What it is | Command and what it shows |", "|---|---|---|"]
    rows += [f"| `{name}` | {what} | {how} |" for name, what, how in _EXAMPLE_FILES]
    return _EXAMPLES_README.format(seed=EXAMPLES_SEED, table="\n".join(rows))


def write_examples(outdir: Path) -> list[Path]:
    """Write the README example set (seed "certdoctor-examples") into outdir; returns the paths."""
    pki = TestPKI(EXAMPLES_SEED, epoch=DEFAULT_EPOCH)
    leaf_end = datetime(2031, 1, 1, tzinfo=UTC)
    root = pki.root(
        "ACME Root CA",
        subject_extra=(("C", "US"), ("O", "ACME Corp")),
        not_before=datetime(2020, 1, 1, tzinfo=UTC),
        not_after=datetime(2040, 1, 1, tzinfo=UTC),
    )
    issuing = pki.intermediate(
        "ACME Issuing CA 2",
        root,
        subject_extra=(("C", "US"), ("O", "ACME Corp")),
        not_before=datetime(2022, 1, 1, tzinfo=UTC),
        not_after=datetime(2035, 1, 1, tzinfo=UTC),
        path_length=0,
        crl_urls=("http://pki.acme.example/issuing2.crl",),
    )
    crl_url = ("http://pki.acme.example/issuing2.crl",)
    expe = pki.leaf(
        "expe.example.com",
        issuing,
        sans=("expe.example.com", "collab-edge.example.com", "example.com"),
        eku=("serverAuth", "clientAuth"),
        not_after=leaf_end,
        crl_urls=crl_url,
    )
    expc = pki.leaf(
        "expc.example.com",
        issuing,
        sans=("expc.example.com", "expc1.example.com", "expc2.example.com"),
        eku=("serverAuth",),
        not_after=leaf_end,
        crl_urls=crl_url,
    )
    expired = pki.leaf(
        "old-expe.example.com",
        issuing,
        sans=("old-expe.example.com",),
        not_before=datetime(2023, 1, 1, tzinfo=UTC),
        not_after=datetime(2024, 1, 1, tzinfo=UTC),
        crl_urls=crl_url,
    )
    revoked = pki.leaf(
        "revoked.example.com",
        issuing,
        sans=("revoked.example.com",),
        not_after=leaf_end,
        crl_urls=crl_url,
    )
    crl = pki.crl(
        issuing,
        [revoked],
        this_update=DEFAULT_EPOCH,
        next_update=datetime(2035, 1, 1, tzinfo=UTC),
    )
    csr = pki.csr("expe.example.com", sans=("expe.example.com", "collab-edge.example.com", "example.com"))
    files: dict[str, bytes] = {
        "acme-root.pem": root.pem(),
        "acme-issuing.pem": issuing.pem(),
        "expe.pem": expe.pem(),
        "expe.key": expe.key_pem(),
        "expe-chain.pem": pem(expe.certificate, issuing.certificate),
        "expc.pem": expc.pem(),
        "trusted-root-only.pem": root.pem(),
        "trusted-full.pem": pem(root.certificate, issuing.certificate),
        "expe.der": expe.der(),
        "expe.p7b": pkcs7([expe.certificate, issuing.certificate, root.certificate]),
        "expe.pfx": pkcs12(expe, [issuing.certificate, root.certificate], password=b"secret"),
        "expe-windows.cer": windows_base64(expe.certificate),
        "expe.csr": pem(csr),
        "expired.pem": expired.pem(),
        "revoked.pem": revoked.pem(),
        "issuing2.crl": pem(crl),
        "README.md": _examples_readme().encode("utf-8"),
    }
    assert set(files) == {name for name, _, _ in _EXAMPLE_FILES} | {"README.md"}
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, data in files.items():
        path = outdir / filename
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m certdoctor.testpki examples OUTDIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m certdoctor.testpki", description="Deterministic test PKI generator."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    examples = sub.add_parser("examples", help="write the README example certificate set")
    examples.add_argument("outdir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "examples":
        for path in write_examples(args.outdir):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
