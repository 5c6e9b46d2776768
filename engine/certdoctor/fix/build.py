"""From a case to the files `certdoctor fix` writes: diagnose, load the case's certificates, decide the files.

The reading is here (the case's files, a .pfx opened with its password); the deciding is fix_files, pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from certdoctor.case import DATA_URI, Case, CertificateSource, data_uri, map_file_references
from certdoctor.diagnosis import Traced, diagnose_traced
from certdoctor.errors import InputError
from certdoctor.facts.deployment import Deployment
from certdoctor.fix.needs import (
    C_LIST,
    CALLMANAGER_LIST,
    E_LIST,
    TOMCAT_LIST,
    CaseCertificates,
    UploadFile,
    plan_needs,
)
from certdoctor.fix.render import PLAN, group, locked_note, pem_text, plan_markdown
from certdoctor.kb import Lang
from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.findings import FileFormat
from certdoctor.x509.load import LoadedFile, Unreadable, read_file
from certdoctor.x509.naming import is_ca
from certdoctor.x509.pkcs12 import Pkcs12Error, certificates_only


def fix_files(traced: Traced, certs: CaseCertificates, lang: Lang, title: str, case_name: str) -> dict[str, bytes]:
    """Every file to write, by name: one PEM per target the plan needs, then plan.md naming them."""
    needs = plan_needs(traced.answer.plan, traced.facts.items, traced.conclusions, certs)
    files, obtain = group(needs)
    out = {tf.name: pem_text(tf) for tf in files}
    notes = list(traced.answer.warnings)  # unknown fields, files that could not be read and what that left out
    if certs.upload is not None and certs.upload.locked:
        notes.append(locked_note(certs.upload, case_name, lang))
    out[PLAN] = plan_markdown(traced.answer, files, obtain, lang, title, case_name, notes).encode("utf-8")
    return out


def case_certificates(case: Case, source: CertificateSource, at: datetime, upload_name: str = "") -> CaseCertificates:
    """Load what each server presents, each trusted list and the upload file, as the diagnosis loads them."""
    d = Deployment(case, source, at)
    lists = {C_LIST: d.c_trust, E_LIST: d.e_trust, TOMCAT_LIST: d.tomcat_trust, CALLMANAGER_LIST: d.callmanager_trust}
    upload: UploadFile | None = None
    extra: list[CertFacts] = []
    if case.upload is not None:
        name = upload_name or case.upload.file
        loaded = d.upload_file
        if isinstance(loaded, LoadedFile):
            leaf = next((c for c in loaded.certificates if not is_ca(c)), None)
            extra = [CertFacts(c) for c in loaded.certificates if c is not leaf]
            request = loaded.requests[0] if loaded.requests else None
            upload = UploadFile(name, case.upload.target, CertFacts(leaf) if leaf else None, request)
        else:  # unreadable: nothing to convert; a locked .pfx says how to open it (plan.md)
            locked = isinstance(loaded, Unreadable) and loaded.locked
            upload = UploadFile(name, case.upload.target, None, None, locked=locked)
    return CaseCertificates(
        served=d.all_served(),
        lists={k: v for k, v in lists.items() if v is not None},
        upload=upload,
        extra=extra,
        at=at,
    )


def _resolved(ref: str, base_dir: Path | None) -> Path:
    path = Path(ref).expanduser()
    return path if path.is_absolute() or base_dir is None else base_dir / path


def opened_upload(case: Case, base_dir: Path | None, password: bytes | None) -> Case:
    """The case with a password-protected .pfx upload opened: its certificates only, still as PKCS#12.

    The password opens the file here and goes no further, as the shell's `load --password` does: the diagnosis
    judges the same format (a .pfx is not what the upload page takes), and the private key is left behind.
    """
    upload = case.upload
    if password is None or upload is None or "-----BEGIN" in upload.file or upload.file.startswith(DATA_URI):
        return case
    try:
        loaded = read_file(_resolved(upload.file, base_dir), password)
    except Pkcs12Error:
        raise  # the password given does not open the .pfx (or it is beyond a limit): the user must know
    except InputError:
        return case  # missing or unreadable for another reason: the diagnosis names it
    if loaded.format is not FileFormat.PKCS12 or not loaded.certificates:
        return case
    opened = upload.model_copy(update={"file": data_uri(certificates_only(loaded.certificates))})
    return case.model_copy(update={"upload": opened})


def build_fix(
    case: Case,
    *,
    base_dir: Path | None,
    source: str,
    lang: Lang = "en",
    at: datetime | None = None,
    answered: Sequence[str] = (),
    password: bytes | None = None,
) -> dict[str, bytes]:
    """Diagnose the case and decide every file `certdoctor fix` writes (nothing is written here)."""
    judged = opened_upload(case, base_dir, password)
    traced = diagnose_traced(judged, base_dir=base_dir, source=source, lang=lang, at=at, answered=answered)
    when = at or case.at or datetime.now(UTC)
    upload_name = case.upload.file if case.upload is not None else ""
    certs = case_certificates(judged, CertificateSource(base_dir, source), when, upload_name)
    return fix_files(traced, certs, lang, case.title or Path(source).stem, source)


def case_files(case: Case, base_dir: Path | None) -> set[Path]:
    """Every file the case reads (certificates, lists, CRLs, the upload and its key): fix never writes over one."""
    found: set[Path] = set()

    def note(ref: str) -> str:
        found.add(_resolved(ref, base_dir).resolve())
        return ref

    map_file_references(case.model_dump(exclude_none=True), note)
    return found
