"""Is a host name or IP address on a certificate? RFC 6125 rules, and the OpenSSL variant Expressway uses."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from cryptography import x509

from certdoctor.errors import InputError
from certdoctor.x509.der import readable_extensions
from certdoctor.x509.naming import common_name, ip_or_none

MatchKind = Literal["san-dns", "san-ip", "cn"]


@dataclass(frozen=True)
class NameMatch:
    """Where a host was found on a certificate, if anywhere."""

    host: str
    matched: bool
    kind: MatchKind | None = None
    name: str | None = None
    dns_sans: tuple[str, ...] = ()
    ip_sans: tuple[str, ...] = ()
    cn: str | None = None

    @property
    def cn_only(self) -> bool:
        """The host is on the certificate only through its CN (no DNS SAN carries it)."""
        return self.kind == "cn"

    def names_text(self) -> str:
        """The names on the certificate, for messages."""
        parts = list(self.dns_sans) + list(self.ip_sans)
        text = ", ".join(parts) if parts else "no subjectAltName entries"
        return f"{text}; CN {self.cn}" if self.cn else text


def normalize_host(host: str) -> str:
    """Lower-case, without one trailing dot: how both RFC 6125 and OpenSSL compare host names."""
    host = host.strip().lower()
    return host[:-1] if host.endswith(".") and len(host) > 1 else host


def host_a_labels(host: str, source: str = "--host") -> str:
    """The host as certificates carry it: an internationalised name (IDN) as A-labels (xn--), else unchanged.

    cryptography accepts only A-labels, and a certificate's SAN holds them; a U-label host (bücher.example)
    is converted (IDNA 2008 with UTS 46 mapping when the idna package is present, else IDNA 2003), and
    one that cannot be converted is an InputError naming source, not a crash.
    """
    if host.isascii() or ip_or_none(host) is not None:
        return host
    try:
        host.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(source, "the host name is not valid text (invalid UTF-8?)") from None
    try:
        return _a_labels(host)
    except (UnicodeError, ValueError) as exc:  # idna.IDNAError is a UnicodeError
        raise InputError(source, f"'{host}' is not a valid internationalised host name ({exc})") from None


def _a_labels(host: str) -> str:
    """IDNA 2008 / UTS 46 through the idna package when installed, else the standard library's IDNA 2003."""
    try:
        import idna  # installed with the HTTP stack; optional here
    except ImportError:
        return host.encode("idna").decode("ascii").lower()
    return str(idna.encode(host, uts46=True).decode("ascii"))


def wildcard_matches(pattern: str, host: str, *, partial: bool) -> bool:
    """RFC 6125 6.4.3: '*' only in the left-most label, matching one label; partial ('f*') if allowed."""
    pattern = normalize_host(pattern)
    host = normalize_host(host)
    if "*" not in pattern:
        return pattern == host
    p_labels = pattern.split(".")
    h_labels = host.split(".")
    if pattern.count("*") != 1 or "*" not in p_labels[0] or len(p_labels) < 3:
        return False
    if len(p_labels) != len(h_labels) or p_labels[1:] != h_labels[1:]:
        return False
    star = p_labels[0]
    if star != "*" and not partial:
        return False
    if star != "*" and (star.startswith("xn--") or h_labels[0].startswith("xn--")):
        return False
    prefix, suffix = star.split("*")
    label = h_labels[0]
    if not label or len(label) < len(prefix) + len(suffix):
        return False
    return label.startswith(prefix) and label.endswith(suffix)


def match_host(cert: x509.Certificate, host: str, *, cn_fallback: bool, partial_wildcards: bool) -> NameMatch:
    """Check host (DNS name or IP literal) against the certificate's SANs, optionally its CN."""
    dns_sans: list[str] = []
    ip_sans: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    extensions, _ = readable_extensions(cert)
    try:
        san = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_sans = [n for n in san.get_values_for_type(x509.DNSName)]
        ip_sans = [
            a
            for a in san.get_values_for_type(x509.IPAddress)
            if isinstance(a, ipaddress.IPv4Address | ipaddress.IPv6Address)
        ]
    except x509.ExtensionNotFound:
        pass
    cn = common_name(cert.subject)
    kind: MatchKind | None = None
    matched_name: str | None = None
    address = ip_or_none(host)
    if address is not None:
        if address in ip_sans:
            kind, matched_name = "san-ip", str(address)
    else:
        matched_name = next((n for n in dns_sans if wildcard_matches(n, host, partial=partial_wildcards)), None)
        if matched_name is not None:
            kind = "san-dns"
        elif cn_fallback and not dns_sans and cn and wildcard_matches(cn, host, partial=partial_wildcards):
            kind, matched_name = "cn", cn
    return NameMatch(
        host=host,
        matched=kind is not None,
        kind=kind,
        name=matched_name,
        dns_sans=tuple(dns_sans),
        ip_sans=tuple(str(a) for a in ip_sans),
        cn=cn,
    )
