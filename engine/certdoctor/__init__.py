"""certdoctor: troubleshooting certificate problems on Cisco Expressway, Unified CM and Jabber MRA."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from certdoctor._version import __version__
from certdoctor.errors import CertdoctorError, InputError

if TYPE_CHECKING:
    from certdoctor.answer import Answer
    from certdoctor.case import Case
    from certdoctor.chat.api import ChatInput, ChatReply, converse, load_case_inline
    from certdoctor.chat.token import StateSealer
    from certdoctor.kb import Lang
    from certdoctor.x509 import LoadedFile, TrustStore, parse_bytes, read_file, verify_chain
    from certdoctor.x509.models import CertificateInfo, FileReport, Finding, VerifyReport
    from certdoctor.x509.report import inspect_file

#: The public API is imported on first use, so `certdoctor --version` and the CLI start fast.
_LAZY = {
    "LoadedFile": "certdoctor.x509",
    "TrustStore": "certdoctor.x509",
    "parse_bytes": "certdoctor.x509",
    "read_file": "certdoctor.x509",
    "verify_chain": "certdoctor.x509",
    "CertificateInfo": "certdoctor.x509.models",
    "FileReport": "certdoctor.x509.models",
    "Finding": "certdoctor.x509.models",
    "VerifyReport": "certdoctor.x509.models",
    "inspect_file": "certdoctor.x509.report",
    "Answer": "certdoctor.answer",
    "Case": "certdoctor.case",
    "ChatInput": "certdoctor.chat.api",
    "ChatReply": "certdoctor.chat.api",
    "converse": "certdoctor.chat.api",
    "load_case_inline": "certdoctor.chat.api",
    "StateSealer": "certdoctor.chat.token",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'certdoctor' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def diagnose(
    case: Case | Mapping[str, Any] | str | Path, *, lang: str = "en", base_dir: str | Path | None = None
) -> Answer:
    """Diagnose a case: a Case, a dict in the case-file format, or the path of a case file."""
    from certdoctor.case import Case
    from certdoctor.diagnosis import diagnose_case, diagnose_file

    language: Lang = "nl" if lang == "nl" else "en"
    if isinstance(case, str | Path):
        return diagnose_file(case, lang=language)
    parsed = case if isinstance(case, Case) else Case.model_validate(dict(case))
    return diagnose_case(parsed, base_dir=Path(base_dir) if base_dir else None, lang=language)


__all__ = [
    "Answer",
    "Case",
    "CertdoctorError",
    "CertificateInfo",
    "ChatInput",
    "ChatReply",
    "FileReport",
    "Finding",
    "InputError",
    "LoadedFile",
    "StateSealer",
    "TrustStore",
    "VerifyReport",
    "__version__",
    "converse",
    "diagnose",
    "inspect_file",
    "load_case_inline",
    "parse_bytes",
    "read_file",
    "verify_chain",
]
