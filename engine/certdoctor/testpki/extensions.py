"""Subject names and X.509 extensions for test certificates, from the short names tests write."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import TypeAlias

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from certdoctor.testpki.issued import Issued
from certdoctor.testpki.keys import TestPrivateKey

#: Extensions to add to a certificate, each with its critical flag, in order.
ExtensionList: TypeAlias = list[tuple[x509.ExtensionType, bool]]

_NAME_ATTRIBUTES: dict[str, x509.ObjectIdentifier] = {
    "CN": NameOID.COMMON_NAME,
    "C": NameOID.COUNTRY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "L": NameOID.LOCALITY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "DC": NameOID.DOMAIN_COMPONENT,
    "STREET": NameOID.STREET_ADDRESS,
    "SERIALNUMBER": NameOID.SERIAL_NUMBER,
    "EMAILADDRESS": NameOID.EMAIL_ADDRESS,
    "E": NameOID.EMAIL_ADDRESS,
    "TITLE": NameOID.TITLE,
    "GN": NameOID.GIVEN_NAME,
    "SN": NameOID.SURNAME,
    "UID": NameOID.USER_ID,
}

_EKU_NAMES: dict[str, x509.ObjectIdentifier] = {
    "serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
    "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "codeSigning": ExtendedKeyUsageOID.CODE_SIGNING,
    "emailProtection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "timeStamping": ExtendedKeyUsageOID.TIME_STAMPING,
    "OCSPSigning": ExtendedKeyUsageOID.OCSP_SIGNING,
    "anyExtendedKeyUsage": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
}

_KEY_USAGE_NAMES: dict[str, str] = {
    "digitalSignature": "digital_signature",
    "contentCommitment": "content_commitment",
    "nonRepudiation": "content_commitment",
    "keyEncipherment": "key_encipherment",
    "dataEncipherment": "data_encipherment",
    "keyAgreement": "key_agreement",
    "keyCertSign": "key_cert_sign",
    "cRLSign": "crl_sign",
    "encipherOnly": "encipher_only",
    "decipherOnly": "decipher_only",
}

_DOTTED_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")


def _attribute_oid(name: str) -> x509.ObjectIdentifier:
    """OID for an attribute short name ("O", "OU", ...) or a dotted OID string."""
    if _DOTTED_OID.match(name):
        return x509.ObjectIdentifier(name)
    try:
        return _NAME_ATTRIBUTES[name.upper()]
    except KeyError:
        raise ValueError(f"unknown subject attribute {name!r}; use a dotted OID") from None


def subject_name(cn: str | None, extra: Sequence[tuple[str, str]]) -> x509.Name:
    """Subject name: ``extra`` attributes in the given order, then CN (if any) last."""
    attributes = [x509.NameAttribute(_attribute_oid(k), v) for k, v in extra]
    if cn is not None:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attributes)


def general_name(value: str) -> x509.GeneralName:
    """A SAN entry: IP address if it parses as one, ``uri:``/``email:``/``dns:`` prefixes, else DNS."""
    try:
        return x509.IPAddress(ipaddress.ip_address(value))
    except ValueError:
        pass
    lowered = value.lower()
    if lowered.startswith("uri:"):
        return x509.UniformResourceIdentifier(value[4:])
    if lowered.startswith("email:"):
        return x509.RFC822Name(value[6:])
    if lowered.startswith("dns:"):
        return x509.DNSName(value[4:])
    return x509.DNSName(value)


def _eku_oid(name: str) -> x509.ObjectIdentifier:
    """EKU OID for a short name (serverAuth, clientAuth, ...) or a dotted OID."""
    if name in _EKU_NAMES:
        return _EKU_NAMES[name]
    if _DOTTED_OID.match(name):
        return x509.ObjectIdentifier(name)
    raise ValueError(f"unknown EKU {name!r}; use one of {sorted(_EKU_NAMES)} or a dotted OID")


def _key_usage(names: Sequence[str]) -> x509.KeyUsage:
    """A KeyUsage extension value from RFC 5280 bit names (digitalSignature, ...)."""
    flags = dict.fromkeys(set(_KEY_USAGE_NAMES.values()), False)
    for name in names:
        try:
            flags[_KEY_USAGE_NAMES[name]] = True
        except KeyError:
            raise ValueError(f"unknown key usage {name!r}; use one of {sorted(_KEY_USAGE_NAMES)}") from None
    return x509.KeyUsage(**flags)


def authority_key_id(issuer: Issued) -> x509.AuthorityKeyIdentifier:
    """AKI from the issuer's SKI extension, or from its public key when it has none."""
    try:
        ski = issuer.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except x509.ExtensionNotFound:
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key())
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski.value)


def key_identifiers(subject_key: TestPrivateKey, issuer: Issued | None, *, ski: bool, aki: bool) -> ExtensionList:
    """SKI and AKI, each when asked for; a self-signed certificate's AKI is its own public key."""
    out: ExtensionList = []
    if ski:
        out.append((x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), False))
    if aki:
        if issuer is None:
            out.append((x509.AuthorityKeyIdentifier.from_issuer_public_key(subject_key.public_key()), False))
        else:
            out.append((authority_key_id(issuer), False))
    return out


def url_extensions(crl_urls: Sequence[str], ocsp_urls: Sequence[str], aia_issuer_urls: Sequence[str]) -> ExtensionList:
    """CRL distribution points and authority information access, each only when non-empty."""
    out: ExtensionList = []
    if crl_urls:
        points = [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
            for url in crl_urls
        ]
        out.append((x509.CRLDistributionPoints(points), False))
    if ocsp_urls or aia_issuer_urls:
        descriptions = [
            x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(url))
            for url in ocsp_urls
        ] + [
            x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(url))
            for url in aia_issuer_urls
        ]
        out.append((x509.AuthorityInformationAccess(descriptions), False))
    return out


def ca_extensions(
    *, basic_constraints: bool, ca: bool, path_length: int | None, key_usage: bool, key_cert_sign: bool
) -> ExtensionList:
    """A CA's critical basicConstraints and keyUsage (keyCertSign+cRLSign), each when asked for."""
    out: ExtensionList = []
    if basic_constraints:
        out.append((x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), True))
    if key_usage:
        names = ["keyCertSign", "cRLSign"] if key_cert_sign else ["digitalSignature", "cRLSign"]
        out.append((_key_usage(names), True))
    return out


def leaf_extensions(
    subject: x509.Name,
    sans: Sequence[str],
    *,
    basic_constraints: bool,
    key_usage: Sequence[str] | None,
    eku: Sequence[str] | None,
    san_critical: bool | None,
) -> ExtensionList:
    """An end entity's basicConstraints CA:FALSE, keyUsage, EKU and SANs (critical if the subject is empty)."""
    out: ExtensionList = []
    if basic_constraints:
        out.append((x509.BasicConstraints(ca=False, path_length=None), True))
    if key_usage is not None:
        out.append((_key_usage(key_usage), True))
    if eku is not None:
        out.append((x509.ExtendedKeyUsage([_eku_oid(e) for e in eku]), False))
    if sans:
        critical = len(subject) == 0 if san_critical is None else san_critical
        out.append((x509.SubjectAlternativeName([general_name(s) for s in sans]), critical))
    return out
