"""Every file format a TAC engineer may be handed is recognised, read, and judged for upload."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from certdoctor import InputError, inspect_file, read_file
from certdoctor.limits import MAX_FILE_BYTES
from certdoctor.testpki import pem, pkcs7, pkcs12, windows_base64
from certdoctor.x509.der import RawExtension, encode, rebuild, split_certificate
from certdoctor.x509.describe import serial_hex
from certdoctor.x509.models import FileFormat


def test_single_pem_is_accepted_for_upload(dep, write) -> None:  # type: ignore[no-untyped-def]
    report = inspect_file(write("expe.pem", dep.expe.pem()))
    assert report.format is FileFormat.PEM
    assert report.upload.accepted
    cert = report.certificates[0]
    assert cert.common_name == "expe.example.com"
    assert cert.sans.dns == ["expe.example.com", "collab-edge.example.com"]
    assert cert.extended_key_usage == ["serverAuth", "clientAuth"]
    assert cert.issuer.startswith("CN=Test Issuing CA")
    assert cert.key is not None and (cert.key.type, cert.key.size) == ("RSA", 2048)
    assert cert.signature_hash == "sha256"
    assert cert.authority_key_id and cert.subject_key_id
    assert len(cert.fingerprint_sha256.split(":")) == 32


def test_pem_bundle_with_text_around_is_read_but_not_uploadable(dep, write) -> None:  # type: ignore[no-untyped-def]
    data = b"Subject: expe\nIssuer: whatever\n" + pem(dep.expe.certificate, dep.issuing.certificate) + b"\nbye\n"
    report = inspect_file(write("bundle.pem", data))
    assert report.format is FileFormat.PEM_BUNDLE
    assert [c.common_name for c in report.certificates] == ["expe.example.com", "Test Issuing CA"]
    assert not report.upload.accepted
    text = " ".join(report.upload.reasons)
    assert "2 certificates" in text and "outside" in text


def test_windows_base64_export_with_crlf_is_accepted(dep, write) -> None:  # type: ignore[no-untyped-def]
    report = inspect_file(write("expe.cer", windows_base64(dep.expe.certificate)))
    assert report.format is FileFormat.WINDOWS_BASE64
    assert report.upload.accepted


def test_der_is_recognised_and_conversion_explained(dep, write) -> None:  # type: ignore[no-untyped-def]
    report = inspect_file(write("expe.cer", dep.expe.der()))
    assert report.format is FileFormat.DER
    assert report.certificates[0].common_name == "expe.example.com"
    assert not report.upload.accepted
    assert any("openssl x509 -inform DER" in c for c in report.upload.conversion)
    assert any("Base-64 encoded X.509" in c for c in report.upload.conversion)


def test_base64_without_armour(dep, write) -> None:  # type: ignore[no-untyped-def]
    body = b"".join(dep.expe.pem().splitlines(keepends=True)[1:-1])
    report = inspect_file(write("naked.txt", body))
    assert report.format is FileFormat.BASE64
    assert not report.upload.accepted


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_decoded(dep, write, encoding: str) -> None:  # type: ignore[no-untyped-def]
    data = dep.expe.pem().decode().encode(encoding)
    report = inspect_file(write("unicode.cer", data))
    assert report.certificates[0].common_name == "expe.example.com"
    assert not report.upload.accepted
    assert any("UTF-16" in r for r in report.upload.reasons)


def test_utf8_bom_is_noted(dep, write) -> None:  # type: ignore[no-untyped-def]
    report = inspect_file(write("bom.pem", b"\xef\xbb\xbf" + dep.expe.pem()))
    assert report.certificates and not report.upload.accepted
    assert any("byte-order mark" in n for n in report.encoding_notes)


@pytest.mark.parametrize("encoding", ["der", "pem"])
def test_pkcs7_bundles(dep, write, encoding: str) -> None:  # type: ignore[no-untyped-def]
    data = pkcs7([dep.expe.certificate, dep.issuing.certificate, dep.root.certificate], encoding=encoding)  # type: ignore[arg-type]
    report = inspect_file(write("chain.p7b", data))
    assert report.format is (FileFormat.PKCS7_DER if encoding == "der" else FileFormat.PKCS7_PEM)
    assert {c.common_name for c in report.certificates} == {
        "expe.example.com",
        "Test Issuing CA",
        "Test Root CA",
    }
    assert not report.upload.accepted
    assert any("openssl pkcs7" in c for c in report.upload.conversion)


def test_pkcs12_needs_password_and_opens_with_it(dep, write) -> None:  # type: ignore[no-untyped-def]
    path = write("expe.pfx", pkcs12(dep.expe, [dep.issuing.certificate], password=b"s3cret"))
    with pytest.raises(InputError, match="password"):
        read_file(path)
    with pytest.raises(InputError, match="does not open"):
        read_file(path, b"wrong")
    report = inspect_file(path, b"s3cret")
    assert report.format is FileFormat.PKCS12
    assert [c.common_name for c in report.certificates] == ["expe.example.com", "Test Issuing CA"]
    assert len(report.private_keys) == 1 and report.private_keys[0].key is not None


def test_pkcs12_without_password_opens(dep, write) -> None:  # type: ignore[no-untyped-def]
    report = inspect_file(write("open.p12", pkcs12(dep.expe, password=None)))
    assert report.certificates[0].common_name == "expe.example.com"


def test_csr_given_instead_of_certificate(dep, write) -> None:  # type: ignore[no-untyped-def]
    csr = dep.pki.csr("expe.example.com", sans=["expe.example.com"])
    report = inspect_file(write("expe.csr", csr.public_bytes(Encoding.PEM)))
    assert report.format is FileFormat.CSR
    assert report.requests[0].sans.dns == ["expe.example.com"] and report.requests[0].signature_valid
    assert not report.upload.accepted
    assert "signing request" in report.upload.reasons[0]


def test_private_key_is_recognised_and_never_shown(dep, write) -> None:  # type: ignore[no-untyped-def]
    key_pem = dep.expe.key_pem()
    report = inspect_file(write("expe.key", key_pem))
    assert report.format is FileFormat.PRIVATE_KEY
    assert report.private_keys[0].key is not None and report.private_keys[0].key.type == "RSA"
    dumped = report.model_dump_json()
    body = b"".join(key_pem.splitlines()[1:3]).decode()
    assert body[:40] not in dumped and "PRIVATE KEY-----" not in dumped


def test_encrypted_private_key_is_recognised_without_password(dep, write) -> None:  # type: ignore[no-untyped-def]
    report = inspect_file(write("enc.key", dep.expe.key_pem(password=b"pw")))
    assert report.private_keys[0].encrypted
    assert report.private_keys[0].key is None


def test_certificate_plus_key_pem_is_mixed(dep, write) -> None:  # type: ignore[no-untyped-def]
    report = inspect_file(write("both.pem", dep.expe.pem() + dep.expe.key_pem()))
    assert report.format is FileFormat.MIXED_PEM
    assert not report.upload.accepted


def test_crl_file(dep, write) -> None:  # type: ignore[no-untyped-def]
    crl = dep.pki.crl(dep.issuing, [dep.expc])
    report = inspect_file(write("ca.crl", crl.public_bytes(Encoding.DER)))
    assert report.format is FileFormat.CRL
    assert report.crls[0].revoked_serials == [serial_hex(dep.expc.certificate)]


def test_root_ca_uploaded_as_server_certificate(dep, write) -> None:  # type: ignore[no-untyped-def]
    report = inspect_file(write("root.pem", dep.root.pem()))
    assert not report.upload.accepted
    assert any("root CA" in r for r in report.upload.reasons)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"hello, this is a text file\n", "text file without a certificate"),
        (b"\x00\x01\x02garbage\xff" * 10, "not a certificate file"),
        (b"-----BEGIN CERTIFICATE-----\nMIIB\n", "no END line"),
        (b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "not valid Base-64"),
        (b"-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n", "public key"),
    ],
)
def test_bad_files_give_one_line_errors(write, data: bytes, problem: str) -> None:  # type: ignore[no-untyped-def]
    path = write("bad.cer", data)
    with pytest.raises(InputError) as err:
        read_file(path)
    message = str(err.value)
    assert message.startswith(str(path)) and problem in message and "\n" not in message


def test_truncated_der_says_how_much_is_missing(dep, write) -> None:  # type: ignore[no-untyped-def]
    der = dep.expe.der()
    with pytest.raises(InputError, match="truncated"):
        read_file(write("cut.cer", der[: len(der) // 2]))


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "huge.pem"
    with big.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputError, match="limit"):
        read_file(big)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_file(tmp_path / "nope.pem")
    with pytest.raises(InputError, match="directory"):
        read_file(tmp_path)


def test_broken_extension_is_reported_by_field_and_the_rest_still_shown(dep, write) -> None:  # type: ignore[no-untyped-def]
    parts = split_certificate(dep.expe.der())
    assert parts is not None
    # an extendedKeyUsage whose OID list holds a truncated OID: DER-valid outside, garbage inside
    broken_eku = RawExtension(
        "2.5.29.37",
        False,
        encode(0x30, encode(0x06, bytes.fromhex("551d25")) + encode(0x04, encode(0x30, b"\x06\x01"))),
    )
    keep = [e for e in parts.extensions if e.oid != "2.5.29.37"] + [broken_eku]
    report = inspect_file(write("odd.pem", pem_of(rebuild(parts, keep))))
    cert = report.certificates[0]
    assert cert.sans.dns == ["expe.example.com", "collab-edge.example.com"]
    problems = [f for f in report.findings if f.code == "parse.extension-unreadable"]
    assert problems and "extendedKeyUsage" in (problems[0].field or "")
    assert "expe.example.com" in problems[0].message


def test_duplicate_extension_is_named(dep, write) -> None:  # type: ignore[no-untyped-def]
    parts = split_certificate(dep.expe.der())
    assert parts is not None
    san = next(e for e in parts.extensions if e.oid == "2.5.29.17")
    report = inspect_file(write("dup.pem", pem_of(rebuild(parts, [*parts.extensions, san]))))
    assert any("more than once" in f.message and "subjectAltName" in (f.field or "") for f in report.findings)


def pem_of(der: bytes) -> bytes:
    """PEM armour around DER bytes (the signature of a rebuilt certificate is not valid)."""
    import base64
    import textwrap

    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n".encode()


# -- key-derivation bombs: iteration counts are read from the DER and refused before any key is derived --

#: Where the iteration INTEGERs sit in a PKCS#12 of cryptography's (an OCTET STRING wrapping DER is entered
#: without an index): MacData.iterations, the certificates' EncryptedData PBKDF2 count, the key bag's.
MAC_ITERATIONS = [2, 2]
CERT_BAG_ITERATIONS = [1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1]
KEY_BAG_ITERATIONS = [1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1]
#: EncryptedPrivateKeyInfo -> PBES2 params -> PBKDF2 params -> iterationCount.
PKCS8_ITERATIONS = [0, 1, 0, 1, 1]


def with_integer(der: bytes, path: list[int], value: int) -> bytes:
    """der with the INTEGER at path (child indexes) set to value, every enclosing length re-encoded."""
    from certdoctor.x509.der import children, tlv

    head = tlv(der, 0)
    assert head is not None
    tag, hlen, clen = head
    content = der[hlen : hlen + clen]
    if not path:
        assert tag == 0x02
        return encode(0x02, value.to_bytes((value.bit_length() + 8) // 8, "big"))
    if tag == 0x04:  # an OCTET STRING holding DER (PKCS#12 authSafe and SafeContents)
        return encode(0x04, with_integer(content, path, value))
    parts = [content[off : off + length] for off, _, length in children(content, 0, len(content))]
    parts[path[0]] = with_integer(parts[path[0]], path[1:], value)
    return encode(tag, b"".join(parts))


def _refused_quickly(path: Path, password: bytes | None) -> str:
    """The one-line error of reading path, asserted to come before any expensive key derivation."""
    import time

    started = time.monotonic()
    with pytest.raises(InputError) as err:
        read_file(path, password)
    assert time.monotonic() - started < 1.0
    message = str(err.value)
    assert message.startswith(str(path)) and "\n" not in message
    return message


@pytest.mark.parametrize("password", [None, b"s3cret"])
def test_pkcs12_mac_iteration_bomb_is_refused_before_deriving(dep, write, password: bytes | None) -> None:  # type: ignore[no-untyped-def]
    # 10^8 MAC iterations: ~25 s per password tried (two without --password) before the limit existed
    bomb = with_integer(pkcs12(dep.leaf("bomb.example.com"), password=None), MAC_ITERATIONS, 10**8)
    message = _refused_quickly(write("bomb.p12", bomb), password)
    assert message.endswith("PKCS#12 MAC iteration count 100000000 is above the limit 1000000")


@pytest.mark.parametrize(("where", "what"), [(CERT_BAG_ITERATIONS, "certificate bag"), (KEY_BAG_ITERATIONS, "key bag")])
def test_pkcs12_bag_iteration_bombs_are_refused(dep, write, where: list[int], what: str) -> None:  # type: ignore[no-untyped-def]
    bomb = with_integer(pkcs12(dep.leaf("bags.example.com"), password=b"pw"), where, 2**31 - 1)
    message = _refused_quickly(write("bags.pfx", bomb), b"pw")
    assert f"{what}" in message and "iteration count 2147483647 is above the limit 1000000" in message


def test_pkcs12_iterations_are_budgeted_over_the_whole_file(dep, write) -> None:  # type: ignore[no-untyped-def]
    data = pkcs12(dep.leaf("sum.example.com"), password=b"pw")
    for where in (MAC_ITERATIONS, CERT_BAG_ITERATIONS, KEY_BAG_ITERATIONS):
        data = with_integer(data, where, 900_000)  # each under the limit, together above it for two attempts
    assert "iterations in all; the limit per file is 3000000" in _refused_quickly(write("sum.pfx", data), None)


def test_encrypted_pkcs8_key_iteration_bomb_is_refused(dep, write) -> None:  # type: ignore[no-untyped-def]
    import base64

    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, PrivateFormat

    der = dep.leaf("key.example.com").key.private_bytes(
        Encoding.DER, PrivateFormat.PKCS8, BestAvailableEncryption(b"pw")
    )
    bomb = with_integer(der, PKCS8_ITERATIONS, 10**8)
    armour = b"ENCRYPTED PRIVATE KEY-----\n"
    pem = b"-----BEGIN " + armour + base64.encodebytes(bomb) + b"-----END " + armour
    for name, data in (("bomb.der", bomb), ("bomb.key", pem)):
        assert read_file(write(name, data)).private_keys[0].encrypted  # recognised; nothing derived
        assert "encrypted private key iteration count 100000000" in _refused_quickly(write(name, data), b"pw")


def test_ordinary_pkcs12_exports_still_open(dep, write) -> None:  # type: ignore[no-untyped-def]
    leaf = dep.leaf("ok.example.com")
    for name, data, password in (
        ("best.pfx", pkcs12(leaf, [dep.issuing.certificate], password=b"pw"), b"pw"),
        ("legacy.pfx", pkcs12(leaf, password=b"pw", legacy=True), b"pw"),
        ("open.p12", pkcs12(leaf, password=None), None),
    ):
        loaded = read_file(write(name, data), password)
        assert loaded.certificates[0].subject == leaf.certificate.subject and loaded.private_keys


# -- only regular files: a FIFO would block open() forever, /dev/zero never ends -------------------------


def finishes(call: Callable[[], object], seconds: float = 5.0) -> BaseException | None:
    """Run call() in a thread; the exception it raised (None if none), failing if it does not finish in time."""
    import threading

    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:  # handed back to the test
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"did not finish within {seconds} s (blocked or reading without end)"
    return outcome[0]


@pytest.fixture
def special_files(tmp_path: Path) -> Iterator[list[tuple[Path, str]]]:
    """A FIFO, a socket, a directory and (where present) /dev/zero, each with the kind its error names."""
    import os
    import shutil
    import socket
    import tempfile

    fifo = tmp_path / "pipe.pem"
    os.mkfifo(fifo)
    sock_dir = Path(tempfile.mkdtemp(prefix="cd-", dir="/tmp"))  # AF_UNIX paths are limited to ~100 bytes
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_dir / "s.pem"))
        found = [(fifo, "FIFO"), (sock_dir / "s.pem", "socket"), (tmp_path, "directory")]
        if Path("/dev/zero").exists():
            found.append((Path("/dev/zero"), "character device"))
        yield found
    shutil.rmtree(sock_dir, ignore_errors=True)


def test_only_regular_files_are_read(special_files: list[tuple[Path, str]]) -> None:
    for path, kind in special_files:
        error = finishes(lambda p=path: read_file(p))  # type: ignore[misc]
        assert isinstance(error, InputError), (path, error)
        assert str(error).startswith(str(path)) and kind in str(error) and "\n" not in str(error)
