"""The far end's trust: each endpoint's own CA list against what it connects to, and public-root migrations.

Phones carry a fixed CA list, TC/CE endpoints their own trusted CA list, Jabber its operating system's store
(Cisco Doc IDs 211304, 213872, 221845): the Expressway cannot fix what the far end does not trust. A public CA
moving to a new root (old root G2 -> new root R1, cross-signed) breaks whoever trusts only one of the two roots
when the chain sent leads to the other one (Cisco Doc IDs 217415, 220220, 226221).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509

from certdoctor.case import Endpoint
from certdoctor.facts.deployment import (
    Deployment,
    Served,
    chain_problems,
    first_reason,
    list_verdict,
    missing_ca,
    served_from,
)
from certdoctor.facts.fact import Facts
from certdoctor.facts.parties import LIST_SEP, UnknownCa, ca_params, checked_params, checker_params, missing_cas
from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.load import Unreadable
from certdoctor.x509.naming import common_name, is_ca, name_text
from certdoctor.x509.path import BuiltPath
from certdoctor.x509.store import TrustStore

#: How each kind of endpoint is named in sentences.
KIND_NAMES = {
    "phone": "IP phone",
    "ce-endpoint": "TC/CE endpoint",
    "jabber": "Jabber",
    "webex-app": "Webex app",
    "browser": "browser",
    "other": "client",
}
#: The trusted lists of the Expressways and Unified CM, as trust.duplicate_ca_subject names them.
_LIST_NAMES = (
    ("c_trust", "expressway_c trusted CA list"),
    ("e_trust", "expressway_e trusted CA list"),
    ("tomcat_trust", "cucm tomcat-trust"),
    ("callmanager_trust", "cucm CallManager-trust"),
)


@dataclass(frozen=True)
class FarEnd:
    """One endpoint of the case with its trusted list read (None when it gives none or a file is unreadable)."""

    index: int
    endpoint: Endpoint
    store: TrustStore | None

    @property
    def name(self) -> str:
        """The endpoint's name, or its kind and position."""
        return self.endpoint.name or f"{self.endpoint.kind} {self.index + 1}"

    @property
    def display(self) -> str:
        """'IP phone lobby (CP-8845, firmware 12.8(1))' for sentences."""
        e = self.endpoint
        details = [x for x in (e.model, e.firmware and f"firmware {e.firmware}") if x]
        extra = f" ({', '.join(details)})" if details else ""
        return f"{KIND_NAMES[self.endpoint.kind]} {self.name}{extra}"

    def params(self) -> dict[str, str]:
        """Params naming the endpoint (entity key `endpoint`) and it as the checker."""
        e = self.endpoint
        return {
            "endpoint": self.name,
            "kind": e.kind,
            "model": e.model or "",
            "firmware": e.firmware or "",
            "checker_role": "endpoint",
            "checker_name": self.display,
            "checker_nodes": self.name,
        }


def far_ends(d: Deployment, out: Facts) -> list[FarEnd]:
    """Every endpoint of the case with its own trusted list read from its files."""
    found: list[FarEnd] = []
    for i, endpoint in enumerate(d.case.endpoints):
        certs: list[x509.Certificate] = []
        complete = bool(endpoint.trusted_cas)
        for j, ref in enumerate(endpoint.trusted_cas):
            loaded = d.certs.read(ref, f"endpoints[{i}].trusted_cas[{j}]")
            if isinstance(loaded, Unreadable):
                complete = False
                out.notes.append(f"endpoints[{i}].trusted_cas[{j}] cannot be read: its trust was not checked")
                continue
            certs += loaded.certificates
        found.append(FarEnd(i, endpoint, TrustStore(certs) if complete else None))
    return found


def imp_servers(d: Deployment) -> list[Served]:
    """What each IM and Presence node presents (its tomcat certificate, chain sent with it)."""
    served: list[Served] = []
    cucm = d.case.cucm
    for i, node in enumerate(cucm.imp_nodes if cucm else []):
        if not node.certificate:
            continue
        loaded = d.certs.read(node.certificate, f"cucm.imp_nodes[{i}].certificate")
        if isinstance(loaded, Unreadable) or not loaded.certificates:
            continue
        served.append(served_from("imp tomcat", node.fqdn or f"IM and Presence node {i + 1}", loaded.certificates))
    return served


def _checked(served: Served) -> dict[str, str]:
    """Params naming the server whose certificate is checked (IM and Presence named as such)."""
    if served.role == "imp tomcat":
        name = f"IM and Presence node {served.node}"
        return {"checked_role": "imp", "checked_name": name, "checked_node": served.node}
    return checked_params(served)


def _judge(d: Deployment, far: FarEnd, store: TrustStore, servers: Sequence[Served]) -> tuple[Served, bool]:
    """The first server whose chain the endpoint's list does not validate, else the first server; and the verdict."""
    for served in servers:
        if chain_problems(d.path(served, store)):
            return served, False
    return servers[0], True


def endpoint_facts(d: Deployment, far: list[FarEnd], imp: list[Served], out: Facts) -> None:
    """endpoint.trusts_edge (MRA: the Expressway-E chain) and endpoint.trusts_onprem (Unified CM / IM and Presence)."""
    for end in far:
        if end.store is None:
            continue
        target = end.endpoint.connects_to or "expressway_e"
        if target == "expressway_e":
            fact, servers, what = "endpoint.trusts_edge", d.e, "Expressway-E"
        elif target in ("cucm", "imp"):
            fact, what = "endpoint.trusts_onprem", "Unified CM and IM and Presence"
            servers = d.tomcat + imp if end.endpoint.kind == "jabber" else (d.tomcat if target == "cucm" else imp)
        else:
            continue
        if not servers:
            continue
        served, trusted = _judge(d, end, end.store, servers)
        path = d.path(served, end.store)
        reason = first_reason(path)
        out.add(
            fact,
            trusted,
            "certificates",
            list_verdict(f"the trusted CA list of {end.display}", trusted, f"{what} ", served.node, path),
            ok=trusted,
            **end.params(),
            node=served.node,
            server=served.node,
            reason=reason,
            missing=missing_ca(path),
            certificate=served.leaf.label,
            **_checked(served),
            **_missing(missing_cas(d, path, end.store) if not trusted else []),
        )


def _missing(cas: Sequence[CertFacts | UnknownCa]) -> dict[str, str]:
    """ca_params plus `lacks`: each missing CA by subject and SHA-256 (or key id when the case lacks it)."""
    params = ca_params(cas)
    rows = []
    for ca in cas:
        if isinstance(ca, UnknownCa):
            rows.append(f"'{ca.subject}'" + (f" (key id {ca.key_id}, not in the case)" if ca.key_id else ""))
        else:
            cn = common_name(ca.cert.subject) or name_text(ca.cert.subject)
            rows.append(f"'{cn}' (SHA-256 {ca.fingerprint.hex()})")
    params["lacks"] = LIST_SEP.join(rows) or "no CA certificate is missing; the path fails for another reason"
    return params


def _case_cas(d: Deployment, far: list[FarEnd], imp: list[Served]) -> list[CertFacts]:
    """Every CA certificate the case holds, once: the Expressways' and Unified CM's, endpoints' lists, IM&P chains."""
    seen = {c.fingerprint for c in d.case_cas()}
    found = list(d.case_cas())
    for c in [c for end in far for c in end.store or []] + [c for s in imp for c in s.chain]:
        if c.fingerprint not in seen and is_ca(c.cert):
            seen.add(c.fingerprint)
            found.append(c)
    return found


def _bridge(top: CertFacts, cas: Iterable[CertFacts], store: TrustStore) -> CertFacts | None:
    """A cross-certificate linking the root the chain leads to with a root the checker trusts, if the case holds one.

    The chain leads to the root named `wanted` (the top certificate's issuer, or the top itself when it is a root);
    a cross-certificate carries that root's name and key but is signed by another root, one in the checker's list.
    The self-signed root must be in the case: else `wanted` may be an ordinary intermediate the chain lacks.
    """
    wanted = top.subject_key if top.self_signed else top.issuer_key
    cas = list(cas)
    if not any(c.self_signed and c.subject_key == wanted for c in cas):
        return None  # the chain leads to an intermediate, not a root: a plain missing CA, not a migration
    for cross in cas:
        if cross.subject_key == wanted and not cross.self_signed and store.issuer_candidates(cross):
            return cross
    return None


_Check = tuple[str, dict[str, str], TrustStore, Served]


def _checks(d: Deployment, far: list[FarEnd], imp: list[Served]) -> list[_Check]:
    """Every (checker, its params, its list, what it checks) of the case whose path decides a migration gap."""
    checks: list[_Check] = []
    for store, role, servers in ((d.c_trust, "expressway_c", d.e + d.tomcat), (d.e_trust, "expressway_e", d.c)):
        if store is not None:
            checks += [(role, checker_params(d, role), store, s) for s in servers]
    for end in far:
        if end.store is None:
            continue
        target = end.endpoint.connects_to or "expressway_e"
        servers = d.e if target == "expressway_e" else d.c if target == "expressway_c" else d.tomcat + imp
        checks += [(end.name, end.params(), end.store, s) for s in servers]
    return checks


def migration_facts(d: Deployment, far: list[FarEnd], imp: list[Served], out: Facts) -> None:
    """migration.bridge_missing per path: the checker trusts only the other root of a cross-signed pair."""
    cas = _case_cas(d, far, imp)
    for checker, params, store, served in _checks(d, far, imp):
        path = d.path(served, store)
        cross = None if not chain_problems(path) else _bridge(path.chain[-1], cas, store)
        if cross is not None:
            new_root = common_name(cross.cert.subject) or name_text(cross.cert.subject)
            old_root = common_name(cross.cert.issuer) or name_text(cross.cert.issuer)
            message = (
                f"{params['checker_name']} trusts only '{old_root}'; the chain {served.node} sends leads to "
                f"'{new_root}', and the cross-certificate {cross.label} that links them is not sent"
            )
        else:
            new_root = old_root = ""
            message = (
                f"no cross-signed root links {served.node}'s chain to another root {params['checker_name']} trusts"
            )
        out.add(
            "migration.bridge_missing",
            cross is not None,
            "certificates",
            message,
            ok=cross is None,
            **{k: v for k, v in params.items() if k not in ("kind", "model", "firmware")},
            checker=checker,
            node=served.node,
            new_root=new_root,
            old_root=old_root,
            reason=first_reason(path),
            **_checked(served),
            **ca_params([cross] if cross is not None else []),
        )
        through = _through_cross(path, store, cas) if chain_problems(path) else None
        out.add(
            "migration.path_through_cross",
            through is not None,
            "certificates",
            (
                f"{params['checker_name']} builds the path of {served.node} through {through.label} from its own list, "
                f"a cross-signed copy of a self-signed root, and fails: {first_reason(path)}"
            )
            if through is not None
            else f"the path {params['checker_name']} builds for {served.node} takes no cross-signed copy of a root",
            ok=through is None,
            **{k: v for k, v in params.items() if k not in ("kind", "model", "firmware")},
            checker=checker,
            node=served.node,
            cross=through.label if through is not None else "",
            reason=first_reason(path),
            **_checked(served),
        )


def _through_cross(path: BuiltPath, store: TrustStore, cas: Iterable[CertFacts]) -> CertFacts | None:
    """The cross-signed copy of a root that a failing path took from the checker's own list, if any."""
    roots = {c.subject_key for c in cas if c.self_signed} | {c.subject_key for c in store if c.self_signed}
    for cert, source in zip(path.chain, path.sources, strict=True):
        if source == "trusted" and not cert.self_signed and cert.subject_key in roots:
            return cert
    return None


def _lists(d: Deployment, far: list[FarEnd]) -> list[tuple[str, TrustStore]]:
    """Every trusted list of the case with its name."""
    named = [(name, getattr(d, attr)) for attr, name in _LIST_NAMES]
    named += [(f"trusted CA list of {end.display}", end.store) for end in far]
    return [(name, store) for name, store in named if store is not None]


def cross_sign_facts(d: Deployment, far: list[FarEnd], imp: list[Served], out: Facts) -> None:
    """migration.cross_sign_in_list per list: a cross-signed CA with the same subject (CN) as a self-signed root."""
    roots = {c.subject_key: c for c in _case_cas(d, far, imp) if c.self_signed}
    for name, store in _lists(d, far):
        roots_here = {c.subject_key: c for c in store if c.self_signed}
        crosses = [c for c in store if not c.self_signed and c.subject_key in {**roots, **roots_here}]
        cross = crosses[0] if crosses else None
        root = {**roots, **roots_here}[cross.subject_key] if cross is not None else None
        subject = (common_name(cross.cert.subject) or name_text(cross.cert.subject)) if cross is not None else ""
        signer = (common_name(cross.cert.issuer) or name_text(cross.cert.issuer)) if cross is not None else ""
        out.add(
            "migration.cross_sign_in_list",
            cross is not None,
            "certificates",
            (
                f"the {name} holds {cross.label}, a cross-certificate signed by '{signer}' with the same subject "
                f"as the self-signed root '{subject}'" + (" in the same list" if root in store else "")
            )
            if cross is not None and root is not None
            else f"the {name} holds no cross-signed copy of a root",
            ok=cross is None,
            list=name,
            subject=subject,
            signer=signer,
            cross=cross.label if cross is not None else "",
            root_in_list=str(root is not None and root in store).lower(),
            **ca_params([cross] if cross is not None else []),
        )


def far_end_facts(d: Deployment, out: Facts) -> None:
    """Endpoint trust, public-root migration gaps and cross-signed roots in trusted lists."""
    far = far_ends(d, out)
    imp = imp_servers(d)
    endpoint_facts(d, far, imp, out)
    migration_facts(d, far, imp, out)
    cross_sign_facts(d, far, imp, out)
