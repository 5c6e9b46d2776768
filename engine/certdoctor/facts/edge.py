"""Edge cases Cisco documents in its TechNotes: the default temporary certificate, a SAN field past 999 characters,
a private key file without a trailing newline, and whether each node's own trusted list lets it send its chain."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography import x509

from certdoctor.case import DATA_URI
from certdoctor.facts.deployment import Deployment, Served
from certdoctor.facts.fact import Facts
from certdoctor.facts.parties import checked_params
from certdoctor.facts.trust import own_chain_facts
from certdoctor.limits import MAX_FILE_BYTES
from certdoctor.safeinput import read_regular_file
from certdoctor.x509.naming import common_name

#: Expressway cuts the Subject Alternative Name field at this many characters; names past it are ignored
#: (Cisco Expressway Certificate Creation and Use Deployment Guide, "Subject Alternative Name Fields Longer than 999
#: Characters"; Cisco Doc ID 213872).
SAN_LIMIT = 999
#: The words that name the temporary CA a new (or factory-reset) Expressway issues its default certificate from
#: ("ship with a temporary trusted CA, and a server certificate issued by that temporary CA": certificate guide).
TEMPORARY_CA = "temporary ca"


def edge_facts(d: Deployment, out: Facts) -> None:
    """Every edge-case fact this module derives, in the answer's order."""
    own_chain_facts(d, out)
    default_certificate_facts(d, out)
    san_length_facts(d, out)
    key_newline_facts(d, out)


def _issuer_words(cert: x509.Certificate) -> str:
    """The issuer's CN, O and OU, case-folded: where the temporary CA's name appears."""
    words = []
    for oid in (x509.NameOID.COMMON_NAME, x509.NameOID.ORGANIZATION_NAME, x509.NameOID.ORGANIZATIONAL_UNIT_NAME):
        words += [str(a.value) for a in cert.issuer.get_attributes_for_oid(oid)]
    return " ".join(words).casefold()


def _expressways(d: Deployment) -> list[Served]:
    """Every Expressway node's certificate, then the upload file's (what would be installed)."""
    return d.c + d.e + ([d.upload_served] if d.upload_served is not None else [])


def default_certificate_facts(d: Deployment, out: Facts) -> None:
    """cert.default_temporary per Expressway node: its server certificate was issued by the temporary CA."""
    for served in d.c + d.e:
        cert = served.leaf.cert
        default = TEMPORARY_CA in _issuer_words(cert)
        issuer = common_name(cert.issuer) or cert.issuer.rfc4514_string()
        out.add(
            "cert.default_temporary",
            default,
            "certificates",
            f"{served.node} presents "
            + (f"the default certificate issued by '{issuer}'" if default else f"a certificate issued by '{issuer}'"),
            ok=not default,
            node=served.node,
            issuer=issuer,
            certificate=served.leaf.label,
            **checked_params(served),
        )


def san_text(cert: x509.Certificate) -> tuple[str, list[tuple[int, str]]]:
    """The SAN field as Expressway shows it ('DNS:a, DNS:b, IP Address:1.2.3.4') and where each name ends in it."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return "", []
    parts: list[str] = []
    for name in san:
        if isinstance(name, x509.DNSName):
            parts.append(f"DNS:{name.value}")
        elif isinstance(name, x509.IPAddress):
            parts.append(f"IP Address:{name.value}")
        elif isinstance(name, x509.UniformResourceIdentifier):
            parts.append(f"URI:{name.value}")
        elif isinstance(name, x509.RFC822Name):
            parts.append(f"email:{name.value}")
    text, ends = "", []
    for part in parts:
        text += (", " if text else "") + part
        ends.append((len(text), part.split(":", 1)[1]))
    return text, ends


def san_length_facts(d: Deployment, out: Facts) -> None:
    """cert.san_too_long per certificate: the SAN field is past 999 characters; the names after the cut are lost."""
    seen: set[bytes] = set()
    for served in _expressways(d):
        if served.leaf.fingerprint in seen:
            continue
        seen.add(served.leaf.fingerprint)
        text, ends = san_text(served.leaf.cert)
        if not text:
            continue
        cut = [name for end, name in ends if end > SAN_LIMIT]
        out.add(
            "cert.san_too_long",
            bool(cut),
            "certificates",
            f"the SAN field of {served.leaf.label} is {len(text)} characters"
            + (f"; Expressway ignores the names past {SAN_LIMIT}: {', '.join(cut[:5])}" if cut else ""),
            ok=not cut,
            node=served.node,
            length=str(len(text)),
            names=", ".join(cut[:10]) + (f" (+{len(cut) - 10} more)" if len(cut) > 10 else ""),
            count=str(len(cut)),
            certificate=served.leaf.label,
            **checked_params(served),
        )


def _last_bytes(d: Deployment, ref: str) -> bytes | None:
    """The last two bytes of the key file (nothing else of it is kept); None when it cannot be read."""
    if "-----BEGIN" in ref:
        return ref.encode()[-2:]
    if ref.startswith(DATA_URI):
        try:
            return base64.b64decode(ref[len(DATA_URI) :], validate=True)[-2:]
        except (binascii.Error, ValueError):
            return None
    path = Path(ref)
    if not path.is_absolute() and d.certs.base is not None:
        path = d.certs.base / path
    try:
        return read_regular_file(path, MAX_FILE_BYTES, "private key file")[-2:]
    except Exception:  # an unreadable key is left to the key checks; this fact stays unknown
        return None


def key_newline_facts(d: Deployment, out: Facts) -> None:
    """upload.key_trailing_newline: whether the private key file ends with a newline (a boolean, never the key)."""
    upload = d.case.upload
    if upload is None or not upload.key:
        return
    tail = _last_bytes(d, upload.key)
    if tail is None or not tail:
        return
    ends = tail.endswith(b"\n")
    out.add(
        "upload.key_trailing_newline",
        ends,
        "certificates",
        "the private key file " + ("ends with a newline" if ends else "does not end with a newline character"),
        ok=ends,
        key=upload.key if "-----BEGIN" not in upload.key and not upload.key.startswith(DATA_URI) else "(inline key)",
    )
