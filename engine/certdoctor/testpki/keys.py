"""Test-PKI keys: which key to derive (KeySpec) and its pure derivation from (seed, label, spec)."""

from __future__ import annotations

import functools
import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeAlias

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from certdoctor.testpki.primes import RSA_EXPONENT, is_prime_candidate, openssl_primality_works, random_prime

KeyKind = Literal["rsa", "ec", "ed25519"]
TestPrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

#: Curve factory and group order for each EC key size.
EC_CURVES: dict[int, tuple[Callable[[], ec.EllipticCurve], int]] = {
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
            if self.size not in EC_CURVES:
                raise ValueError(f"EC size must be one of {sorted(EC_CURVES)}, got {self.size}")
        elif self.kind != "ed25519":
            raise ValueError(f"unknown key kind {self.kind!r}")


#: The key a certificate gets unless a test asks for another: RSA 2048.
DEFAULT_KEY = KeySpec()


def digest(*parts: str | bytes | int) -> bytes:
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
        out += digest(*parts, counter)
        counter += 1
    return int.from_bytes(out, "big") >> (len(out) * 8 - bits)


def _rsa_primes(material: bytes, size: int, is_prime: Callable[[int], bool]) -> tuple[int, int]:
    """Seeded primes p > q of size/2 bits whose difference meets FIPS 186-5."""
    rng = random.Random(int.from_bytes(digest(b"rsa", size, material), "big"))
    p_bits = size // 2
    q_bits = size - p_bits
    while True:
        p = random_prime(rng, p_bits, is_prime)
        q = random_prime(rng, q_bits, is_prime)
        # FIPS 186-5: |p - q| > 2^(size/2 - 100); random primes virtually always satisfy it
        if abs(p - q).bit_length() > size // 2 - 100:
            break
    return (p, q) if p >= q else (q, p)


def derive_rsa(material: bytes, size: int, is_prime: Callable[[int], bool] = is_prime_candidate) -> rsa.RSAPrivateKey:
    """An RSA key of exactly ``size`` bits from seeded prime generation."""
    p, q = _rsa_primes(material, size, is_prime)
    n = p * q
    assert n.bit_length() == size
    e = RSA_EXPONENT
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
    already_checked = is_prime is is_prime_candidate and openssl_primality_works()
    return numbers.private_key(unsafe_skip_rsa_key_validation=already_checked)


@functools.cache
def derive_key(seed: str, label: str, spec: KeySpec) -> TestPrivateKey:
    """The private key for (seed, label, spec); pure, cached in-process.

    EC: scalar = SHA-256 stream mod (order - 1) + 1. Ed25519: SHA-256 as the private bytes.
    RSA: primes from a ``random.Random`` seeded with SHA-256, small-prime sieve, Miller-Rabin
    (see :func:`certdoctor.testpki.primes.is_prime_candidate`), e = 65537. CPU time per new RSA
    key, measured on a slow 2-core CPython 3.11 box: 1024 ~0.03 s, 2048 ~0.11 s (max 0.23 s),
    3072 ~0.3 s, 4096 ~0.9 s (max 1.6 s), and 8192 ~6 s -- allowed, but use it only where the
    size matters. Each key is computed once per process thanks to the cache.
    """
    material = digest(b"certdoctor-testpki-v1", seed, label, spec.kind)
    if spec.kind == "ed25519":
        return ed25519.Ed25519PrivateKey.from_private_bytes(digest(b"ed25519", material))
    if spec.kind == "ec":
        curve_factory, order = EC_CURVES[spec.size]
        scalar = _hash_int(order.bit_length() + 64, b"ec", spec.size, material) % (order - 1) + 1
        return ec.derive_private_key(scalar, curve_factory())
    return derive_rsa(material, spec.size)
