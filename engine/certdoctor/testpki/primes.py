"""Seeded prime generation for the test PKI's RSA keys: sieve, Miller-Rabin, and OpenSSL's faster check."""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import rsa

RSA_EXPONENT = 65537
MR_ROUNDS = 40

# Mersenne primes 2**127 - 1 and 2**1279 - 1, and a composite that is a strong pseudoprime to
# bases 2, 3, 5 and 7: the fixtures for the OpenSSL primality self-test below.
_M127 = (1 << 127) - 1
_M1279 = (1 << 1279) - 1
_STRONG_PSEUDOPRIME = 3215031751


@functools.cache
def small_primes() -> tuple[int, ...]:
    """Odd primes below 2**16, for the candidate sieve."""
    limit = 1 << 16
    flags = bytearray([1]) * limit
    flags[0:2] = b"\x00\x00"
    for i in range(2, math.isqrt(limit) + 1):
        if flags[i]:
            flags[i * i :: i] = bytes(len(range(i * i, limit, i)))
    return tuple(i for i in range(3, limit) if flags[i])


def miller_rabin(n: int, rounds: int = MR_ROUNDS) -> bool:
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


def is_probable_prime(n: int, rounds: int = MR_ROUNDS) -> bool:
    """Trial division by small primes, then Miller-Rabin; exposed so tests can check it."""
    if n < 2:
        return False
    if n == 2:
        return True
    for p in small_primes():
        if n == p:
            return True
        if n % p == 0:
            return False
    return miller_rabin(n, rounds)


def openssl_says_prime(candidate: int) -> bool:
    """Primality via OpenSSL: RSA key validation runs BN_check_prime on p and q.

    ``RSAPrivateNumbers.private_key()`` (validation left on) has OpenSSL re-test both primes with
    at least 64 Miller-Rabin rounds, in C -- about 10x faster than ``pow`` in CPython. We pair
    the candidate with the known prime 2**127 - 1 and a consistent d, so primality of the
    candidate is the only check that can fail. Requires gcd(65537, candidate - 1) == 1.
    """
    q = _M127
    try:
        d = pow(RSA_EXPONENT, -1, math.lcm(candidate - 1, q - 1))
        rsa.RSAPrivateNumbers(
            p=candidate,
            q=q,
            d=d,
            dmp1=rsa.rsa_crt_dmp1(d, candidate),
            dmq1=rsa.rsa_crt_dmq1(d, q),
            iqmp=rsa.rsa_crt_iqmp(candidate, q),
            public_numbers=rsa.RSAPublicNumbers(RSA_EXPONENT, candidate * q),
        ).private_key()
    except ValueError:
        return False
    return True


@functools.cache
def openssl_primality_works() -> bool:
    """Self-test: OpenSSL accepts a known prime and rejects a strong pseudoprime."""
    return openssl_says_prime(_M1279) and not openssl_says_prime(_STRONG_PSEUDOPRIME)


def is_prime_candidate(candidate: int) -> bool:
    """Primality of a sieved candidate: >= 40 Miller-Rabin rounds, in C when OpenSSL allows.

    Fast path: OpenSSL's key validation (>= 64 rounds, see :func:`openssl_says_prime`) plus one
    pure-Python base-2 round as a guard. Fallback (self-test failed): 40 pure-Python rounds.
    Both are correct primality tests, so they pick the same primes and the keys are identical.
    """
    if openssl_primality_works():
        return openssl_says_prime(candidate) and miller_rabin(candidate, 1)
    return miller_rabin(candidate, MR_ROUNDS)


def _sieve_window(start: int, window: int) -> bytearray:
    """Flags for the odd candidates start + 2*i (i < window): 0 where a prime below 2**16 divides."""
    sieve = bytearray([1]) * window
    for p in small_primes():
        # first offset i with start + 2*i == 0 (mod p); (p + 1) // 2 is 2^-1 mod p
        i = (-(start % p) * ((p + 1) // 2)) % p
        if i < window:
            if p < window:
                sieve[i::p] = bytes(len(range(i, window, p)))
            else:
                sieve[i] = 0
    return sieve


def random_prime(rng: random.Random, bits: int, is_prime: Callable[[int], bool] = is_prime_candidate) -> int:
    """A prime of exactly ``bits`` bits, top two bits set, with gcd(65537, p - 1) == 1.

    Draws an odd start from ``rng``, sieves a window of odd candidates with the primes below
    2**16 and tests the survivors in order, so the result depends only on the rng (and not on
    which correct primality test ``is_prime`` is).
    """
    window = 2 * bits  # odd offsets; covers ~5.8 average prime gaps
    while True:
        start = rng.getrandbits(bits) | (0b11 << (bits - 2)) | 1
        sieve = _sieve_window(start, window)
        i = sieve.find(1)
        while i != -1:
            candidate = start + 2 * i
            if candidate.bit_length() != bits:
                break
            if candidate % RSA_EXPONENT != 1 and is_prime(candidate):
                return candidate
            i = sieve.find(1, i + 1)
