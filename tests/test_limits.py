"""Limits are documented policy, and the lower layers hold to them: key detection, YAML, host names."""

from __future__ import annotations

import base64
import json
import random
import re
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from test_case import LAUGHS
from test_load import MAC_ITERATIONS, with_integer

from certdoctor import limits
from certdoctor.errors import InputError
from certdoctor.keydetect import holds_private_key
from certdoctor.testpki import KeySpec, TestPKI, pem, pkcs7, pkcs12
from certdoctor.x509.names import host_a_labels

ROOT = Path(__file__).resolve().parents[1]
LIMITS = [name for name in vars(limits) if name.startswith("MAX_")]


def test_every_limit_has_a_reason_and_is_documented() -> None:
    source = Path(limits.__file__).read_text(encoding="utf-8")
    documented = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    assert len(LIMITS) >= 25
    for name in LIMITS:
        assert re.search(rf"#: .+\n(?:#: .+\n)*{name} = ", source), f"{name} has no '#:' reason in limits.py"
        assert f"`{name}`" in documented, f"{name} is missing from docs/limits.md"
        value = getattr(limits, name)
        assert f"{value:,}" in documented or _binary(value) in documented, f"docs/limits.md: value of {name}"


def _binary(value: int) -> str:
    """A byte count as docs/limits.md writes it (8 MiB)."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= size and value % size == 0:
            return f"{value // size} {unit}"
    return str(value)


# -- key detection ---------------------------------------------------------------------------------------

KEYS = {
    "rsa": rsa.generate_private_key(65537, 2048),
    "ec": ec.generate_private_key(ec.SECP256R1()),
    "ed25519": ed25519.Ed25519PrivateKey.generate(),
    "dsa": dsa.generate_private_key(2048),
}
Formats = serialization.PrivateFormat


def _der(name: str, fmt: serialization.PrivateFormat, password: bytes | None = None) -> bytes:
    """One of the generated keys as DER, encrypted (PBES2) when a password is given."""
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return KEYS[name].private_bytes(serialization.Encoding.DER, fmt, encryption)


def _encodings(der: bytes) -> dict[str, str]:
    """The ways key bytes turn up in a chat: Base-64 (one run, lines, glued to a word), base64url, hex."""
    b64 = base64.b64encode(der).decode()
    lines = "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    return {
        "base64": b64,
        "base64 lines after a colon": f"here it is: {lines}\nthanks",
        "base64 with literal \\n": "text " + lines.replace("\n", "\\n"),
        "base64 glued to a word": "key" + b64,
        "base64url": base64.urlsafe_b64encode(der).decode().rstrip("="),
        "hex": der.hex(),
        "hex with colons": ":".join(f"{b:02x}" for b in der),
        "raw bytes as text": der.decode("latin-1"),
        "raw bytes after a long log": "2026-01-01 tvcs: TLS handshake failed\n" * 200 + der.decode("latin-1"),
    }


DER_KEYS = {
    "pkcs8 rsa": _der("rsa", Formats.PKCS8),
    "pkcs1 rsa": _der("rsa", Formats.TraditionalOpenSSL),
    "pkcs8 ec": _der("ec", Formats.PKCS8),
    "sec1 ec": _der("ec", Formats.TraditionalOpenSSL),
    "pkcs8 ed25519": _der("ed25519", Formats.PKCS8),
    "dsa": _der("dsa", Formats.TraditionalOpenSSL),
    "encrypted pkcs8": _der("ec", Formats.PKCS8, b"pw"),
}


@pytest.mark.parametrize("kind", DER_KEYS)
def test_der_keys_are_found_in_every_encoding(kind: str) -> None:
    for encoding, text in _encodings(DER_KEYS[kind]).items():
        assert holds_private_key(text), f"{kind} as {encoding}"


@pytest.mark.parametrize("kind", ["rsa", "ec", "ed25519"])
def test_pem_and_openssh_keys_are_found(kind: str) -> None:
    for fmt in (Formats.PKCS8, Formats.OpenSSH):
        text = KEYS[kind].private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()
        body = "".join(text.splitlines()[1:-1])
        for variant in (text, text.replace("\n", "\\n"), body, base64.b64encode(text.encode()).decode()):
            assert holds_private_key(variant), (fmt, variant[:40])


def test_a_jwk_with_a_private_member_is_found() -> None:
    numbers = KEYS["ec"].private_numbers()  # type: ignore[union-attr]

    def b64u(value: int) -> str:
        """A 32-byte JWK member (base64url without padding)."""
        return base64.urlsafe_b64encode(value.to_bytes(32, "big")).rstrip(b"=").decode()

    public = {"kty": "EC", "crv": "P-256", "x": b64u(numbers.public_numbers.x), "y": b64u(numbers.public_numbers.y)}
    private = {**public, "d": b64u(numbers.private_value)}
    assert holds_private_key(json.dumps(private))
    assert holds_private_key(json.dumps({"note": json.dumps(private)}))  # a JWK pasted inside a JSON string
    assert not holds_private_key(json.dumps(public))


PKI = TestPKI(seed="keydetect")
ROOT_CA = PKI.root("Keydetect Root")
LEAF = PKI.leaf("kd.example.com", ROOT_CA, key=KeySpec("ec", 256))


@pytest.mark.parametrize("password", [b"pw", None])
def test_pkcs12_is_recognised_by_structure_without_deriving_a_key(password: bytes | None) -> None:
    data = pkcs12(LEAF, [ROOT_CA.certificate], password=password)
    bomb = with_integer(data, MAC_ITERATIONS, 2**31 - 1)  # minutes of key derivation, were any done
    started = time.monotonic()
    for blob in (data, bomb):
        assert holds_private_key(base64.b64encode(blob).decode()) and holds_private_key(blob.hex())
    assert time.monotonic() - started < 0.5


def test_certificates_are_not_keys() -> None:
    chain = pem(LEAF.certificate, ROOT_CA.certificate)
    p7b = pkcs7([LEAF.certificate, ROOT_CA.certificate])
    for text in (chain.decode(), base64.b64encode(p7b).decode(), p7b.hex(), base64.b64encode(chain).decode()):
        assert not holds_private_key(text)


def test_a_megabyte_of_benign_text_is_examined_quickly() -> None:
    rng = random.Random(13)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 10))) for _ in range(500)]
    prose = " ".join(rng.choice(words) + rng.choice(["", ", ", ". ", "\n"]) for _ in range(220_000))
    samples = {
        "prose": prose[: 1 << 20],
        "Base-64 of random bytes": base64.b64encode(rng.randbytes(786_432)).decode(),
        "hex": rng.randbytes(1 << 19).hex(),
        "certificates": (pem(LEAF.certificate) * 2000).decode()[: 1 << 20],
        "digits": "0" * (1 << 20),
    }
    for name, text in samples.items():
        started = time.monotonic()
        assert not holds_private_key(text), name
        assert time.monotonic() - started < 2.0, name


def test_text_crafted_with_endless_key_shapes_is_refused_in_bounded_time() -> None:
    crafted = base64.b64encode(b"\x30\x7f\x02\x01\x00" * 600_000).decode()
    started = time.monotonic()
    assert holds_private_key(crafted)
    assert time.monotonic() - started < 2.0


# -- the knowledge base's YAML goes through the same budgeted loader -------------------------------------


@pytest.mark.parametrize(("text", "problem"), [(LAUGHS, "expand to more than"), ("a: \x00\n", "#x0000")])
def test_knowledge_yaml_is_budgeted_too(tmp_path: Path, text: str, problem: str) -> None:
    from certdoctor.kb import _read_yaml

    with pytest.raises(InputError) as err:
        _read_yaml(tmp_path / "cause.yaml", text)
    assert problem in str(err.value) and "\n" not in str(err.value)


# -- host names: an IDN becomes A-labels, an impossible one a one-line error ------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("bücher.example", "xn--bcher-kva.example"),
        ("ＢÜCHER.example", "xn--bcher-kva.example"),
        ("expe.example.com", "expe.example.com"),
        ("192.0.2.1", "192.0.2.1"),
    ],
)
def test_hosts_are_given_as_a_labels(host: str, expected: str) -> None:
    assert host_a_labels(host) == expected


@pytest.mark.parametrize("host", ["a..bücher.example", "b\udcfcx.example", "ü" * 70 + ".example"])
def test_impossible_hosts_are_one_line_errors(host: str) -> None:
    with pytest.raises(InputError) as err:
        host_a_labels(host)
    assert str(err.value).startswith("--host: ") and "\n" not in str(err.value)


def test_verify_matches_an_idn_host_given_in_unicode() -> None:
    from certdoctor.x509.verify import verify_chain

    leaf = PKI.leaf("xn--bcher-kva.example", ROOT_CA, key=KeySpec("ec", 256), sans=["xn--bcher-kva.example"])
    report = verify_chain(leaf.certificate, [], [ROOT_CA.certificate], host=host_a_labels("bücher.example"))
    assert report.expressway.trusted


def test_a_knowledge_directory_with_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os
    import shutil

    from certdoctor.kb import load_knowledge

    shipped = Path(__file__).resolve().parents[1] / "knowledge"
    for name in ("facts.yaml", "questions.yaml", "symptoms.yaml"):
        shutil.copy(shipped / name, tmp_path / name)
    (tmp_path / "causes").mkdir()
    os.mkfifo(tmp_path / "causes" / "stuck.yaml")  # `kb check DIR` reads a user's directory
    started = time.monotonic()
    with pytest.raises(InputError, match="FIFO"):
        load_knowledge(tmp_path)
    assert time.monotonic() - started < 5


def test_a_path_with_a_nul_byte_is_a_one_line_error(tmp_path: Path) -> None:
    from certdoctor.safeinput import read_regular_file

    with pytest.raises(InputError, match="NUL"):
        read_regular_file(str(tmp_path / "a\0b"), 100)
