"""Naming certificates in messages, and the small questions about them every layer asks."""

from __future__ import annotations

import ipaddress

from cryptography import x509
from cryptography.x509.oid import NameOID

from certdoctor.x509.der import readable_extensions
from certdoctor.x509.signatures import signed_by

#: Attribute OIDs Expressway decodes; anything else in a subject or issuer breaks SSH tunnels (N7).
KNOWN_NAME_OIDS = {
    NameOID.COMMON_NAME,
    NameOID.COUNTRY_NAME,
    NameOID.LOCALITY_NAME,
    NameOID.STATE_OR_PROVINCE_NAME,
    NameOID.STREET_ADDRESS,
    NameOID.ORGANIZATION_NAME,
    NameOID.ORGANIZATIONAL_UNIT_NAME,
    NameOID.SERIAL_NUMBER,
    NameOID.SURNAME,
    NameOID.GIVEN_NAME,
    NameOID.TITLE,
    NameOID.GENERATION_QUALIFIER,
    NameOID.DN_QUALIFIER,
    NameOID.PSEUDONYM,
    NameOID.DOMAIN_COMPONENT,
    NameOID.EMAIL_ADDRESS,
    NameOID.POSTAL_CODE,
    NameOID.JURISDICTION_COUNTRY_NAME,
    NameOID.JURISDICTION_LOCALITY_NAME,
    NameOID.JURISDICTION_STATE_OR_PROVINCE_NAME,
    NameOID.BUSINESS_CATEGORY,
    NameOID.USER_ID,
    NameOID.INITIALS,
}


def name_text(name: x509.Name) -> str:
    """RFC 4514 text of a name; unknown attribute OIDs are shown dotted, as OpenSSL does."""
    try:
        return name.rfc4514_string()
    except ValueError:
        return ",".join(f"{a.oid.dotted_string}=?" for a in name)


def common_name(name: x509.Name) -> str | None:
    """The last CN of a name (the one OpenSSL uses), or None."""
    try:
        values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    except ValueError:
        return None
    if not values:
        return None
    value = values[-1].value
    return value if isinstance(value, str) else value.decode("latin-1")


def label(cert: x509.Certificate) -> str:
    """How findings name a certificate: its CN (or subject) and serial."""
    cn = common_name(cert.subject)
    who = f"'{cn}'" if cn else f"'{name_text(cert.subject) or '(empty subject)'}'"
    return f"{who} (serial {serial_hex(cert)})"


def serial_hex(cert: x509.Certificate) -> str:
    """Serial number in hex, lowercase, even length."""
    text = format(cert.serial_number, "x")
    return text if len(text) % 2 == 0 else "0" + text


def unknown_oids(name: x509.Name) -> list[str]:
    """Dotted OIDs in a name that Expressway does not decode."""
    return [a.oid.dotted_string for a in name if a.oid not in KNOWN_NAME_OIDS]


def is_ca(cert: x509.Certificate) -> bool:
    """basicConstraints says CA:TRUE (an unreadable extension list counts as not a CA)."""
    extensions, _ = readable_extensions(cert)
    try:
        bc = extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return bc.value.ca


def is_self_signed(cert: x509.Certificate) -> bool:
    """Subject equals issuer and the certificate's own key verifies its signature."""
    if cert.subject != cert.issuer:
        return False
    return signed_by(cert, cert)


def ip_or_none(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address in text, or None when it is a DNS name."""
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None
