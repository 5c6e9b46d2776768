"""Chain judgement: each failure is found, named with the certificate involved, and explained."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import AT

from certdoctor import verify_chain
from certdoctor.testpki import KeySpec, TestPKI
from certdoctor.x509.models import VerifyReport


def codes(report: VerifyReport, severity: str | None = None) -> set[str]:
    """The finding codes of a report, optionally of one severity."""
    return {f.code for f in report.findings if severity is None or f.severity == severity}


def finding(report: VerifyReport, code: str) -> str:
    """The message of the first finding with this code."""
    return next(f.message for f in report.findings if f.code == code)


def test_full_chain_is_trusted_and_path_shown(dep) -> None:  # type: ignore[no-untyped-def]
    r = verify_chain(
        dep.expe.certificate,
        [dep.issuing.certificate],
        [dep.root.certificate, dep.issuing.certificate],
        host="expe.example.com",
        at=AT,
    )
    assert r.expressway.trusted and r.strict.trusted and not r.differences
    assert [link.source for link in r.path] == ["leaf", "trusted", "trusted"]
    assert "chain.anchored" in codes(r, "pass") and "name.match" in codes(r, "pass")
    assert "chain.intermediate-not-trusted" not in codes(r)


def test_intermediate_offered_but_not_trusted_is_the_ssh_tunnel_case(dep) -> None:  # type: ignore[no-untyped-def]
    r = verify_chain(dep.expe.certificate, [dep.issuing.certificate], [dep.root.certificate], at=AT)
    assert r.expressway.trusted
    message = finding(r, "chain.intermediate-not-trusted")
    assert "Test Issuing CA" in message and "SSH tunnels" in message


def test_missing_issuer_is_named_with_its_key_id(dep) -> None:  # type: ignore[no-untyped-def]
    r = verify_chain(dep.expe.certificate, [], [dep.root.certificate], at=AT)
    assert not r.expressway.trusted and not r.strict.trusted
    message = finding(r, "chain.issuer-missing")
    ski = dep.issuing.certificate.extensions.get_extension_for_class(
        __import__("cryptography").x509.SubjectKeyIdentifier
    ).value.digest.hex()
    assert "Test Issuing CA" in message and ski in message and "expe.example.com" in message


def test_root_offered_in_chain_but_not_trusted(dep) -> None:  # type: ignore[no-untyped-def]
    other = TestPKI(seed="other").root("Other Root", key=KeySpec("ec", 256))
    r = verify_chain(dep.expe.certificate, [dep.issuing.certificate, dep.root.certificate], [other.certificate], at=AT)
    assert not r.expressway.trusted
    assert "Test Root CA" in finding(r, "chain.root-not-trusted")


def test_intermediate_trusted_without_its_root_fails(dep) -> None:  # type: ignore[no-untyped-def]
    r = verify_chain(dep.expe.certificate, [], [dep.issuing.certificate], at=AT)
    assert not r.expressway.trusted
    assert "root" in finding(r, "chain.anchor-not-root")


def test_expired_and_not_yet_valid_at_the_given_time(dep) -> None:  # type: ignore[no-untyped-def]
    old = dep.leaf(
        "old.example.com",
        not_before=datetime(2023, 1, 1, tzinfo=UTC),
        not_after=datetime(2024, 1, 1, tzinfo=UTC),
    )
    trusted = [dep.root.certificate, dep.issuing.certificate]
    r = verify_chain(old.certificate, [], trusted, at=AT)
    assert not r.expressway.trusted and not r.strict.trusted
    assert "old.example.com" in finding(r, "validity.expired") and "2024-01-01" in finding(r, "validity.expired")
    early = verify_chain(dep.expe.certificate, [], trusted, at=datetime(2020, 1, 1, tzinfo=UTC))
    assert "validity.not-yet-valid" in codes(early)


def test_revoked_by_crl_and_expired_crl(dep) -> None:  # type: ignore[no-untyped-def]
    victim = dep.leaf("revoked.example.com", sans=["revoked.example.com"])
    crl = dep.pki.crl(
        dep.issuing,
        [victim],
        this_update=datetime(2025, 6, 1, tzinfo=UTC),
        next_update=datetime(2027, 1, 1, tzinfo=UTC),
    )
    trusted = [dep.root.certificate, dep.issuing.certificate]
    r = verify_chain(victim.certificate, [], trusted, at=AT, crls=[crl])
    assert not r.expressway.trusted and not r.strict.trusted
    assert "revoked.example.com" in finding(r, "revocation.revoked") and "CRL" in finding(r, "revocation.revoked")
    assert verify_chain(dep.expe.certificate, [], trusted, at=AT, crls=[crl]).expressway.trusted
    stale = dep.pki.crl(
        dep.issuing,
        [],
        this_update=datetime(2025, 1, 1, tzinfo=UTC),
        next_update=datetime(2025, 2, 1, tzinfo=UTC),
    )
    r = verify_chain(dep.expe.certificate, [], trusted, at=AT, crls=[stale])
    assert "revocation.crl-expired" in codes(r) and not r.expressway.trusted


def test_ca_without_basic_constraints_or_keycertsign(dep) -> None:  # type: ignore[no-untyped-def]
    pki = dep.pki
    no_bc = pki.intermediate("No BC CA", dep.root, basic_constraints=False, key=KeySpec("ec", 256))
    leaf = pki.leaf("a.example.com", no_bc, sans=["a.example.com"], key=KeySpec("ec", 256))
    r = verify_chain(leaf.certificate, [no_bc.certificate], [dep.root.certificate], at=AT)
    assert not r.expressway.trusted and "No BC CA" in finding(r, "chain.ca-no-basic-constraints")
    no_kcs = pki.intermediate("No KCS CA", dep.root, key_cert_sign=False, key=KeySpec("ec", 256))
    leaf = pki.leaf("b.example.com", no_kcs, sans=["b.example.com"], key=KeySpec("ec", 256))
    r = verify_chain(leaf.certificate, [no_kcs.certificate], [dep.root.certificate], at=AT)
    assert not r.expressway.trusted and "No KCS CA" in finding(r, "chain.ca-no-keycertsign")


def test_duplicate_subjects_in_trusted_list_are_flagged(dep) -> None:  # type: ignore[no-untyped-def]
    stale = dep.pki.root("Test Root CA", key_label="stale-root-key", key=KeySpec("ec", 256))
    r = verify_chain(dep.expe.certificate, [dep.issuing.certificate], [stale.certificate, dep.root.certificate], at=AT)
    assert r.expressway.trusted  # the key id tells the two apart here
    assert "Test Root CA" in finding(r, "trust.duplicate-subject")


def test_host_names_follow_rfc6125(dep) -> None:  # type: ignore[no-untyped-def]
    wild = dep.leaf("*.example.com", sans=["*.example.com", "192.0.2.7"])
    trusted = [dep.root.certificate, dep.issuing.certificate]

    def ok(host: str) -> bool:
        return verify_chain(wild.certificate, [], trusted, host=host, at=AT).expressway.trusted

    assert ok("expe.example.com") and ok("EXPE.Example.COM") and ok("expe.example.com.")
    assert not ok("a.expe.example.com") and not ok("example.com")
    assert ok("192.0.2.7") and not ok("192.0.2.8")
    r = verify_chain(wild.certificate, [], trusted, host="expe.example.com", at=AT)
    assert "not supported on Expressway" in finding(r, "name.wildcard")
    miss = verify_chain(dep.expe.certificate, [], trusted, host="expe.example.org", at=AT)
    message = finding(miss, "name.mismatch")
    assert "expe.example.org" in message and "collab-edge.example.com" in message


def test_name_only_in_cn_differs_between_verdicts(dep) -> None:  # type: ignore[no-untyped-def]
    cn_only = dep.leaf("legacy.example.com")
    r = verify_chain(
        cn_only.certificate,
        [],
        [dep.root.certificate, dep.issuing.certificate],
        host="legacy.example.com",
        at=AT,
    )
    assert r.expressway.trusted and not r.strict.trusted
    assert "only the CN" in finding(r, "name.cn-only")
    assert r.differences and "strict" in r.differences[0]


def test_eku_checks(dep) -> None:  # type: ignore[no-untyped-def]
    trusted = [dep.root.certificate, dep.issuing.certificate]
    r = verify_chain(dep.expc.certificate, [], trusted, at=AT)
    assert r.expressway.trusted and "clientAuth" in finding(r, "eku.client-auth-missing")
    client_only = dep.leaf("c.example.com", sans=["c.example.com"], eku=["clientAuth"])
    r = verify_chain(client_only.certificate, [], trusted, at=AT)
    assert not r.expressway.trusted and "serverAuth" in finding(r, "chain.eku-no-server-auth")


def test_weak_crypto_is_reported_and_sha1_still_verifies(dep) -> None:  # type: ignore[no-untyped-def]
    trusted = [dep.root.certificate, dep.issuing.certificate]
    sha1 = dep.pki.leaf(
        "sha1.example.com", dep.issuing, sans=["sha1.example.com"], hash="sha1", key=KeySpec("rsa", 1024)
    )
    r = verify_chain(sha1.certificate, [], trusted, at=AT)
    assert r.expressway.trusted, r.expressway.reasons  # OpenSSL (and Expressway X14) accept SHA-1
    assert "SHA1" in finding(r, "crypto.sha1-signature")
    assert "1024-bit" in finding(r, "crypto.rsa-too-small")
    assert not r.strict.trusted


def test_8192_bit_key_is_flagged(dep) -> None:  # type: ignore[no-untyped-def]
    big = dep.pki.leaf("big.example.com", dep.issuing, sans=["big.example.com"], key=KeySpec("rsa", 8192))
    r = verify_chain(big.certificate, [], [dep.root.certificate, dep.issuing.certificate], at=AT)
    assert "8192-bit" in finding(r, "crypto.rsa-8192")


def test_forged_signature_is_caught(dep) -> None:  # type: ignore[no-untyped-def]
    evil = TestPKI(seed="impostor")
    impostor = evil.intermediate("Test Issuing CA", evil.root("Evil Root", key=KeySpec("ec", 256)))
    forged = evil.leaf("expe.example.com", impostor, sans=["expe.example.com"], aki=False, key=KeySpec("ec", 256))
    r = verify_chain(forged.certificate, [], [dep.root.certificate, dep.issuing.certificate], at=AT)
    assert not r.expressway.trusted and not r.strict.trusted
    assert "does not verify" in finding(r, "chain.signature-invalid")


def test_unknown_oid_in_subject(dep) -> None:  # type: ignore[no-untyped-def]
    odd = dep.leaf("odd.example.com", sans=["odd.example.com"], subject_extra=[("1.3.6.1.4.1.6449.1.2.1.5.1", "x")])
    r = verify_chain(odd.certificate, [], [dep.root.certificate, dep.issuing.certificate], at=AT)
    assert "1.3.6.1.4.1.6449.1.2.1.5.1" in finding(r, "cert.unknown-oid")


def test_cross_signed_loop_terminates(dep) -> None:  # type: ignore[no-untyped-def]
    pki = TestPKI(seed="loop")
    a_root = pki.root("Loop A", key=KeySpec("ec", 256))
    b = pki.intermediate("Loop B", a_root, key=KeySpec("ec", 256))
    a = pki.intermediate("Loop A", b, key=KeySpec("ec", 256), key_label="Loop A")
    leaf = pki.leaf("l.example.com", b, sans=["l.example.com"], key=KeySpec("ec", 256))
    r = verify_chain(leaf.certificate, [a.certificate, b.certificate], [dep.root.certificate], at=AT)
    assert not r.expressway.trusted and len(r.path) <= 4


def test_hundreds_of_same_name_candidates_finish(dep) -> None:  # type: ignore[no-untyped-def]
    pki = TestPKI(seed="crowd")
    root = pki.root("Crowd Root", key=KeySpec("ec", 256))
    decoys = [
        pki.intermediate("Crowd CA", root, key=KeySpec("ec", 256), key_label=f"decoy{i}").certificate
        for i in range(300)
    ]
    real = pki.intermediate("Crowd CA", root, key=KeySpec("ec", 256), key_label="real")
    leaf = pki.leaf("x.example.com", real, sans=["x.example.com"], key=KeySpec("ec", 256), aki=False)
    r = verify_chain(leaf.certificate, [*decoys, real.certificate], [root.certificate], at=AT)
    assert r.path[0].certificate.startswith("'x.example.com'")
    assert isinstance(r.expressway.trusted, bool)
