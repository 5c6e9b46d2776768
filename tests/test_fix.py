"""`certdoctor fix`: the PEM files a plan needs, one per target, and plan.md naming them; never a private key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs7

from certdoctor.case import CertificateSource, read_case
from certdoctor.cli import main
from certdoctor.conversation import Conversation
from certdoctor.diagnosis import diagnose_traced
from certdoctor.errors import InputError
from certdoctor.fix import PLAN, fix_files, write_folder
from certdoctor.fix.build import case_certificates
from certdoctor.lab import write_deployment
from certdoctor.shell.cli import starting_case
from certdoctor.shell.session import ShellSession
from certdoctor.testpki import Issued, pkcs12
from certdoctor.x509.load import read_file
from certdoctor.x509.upload import upload_verdict

KEY_ARMOUR = "PRIVATE KEY"


def deployment(tmp_path_factory: pytest.TempPathFactory, *faults: str) -> Path:
    """A generated deployment with the faults; returns its case file."""
    return write_deployment(tmp_path_factory.mktemp("dep"), list(faults))


@pytest.fixture(scope="module")
def intermediate_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Expressway-C trusts only the root; the issuing CA comes only in Expressway-E's chain (SSH tunnels down)."""
    return deployment(tmp_path_factory, "c-trust-root-only")


def fingerprints(certs: list[x509.Certificate]) -> set[str]:
    """SHA-256 fingerprints, hex, as a user compares certificates."""
    return {c.fingerprint(hashes.SHA256()).hex() for c in certs}


def pem_certificates(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM file."""
    return x509.load_pem_x509_certificates(path.read_bytes())


def run_fix(case: Path, out: Path, *extra: str) -> int:
    """`certdoctor fix CASE --out OUT ...`."""
    return main(["fix", str(case), "--out", str(out), *extra])


def no_private_key_in(folder: Path) -> bool:
    """What a user checks first: nothing in the folder holds a private key."""
    return all(KEY_ARMOUR not in p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*"))


def test_the_missing_intermediate_is_written_for_expressway_c(
    intermediate_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certs = intermediate_case.parent / "certs"
    # worked out by hand: the CAs Expressway-E sends that Expressway-C's trusted list lacks
    trusted = fingerprints(pem_certificates(certs / "expc-trust.pem"))
    sent = [c for c in pem_certificates(certs / "expe1.pem")[1:] if c.fingerprint(hashes.SHA256()).hex() not in trusted]
    assert [c.subject.rfc4514_string() for c in sent] == ["CN=Lab Issuing CA"]

    out = tmp_path / "fix"
    assert run_fix(intermediate_case, out) == 0
    printed = capsys.readouterr().out
    written = out / "expressway_c-trusted-ca-append.pem"
    assert f"wrote {written}" in printed and f"plan: {out / PLAN}" in printed
    assert fingerprints(pem_certificates(written)) == fingerprints(sent)
    text = written.read_text()
    assert text.startswith("-----BEGIN CERTIFICATE-----") and text.count("-----BEGIN") == len(sent)  # PEM only
    assert sent[0].fingerprint(hashes.SHA256()).hex() in (out / PLAN).read_text()  # plan.md names it
    plan = (out / PLAN).read_text()
    assert "`expressway_c-trusted-ca-append.pem`" in plan and "Expressway-C trusted CA list" in plan
    assert "expc1.example.com" in plan and "Maintenance > Security > Trusted CA certificate" in plan
    assert "ssh.intermediate-not-trusted" in plan
    assert sorted(p.name for p in out.iterdir()) == ["expressway_c-trusted-ca-append.pem", PLAN]
    assert no_private_key_in(out)


def test_when_the_plan_names_no_certificates_the_facts_still_give_the_file(intermediate_case: Path) -> None:
    case = read_case(intermediate_case)
    traced = diagnose_traced(case, base_dir=intermediate_case.parent, source=str(intermediate_case))
    silent = [s.model_copy(update={"targets": [], "certificates": []}) for s in traced.answer.plan]
    traced.answer.plan = silent
    assert case.at is not None
    loaded = case_certificates(case, CertificateSource(intermediate_case.parent, str(intermediate_case)), case.at)
    files = fix_files(traced, loaded, "en", "silent plan", str(intermediate_case))
    held = x509.load_pem_x509_certificates(files["expressway_c-trusted-ca-append.pem"])
    assert [c.subject.rfc4514_string() for c in held] == ["CN=Lab Issuing CA"]
    assert "`expressway_c-trusted-ca-append.pem`" in files[PLAN].decode()


def test_a_pkcs7_upload_becomes_the_single_pem_server_certificate(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    case = deployment(tmp_path_factory, "upload-pkcs7")
    bundle = pkcs7.load_der_pkcs7_certificates((case.parent / "certs" / "expe-new.p7b").read_bytes())
    server = [c for c in bundle if c.subject.rfc4514_string() == "CN=expe.example.com"]
    out = tmp_path / "fix"
    assert run_fix(case, out) == 0
    written = out / "expressway_e-server-certificate.pem"
    assert written.read_text().count("-----BEGIN CERTIFICATE-----") == 1
    assert fingerprints(pem_certificates(written)) == fingerprints(server)
    assert upload_verdict(read_file(written)).accepted  # what `certdoctor inspect` says of it
    assert "`expressway_e-server-certificate.pem`" in (out / PLAN).read_text()
    assert no_private_key_in(out)


def test_a_password_protected_pfx_upload_gives_the_certificate_and_never_the_key(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = deployment(tmp_path_factory, "upload-der")
    certs = case.parent / "certs"
    cert = x509.load_der_x509_certificate((certs / "expe-new.cer").read_bytes())
    key = load_pem_private_key((certs / "expe-new.key").read_bytes(), None)
    (certs / "expe-new.pfx").write_bytes(pkcs12(Issued(cert, key), password=b"s3cret-pw"))  # type: ignore[arg-type]
    data = yaml.safe_load(case.read_text())
    data["upload"]["file"] = "certs/expe-new.pfx"
    pfx_case = case.with_name("pfx.yaml")
    pfx_case.write_text(yaml.safe_dump(data))

    # without the password: the diagnosis still stands (a .pfx is the wrong format), plan.md says how to open it
    assert run_fix(pfx_case, tmp_path / "no-password") == 0
    plan = (tmp_path / "no-password" / PLAN).read_text()
    assert "`upload.invalid-format`" in plan and "openssl pkcs12" in plan
    assert "certs/expe-new.pfx" in plan and "--password-env VAR" in plan
    assert not list((tmp_path / "no-password").glob("*.pem"))  # nothing to convert without the password
    assert "upload.file (certs/expe-new.pfx) cannot be read" in plan  # the warning, in the notes
    capsys.readouterr()

    assert run_fix(pfx_case, tmp_path / "wrong", "--password", "not-it") == 2  # a wrong password is an error
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "expe-new.pfx" in error and "does not open it" in error
    assert not (tmp_path / "wrong").exists()

    out = tmp_path / "fix"
    assert run_fix(pfx_case, out, "--password", "s3cret-pw") == 0
    assert "s3cret-pw" not in capsys.readouterr().out
    written = out / "expressway_e-server-certificate.pem"
    assert fingerprints(pem_certificates(written)) == fingerprints([cert])
    assert no_private_key_in(out)
    assert all("s3cret-pw" not in p.read_text() for p in out.iterdir())


def test_a_ca_in_no_file_of_the_case_is_to_be_obtained(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    case = deployment(tmp_path_factory, "upload-untrusted")
    upload = x509.load_pem_x509_certificate((case.parent / "certs" / "expe-new.cer").read_bytes())
    key_id = upload.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    assert key_id is not None
    out = tmp_path / "fix"
    assert run_fix(case, out) == 0
    plan = (out / PLAN).read_text()
    lines = plan.splitlines()
    line = lines[lines.index("## Certificates to obtain (in none of the case's files)") + 2]
    assert "Other Root CA" in line and key_id.hex() in line and "Expressway-E trusted CA list" in line
    assert not list(out.glob("*.pem"))  # nothing the case holds would help


def test_an_existing_folder_is_refused_without_force(intermediate_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "fix"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert run_fix(intermediate_case, out) == 2
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert run_fix(intermediate_case, out, "--force") == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / PLAN).exists() and (out / "expressway_c-trusted-ca-append.pem").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_fix(intermediate_case, empty) == 0  # an empty folder is fine


def test_a_healthy_case_says_nothing_needs_changing(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    case = deployment(tmp_path_factory)
    out = tmp_path / "fix"
    assert run_fix(case, out) == 0
    assert [p.name for p in out.iterdir()] == [PLAN]
    assert "Nothing needs changing" in (out / PLAN).read_text()


def test_plan_md_speaks_dutch(intermediate_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "fix"
    assert run_fix(intermediate_case, out, "--lang", "nl") == 0
    plan = (out / PLAN).read_text()
    assert "## Te uploaden bestanden" in plan and "`expressway_c-trusted-ca-append.pem`" in plan


def test_a_bad_case_is_one_line_naming_the_file_and_field(
    intermediate_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load(intermediate_case.read_text())
    data["expressway_c"]["trusted_cas"] = ["certs/no-such-file.pem"]
    broken = intermediate_case.with_name("broken.yaml")
    broken.write_text(yaml.safe_dump(data))
    assert run_fix(broken, tmp_path / "fix") == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "expressway_c.trusted_cas[0]" in error and "no-such-file.pem" in error
    assert not (tmp_path / "fix").exists()


def test_the_shell_writes_the_same_files(intermediate_case: Path, tmp_path: Path) -> None:
    session = ShellSession(Conversation(base=starting_case(intermediate_case)), base_dir=tmp_path)
    said = " ".join(session.handle("fix out").text().split())
    assert f"wrote out/{PLAN}" in said and "out/expressway_c-trusted-ca-append.pem" in said
    assert "certificate files the plan needs" in session.handle("help fix").text()
    cli_out = tmp_path / "cli"
    assert run_fix(intermediate_case, cli_out) == 0
    shell_pem = (tmp_path / "out" / "expressway_c-trusted-ca-append.pem").read_bytes()
    assert shell_pem == (cli_out / "expressway_c-trusted-ca-append.pem").read_bytes()
    assert "not empty" in session.handle("fix out").text()


def test_the_folder_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "fix"
    with pytest.raises(InputError):
        write_folder(out, {"a.pem": b"x", "missing-dir/b.pem": b"y", PLAN: b"z"})
    assert not out.exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError):
        write_folder(out, {"a.pem": b"-----BEGIN PRIVATE KEY-----\n", PLAN: b"z"})
    assert not out.exists()
    protected = tmp_path / "case-file.pem"
    protected.write_text("the user's")
    with pytest.raises(InputError, match="the case reads"):
        write_folder(tmp_path, {"case-file.pem": b"x"}, force=True, protected={protected.resolve()})
    assert protected.read_text() == "the user's"
