"""The small report types the diagnosis needs too: findings, file formats, the upload verdict."""

from __future__ import annotations

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


class UploadVerdict(Model):
    """Would Maintenance > Security > Server certificate accept this file as is (seed S1)."""

    accepted: bool
    reasons: list[str] = []
    conversion: list[str] = Field(default=[], description="how to turn the file into one it accepts")
