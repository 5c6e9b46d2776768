"""Pydantic models for what the certificate layer reports: files, certificates, findings, verdicts."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base of the report models: schemas are built on first use, not at import (fast start-up)."""

    model_config = ConfigDict(defer_build=True)

Severity = Literal["error", "warning", "info", "pass"]


class Finding(Model):
    """One check result, like pkilint's: a severity, a stable code and a message naming the certificate."""

    severity: Severity
    code: str = Field(description="stable dotted code, e.g. chain.issuer-missing")
    message: str
    certificate: str | None = Field(
        default=None, description="the certificate the finding is about (subject and serial)"
    )
    field: str | None = Field(default=None, description="the certificate field involved, if any")


class FileFormat(str, Enum):
    """What a file turned out to be, as a TAC engineer would name it."""

    PEM = "pem"
    PEM_BUNDLE = "pem-bundle"
    WINDOWS_BASE64 = "windows-base64"
    BASE64 = "base64"
    DER = "der"
    PKCS7_PEM = "pkcs7-pem"
    PKCS7_DER = "pkcs7-der"
    PKCS12 = "pkcs12"
    CSR = "csr"
    PRIVATE_KEY = "private-key"
    CRL = "crl"
    MIXED_PEM = "mixed-pem"


class KeyInfo(Model):
    """The public key of a certificate, CSR or key file."""

    type: str = Field(description="RSA, EC, Ed25519, Ed448, DSA or the OID when unknown")
    size: int | None = Field(default=None, description="bits (RSA/DSA modulus, EC curve size)")
    curve: str | None = None


class SubjectAltNames(Model):
    """The subjectAltName entries by kind."""

    dns: list[str] = []
    ip: list[str] = []
    email: list[str] = []
    uri: list[str] = []
    other: list[str] = []


class CertificateInfo(Model):
    """Everything `inspect` shows about one certificate."""

    subject: str
    issuer: str
    common_name: str | None = None
    serial: str = Field(description="hexadecimal, as Expressway and Windows show it")
    version: int
    not_before: datetime
    not_after: datetime
    self_signed: bool = Field(description="subject equals issuer and the signature checks out")
    is_ca: bool
    sans: SubjectAltNames = SubjectAltNames()
    wildcard_names: list[str] = []
    key: KeyInfo | None = None
    signature_algorithm: str
    signature_hash: str | None = None
    basic_constraints: dict[str, bool | int | None] | None = None
    key_usage: list[str] | None = None
    extended_key_usage: list[str] | None = None
    subject_key_id: str | None = None
    authority_key_id: str | None = None
    crl_distribution_points: list[str] = []
    authority_info_access: dict[str, list[str]] = {}
    critical_extensions: list[str] = []
    fingerprint_sha1: str
    fingerprint_sha256: str
    unknown_subject_oids: list[str] = []
    unknown_issuer_oids: list[str] = []
    problems: list[Finding] = Field(
        default=[], description="fields that could not be read (malformed extensions, ...)"
    )


class RequestInfo(Model):
    """A certificate signing request found where a certificate was expected."""

    subject: str
    sans: SubjectAltNames = SubjectAltNames()
    key: KeyInfo | None = None
    signature_valid: bool


class PrivateKeyInfo(Model):
    """A private key found in a file: what it is, never its content."""

    encrypted: bool
    key: KeyInfo | None = None


class CrlInfo(Model):
    """A certificate revocation list."""

    issuer: str
    this_update: datetime
    next_update: datetime | None = None
    revoked_serials: list[str] = []


class UploadVerdict(Model):
    """Would Maintenance > Security > Server certificate accept this file as is (seed S1)."""

    accepted: bool
    reasons: list[str] = []
    conversion: list[str] = Field(default=[], description="how to turn the file into one it accepts")


class FileReport(Model):
    """What one input file holds and what Expressway would make of it."""

    path: str
    format: FileFormat
    size: int
    encoding_notes: list[str] = Field(default=[], description="BOM, UTF-16, CRLF, text around PEM")
    certificates: list[CertificateInfo] = []
    requests: list[RequestInfo] = []
    private_keys: list[PrivateKeyInfo] = []
    crls: list[CrlInfo] = []
    upload: UploadVerdict
    findings: list[Finding] = []


class ChainLink(Model):
    """One certificate on a built path and where it came from."""

    certificate: str
    source: Literal["leaf", "chain", "trusted"]
    subject: str
    serial: str


class Verdict(Model):
    """One judgement of a chain: trusted or not, and the reasons."""

    trusted: bool
    reasons: list[str] = []


class VerifyReport(Model):
    """What `verify` says about a leaf, its offered chain and a trusted list."""

    leaf: str
    host: str | None = None
    at: datetime
    path: list[ChainLink] = []
    expressway: Verdict = Field(description="OpenSSL-like, as Expressway validates")
    strict: Verdict = Field(description="cryptography's RFC 5280 / CA/B Forum verifier plus checks")
    differences: list[str] = Field(default=[], description="why the two verdicts differ")
    findings: list[Finding] = []
