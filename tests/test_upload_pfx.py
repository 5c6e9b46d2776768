"""A password-protected .pfx upload: diagnosed without the password, opened only where the password is given.

And the same rule for every file of a case: one file that cannot be read fully is a finding about that file
(file.unreadable, a warning), and the rest of the case is still diagnosed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_pkcs12
from test_load import MAC_ITERATIONS, with_integer

from certdoctor.case import CertificateSource, read_case
from certdoctor.cli import main
from certdoctor.diagnosis import diagnose_case, diagnose_file
from certdoctor.fix import PLAN
from certdoctor.fix.build import build_fix, opened_upload
from certdoctor.lab import PFX_PASSWORD, write_deployment
from certdoctor.lab.pfx import locked_pfx
from certdoctor.scenarios.run import check, evaluate
from certdoctor.testpki import TestPKI, pkcs12
from certdoctor.x509.findings import FileFormat
from certdoctor.x509.load import LoadedFile, Unreadable, read_file

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
PASSWORD = PFX_PASSWORD.encode()


@pytest.fixture(scope="module")
def pfx_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Expressway-E's renewed certificate, key and chain in a password-protected .pfx, as a Windows CA exports it."""
    return write_deployment(
        tmp_path_factory.mktemp("pfx"),
        ["pfx-upload-password"],
        symptoms={"upload_error": "Invalid certificate format", "upload_page": "server-certificate"},
    )


def test_the_lab_pfx_is_locked_complete_and_the_same_bytes_every_time(pfx_case: Path) -> None:
    data = (pfx_case.parent / "certs" / "expe-new.pfx").read_bytes()
    with pytest.raises(ValueError):
        crypto_pkcs12.load_pkcs12(data, None)
    opened = crypto_pkcs12.load_pkcs12(data, PASSWORD)
    assert opened.key is not None and opened.cert is not None
    assert [c.certificate.subject.rfc4514_string() for c in opened.additional_certs] == [
        "CN=Lab Issuing CA",
        "CN=Lab Root CA",
    ]
    again = write_deployment(pfx_case.parent.parent / "again", ["pfx-upload-password"])
    assert (again.parent / "certs" / "expe-new.pfx").read_bytes() == data  # the scenario library can hold it
    assert "key" not in yaml.safe_load(pfx_case.read_text())["upload"]  # the key is inside the .pfx


def test_without_the_password_the_format_is_the_diagnosis(pfx_case: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagnose", str(pfx_case)]) == 1  # a cause found, not exit 2
    out, err = capsys.readouterr()
    assert "upload.invalid-format" in out and "protected by a password" in out
    assert "upload.file (certs/expe-new.pfx) cannot be read" in err  # the warning names the file and why
    answer = diagnose_file(pfx_case)
    top = answer.diagnoses[0]
    assert top.cause == "upload.invalid-format" and top.confidence >= 0.9
    assert any("PKCS#12 (.pfx/.p12) container protected by a password" in e for e in top.evidence)
    finding = next(f for f in answer.findings if f.code == "file.unreadable")
    assert finding.severity == "error" and "certs/expe-new.pfx" in finding.message
    # the plan converts a .pfx (openssl pkcs12), not a DER .cer; the chain and key checks wait for the password
    plan = " ".join(s.text for s in answer.plan)
    assert "openssl pkcs12 -in <file>.pfx -clcerts -nokeys" in plan and "Copy to File" not in plan
    waiting = {d.cause for d in answer.diagnoses if d.decide_with}
    assert {"upload.key-mismatch", "upload.untrusted-chain"} <= waiting
    assert not any(f.code in ("upload.chain_trusted", "upload.key_matches") for f in answer.findings)


def test_with_the_password_fix_opens_it_and_writes_the_server_certificate(pfx_case: Path, tmp_path: Path) -> None:
    case = read_case(pfx_case)
    opened = opened_upload(case, pfx_case.parent, PASSWORD)
    assert opened.upload is not None and opened.upload.file.startswith("data:")
    assert PFX_PASSWORD not in opened.model_dump_json()
    answer = diagnose_case(opened, base_dir=pfx_case.parent, source=str(pfx_case))
    assert answer.diagnoses[0].cause == "upload.invalid-format"  # opened, it is still a .pfx
    judged = {f.code: f.severity for f in answer.findings}
    assert judged.get("upload.chain_trusted") == "pass" and "file.unreadable" not in judged
    files = build_fix(case, base_dir=pfx_case.parent, source=str(pfx_case), password=PASSWORD)
    server = files["expressway_e-server-certificate.pem"].decode()
    assert server.count("BEGIN CERTIFICATE") == 1 and "PRIVATE KEY" not in server
    assert PFX_PASSWORD not in files[PLAN].decode()

    out = tmp_path / "fix"
    env_case = ["fix", str(pfx_case), "--out", str(out), "--password-env", "CERTDOCTOR_TEST_PFX"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CERTDOCTOR_TEST_PFX", PFX_PASSWORD)
        assert main(env_case) == 0
    assert (out / "expressway_e-server-certificate.pem").read_text() == server


def test_convert_opens_it_with_the_password(pfx_case: Path, tmp_path: Path) -> None:
    target = tmp_path / "server.pem"
    assert main(["convert", str(pfx_case.parent / "certs" / "expe-new.pfx"), "-o", str(target)]) == 2
    assert (
        main(
            ["convert", str(pfx_case.parent / "certs" / "expe-new.pfx"), "-o", str(target), "--password", PFX_PASSWORD]
        )
        == 0
    )
    assert target.read_text().count("BEGIN CERTIFICATE") == 1


def test_the_scenarios_with_a_locked_pfx_pass() -> None:
    from certdoctor.diagnosis import shipped_engine

    for name in ("pfx-with-password-from-windows-ca", "files-only-pfx-no-password"):
        path = SCENARIOS / "upload.invalid-format" / f"{name}.yaml"
        ev = evaluate(name, path, shipped_engine())
        assert ev.case.expect is not None and check(ev.case.expect, ev.answer) == []
        assert ev.answer.diagnoses[0].cause == "upload.invalid-format"
        assert ev.case.upload is not None and ev.case.upload.file.endswith(".pfx")


def test_iteration_limits_stay_in_force_on_a_pfx_upload(pfx_case: Path, tmp_path: Path) -> None:
    pki = TestPKI(seed="pfx-bomb")
    leaf = pki.leaf("expe.example.com", pki.root("Bomb Root CA"), sans=["expe.example.com"])
    bomb = with_integer(pkcs12(leaf, password=b"pw"), MAC_ITERATIONS, 10**8)
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "bomb.pfx").write_bytes(bomb)
    case = tmp_path / "case.yaml"
    case.write_text("upload:\n  target: expressway_e\n  file: certs/bomb.pfx\n")
    found = CertificateSource(tmp_path).read("certs/bomb.pfx", "upload.file")
    assert isinstance(found, Unreadable) and not found.locked and found.format is FileFormat.PKCS12
    assert "above the limit" in found.problem
    answer = diagnose_file(case)  # refused before any key derivation, and judged for what it is
    assert answer.diagnoses[0].cause == "upload.invalid-format"
    assert any("cannot be opened" in e and "above the limit" in e for e in answer.diagnoses[0].evidence)


def test_a_locked_pfx_elsewhere_is_a_finding_and_the_rest_is_diagnosed(tmp_path: Path) -> None:
    path = write_deployment(
        tmp_path / "node",
        ["jabber-domain", "e-node-pfx"],
        cucm=False,
        symptoms={"jabber_warning": "Certificate not valid"},
    )
    answer = diagnose_file(path)
    assert answer.diagnoses[0].cause == "jabber.edge-domain-not-in-san"  # found on node 2's certificate
    assert any("expressway_e.nodes[0].certificate (certs/expe1.pfx) cannot be read" in w for w in answer.warnings)
    assert any(f.code == "file.unreadable" and "expe1.pfx" in f.message for f in answer.findings)
    assert "expe2.example.com" in " ".join(answer.diagnoses[0].evidence)
    # the locked node's certificate is not guessed at: a peer address check would need it, so it is not made
    facts_case = write_deployment(tmp_path / "peer", ["e-node-pfx"], symptoms={"zone_status": "Failed"})
    assert "zone.peer-address-mismatch" not in {d.cause for d in diagnose_file(facts_case).diagnoses}


def test_a_corrupt_trusted_list_is_a_finding_and_the_rest_is_diagnosed(tmp_path: Path) -> None:
    path = write_deployment(tmp_path, ["peer-address", "c-trust-truncated"], symptoms={"zone_status": "Failed"})
    answer = diagnose_file(path)
    assert answer.diagnoses[0].cause == "zone.peer-address-mismatch"
    warning = next(w for w in answer.warnings if w.startswith("expressway_c.trusted_cas[0]"))
    assert "no END line" in warning and "what Expressway-C trusts" in warning
    # what Expressway-C trusts is unknown, not "nothing": no trust finding, and the zone CA cause awaits the list
    assert not any(f.code == "trust.c_trusts_e" for f in answer.findings)
    awaiting = next(d for d in answer.diagnoses if d.cause == "zone.ca-not-trusted")
    assert awaiting.decide_with and "zone.ca-not-trusted" not in {r.cause for r in answer.ruled_out}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "not valid Base-64"),
        (b"\x30\x82\x05\x00\x02\x01", "truncated"),
        (b"just some notes about the certificate\n", "not a certificate file"),
    ],
)
def test_every_kind_of_unreadable_content_is_a_finding(tmp_path: Path, content: bytes, problem: str) -> None:
    path = write_deployment(tmp_path, ["e-expired"])
    (path.parent / "certs" / "expe-trust.pem").write_bytes(content)
    answer = diagnose_file(path)  # no InputError: the expired certificates are still found
    assert answer.diagnoses[0].cause == "cert.expired"
    finding = next(f for f in answer.findings if f.code == "file.unreadable")
    assert "expressway_e.trusted_cas[0] certs/expe-trust.pem" in finding.message and problem in finding.message


def test_a_file_that_is_not_there_is_still_a_bad_case(tmp_path: Path) -> None:
    from certdoctor.errors import InputError

    path = write_deployment(tmp_path, [])
    (path.parent / "certs" / "expe-trust.pem").unlink()
    with pytest.raises(InputError, match=r"expressway_e\.trusted_cas\[0\].*no such file"):
        diagnose_file(path)


def test_read_and_load_agree_on_readable_files(pfx_case: Path) -> None:
    source = CertificateSource(pfx_case.parent)
    found = source.read("certs/expe-trust.pem", "expressway_e.trusted_cas[0]")
    assert isinstance(found, LoadedFile) and found is source.load("certs/expe-trust.pem", "x")
    locked = source.read("certs/expe-new.pfx", "upload.file")
    assert isinstance(locked, Unreadable) and locked.locked and locked.format is FileFormat.PKCS12
    assert read_file(pfx_case.parent / "certs" / "expe-new.pfx", PASSWORD).certificates


def test_locked_pfx_writer_matches_what_openssl_reads() -> None:
    pki = TestPKI(seed="pfx-writer")
    root = pki.root("Writer Root CA")
    leaf = pki.leaf("a.example.com", root, sans=["a.example.com"])
    data = locked_pfx(leaf.key, leaf.certificate, [root.certificate], b"p@ss")
    loaded = read_file_bytes(data, b"p@ss")
    assert loaded.format is FileFormat.PKCS12 and len(loaded.certificates) == 2 and loaded.private_keys
    assert data == locked_pfx(leaf.key, leaf.certificate, [root.certificate], b"p@ss")


def read_file_bytes(data: bytes, password: bytes) -> LoadedFile:
    from certdoctor.x509.load import parse_bytes

    return parse_bytes(data, "writer.pfx", password)
