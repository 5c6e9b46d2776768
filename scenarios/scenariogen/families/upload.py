"""upload.* scenarios: a server certificate upload refused (file format, CA chain, private key)."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import SEED_CHAIN, SEED_FORMAT, SEED_UPLOAD, SINGLE, Scenario
from ..texts import CA_NOT_RECOGNIZED


def scenarios() -> Iterator[Scenario]:
    """Upload failures: invalid format, untrusted chain, key mismatch."""
    g = "upload.invalid-format"
    yield Scenario(
        g,
        "der-cer-from-ca",
        "Renewed Expressway-E certificate came back from the CA as a binary DER .cer; the Dutch upload page "
        "says the format is invalid",
        SEED_FORMAT,
        {
            "upload_error": "Ongeldige certificaatindeling",
            "upload_page": "server-certificate",
            "recent_changes": ["certificate-renewal"],
        },
        {"top": g, "excludes": ["upload.untrusted-chain", "upload.key-mismatch"]},
        ("upload-der",),
    )
    yield Scenario(
        g,
        "p7b-from-windows-ca",
        "Windows CA returned a PKCS#7 (.p7b) with the chain; Server certificate upload says the file could not be read",
        SEED_FORMAT,
        {"upload_error": "Failed: the certificate file could not be read", "upload_page": "server-certificate"},
        {"top": g},
        ("upload-pkcs7",),
    )
    yield Scenario(
        g,
        "whole-chain-in-one-pem-single-box",
        "Single Expressway-E: the uploaded PEM holds the server certificate and the issuing CA; upload refused",
        SEED_FORMAT,
        {"upload_error": "Invalid certificate format", "upload_page": "server-certificate"},
        {"top": g},
        ("upload-bundle",),
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "csr-uploaded-instead-of-certificate",
        "Engineer uploaded the CSR file instead of the signed certificate",
        SEED_FORMAT,
        {"upload_error": "Unable to load certificate", "upload_page": "server-certificate"},
        {"top": g},
        ("upload-csr",),
    )
    yield Scenario(
        g,
        "near-miss-base64-cer-from-unknown-ca",
        "Windows 'Base-64 encoded X.509 (.CER)' export (a good format despite the .cer extension); upload "
        "refused because the new CA is not trusted yet",
        SEED_UPLOAD,
        {"upload_error": CA_NOT_RECOGNIZED, "upload_page": "server-certificate"},
        {"top": "upload.untrusted-chain", "ruled_out": [g]},
        ("upload-windows-base64", "upload-untrusted"),
    )
    # a password-protected .pfx from a Windows CA: judged by its outer structure, without the password (the
    # password only opens it for `certdoctor fix` / `convert`: tests/test_upload_pfx.py)
    yield Scenario(
        g,
        "pfx-with-password-from-windows-ca",
        "Windows CA export: the renewed Expressway-E certificate, its private key and chain in a password-protected "
        ".pfx; the Server certificate page refuses it",
        SEED_FORMAT,
        {"upload_error": "Invalid certificate format", "upload_page": "server-certificate"},
        {"top": g, "decide_with": ["upload.key-mismatch"]},
        ("pfx-upload-password",),
    )
    yield Scenario(
        g,
        "files-only-pfx-no-password",
        "Only the .pfx the customer means to upload (no password at hand, no error text yet): its format decides",
        SEED_FORMAT,
        {},
        {"top": g},
        ("pfx-upload-password",),
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "upload.invalid-format",
        "format-error-after-ca-change",
        "After the move to a new CA the upload page says 'Invalid certificate format' (no file at hand): the "
        "format outweighs the new CA",
        SEED_FORMAT,
        {"upload_error": "Invalid certificate format", "recent_changes": ["ca-change"]},
        {"top": "upload.invalid-format", "includes": ["upload.untrusted-chain"], "decide_with": [g]},
        certificates=False,
    )
    yield Scenario(
        "upload.invalid-format",
        "only-the-format-error",
        "Uploading the .cer the CA sent fails with 'Invalid certificate format' (Dutch UI: ongeldige "
        "certificaatindeling); no file at hand",
        SEED_FORMAT,
        {"upload_error": "Ongeldige certificaatindeling"},
        {"top": "upload.invalid-format"},
        certificates=False,
    )

    g = "upload.untrusted-chain"
    yield Scenario(
        g,
        "new-ca-not-trusted-yet",
        "Company moved to a new CA; the renewed Expressway-E certificate is refused: CA or CRL not recognized",
        SEED_CHAIN,
        {"upload_error": CA_NOT_RECOGNIZED, "upload_page": "server-certificate", "recent_changes": ["ca-change"]},
        {"top": g, "excludes": ["upload.invalid-format", "upload.key-mismatch"]},
        ("upload-untrusted",),
    )
    yield Scenario(
        g,
        "dutch-expressway-c-single-box",
        "Single Expressway-C: servercertificaat uploaden mislukt met 'Onbetrouwbare CA-certificaatketen'",
        SEED_CHAIN,
        {"upload_error": "Onbetrouwbare CA-certificaatketen", "upload_page": "server-certificate"},
        {"top": g},
        ("upload-untrusted",),
        layout={**SINGLE, "upload_target": "expressway_c"},
    )
    yield Scenario(
        g,
        "near-miss-key-from-discarded-csr",
        "Upload fails right after the CA issued the certificate, but the CA chain is trusted: the key on the "
        "box belongs to another CSR",
        SEED_UPLOAD,
        {"upload_error": "Upload failed", "upload_page": "server-certificate"},
        {"top": "upload.key-mismatch", "ruled_out": [g, "upload.invalid-format"]},
        ("upload-key-mismatch",),
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "upload.untrusted-chain",
        "upload-after-ca-change",
        "After the move to a new CA, uploading the new Expressway-E certificate fails",
        SEED_CHAIN,
        {"upload_error": CA_NOT_RECOGNIZED, "recent_changes": ["ca-change"]},
        {"top": "upload.untrusted-chain"},
        ("upload-untrusted",),
    )

    g = "upload.key-mismatch"
    origin = "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/admin_guide/X14-2/exwy_b_cisco-expressway-administrator-guide-x142/exwy_m_managing-security-x142.html"
    yield Scenario(
        g,
        "cluster-certificate-on-wrong-peer",
        "Expressway-E cluster: the certificate was uploaded on the peer whose stored private key does not belong to it",
        origin,
        {
            "upload_error": "The private key does not match the server certificate",
            "upload_page": "server-certificate",
        },
        {"top": g, "excludes": ["upload.untrusted-chain", "upload.invalid-format"]},
        ("upload-key-mismatch",),
    )
    yield Scenario(
        g,
        "single-box-openssl-key-values-mismatch",
        "Single box: upload with a separately generated key fails with an OpenSSL key values mismatch",
        origin,
        {
            "upload_error": "error:05800074:x509 certificate routines::key values mismatch (X509_check_private_key)",
            "upload_page": "server-certificate",
        },
        {"top": g},
        ("upload-key-mismatch",),
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "near-miss-der-file-key-matches",
        "Upload fails with the right private key: the certificate file is DER, not PEM",
        SEED_FORMAT,
        {"upload_error": "Upload failed: certificate not in PEM format", "upload_page": "server-certificate"},
        {"top": "upload.invalid-format", "ruled_out": [g]},
        ("upload-der",),
    )
    yield Scenario(
        g,
        "near-miss-root-ca-on-trusted-ca-page",
        "Uploading the root CA on the Trusted CA certificate page fails (no server certificate or key involved)",
        SEED_CHAIN,
        {"upload_error": "Upload failed", "upload_page": "trusted-ca"},
        {
            "includes": ["upload.invalid-format"],
            "excludes": [g, "upload.untrusted-chain", "cert.missing-client-auth-eku"],
        },
        certificates=False,
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "upload.key-mismatch",
        "only-the-key-error",
        "The customer pastes the one line the upload page showed: the private key does not match",
        SEED_UPLOAD,
        {"upload_error": "The private key does not match the certificate."},
        {"top": "upload.key-mismatch"},
        certificates=False,
    )
    # only the files, no symptom: the check of the file alone decides
    yield Scenario(
        "upload.invalid-format",
        "files-only-der",
        "Before uploading: the renewed Expressway-E certificate is a binary DER file",
        SEED_FORMAT,
        {},
        {"top": "upload.invalid-format"},
        ("upload-der",),
    )
    yield Scenario(
        "upload.untrusted-chain",
        "files-only-new-ca",
        "Before uploading: the renewed certificate comes from a CA the Expressway-E does not trust yet",
        SEED_CHAIN,
        {},
        {"top": "upload.untrusted-chain"},
        ("upload-untrusted",),
    )
    yield Scenario(
        "upload.key-mismatch",
        "files-only-other-key",
        "Before uploading: the private key at hand belongs to another certificate",
        SEED_UPLOAD,
        {},
        {"top": "upload.key-mismatch"},
        ("upload-key-mismatch",),
    )
