"""Build the FileReport `inspect` shows from a loaded file."""

from __future__ import annotations

from pathlib import Path

from certdoctor.x509.describe import (
    describe_certificate,
    describe_crl,
    describe_request,
    key_info,
)
from certdoctor.x509.load import LoadedFile, read_file
from certdoctor.x509.models import FileReport, PrivateKeyInfo
from certdoctor.x509.upload import upload_verdict


def report_for(loaded: LoadedFile) -> FileReport:
    """Describe every item of a loaded file and judge it against the upload page."""
    certificates = [describe_certificate(c) for c in loaded.certificates]
    return FileReport(
        path=loaded.source,
        format=loaded.format,
        size=loaded.size,
        encoding_notes=loaded.notes,
        certificates=certificates,
        requests=[describe_request(r) for r in loaded.requests],
        private_keys=[
            PrivateKeyInfo(encrypted=k.encrypted, key=key_info(k.key) if k.key else None) for k in loaded.private_keys
        ],
        crls=[describe_crl(c) for c in loaded.crls],
        upload=upload_verdict(loaded),
        findings=[p for info in certificates for p in info.problems],
    )


def inspect_file(path: str | Path, password: bytes | None = None) -> FileReport:
    """Read one file and report what it holds (raises InputError for unusable files)."""
    return report_for(read_file(path, password))
