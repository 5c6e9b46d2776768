"""Pydantic models for what the certificate layer reports: files, certificates, findings, verdicts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from certdoctor.x509.findings import FileFormat, Finding, Model, UploadVerdict


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
    problems: list[Finding] = Field(default=[], description="fields that could not be read (malformed extensions, ...)")


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
