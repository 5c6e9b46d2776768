"""Turn cryptography objects into CertificateInfo and friends, surviving lazily-parsed bad fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtensionOID

from certdoctor.x509.der import readable_extensions
from certdoctor.x509.models import (
    CertificateInfo,
    CrlInfo,
    Finding,
    KeyInfo,
    RequestInfo,
    SubjectAltNames,
)
from certdoctor.x509.naming import (  # re-exported: describe is where users look for them
    common_name,
    is_self_signed,
    label,
    name_text,
    serial_hex,
    unknown_oids,
)

T = TypeVar("T")

EKU_NAMES = {
    "1.3.6.1.5.5.7.3.1": "serverAuth",
    "1.3.6.1.5.5.7.3.2": "clientAuth",
    "1.3.6.1.5.5.7.3.3": "codeSigning",
    "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.8": "timeStamping",
    "1.3.6.1.5.5.7.3.9": "OCSPSigning",
    "2.5.29.37.0": "anyExtendedKeyUsage",
}

KEY_USAGE_FIELDS = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


def key_info(key: object) -> KeyInfo:
    """Describe a public or private key without ever exposing its material."""
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return KeyInfo(type="RSA", size=key.key_size)
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return KeyInfo(type="EC", size=key.curve.key_size, curve=key.curve.name)
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return KeyInfo(type="Ed25519", size=256)
    if isinstance(key, ed448.Ed448PublicKey | ed448.Ed448PrivateKey):
        return KeyInfo(type="Ed448", size=456)
    if isinstance(key, dsa.DSAPublicKey | dsa.DSAPrivateKey):
        return KeyInfo(type="DSA", size=key.key_size)
    return KeyInfo(type=type(key).__name__)


def general_names(names: x509.SubjectAlternativeName | x509.GeneralNames) -> SubjectAltNames:
    """Split general names by kind; directory names and others go to `other`."""
    result = SubjectAltNames()
    for gn in names:
        if isinstance(gn, x509.DNSName):
            result.dns.append(gn.value)
        elif isinstance(gn, x509.IPAddress):
            result.ip.append(str(gn.value))
        elif isinstance(gn, x509.RFC822Name):
            result.email.append(gn.value)
        elif isinstance(gn, x509.UniformResourceIdentifier):
            result.uri.append(gn.value)
        elif isinstance(gn, x509.DirectoryName):
            result.other.append("dirName:" + name_text(gn.value))
        elif isinstance(gn, x509.OtherName):
            result.other.append("otherName:" + gn.type_id.dotted_string)
        else:
            result.other.append(str(gn))
    return result


class FieldReader:
    """Reads certificate fields one by one, turning a lazy-parse failure into a Finding."""

    def __init__(self, cert: x509.Certificate) -> None:
        self.cert = cert
        self.problems: list[Finding] = []
        self.extensions, broken = readable_extensions(cert)
        for problem in broken:
            self.problems.append(
                Finding(
                    severity="error",
                    code="parse.extension-unreadable",
                    message=f"{label(cert)}: extension {_oid_label(problem.oid)} cannot be parsed: {problem.reason}",
                    certificate=label(cert),
                    field=_oid_label(problem.oid),
                )
            )

    def read(self, field: str, getter: Callable[[], T], default: T) -> T:
        """Return getter(), or default after recording which field could not be parsed."""
        try:
            return getter()
        except Exception as exc:  # cryptography raises ValueError, UnsupportedAlgorithm, ...
            self.problems.append(
                Finding(
                    severity="error",
                    code="parse.field-unreadable",
                    message=f"{label(self.cert)}: field {field} cannot be parsed: {exc}",
                    certificate=label(self.cert),
                    field=field,
                )
            )
            return default

    def extension(self, oid: x509.ObjectIdentifier) -> x509.Extension[x509.ExtensionType] | None:
        """The extension with this OID, None when absent or unreadable (recorded)."""
        try:
            return self.extensions.get_extension_for_oid(oid)
        except x509.ExtensionNotFound:
            return None


def fingerprint(cert: x509.Certificate, algorithm: hashes.HashAlgorithm) -> str:
    """Colon-separated upper-case hex fingerprint, as Windows and Expressway show it."""
    return cert.fingerprint(algorithm).hex(":").upper()


def describe_certificate(cert: x509.Certificate) -> CertificateInfo:
    """Everything `inspect` shows about one certificate; unreadable fields become problems."""
    r = FieldReader(cert)
    info_sans = SubjectAltNames()
    san = r.extension(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    if san is not None and isinstance(san.value, x509.SubjectAlternativeName):
        info_sans = general_names(san.value)
    bc = r.extension(ExtensionOID.BASIC_CONSTRAINTS)
    basic: dict[str, bool | int | None] | None = None
    if bc is not None and isinstance(bc.value, x509.BasicConstraints):
        basic = {"ca": bc.value.ca, "path_length": bc.value.path_length, "critical": bc.critical}
    ku = r.extension(ExtensionOID.KEY_USAGE)
    key_usage: list[str] | None = None
    if ku is not None and isinstance(ku.value, x509.KeyUsage):
        key_usage = [f for f in KEY_USAGE_FIELDS if getattr(ku.value, f)]
        if ku.value.key_agreement:
            key_usage += [f for f in ("encipher_only", "decipher_only") if getattr(ku.value, f)]
    eku = r.extension(ExtensionOID.EXTENDED_KEY_USAGE)
    ext_key_usage: list[str] | None = None
    if eku is not None and isinstance(eku.value, x509.ExtendedKeyUsage):
        ext_key_usage = [EKU_NAMES.get(o.dotted_string, o.dotted_string) for o in eku.value]
    ski = r.extension(ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    aki = r.extension(ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    cdp = r.extension(ExtensionOID.CRL_DISTRIBUTION_POINTS)
    crl_urls: list[str] = []
    if cdp is not None and isinstance(cdp.value, x509.CRLDistributionPoints):
        for point in cdp.value:
            for gn in point.full_name or []:
                crl_urls.append(gn.value if isinstance(gn.value, str) else str(gn.value))
    aia = r.extension(ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    access: dict[str, list[str]] = {}
    if aia is not None and isinstance(aia.value, x509.AuthorityInformationAccess):
        for desc in aia.value:
            kind = "ocsp" if desc.access_method.dotted_string.endswith(".48.1") else "ca_issuers"
            loc = desc.access_location.value
            access.setdefault(kind, []).append(loc if isinstance(loc, str) else str(loc))
    critical = [_oid_name(e.oid) for e in r.extensions if e.critical]
    pub = r.read("public key", cert.public_key, None)
    sig_hash = r.read("signature hash", lambda: cert.signature_hash_algorithm, None)
    is_ca = bool(basic and basic.get("ca"))
    return CertificateInfo(
        subject=name_text(cert.subject),
        issuer=name_text(cert.issuer),
        common_name=common_name(cert.subject),
        serial=serial_hex(cert),
        version=cert.version.value + 1 if isinstance(cert.version, x509.Version) else 3,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        self_signed=r.read("signature", lambda: is_self_signed(cert), False),
        is_ca=is_ca,
        sans=info_sans,
        wildcard_names=[n for n in info_sans.dns + _cn_list(cert) if "*" in n],
        key=key_info(pub) if pub is not None else None,
        signature_algorithm=_oid_name(cert.signature_algorithm_oid),
        signature_hash=sig_hash.name if sig_hash is not None else None,
        basic_constraints=basic,
        key_usage=key_usage,
        extended_key_usage=ext_key_usage,
        subject_key_id=ski.value.digest.hex()
        if ski is not None and isinstance(ski.value, x509.SubjectKeyIdentifier)
        else None,
        authority_key_id=aki.value.key_identifier.hex()
        if aki is not None
        and isinstance(aki.value, x509.AuthorityKeyIdentifier)
        and aki.value.key_identifier is not None
        else None,
        crl_distribution_points=crl_urls,
        authority_info_access=access,
        critical_extensions=critical,
        fingerprint_sha1=fingerprint(cert, hashes.SHA1()),
        fingerprint_sha256=fingerprint(cert, hashes.SHA256()),
        unknown_subject_oids=unknown_oids(cert.subject),
        unknown_issuer_oids=unknown_oids(cert.issuer),
        problems=r.problems,
    )


def _cn_list(cert: x509.Certificate) -> list[str]:
    cn = common_name(cert.subject)
    return [cn] if cn else []


def _oid_name(oid: x509.ObjectIdentifier) -> str:
    """The OID's short name, or its dotted form when cryptography does not know it."""
    name = oid._name
    return oid.dotted_string if name == "Unknown OID" else name


def _oid_label(dotted: str) -> str:
    """An extension OID as 'name (dotted)' for messages."""
    try:
        name = x509.ObjectIdentifier(dotted)._name
    except ValueError:
        return dotted
    return dotted if name == "Unknown OID" else f"{name} ({dotted})"


def describe_request(csr: x509.CertificateSigningRequest) -> RequestInfo:
    """What a CSR asks for."""
    sans = SubjectAltNames()
    try:
        ext = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        sans = general_names(ext.value)
    except Exception:  # absent, duplicated or malformed
        pass
    try:
        key: KeyInfo | None = key_info(csr.public_key())
    except Exception:
        key = None
    return RequestInfo(subject=name_text(csr.subject), sans=sans, key=key, signature_valid=csr.is_signature_valid)


def describe_crl(crl: x509.CertificateRevocationList) -> CrlInfo:
    """Issuer, dates and revoked serials of a CRL."""
    serials = []
    for revoked in crl:
        text = format(revoked.serial_number, "x")
        serials.append(text if len(text) % 2 == 0 else "0" + text)
    return CrlInfo(
        issuer=name_text(crl.issuer),
        this_update=crl.last_update_utc,
        next_update=crl.next_update_utc,
        revoked_serials=serials,
    )
