"""certdoctor: troubleshooting certificate problems on Cisco Expressway, Unified CM and Jabber MRA."""

from certdoctor._version import __version__
from certdoctor.errors import CertdoctorError, InputError
from certdoctor.x509 import LoadedFile, TrustStore, parse_bytes, read_file, verify_chain
from certdoctor.x509.models import CertificateInfo, FileReport, Finding, VerifyReport
from certdoctor.x509.report import inspect_file

__all__ = [
    "CertdoctorError",
    "CertificateInfo",
    "FileReport",
    "Finding",
    "InputError",
    "LoadedFile",
    "TrustStore",
    "VerifyReport",
    "__version__",
    "inspect_file",
    "parse_bytes",
    "read_file",
    "verify_chain",
]
