"""Deterministic test PKI: every certificate the tests and scenarios need, generated, never pasted.

Everything here is a pure function of the PKI ``seed``, the ``epoch`` and the calls made, so the
same calls give byte-identical PEM/DER output in any process:

* keys are derived from ``(seed, key label, KeySpec)`` -- EC scalars and Ed25519 seeds from
  SHA-256, RSA primes from a ``random.Random`` seeded with SHA-256 (see :func:`derive_key`);
* ECDSA signatures use RFC 6979 (``ecdsa_deterministic=True``); RSA PKCS#1 v1.5 and Ed25519
  signatures are deterministic by construction. SHA-1 signatures, which cryptography 50's
  builders refuse, are made by re-signing the DER (see :mod:`certdoctor.testpki.signing`);
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

Modules: ``primes`` (seeded RSA primes), ``keys`` (KeySpec, derive_key), ``signing`` (deterministic
and SHA-1 signatures), ``issued`` (Issued), ``extensions`` (names and X.509 extensions), ``pki``
(TestPKI), ``encodings`` (PEM, PKCS#7, PKCS#12, Windows Base-64) and ``examples`` (the README set).
Import from this package, not from the modules: the names above are its interface.
"""

from __future__ import annotations

from certdoctor.testpki.encodings import CertObject, pem, pkcs7, pkcs12, windows_base64
from certdoctor.testpki.examples import EXAMPLES_SEED, main, write_examples
from certdoctor.testpki.issued import Issued
from certdoctor.testpki.keys import KeyKind, KeySpec, TestPrivateKey, derive_key
from certdoctor.testpki.pki import DEFAULT_EPOCH, TestPKI
from certdoctor.testpki.primes import is_probable_prime

__all__ = [
    "DEFAULT_EPOCH",
    "EXAMPLES_SEED",
    "CertObject",
    "Issued",
    "KeyKind",
    "KeySpec",
    "TestPKI",
    "TestPrivateKey",
    "derive_key",
    "is_probable_prime",
    "main",
    "pem",
    "pkcs7",
    "pkcs12",
    "windows_base64",
    "write_examples",
]
