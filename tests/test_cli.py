"""The command line as a user meets it: outputs, exit codes, one-line errors, nothing overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from certdoctor import __version__
from certdoctor.cli import main
from certdoctor.testpki import pem, pkcs12

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; (exit code, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse --help / --version / usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and __version__ in out
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "inspect" in out and "verify" in out


def test_usage_error_is_exit_2_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "verify")
    assert code == 2 and err.count("\n") == 1


def test_inspect_bundled_example_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "inspect", str(EXAMPLES / "expe.p7b"), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["files"][0]["format"] == "pkcs7-der"
    assert doc["files"][0]["upload"]["accepted"] is False
    assert doc["errors"] == []


def test_inspect_bad_file_names_it_and_exits_2(capsys: pytest.CaptureFixture[str], write) -> None:  # type: ignore[no-untyped-def]
    bad = write("empty.cer", b"")
    code, out, err = run(capsys, "inspect", str(EXAMPLES / "expe.pem"), str(bad))
    assert code == 2
    assert err.strip() == f"certdoctor: {bad}: file is empty"
    assert "expe.example.com" in out  # the good file is still reported


def test_inspect_never_prints_key_material(capsys: pytest.CaptureFixture[str], dep, write) -> None:  # type: ignore[no-untyped-def]
    pfx = write("expe.pfx", pkcs12(dep.expe, password=b"pw"))
    key_body = dep.expe.key_pem().decode().splitlines()[1]
    for fmt in ("text", "json"):
        code, out, err = run(capsys, "inspect", str(pfx), "--password", "pw", "--format", fmt)
        assert code == 0 and key_body not in out + err and "pw" not in err
        assert "PRIVATE KEY-----" not in out


def test_inspect_a_locked_pfx_gives_its_upload_verdict_and_exits_2(
    capsys: pytest.CaptureFixture[str], dep, write
) -> None:  # type: ignore[no-untyped-def]
    pfx = write("locked.pfx", pkcs12(dep.expe, password=b"pw"))
    code, out, err = run(capsys, "inspect", str(pfx))
    assert code == 2
    assert err.strip().splitlines() == [
        f"certdoctor: {pfx}: a password-protected PKCS#12 (.pfx/.p12); the upload page does not take it (its upload "
        "verdict follows); --password or --password-env VAR shows what it holds"
    ]
    assert "NOT accepted as is" in out and "protected by a password" in out
    assert f"openssl pkcs12 -in {pfx} -clcerts -nokeys -out server.pem" in out
    code, out, _ = run(capsys, "inspect", str(pfx), "--format", "json")
    doc = json.loads(out)
    assert code == 2 and doc["files"] == []
    assert (
        doc["errors"][0]["upload"]["accepted"] is False
        and "--password-env" in doc["errors"][0]["upload"]["conversion"][2]
    )
    code, _, err = run(capsys, "inspect", str(pfx), "--password", "wrong")
    assert code == 2 and "does not open it" in err and "upload" not in err


def test_verify_exit_codes_follow_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    ex = EXAMPLES
    code, out, _ = run(
        capsys,
        "verify",
        str(ex / "expe.pem"),
        "--chain",
        str(ex / "acme-issuing.pem"),
        "--trusted",
        str(ex / "trusted-root-only.pem"),
        "--host",
        "expe.example.com",
        "--at",
        "2026-06-01T00:00:00Z",
    )
    assert code == 0 and "TRUSTED" in out and "chain.intermediate-not-trusted" in out
    code, out, _ = run(
        capsys,
        "verify",
        str(ex / "expe.pem"),
        "--trusted",
        str(ex / "trusted-root-only.pem"),
        "--at",
        "2026-06-01T00:00:00Z",
    )
    assert code == 1 and "chain.issuer-missing" in out and "ACME Issuing CA 2" in out
    code, out, _ = run(
        capsys,
        "verify",
        str(ex / "revoked.pem"),
        "--trusted",
        str(ex / "trusted-full.pem"),
        "--crl",
        str(ex / "issuing2.crl"),
        "--at",
        "2026-06-01",
        "--format",
        "json",
    )
    assert code == 1
    doc = json.loads(out)
    assert not doc["expressway"]["trusted"]
    assert any(f["code"] == "revocation.revoked" for f in doc["findings"])


def test_verify_strict_flag_exits_on_strict_verdict(capsys: pytest.CaptureFixture[str], dep, write) -> None:  # type: ignore[no-untyped-def]
    leaf = write("cn-only.pem", dep.leaf("legacy.example.com").pem())
    trust = write("trust.pem", pem(dep.root.certificate, dep.issuing.certificate))
    args = (
        "verify",
        str(leaf),
        "--trusted",
        str(trust),
        "--host",
        "legacy.example.com",
        "--at",
        "2026-01-15",
    )
    assert run(capsys, *args)[0] == 0
    code, out, _ = run(capsys, *args, "--strict")
    assert code == 1 and "Why they differ" in out


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (("--at", "yesterday"), "--at: 'yesterday' is not an ISO-8601 time"),
        (("--crl", "MISSING.crl"), "MISSING.crl: no such file"),
        # in range as written, out of range in UTC: was an OverflowError, exit 3
        (("--at", "0001-01-01T00:00:00+23:59"), "--at: '0001-01-01T00:00:00+23:59' is out of range once converted"),
        (("--at", "9999-12-31T23:59:59-23:59"), "is out of range once converted to UTC"),
        # a long value is quoted short, never whole
        (("--at", "x" * 5000), "--at: '" + "x" * 40 + "...' is not an ISO-8601 time"),
        # an impossible internationalised name: was a ValueError from cryptography, exit 3
        (("--host", "a..bücher.example"), "--host: 'a..bücher.example' is not a valid internationalised host name"),
    ],
)
def test_verify_bad_input_is_one_line(capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], problem: str) -> None:
    code, _, err = run(
        capsys, "verify", str(EXAMPLES / "expe.pem"), "--trusted", str(EXAMPLES / "trusted-full.pem"), *extra
    )
    assert code == 2 and problem in err and err.count("\n") == 1


def test_verify_takes_an_internationalised_host_as_a_labels(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "verify",
        str(EXAMPLES / "expe.pem"),
        "--trusted",
        str(EXAMPLES / "trusted-full.pem"),
        "--host",
        "bücher.example.com",
        "--at",
        "2026-01-15",
    )
    assert code == 1 and not err  # not a name on the certificate: a verdict, not a crash
    assert "xn--bcher-kva.example.com" in out


def test_verify_trusted_file_without_certificates(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "verify", str(EXAMPLES / "expe.pem"), "--trusted", str(EXAMPLES / "expe.key"))
    assert code == 2 and "expe.key" in err and "no certificate" in err


def test_convert_writes_pem_and_never_overwrites(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "server.pem"
    code, _, _ = run(capsys, "convert", str(EXAMPLES / "expe.p7b"), "-o", str(out))
    assert code == 0
    assert out.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert main(["inspect", str(out)]) == 0
    assert "accepted as is" in capsys.readouterr().out
    before = out.read_bytes()
    code, _, err = run(capsys, "convert", str(EXAMPLES / "expired.pem"), "-o", str(out))
    assert code == 2 and "already exists" in err and out.read_bytes() == before


def test_the_console_script_flushes_everything_and_keeps_the_exit_code(tmp_path: Path) -> None:
    """`certdoctor` leaves without interpreter teardown (os._exit): output must still arrive whole."""
    import subprocess
    import sys

    case = Path(__file__).resolve().parents[1] / "examples" / "cases" / "ssh-tunnels-down" / "case.yaml"
    script = Path(sys.executable).with_name("certdoctor")
    done = subprocess.run([str(script), "diagnose", str(case), "--format", "json"], capture_output=True, timeout=120)
    assert done.returncode == 1  # a cause was found
    assert json.loads(done.stdout)["diagnoses"][0]["cause"] == "ssh.intermediate-not-trusted"
    bad = subprocess.run([str(script), "diagnose", str(tmp_path / "none.yaml")], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.strip().endswith("none.yaml: no such file")
    module = subprocess.run([sys.executable, "-m", "certdoctor.cli", "--version"], capture_output=True, text=True)
    assert module.returncode == 0 and module.stdout.startswith("certdoctor ")


def test_an_error_is_one_line_without_the_key_a_case_holds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A private key pasted as a field name came back in the error, over 28 lines (found by tests/test_fuzz_api.py)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"answers": {key.decode(): None}}))
    code, _, err = run(capsys, "diagnose", str(case))
    assert code == 2 and err.count("\n") == 1 and str(case) in err
    assert "PRIVATE KEY" not in err and key.decode().splitlines()[1] not in err
