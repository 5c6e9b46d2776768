"""nameConstraints of CAs applied to the certificates below them (RFC 5280 4.2.1.10, OpenSSL rules)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.x509.oid import NameOID

from certdoctor.limits import MAX_NAME_CHECKS
from certdoctor.x509.certfacts import CertFacts, name_key

_HOSTNAME_LIKE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+\.?$")


def _dns_within(name: str, base: str) -> bool:
    """OpenSSL nc_dns: base matches name exactly or as a parent domain ('.x' means subdomains only)."""
    name = name.lower()
    base = base.lower()
    if not base:
        return True
    if len(name) > len(base):
        tail = name[len(name) - len(base) :]
        if not base.startswith(".") and name[len(name) - len(base) - 1] != ".":
            return False
        return tail == base
    return name == base


def _email_within(mail: str, base: str) -> bool:
    """OpenSSL nc_email: exact mailbox, '.domain' for subdomains, or the domain of the mailbox."""
    if "@" not in mail:
        return False
    local, _, domain = mail.rpartition("@")
    if "@" in base:
        b_local, _, b_domain = base.rpartition("@")
        return local == b_local and domain.lower() == b_domain.lower()
    if base.startswith("."):
        return domain.lower().endswith(base.lower())
    return domain.lower() == base.lower()


def _uri_within(uri: str, base: str) -> bool:
    """OpenSSL nc_uri: the host of the URI within base, as for DNS names."""
    try:
        host = urlsplit(uri).hostname
    except ValueError:
        return False
    if not host:
        return False
    if base.startswith("."):
        return host.lower().endswith(base.lower())
    return host.lower() == base.lower()


def _dir_within(name: x509.Name, base: x509.Name) -> bool:
    """A directory name is within base when base's RDNs are its leading RDNs."""
    n, b = name_key(name), name_key(base)
    return len(b) <= len(n) and n[: len(b)] == b


def _ip_within(
    addr: ipaddress.IPv4Address | ipaddress.IPv6Address, net: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> bool:
    return addr.version == net.version and addr in net


def _within(gn: x509.GeneralName, base: x509.GeneralName) -> bool | None:
    """Whether gn falls under base; None when base is of another type."""
    if isinstance(gn, x509.DNSName) and isinstance(base, x509.DNSName):
        return _dns_within(gn.value, base.value)
    if isinstance(gn, x509.RFC822Name) and isinstance(base, x509.RFC822Name):
        return _email_within(gn.value, base.value)
    if isinstance(gn, x509.UniformResourceIdentifier) and isinstance(base, x509.UniformResourceIdentifier):
        return _uri_within(gn.value, base.value)
    if isinstance(gn, x509.DirectoryName) and isinstance(base, x509.DirectoryName):
        return _dir_within(gn.value, base.value)
    if isinstance(gn, x509.IPAddress) and isinstance(base, x509.IPAddress):
        if isinstance(gn.value, ipaddress.IPv4Address | ipaddress.IPv6Address) and isinstance(
            base.value, ipaddress.IPv4Network | ipaddress.IPv6Network
        ):
            return _ip_within(gn.value, base.value)
        return False
    if type(gn) is type(base):
        return None if not isinstance(gn, x509.OtherName) else gn == base
    return None


def _check_name(gn: x509.GeneralName, nc: x509.NameConstraints) -> str | None:
    """'excluded' or 'not permitted' when gn violates nc, else None."""
    for base in nc.excluded_subtrees or []:
        if _within(gn, base):
            return "excluded"
    permitted = [b for b in nc.permitted_subtrees or [] if type(b) is type(gn)]
    if permitted and not any(_within(gn, b) for b in permitted):
        return "not permitted"
    return None


def _names_of(facts: CertFacts, *, leaf: bool) -> list[x509.GeneralName]:
    """The names nameConstraints apply to: subject DN, its e-mail attributes, SANs, and a leaf CN."""
    names: list[x509.GeneralName] = []
    subject = facts.cert.subject
    if len(subject) > 0:
        names.append(x509.DirectoryName(subject))
    for attr in subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS):
        if isinstance(attr.value, str):
            names.append(x509.RFC822Name(attr.value))
    names.extend(facts.sans)
    if leaf and not any(isinstance(g, x509.DNSName) for g in facts.sans):
        for attr in subject.get_attributes_for_oid(NameOID.COMMON_NAME):
            if isinstance(attr.value, str) and _HOSTNAME_LIKE.match(attr.value):
                names.append(x509.DNSName(attr.value))
    return names


def name_constraint_violations(chain: Sequence[CertFacts]) -> list[tuple[int, str]]:
    """(depth, message) for every name below a CA that its nameConstraints exclude or do not permit."""
    problems: list[tuple[int, str]] = []
    for i in range(len(chain) - 1, -1, -1):
        facts = chain[i]
        if i != 0 and facts.self_issued:
            continue
        for j in range(len(chain) - 1, i, -1):
            nc = chain[j].name_constraints
            if nc is None:
                continue
            names = _names_of(facts, leaf=i == 0)
            count = len(nc.permitted_subtrees or []) + len(nc.excluded_subtrees or [])
            if len(names) * count > MAX_NAME_CHECKS:
                problems.append(
                    (
                        i,
                        f"{facts.label} has {len(names)} names to check against "
                        f"{count} nameConstraints of {chain[j].label}: more than "
                        f"{MAX_NAME_CHECKS} comparisons, refused as OpenSSL does",
                    )
                )
                continue
            for gn in names:
                verdict = _check_name(gn, nc)
                if verdict:
                    shown = gn.value.rfc4514_string() if isinstance(gn, x509.DirectoryName) else str(gn.value)
                    problems.append(
                        (
                            i,
                            f"name '{shown}' on {facts.label} is {verdict} by the nameConstraints of {chain[j].label}",
                        )
                    )
    return problems
