"""The deterministic test-PKI generator: reproducible output and certificates as requested."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7 as crypto_pkcs7
from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certdoctor import testpki
from certdoctor.testpki import (
    Issued,
    KeySpec,
    TestPKI,
    is_probable_prime,
    keys,
    pem,
    pkcs7,
    pkcs12,
    primes,
    windows_base64,
)

EC = KeySpec("ec", 256)
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def _build(pki: TestPKI) -> dict[str, bytes]:
    """A small PKI with one of everything; all the bytes that must be reproducible."""
    root = pki.root("Det Root", key=EC)
    inter = pki.intermediate("Det Issuing", root, key=EC, crl_urls=("http://crl.example/i.crl",))
    leaf = pki.leaf("det.example.com", inter, sans=("det.example.com", "10.0.0.1"), key=EC)
    ed_root = pki.root("Ed Root", key=KeySpec("ed25519"))
    ed_leaf = pki.leaf("ed.example.com", ed_root, key=KeySpec("ed25519"))
    rsa_leaf = pki.leaf("rsa.example.com", inter, key=KeySpec("rsa", 1024), hash="sha1")
    return {
        "root": root.pem(),
        "inter": inter.pem(),
        "leaf": leaf.der(),
        "leaf_key": leaf.key_pem(),
        "ed_leaf": ed_leaf.pem(),
        "rsa_leaf": rsa_leaf.pem(),
        "rsa_key": rsa_leaf.key_pem(),
        "crl": pem(pki.crl(inter, [leaf, 12345])),
        "csr": pem(pki.csr("det.example.com", sans=("det.example.com",), key=EC)),
        "p7": pkcs7([leaf.certificate, inter.certificate]),
        "win": windows_base64(leaf.certificate),
    }


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    """One PKI for the module; keys are cached in-process anyway."""
    return TestPKI("tests", epoch=EPOCH)


@pytest.fixture(scope="module")
def chain(pki: TestPKI) -> tuple[Issued, Issued, Issued]:
    """root -> intermediate -> leaf, EC keys."""
    root = pki.root("Test Root CA", key=EC)
    inter = pki.intermediate(
        "Test Issuing CA",
        root,
        key=EC,
        crl_urls=("http://pki.test.example/issuing.crl",),
        aia_issuer_urls=("http://pki.test.example/root.cer",),
    )
    leaf = pki.leaf(
        "expe.test.example",
        inter,
        key=EC,
        sans=("expe.test.example", "*.edge.test.example", "192.0.2.10", "2001:db8::1"),
        ocsp_urls=("http://ocsp.test.example",),
    )
    return root, inter, leaf


def _ext(cert: x509.Certificate, cls: type[x509.ExtensionType]) -> x509.Extension[x509.ExtensionType]:
    return cert.extensions.get_extension_for_class(cls)


# -- determinism ---------------------------------------------------------------------------------


def test_two_fresh_pkis_with_the_same_seed_give_identical_bytes() -> None:
    first = _build(TestPKI("determinism", epoch=EPOCH))
    second = _build(TestPKI("determinism", epoch=EPOCH))
    assert first == second


def test_another_seed_gives_other_keys_and_serials() -> None:
    a = TestPKI("seed-a").leaf("x.example", None, key=EC)
    b = TestPKI("seed-b").leaf("x.example", None, key=EC)
    assert a.key_pem() != b.key_pem()
    assert a.certificate.serial_number != b.certificate.serial_number


def test_rsa_key_is_identical_in_a_fresh_process() -> None:
    here = TestPKI("subprocess").key("probe", KeySpec("rsa", 1024))
    expected = here.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # the directory this process imported certdoctor from (no resolve(): it may be a symlink)
    package_parent = str(Path(testpki.__file__).parent.parent.parent)
    code = (
        "import sys; from certdoctor.testpki import TestPKI, KeySpec\n"
        "from cryptography.hazmat.primitives import serialization as s\n"
        "k = TestPKI('subprocess').key('probe', KeySpec('rsa', 1024))\n"
        "sys.stdout.buffer.write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8,"
        " s.NoEncryption()))\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([package_parent, *filter(None, [os.environ.get("PYTHONPATH")])])
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True, timeout=60)
    assert out.stdout == expected


def test_fast_and_pure_python_primality_pick_the_same_primes() -> None:
    material = b"same primes either way"
    fast = keys.derive_rsa(material, 1024)
    pure = keys.derive_rsa(material, 1024, lambda n: primes.miller_rabin(n, 40))
    assert fast.private_numbers() == pure.private_numbers()


def test_openssl_primality_self_test_passes() -> None:
    assert primes.openssl_primality_works()


def test_ecdsa_signatures_are_deterministic(pki: TestPKI) -> None:
    root = pki.root("ECDSA Root", key=KeySpec("ec", 384))
    again = TestPKI("tests", epoch=EPOCH).root("ECDSA Root", key=KeySpec("ec", 384))
    assert root.certificate.signature == again.certificate.signature


def test_pkcs12_content_is_deterministic_even_if_bytes_are_not(
    chain: tuple[Issued, Issued, Issued],
) -> None:
    _, inter, leaf = chain
    one = crypto_pkcs12.load_pkcs12(pkcs12(leaf, [inter.certificate]), b"secret")
    two = crypto_pkcs12.load_pkcs12(pkcs12(leaf, [inter.certificate]), b"secret")
    assert one.cert is not None and two.cert is not None
    assert one.cert.certificate == two.cert.certificate == leaf.certificate
    assert [c.certificate for c in one.additional_certs] == [inter.certificate]
    assert one.key is not None and two.key is not None
    der = serialization.Encoding.DER
    assert one.key.public_key().public_bytes(
        der, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == leaf.key.public_key().public_bytes(der, serialization.PublicFormat.SubjectPublicKeyInfo)


# -- chains, names, extensions -------------------------------------------------------------------


def test_chain_signatures_verify(chain: tuple[Issued, Issued, Issued]) -> None:
    root, inter, leaf = chain
    root.certificate.verify_directly_issued_by(root.certificate)
    inter.certificate.verify_directly_issued_by(root.certificate)
    leaf.certificate.verify_directly_issued_by(inter.certificate)
    assert leaf.certificate.issuer == inter.certificate.subject


@pytest.mark.parametrize("spec", [KeySpec("rsa", 1024), KeySpec("ec", 256), KeySpec("ec", 521), KeySpec("ed25519")])
def test_every_key_kind_signs_a_verifiable_chain(spec: KeySpec) -> None:
    pki = TestPKI("kinds")
    root = pki.root("Kind Root", key=spec)
    leaf = pki.leaf("kind.example", root, key=EC)
    leaf.certificate.verify_directly_issued_by(root.certificate)
    crl = pki.crl(root, [leaf])
    assert crl.is_signature_valid(root.certificate.public_key())  # type: ignore[arg-type]
    csr = pki.csr("kind.example", key=spec)
    assert csr.is_signature_valid


def test_sans_eku_and_validity_are_as_requested(chain: tuple[Issued, Issued, Issued]) -> None:
    _, _, leaf = chain
    cert = leaf.certificate
    san = _ext(cert, x509.SubjectAlternativeName)
    assert not san.critical
    names = san.value
    assert isinstance(names, x509.SubjectAlternativeName)
    assert names.get_values_for_type(x509.DNSName) == ["expe.test.example", "*.edge.test.example"]
    assert names.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("192.0.2.10"),
        ipaddress.ip_address("2001:db8::1"),
    ]
    eku = _ext(cert, x509.ExtendedKeyUsage).value
    assert isinstance(eku, x509.ExtendedKeyUsage)
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    assert cert.not_valid_before_utc == EPOCH
    assert cert.not_valid_after_utc == EPOCH + timedelta(days=730)
    bc = _ext(cert, x509.BasicConstraints)
    assert bc.critical and isinstance(bc.value, x509.BasicConstraints) and not bc.value.ca
    ku = _ext(cert, x509.KeyUsage).value
    assert isinstance(ku, x509.KeyUsage) and ku.digital_signature and ku.key_encipherment
    aia = _ext(cert, x509.AuthorityInformationAccess).value
    assert isinstance(aia, x509.AuthorityInformationAccess)
    assert [d.access_location.value for d in aia] == ["http://ocsp.test.example"]


def test_eku_options(pki: TestPKI) -> None:
    server_only = pki.leaf("s.example", None, key=EC, eku=("serverAuth",))
    custom = pki.leaf("c.example", None, key=EC, eku=("codeSigning", "1.3.6.1.4.1.99999.1"))
    none = pki.leaf("n.example", None, key=EC, eku=None)
    value = _ext(server_only.certificate, x509.ExtendedKeyUsage).value
    assert isinstance(value, x509.ExtendedKeyUsage)
    assert list(value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    value = _ext(custom.certificate, x509.ExtendedKeyUsage).value
    assert isinstance(value, x509.ExtendedKeyUsage)
    assert [o.dotted_string for o in value] == ["1.3.6.1.5.5.7.3.3", "1.3.6.1.4.1.99999.1"]
    with pytest.raises(x509.ExtensionNotFound):
        _ext(none.certificate, x509.ExtendedKeyUsage)
    with pytest.raises(ValueError, match="unknown EKU"):
        pki.leaf("bad.example", None, key=EC, eku=("serverauth",))


def test_validity_window_options() -> None:
    pki = TestPKI("validity", epoch=datetime(2030, 6, 1, tzinfo=UTC))
    default = pki.leaf("d.example", None, key=EC, days=10)
    assert default.certificate.not_valid_before_utc == datetime(2030, 6, 1, tzinfo=UTC)
    assert default.certificate.not_valid_after_utc == datetime(2030, 6, 11, tzinfo=UTC)
    expired = pki.leaf(
        "old.example",
        None,
        key=EC,
        not_before=datetime(2023, 1, 1),  # naive = UTC
        not_after=datetime(2024, 1, 1, tzinfo=UTC),
    )
    assert expired.certificate.not_valid_before_utc == datetime(2023, 1, 1, tzinfo=UTC)
    assert expired.certificate.not_valid_after_utc == datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "algorithm"),
    [("sha1", hashes.SHA1), ("sha256", hashes.SHA256), ("sha384", hashes.SHA384)],
)
def test_signature_hash(name: str, algorithm: type[hashes.HashAlgorithm]) -> None:
    pki = TestPKI("hashes")
    root = pki.root("Hash Root", key=KeySpec("rsa", 1024))
    leaf = pki.leaf("hash.example", root, key=EC, hash=name)
    assert isinstance(leaf.certificate.signature_hash_algorithm, algorithm)
    if name == "sha1":
        assert leaf.certificate.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.5"


def test_sha1_signatures_verify_with_sha1() -> None:
    """cryptography 50 builders refuse SHA-1; the generator re-signs, and the result is sound."""
    pki = TestPKI("sha1")
    for spec in (KeySpec("rsa", 1024), EC):
        root = pki.root(f"SHA1 Root {spec.kind}", key=spec, hash="sha1")
        leaf = pki.leaf("sha1.example", root, key=EC, hash="sha1", sans=("sha1.example",))
        crl = pki.crl(root, [leaf], hash="sha1")
        csr = pki.csr("sha1.example", key=spec, hash="sha1")
        for obj, tbs in (
            (root.certificate, root.certificate.tbs_certificate_bytes),
            (leaf.certificate, leaf.certificate.tbs_certificate_bytes),
            (crl, crl.tbs_certlist_bytes),
        ):
            assert isinstance(obj.signature_hash_algorithm, hashes.SHA1)
            public = root.key.public_key()
            if isinstance(public, rsa.RSAPublicKey):
                public.verify(obj.signature, tbs, padding.PKCS1v15(), hashes.SHA1())
            else:
                assert isinstance(public, ec.EllipticCurvePublicKey)
                public.verify(obj.signature, tbs, ec.ECDSA(hashes.SHA1()))
        assert isinstance(csr.signature_hash_algorithm, hashes.SHA1)
        assert crl.get_revoked_certificate_by_serial_number(leaf.certificate.serial_number)
        assert (
            leaf.certificate.serial_number
            == pki.leaf(
                "sha1.example", root, key=EC, hash="sha256", serial=leaf.certificate.serial_number
            ).certificate.serial_number
        )


def test_sha1_ecdsa_and_ed25519_hash(pki: TestPKI) -> None:
    ec_root = pki.root("SHA1 EC Root", key=EC, hash="sha1")
    assert isinstance(ec_root.certificate.signature_hash_algorithm, hashes.SHA1)
    ed_root = pki.root("Ed Root", key=KeySpec("ed25519"), hash="sha1")  # ignored for Ed25519
    assert ed_root.certificate.signature_hash_algorithm is None
    with pytest.raises(ValueError, match="hash must be one of"):
        pki.root("MD5 Root", key=EC, hash="md5")


def test_key_identifiers_and_options_to_omit_them(chain: tuple[Issued, Issued, Issued]) -> None:
    root, inter, leaf = chain
    ski = _ext(inter.certificate, x509.SubjectKeyIdentifier).value
    aki = _ext(leaf.certificate, x509.AuthorityKeyIdentifier).value
    assert isinstance(ski, x509.SubjectKeyIdentifier)
    assert isinstance(aki, x509.AuthorityKeyIdentifier)
    assert aki.key_identifier == ski.digest
    assert ski == x509.SubjectKeyIdentifier.from_public_key(inter.key.public_key())
    with pytest.raises(x509.ExtensionNotFound):  # roots carry no AKI by default
        _ext(root.certificate, x509.AuthorityKeyIdentifier)
    pki = TestPKI("kid")
    bare_root = pki.root("Bare Root", key=EC, ski=False)
    bare = pki.leaf("bare.example", bare_root, key=EC, ski=False, aki=False)
    for cls in (x509.SubjectKeyIdentifier, x509.AuthorityKeyIdentifier):
        with pytest.raises(x509.ExtensionNotFound):
            _ext(bare.certificate, cls)
    # an issuer without SKI still yields an AKI, computed from its public key
    child = pki.leaf("child.example", bare_root, key=EC)
    value = _ext(child.certificate, x509.AuthorityKeyIdentifier).value
    assert value == x509.AuthorityKeyIdentifier.from_issuer_public_key(bare_root.key.public_key())


def test_ca_extension_options(pki: TestPKI) -> None:
    root = pki.root("Options Root", key=EC, path_length=1)
    bc = _ext(root.certificate, x509.BasicConstraints)
    assert bc.critical and bc.value == x509.BasicConstraints(ca=True, path_length=1)
    ku = _ext(root.certificate, x509.KeyUsage)
    assert ku.critical
    assert isinstance(ku.value, x509.KeyUsage) and ku.value.key_cert_sign and ku.value.crl_sign

    no_bc = pki.intermediate("No BC CA", root, key=EC, basic_constraints=False)
    with pytest.raises(x509.ExtensionNotFound):
        _ext(no_bc.certificate, x509.BasicConstraints)
    no_cert_sign = pki.intermediate("No CertSign CA", root, key=EC, key_cert_sign=False)
    value = _ext(no_cert_sign.certificate, x509.KeyUsage).value
    assert isinstance(value, x509.KeyUsage) and not value.key_cert_sign and value.crl_sign
    no_ku = pki.intermediate("No KU CA", root, key=EC, key_usage=False)
    with pytest.raises(x509.ExtensionNotFound):
        _ext(no_ku.certificate, x509.KeyUsage)
    not_ca = pki.root("Not A CA", key=EC, ca=False)
    assert _ext(not_ca.certificate, x509.BasicConstraints).value == x509.BasicConstraints(ca=False, path_length=None)
    leaf_no_bc = pki.leaf("nobc.example", root, key=EC, basic_constraints=False, key_usage=None)
    for cls in (x509.BasicConstraints, x509.KeyUsage):
        with pytest.raises(x509.ExtensionNotFound):
            _ext(leaf_no_bc.certificate, cls)


def test_intermediate_url_extensions(chain: tuple[Issued, Issued, Issued]) -> None:
    _, inter, _ = chain
    cdp = _ext(inter.certificate, x509.CRLDistributionPoints).value
    assert isinstance(cdp, x509.CRLDistributionPoints)
    assert [p.full_name[0].value for p in cdp if p.full_name] == ["http://pki.test.example/issuing.crl"]
    aia = _ext(inter.certificate, x509.AuthorityInformationAccess).value
    assert isinstance(aia, x509.AuthorityInformationAccess)
    assert [(d.access_method._name, d.access_location.value) for d in aia] == [
        ("caIssuers", "http://pki.test.example/root.cer")
    ]


def test_subject_extra_with_unknown_oid(pki: TestPKI) -> None:
    leaf = pki.leaf(
        "odd.example",
        None,
        key=EC,
        subject_extra=(("C", "US"), ("O", "ACME"), ("OU", "Collab"), ("1.3.6.1.4.1.99999.7", "x")),
    )
    subject = leaf.certificate.subject
    assert [a.oid.dotted_string for a in subject] == [
        NameOID.COUNTRY_NAME.dotted_string,
        NameOID.ORGANIZATION_NAME.dotted_string,
        NameOID.ORGANIZATIONAL_UNIT_NAME.dotted_string,
        "1.3.6.1.4.1.99999.7",
        NameOID.COMMON_NAME.dotted_string,
    ]
    unknown = subject.get_attributes_for_oid(x509.ObjectIdentifier("1.3.6.1.4.1.99999.7"))
    assert [a.value for a in unknown] == ["x"]
    with pytest.raises(ValueError, match="unknown subject attribute"):
        pki.leaf("odd.example", None, key=EC, subject_extra=(("Organisation", "x"),))


def test_empty_subject_makes_san_critical(pki: TestPKI) -> None:
    leaf = pki.leaf(None, None, key=EC, sans=("nocn.example",))
    assert len(leaf.certificate.subject) == 0
    assert _ext(leaf.certificate, x509.SubjectAlternativeName).critical
    assert leaf.cn is None
    no_san = pki.leaf("plain.example", None, key=EC)
    with pytest.raises(x509.ExtensionNotFound):
        _ext(no_san.certificate, x509.SubjectAlternativeName)


def test_self_signed_leaf(pki: TestPKI) -> None:
    leaf = pki.leaf("self.example", None, key=EC, sans=("self.example",))
    assert leaf.certificate.issuer == leaf.certificate.subject
    leaf.certificate.verify_directly_issued_by(leaf.certificate)


# -- keys, labels and serials --------------------------------------------------------------------


@pytest.mark.parametrize("size", [512, 1024, 1536, 2048])
def test_rsa_key_sizes_are_exact(size: int) -> None:
    key = TestPKI("sizes").key("k", KeySpec("rsa", size))
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == size
    numbers = key.private_numbers()
    assert numbers.public_numbers.e == 65537
    assert numbers.public_numbers.n.bit_length() == size
    assert numbers.p.bit_length() == numbers.q.bit_length() == size // 2
    assert is_probable_prime(numbers.p, 5) and is_probable_prime(numbers.q, 5)


def test_ec_curves_and_ed25519() -> None:
    pki = TestPKI("curves")
    for size, curve in ((256, ec.SECP256R1), (384, ec.SECP384R1), (521, ec.SECP521R1)):
        key = pki.key("k", KeySpec("ec", size))
        assert isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, curve)
    assert isinstance(pki.key("k", KeySpec("ed25519")), ed25519.Ed25519PrivateKey)


def test_ec_group_orders_are_right() -> None:
    for size, (curve, order) in keys.EC_CURVES.items():
        assert order.bit_length() == size
        ec.derive_private_key(order - 1, curve())
        with pytest.raises(ValueError):
            ec.derive_private_key(order, curve())


def test_keyspec_validation() -> None:
    for bad in (("rsa", 1023), ("rsa", 256), ("ec", 255), ("dsa", 2048)):
        with pytest.raises(ValueError):
            KeySpec(*bad)


def test_miller_rabin_against_trial_division() -> None:
    def slow(n: int) -> bool:
        return n >= 2 and all(n % d for d in range(2, int(n**0.5) + 1))

    for n in range(-2, 3000):
        assert is_probable_prime(n) == slow(n), n
    # Carmichael numbers and strong pseudoprimes to several bases are composite
    for n in (561, 41041, 825265, 3215031751, 3825123056546413051, 318665857834031151167461):
        assert not is_probable_prime(n)
    assert is_probable_prime((1 << 127) - 1) and is_probable_prime((1 << 521) - 1)


def test_key_labels(pki: TestPKI) -> None:
    first = pki.root("Renewed Root", key=EC, days=365)
    renewed = pki.root("Renewed Root", key=EC, days=3650)
    assert first.key_pem() == renewed.key_pem()  # same CN: same key (a renewal)
    assert first.certificate.serial_number != renewed.certificate.serial_number
    other = pki.root("Renewed Root", key=EC, key_label="rekeyed")
    assert other.key_pem() != first.key_pem()  # same subject, different key
    # a leaf carrying its issuer's CN does not get the CA's key
    leaf_same_cn = pki.leaf("Renewed Root", first, key=EC)
    assert leaf_same_cn.key_pem() != first.key_pem()
    # sharing on purpose, and the CSR/leaf pairing
    shared = pki.leaf("shared.example", first, key=EC, key_label="ca:Renewed Root")
    assert shared.key_pem() == first.key_pem()
    csr = pki.csr("csr.example", sans=("csr.example",), key=EC)
    issued = pki.leaf("csr.example", first, key=EC)
    assert csr.public_key() == issued.certificate.public_key()
    assert pki.key("leaf:csr.example", EC) is issued.key  # the documented default label


def test_serials_are_positive_short_and_distinct(pki: TestPKI) -> None:
    root = pki.root("Serial Root", key=EC)
    serials = {pki.leaf(f"s{i}.example", root, key=EC).certificate.serial_number for i in range(30)}
    serials |= {pki.leaf("s0.example", root, key=EC).certificate.serial_number}  # re-issue
    assert len(serials) == 31
    assert all(0 < s < 2**159 for s in serials)
    fixed = pki.leaf("fixed.example", root, key=EC, serial=42)
    assert fixed.certificate.serial_number == 42


# -- CRL, CSR and encodings ----------------------------------------------------------------------


def test_crl_lists_revoked_serials_and_is_signed_by_issuer(chain: tuple[Issued, Issued, Issued], pki: TestPKI) -> None:
    root, inter, leaf = chain
    crl = pki.crl(inter, [leaf, 4242], next_update=datetime(2035, 1, 1, tzinfo=UTC))
    assert crl.issuer == inter.certificate.subject
    assert crl.is_signature_valid(inter.certificate.public_key())  # type: ignore[arg-type]
    assert not crl.is_signature_valid(root.certificate.public_key())  # type: ignore[arg-type]
    entry = crl.get_revoked_certificate_by_serial_number(leaf.certificate.serial_number)
    assert entry is not None and entry.revocation_date_utc == EPOCH
    assert crl.get_revoked_certificate_by_serial_number(4242) is not None
    assert len(crl) == 2
    assert crl.last_update_utc == EPOCH
    assert crl.next_update_utc == datetime(2035, 1, 1, tzinfo=UTC)
    assert pki.crl(inter).next_update_utc == EPOCH + timedelta(days=30)
    loaded = x509.load_pem_x509_crl(pem(crl))
    assert loaded == crl


def test_csr(pki: TestPKI) -> None:
    csr = pki.csr("csr2.example", sans=("csr2.example", "10.1.1.1"), key=EC)
    assert csr.is_signature_valid
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "csr2.example"
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("10.1.1.1")]
    assert x509.load_pem_x509_csr(pem(csr)) == csr


def test_pem_bundle_round_trips(chain: tuple[Issued, Issued, Issued]) -> None:
    root, inter, leaf = chain
    bundle = pem(leaf.certificate, inter.certificate, root.certificate)
    assert x509.load_pem_x509_certificates(bundle) == [
        leaf.certificate,
        inter.certificate,
        root.certificate,
    ]
    assert x509.load_der_x509_certificate(leaf.der()) == leaf.certificate


@pytest.mark.parametrize("encoding", ["der", "pem"])
def test_pkcs7_round_trip(chain: tuple[Issued, Issued, Issued], encoding: str) -> None:
    certs = [c.certificate for c in chain]
    data = pkcs7(certs, encoding="der" if encoding == "der" else "pem")
    loader = crypto_pkcs7.load_der_pkcs7_certificates if encoding == "der" else crypto_pkcs7.load_pem_pkcs7_certificates
    loaded = loader(data)
    assert sorted(c.fingerprint(hashes.SHA256()) for c in loaded) == sorted(
        c.fingerprint(hashes.SHA256()) for c in certs
    )


@pytest.mark.parametrize(("password", "legacy"), [(b"secret", False), (b"secret", True), (None, False)])
def test_pkcs12_round_trip(chain: tuple[Issued, Issued, Issued], password: bytes | None, legacy: bool) -> None:
    root, inter, leaf = chain
    data = pkcs12(leaf, [inter.certificate, root.certificate], password=password, legacy=legacy)
    key, cert, cas = crypto_pkcs12.load_key_and_certificates(data, password)
    assert cert == leaf.certificate
    assert cas == [inter.certificate, root.certificate]
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert isinstance(leaf.key, ec.EllipticCurvePrivateKey)
    assert key.private_numbers() == leaf.key.private_numbers()
    named = crypto_pkcs12.load_pkcs12(data, password)
    assert named.cert is not None and named.cert.friendly_name == b"certdoctor"
    if password is not None:
        with pytest.raises(ValueError):
            crypto_pkcs12.load_key_and_certificates(data, b"wrong")


def test_windows_base64_export(chain: tuple[Issued, Issued, Issued]) -> None:
    _, _, leaf = chain
    data = windows_base64(leaf.certificate)
    assert data.startswith(b"-----BEGIN CERTIFICATE-----\r\n")
    assert data.endswith(b"-----END CERTIFICATE-----\r\n")
    assert data.count(b"\n") == data.count(b"\r\n") > 3
    assert all(len(line) <= 64 for line in data.split(b"\r\n"))
    assert x509.load_pem_x509_certificate(data) == leaf.certificate


def test_key_pem(chain: tuple[Issued, Issued, Issued]) -> None:
    _, _, leaf = chain
    plain = leaf.key_pem()
    assert plain.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert plain == leaf.key_pem()
    encrypted = leaf.key_pem(b"pw")
    assert encrypted.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    loaded = serialization.load_pem_private_key(encrypted, b"pw")
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    assert isinstance(leaf.key, ec.EllipticCurvePrivateKey)
    assert loaded.private_numbers() == leaf.key.private_numbers()


# -- the README example set ----------------------------------------------------------------------


def test_examples_are_written_and_match_the_repository(tmp_path: Path) -> None:
    written = testpki.write_examples(tmp_path)
    names = sorted(p.name for p in written)
    assert names == sorted(
        [
            "README.md",
            "acme-issuing.pem",
            "acme-root.pem",
            "expc.pem",
            "expe-chain.pem",
            "expe-windows.cer",
            "expe.csr",
            "expe.der",
            "expe.key",
            "expe.p7b",
            "expe.pem",
            "expe.pfx",
            "expired.pem",
            "issuing2.crl",
            "revoked.pem",
            "trusted-full.pem",
            "trusted-root-only.pem",
        ]
    )
    expe = x509.load_pem_x509_certificate((tmp_path / "expe.pem").read_bytes())
    chain_certs = x509.load_pem_x509_certificates((tmp_path / "expe-chain.pem").read_bytes())
    root = x509.load_pem_x509_certificate((tmp_path / "acme-root.pem").read_bytes())
    assert chain_certs[0] == expe
    expe.verify_directly_issued_by(chain_certs[1])
    chain_certs[1].verify_directly_issued_by(root)
    assert expe.not_valid_after_utc >= datetime(2030, 12, 31, tzinfo=UTC)
    expired = x509.load_pem_x509_certificate((tmp_path / "expired.pem").read_bytes())
    assert expired.not_valid_after_utc == datetime(2024, 1, 1, tzinfo=UTC)
    crl = x509.load_pem_x509_crl((tmp_path / "issuing2.crl").read_bytes())
    revoked = x509.load_pem_x509_certificate((tmp_path / "revoked.pem").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(revoked.serial_number) is not None
    loaded = crypto_pkcs12.load_key_and_certificates((tmp_path / "expe.pfx").read_bytes(), b"secret")
    assert loaded[1] == expe and len(loaded[2]) == 2
    assert b"\r\n" in (tmp_path / "expe-windows.cer").read_bytes()

    # the committed copy is what the generator writes today (PKCS#12 has a random salt)
    repo_examples = Path(__file__).resolve().parent.parent / "examples"
    for name in names:
        if name != "expe.pfx":
            assert (repo_examples / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert testpki.main(["examples", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "expe.pem").exists()
    assert "expe.pem" in capsys.readouterr().out


def test_runs_as_a_module() -> None:
    """`python -m certdoctor.testpki` (the package's __main__) reaches the command line."""
    out = subprocess.run(
        [sys.executable, "-m", "certdoctor.testpki", "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    assert "examples" in out.stdout


def test_every_public_name_is_exported() -> None:
    """The package's interface: every name in __all__ is importable from certdoctor.testpki."""
    assert all(hasattr(testpki, name) for name in testpki.__all__)
