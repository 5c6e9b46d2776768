"""Property: whatever bytes arrive, the loader returns a result or raises its documented InputError."""

from __future__ import annotations

import base64

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdoctor import InputError, parse_bytes
from certdoctor.testpki import KeySpec, TestPKI, pem, pkcs7
from certdoctor.x509.report import report_for

_PKI = TestPKI(seed="fuzz")
_ROOT = _PKI.root("Fuzz Root", key=KeySpec("ec", 256))
_LEAF = _PKI.leaf("fuzz.example.com", _ROOT, sans=["fuzz.example.com"], key=KeySpec("ec", 256))
SEEDS = [
    _LEAF.der(),
    pem(_LEAF.certificate, _ROOT.certificate),
    pkcs7([_LEAF.certificate, _ROOT.certificate], encoding="der"),
    pkcs7([_LEAF.certificate], encoding="pem"),
    base64.b64encode(_LEAF.der()),
    _LEAF.pem().decode().encode("utf-16"),
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed file with bytes flipped, cut, inserted or duplicated."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup", "truncate"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 128))]
        else:
            del data[at:]
    return bytes(data)


def _load(data: bytes) -> None:
    try:
        loaded = parse_bytes(data, "fuzz.bin")
    except InputError as exc:
        assert str(exc).startswith("fuzz.bin: ") and "\n" not in str(exc)
        return
    report_for(loaded)  # describing what loaded must not raise either


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_never_crash_the_loader(data: bytes) -> None:
    _load(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_never_crash_the_loader(data: bytes) -> None:
    _load(data)


def test_a_certificate_of_an_unknown_version_is_a_one_line_error() -> None:
    # found by the property above: cryptography's InvalidVersion is not a ValueError and escaped
    der = _LEAF.der()
    v3 = b"\xa0\x03\x02\x01\x02"
    assert der.count(v3) == 1
    bad = der.replace(v3, b"\xa0\x03\x02\x01\x03")
    for data in (bad, base64.b64encode(bad)):
        try:
            parse_bytes(data, "v4.cer")
        except InputError as exc:
            assert "v4.cer" in str(exc) and "version" in str(exc)
        else:
            raise AssertionError("a version-4 certificate was accepted")
