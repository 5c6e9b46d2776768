"""Who checks and who is checked, and which CA certificates a trusted list lacks: params that name them.

Evidence sentences name the checker and the checked by these params ("{checker_name} does not trust the chain
that {checked_name} presents"), and the plan (certdoctor/plan.py) reads them to say on which nodes to act and
which CA certificate to append, by subject, serial and SHA-256 fingerprint. Lists are joined with LIST_SEP.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from certdoctor.facts.deployment import ROLE_NAMES, Deployment, Served
from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.naming import common_name, name_text, serial_hex
from certdoctor.x509.path import BuiltPath
from certdoctor.x509.store import TrustStore

#: Separates the entries of a list param (nodes, CA certificates): '; ' keeps a subject's commas readable.
LIST_SEP = "; "
#: Path problems that a CA certificate appended to the checker's trusted list would solve.
_CA_MISSING = ("chain.issuer-missing", "chain.anchor-not-root", "chain.root-not-trusted", "chain.leaf-self-signed")


def side_nodes(d: Deployment, role: str) -> list[str]:
    """The FQDNs of a side's nodes as the case names them (a cluster's nodes, the single box, or the cluster)."""
    if role == "cucm":
        return [n.fqdn for n in (d.case.cucm.nodes if d.case.cucm else []) if n.fqdn]
    side = d.case.expressway_c if role == "expressway_c" else d.case.expressway_e
    if side is None:
        return []
    names = [n.fqdn for n in side.all_nodes() if n.fqdn]
    return names or ([side.cluster_fqdn] if side.cluster_fqdn else [])


def checker_params(d: Deployment, role: str, store: str = "") -> dict[str, str]:
    """The side that checks with its trusted list: role key, display name with its nodes, the nodes."""
    key = ("checker", role, store)
    found = d.memo.get(key)
    if found is None:  # the same for every fact the side checks: made once per deployment
        nodes = side_nodes(d, role)
        name = ROLE_NAMES.get(role, role) + (f" {store}" if store else "")
        found = d.memo[key] = {
            "checker_role": role,
            "checker_name": f"{name} ({', '.join(nodes)})" if nodes else name,
            "checker_nodes": LIST_SEP.join(nodes),
        }
    return dict(found)


def checked_params(served: Served) -> dict[str, str]:
    """The node whose certificate is checked: role key, display name, node."""
    role = "cucm" if served.role.startswith("cucm") else served.role
    what = f" ({served.role.removeprefix('cucm ')} certificate)" if role == "cucm" else ""
    return {
        "checked_role": role,
        "checked_name": (
            served.node
            if served.node.startswith(ROLE_NAMES.get(role, role))
            else f"{ROLE_NAMES.get(role, role)} node {served.node}"
        )
        + what,
        "checked_node": served.node,
    }


@dataclass(frozen=True)
class UnknownCa:
    """A CA certificate the case does not hold: only its name and key id are known (from the child's issuer)."""

    subject: str
    key_id: str


def _known_certificates(d: Deployment) -> Iterable[CertFacts]:
    """Every certificate the case holds: what servers present (leaf and chain), then every trusted list."""
    for served in d.all_served():
        yield served.leaf
        yield from served.chain
    for store in (d.c_trust, d.e_trust, d.tomcat_trust, d.callmanager_trust):
        yield from store or []


def _issuer_in_case(d: Deployment, child: CertFacts) -> CertFacts | None:
    """The CA certificate the case holds anywhere that issued child (by name and key id), if any."""
    for cert in _known_certificates(d):
        bc = cert.basic_constraints
        if cert.fingerprint != child.fingerprint and bc is not None and bc.ca and child.likely_issued_by(cert):
            return cert
    return None


def missing_cas(d: Deployment, path: BuiltPath, store: TrustStore) -> list[CertFacts | UnknownCa]:
    """The CA certificates to append to store to anchor the path, nearest first (as held anywhere in the case)."""
    codes = {p.code for p in path.problems}
    if not codes & set(_CA_MISSING):
        return []
    out: list[CertFacts | UnknownCa] = []
    last = path.chain[-1]
    if "chain.root-not-trusted" in codes or "chain.leaf-self-signed" in codes:
        return [last]
    current: CertFacts | None = last
    for _ in range(8):  # a CA hierarchy is shallow; the bound stops a loop of cross-signed CAs
        if current is None or current.self_signed:
            break
        issuer = _issuer_in_case(d, current)
        if issuer is None:
            aki = current.aki.key_identifier if current.aki is not None else None
            name = common_name(current.cert.issuer) or name_text(current.cert.issuer)
            out.append(UnknownCa(name, aki.hex() if aki else ""))
            break
        if issuer in store:
            break
        out.append(issuer)
        current = issuer
    return out


def ca_params(cas: Iterable[CertFacts | UnknownCa]) -> dict[str, str]:
    """CA certificates as params: display labels, and subject, serial, SHA-256, key id and issuer lists."""
    items = list(cas)
    if not items:
        return {}
    rows = [_ca_row(c) for c in items]
    keys = ("ca", "ca_subject", "ca_serial", "ca_sha256", "ca_key_id", "ca_issuer")
    return {k: LIST_SEP.join(row[i] for row in rows) for i, k in enumerate(keys)}


def _ca_row(ca: CertFacts | UnknownCa) -> tuple[str, str, str, str, str, str]:
    """One CA certificate's label, subject (its CN, else the whole name), serial, SHA-256, key id, issuer (hex)."""
    if isinstance(ca, UnknownCa):
        return (f"'{ca.subject}'" + (f" (key id {ca.key_id})" if ca.key_id else ""), ca.subject, "", "", ca.key_id, "")
    cert = ca.cert
    cn = common_name(cert.subject)
    return (
        ca.label,
        cn or name_text(cert.subject),
        serial_hex(cert),
        ca.fingerprint.hex(),
        ca.ski.hex() if ca.ski else "",
        name_text(cert.issuer),
    )
