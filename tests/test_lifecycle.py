"""Lifecycle facts on generated certificates: versions, ACME certificates, the public-CA clientAuth sunset, ECDSA."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from certdoctor.case import Case, CertificateSource
from certdoctor.facts.deployment import Deployment
from certdoctor.facts.fact import Facts
from certdoctor.facts.lifecycle import lifecycle_facts, version_facts
from certdoctor.testpki import KeySpec, TestPKI, pem

AT = datetime(2026, 6, 1, tzinfo=UTC)


def _values(out: Facts, name: str) -> list[object]:
    return [f.value for f in out.items if f.name == name]


def _case(tmp_path: Path, data: dict[str, object]) -> tuple[Case, Deployment]:
    case = Case.model_validate(data)
    return case, Deployment(case, CertificateSource(tmp_path), AT)


def _write(tmp_path: Path, name: str, *objs: object) -> str:
    (tmp_path / name).write_bytes(pem(*objs))  # type: ignore[arg-type]
    return name


def test_versions_use_the_lowest_side_or_the_symptom() -> None:
    out = Facts()
    version_facts(
        Case.model_validate({"expressway_c": {"version": "X15.5.0"}, "expressway_e": {"version": "X14.3.2"}}), out
    )
    assert _values(out, "version.x14_2_or_later") == [True]
    assert _values(out, "version.x15_5_or_later") == [False]
    out = Facts()
    version_facts(Case.model_validate({"symptoms": {"version": "X14.2.0", "previous_version": "X14.0.7"}}), out)
    assert _values(out, "version.upgraded_across_x14_2") == [True]
    out = Facts()
    version_facts(Case.model_validate({}), out)
    assert not out.items


def test_acme_certificate_is_recognised_by_issuer_and_lifetime(tmp_path: Path) -> None:
    pki = TestPKI(seed="lifecycle-test")
    root = pki.root("Example ACME Root X1")
    issuer = pki.intermediate("Example ACME Issuer R3", root)
    acme = pki.leaf("expe1.example.com", issuer, sans=["expe1.example.com"], days=90)
    private_root = pki.root("Lab Root CA")
    long = pki.leaf("expe2.example.com", private_root, sans=["expe2.example.com"], days=730)
    case, d = _case(
        tmp_path,
        {
            "expressway_e": {
                "nodes": [
                    {"fqdn": "expe1.example.com", "certificate": _write(tmp_path, "a.pem", acme.certificate)},
                    {"fqdn": "expe2.example.com", "certificate": _write(tmp_path, "b.pem", long.certificate)},
                ]
            }
        },
    )
    out = Facts()
    lifecycle_facts(case, d, out)
    assert _values(out, "cert.acme_issued") == [True, False]
    assert _values(out, "acme.in_use") == [True]


def test_public_server_only_ca_without_client_auth(tmp_path: Path) -> None:
    """A renewal from a serverAuth-only public hierarchy is the sunset; a private CA without clientAuth is not."""
    pki = TestPKI(seed="lifecycle-test")
    root = pki.root("Example Public Root R1")
    restricted = [(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)]
    issuer = pki.intermediate("Example TLS Server CA", root, extra_extensions=restricted)
    public = pki.leaf("expc1.example.com", issuer, sans=["expc1.example.com"], eku=("serverAuth",))
    lab = pki.root("Lab Root CA")
    private = pki.leaf("expc2.example.com", lab, sans=["expc2.example.com"], eku=("serverAuth",))
    case, d = _case(
        tmp_path,
        {
            "expressway_c": {
                "nodes": [
                    {
                        "fqdn": "expc1.example.com",
                        "certificate": _write(tmp_path, "c1.pem", public.certificate, issuer.certificate),
                    },
                    {"fqdn": "expc2.example.com", "certificate": _write(tmp_path, "c2.pem", private.certificate)},
                ]
            }
        },
    )
    out = Facts()
    lifecycle_facts(case, d, out)
    assert _values(out, "cert.public_ca_no_client_auth") == [True, False]


def test_untrusted_self_signed_ecdsa_from_unified_cm(tmp_path: Path) -> None:
    pki = TestPKI(seed="lifecycle-test")
    lab = pki.root("Lab Root CA")
    tomcat = pki.leaf("cucm1.example.com", lab, sans=["cucm1.example.com"])
    ecdsa = pki.leaf("cucm1.example.com", None, sans=["cucm1.example.com"], key=KeySpec("ec", 256))
    node = {
        "fqdn": "cucm1.example.com",
        "certificate": _write(tmp_path, "t.pem", tomcat.certificate),
        "tomcat_ecdsa_certificate": _write(tmp_path, "te.pem", ecdsa.certificate),
    }
    trust = _write(tmp_path, "trust.pem", lab.certificate)
    case, d = _case(
        tmp_path, {"expressway_c": {"fqdn": "expc.example.com", "trusted_cas": [trust]}, "cucm": {"nodes": [node]}}
    )
    out = Facts()
    lifecycle_facts(case, d, out)
    (fact,) = [f for f in out.items if f.name == "trust.c_trusts_cucm_ecdsa"]
    assert fact.value is False and fact.params["curve"] == "secp256r1" and fact.entity == "server:cucm1.example.com"
    both = _write(tmp_path, "trust2.pem", lab.certificate, ecdsa.certificate)
    case, d = _case(
        tmp_path, {"expressway_c": {"fqdn": "expc.example.com", "trusted_cas": [both]}, "cucm": {"nodes": [node]}}
    )
    out = Facts()
    lifecycle_facts(case, d, out)
    assert _values(out, "trust.c_trusts_cucm_ecdsa") == [True]
