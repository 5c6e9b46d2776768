"""Turn a case and its certificates into flat facts for the rules: one function per kind of check."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from certdoctor.case import Case, CertificateSource, Expressway
from certdoctor.errors import InputError
from certdoctor.kb import Choice, FactValue, KnowledgeBase
from certdoctor.symptoms import Recognition, normalise, recognise
from certdoctor.x509.certfacts import CLIENT_AUTH, CertFacts
from certdoctor.x509.findings import Finding
from certdoctor.x509.load import LoadedFile
from certdoctor.x509.names import NameMatch, match_host, wildcard_matches
from certdoctor.x509.naming import ip_or_none, is_ca, label, unknown_oids
from certdoctor.x509.path import BuiltPath, judge_path
from certdoctor.x509.store import TrustStore
from certdoctor.x509.upload import upload_verdict


@dataclass
class Fact:
    """One established fact: a name from knowledge/facts.yaml, its value and what it is about.

    Internal (never read from outside), so a dataclass: seventy of these per diagnosis need no validation.
    """

    name: str
    value: FactValue
    source: str
    params: dict[str, str] = field(default_factory=dict)
    message: str = ""
    ok: bool | None = None

    def engine_form(self) -> dict[str, object]:
        """The dict asserted into the rules engine (no reserved 'id'/'sid' keys)."""
        return {"name": self.name, "value": self.value, "params": dict(self.params)}


@dataclass(eq=False)
class Served:
    """A certificate one server presents: the leaf, the chain sent with it, where it came from."""

    role: str
    node: str
    leaf: CertFacts
    chain: list[CertFacts]

    @cached_property
    def _match(self) -> NameMatch:
        """The leaf's names, read once (a host that matches nothing, just to collect them)."""
        return match_host(self.leaf.cert, "invalid.invalid", cn_fallback=False, partial_wildcards=False)

    @property
    def names(self) -> str:
        """Names on the leaf, for messages."""
        m = self._match
        return ", ".join(m.dns_sans + m.ip_sans) or f"(no SAN; CN {m.cn})"

    def has_name(self, host: str, *, cn: bool = False) -> bool:
        """host is a SAN (DNS or IP) of the leaf; with cn, also the CN when there is no DNS SAN."""
        m = self._match
        address = ip_or_none(host)
        if address is not None:
            return str(address) in m.ip_sans
        if any(wildcard_matches(n, host, partial=False) for n in m.dns_sans):
            return True
        return cn and not m.dns_sans and bool(m.cn) and wildcard_matches(m.cn or "", host, partial=False)


@dataclass
class Facts:
    """Everything established about a case, plus what the pasted text did not match."""

    items: list[Fact] = field(default_factory=list)
    recognition: Recognition = field(default_factory=Recognition)

    def values(self) -> dict[str, list[FactValue]]:
        """Every value each fact name has (one per instance), as the rules' Python twin reads them."""
        values: dict[str, list[FactValue]] = {}
        for f in self.items:
            values.setdefault(f.name, []).append(f.value)
        return values

    def add(
        self,
        name: str,
        value: FactValue,
        source: str,
        message: str = "",
        /,
        *,
        ok: bool | None = None,
        **params: object,
    ) -> None:
        """Record one fact instance."""
        self.items.append(
            Fact(
                name=name,
                value=value,
                source=source,
                message=message,
                ok=ok,
                params={k: str(v) for k, v in params.items()},
            )
        )

    def known(self) -> set[str]:
        """Names of the facts established."""
        return {f.name for f in self.items}

    def findings(self) -> list[Finding]:
        """The certificate checks that ran, as findings (pass and fail)."""
        return [
            Finding(
                severity="pass" if f.ok else "error",
                code=f.name,
                message=f.message,
                certificate=f.params.get("certificate") or f.params.get("node"),
            )
            for f in self.items
            if f.source == "certificates" and f.message and f.ok is not None
        ]


# --------------------------------------------------------------------------- case fields

_UP = ("active", "up", "on", "omhoog", "actief")
_DOWN = ("failed", "down", "fail", "error", "tls", "negotiation", "omlaag", "mislukt", "onderhandelingsfout")


def zone_state(text: str) -> str | None:
    """'up' or 'down' from how a zone status was written; None when it says neither."""
    words = set(re.findall(r"[a-z]+", normalise(text)))
    if words & set(_DOWN):
        return "down"
    if words & set(_UP):
        return "up"
    return None


def version_tuple(text: str) -> tuple[int, ...] | None:
    """(14, 0, 2) from 'X14.0.2' or '14.0.2'; None when unreadable."""
    m = re.search(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
    if not m:
        return None
    return tuple(int(p) for p in m.groups(default="0"))


def case_facts(case: Case, out: Facts) -> None:
    """Facts read from structured case fields."""
    s = case.symptoms
    if s.zone_status and (state := zone_state(s.zone_status)):
        out.add("zone.status", state, "case", value=s.zone_status)
    if s.ssh_tunnels:
        out.add("ssh.tunnels", s.ssh_tunnels, "case", value=s.ssh_tunnels)
    if s.mra_login:
        out.add("mra.login", s.mra_login, "case", value=s.mra_login)
    if s.jabber_warning:
        out.add("jabber.warning", True, "case", value=str(s.jabber_warning))
    if s.upload_error:
        out.add("upload.failed", True, "case", value=s.upload_error)
    if s.upload_page:
        out.add("upload.page", s.upload_page, "case", value=s.upload_page)
    problem = _reported_problem(case)
    if problem:
        out.add("report.problem", problem, "case", value=problem)
    changes = set(s.recent_changes)
    if s.previous_version and s.version and version_tuple(s.previous_version) != version_tuple(s.version):
        changes.add("upgrade")
    for change in ("upgrade", "certificate-renewal", "ca-change", "cluster-change"):
        if s.recent_changes or change in changes:
            out.add(f"change.{change.replace('-', '_')}", change in changes, "case", value=change)
    if s.version and (v := version_tuple(s.version)):
        out.add("version.traffic_server_verifies", v >= (14, 0, 2), "case", value=s.version)
    sides = [x for x in (case.expressway_c, case.expressway_e) if x is not None]
    if sides:
        clustered = any(len(x.all_nodes()) > 1 or x.cluster_fqdn for x in sides)
        out.add("cluster.is_cluster", clustered, "case", value=str(clustered))


def _reported_problem(case: Case) -> str | None:
    """What the customer sees, when the case's symptoms already say it (so it is not asked again)."""
    s = case.symptoms
    if s.upload_error:
        return "upload-error"
    if s.ssh_tunnels == "down" and (not s.zone_status or zone_state(s.zone_status) == "up"):
        return "ssh-down"
    if s.zone_status and zone_state(s.zone_status) == "down":
        return "zone-down"
    if s.mra_login == "failed":
        return "mra-login-failed"
    if s.jabber_warning:
        return "jabber-warning"
    return None


def symptom_facts(recognition: Recognition, out: Facts) -> None:
    """Facts established by recognised text."""
    for name, value, where in recognition.facts():
        out.add(name, value, "symptoms", text=where.excerpt, field=where.field, pattern=where.pattern.id)


# --------------------------------------------------------------------------- certificates


class Deployment:
    """The case's certificates loaded once: what each server presents and what each side trusts."""

    def __init__(self, case: Case, certs: CertificateSource, at: datetime) -> None:
        self.case = case
        self.at = at
        self.certs = certs
        self.crls: list[x509.CertificateRevocationList] = []
        for i, ref in enumerate(case.crls):
            self.crls += certs.load(ref, f"crls[{i}]").crls
        self.c = self._served("expressway_c", case.expressway_c)
        self.e = self._served("expressway_e", case.expressway_e)
        self.c_trust = self._store(
            "expressway_c.trusted_cas", case.expressway_c.trusted_cas if case.expressway_c else []
        )
        self.e_trust = self._store(
            "expressway_e.trusted_cas", case.expressway_e.trusted_cas if case.expressway_e else []
        )
        cucm = case.cucm
        self.tomcat: list[Served] = []
        self.callmanager: list[Served] = []
        if cucm is not None:
            for i, node in enumerate(cucm.nodes):
                name = node.fqdn or f"cucm node {i + 1}"
                if node.certificate:
                    self.tomcat += self._one("cucm tomcat", name, node.certificate, f"cucm.nodes[{i}].certificate")
                if node.callmanager_certificate:
                    self.callmanager += self._one(
                        "cucm callmanager",
                        name,
                        node.callmanager_certificate,
                        f"cucm.nodes[{i}].callmanager_certificate",
                    )
        self.tomcat_trust = self._store("cucm.tomcat_trust", cucm.tomcat_trust if cucm else [])
        self.callmanager_trust = self._store("cucm.callmanager_trust", cucm.callmanager_trust if cucm else [])
        self._paths: dict[tuple[int, int, bool], BuiltPath] = {}

    def _one(self, role: str, node: str, ref: str, field_path: str) -> list[Served]:
        loaded = self.certs.load(ref, field_path)
        if not loaded.certificates:
            return []
        leaf = next((c for c in loaded.certificates if not is_ca(c)), loaded.certificates[0])
        chain = [CertFacts(c) for c in loaded.certificates if c is not leaf]
        return [Served(role, node, CertFacts(leaf), chain)]

    def _served(self, role: str, side: Expressway | None) -> list[Served]:
        if side is None:
            return []
        served: list[Served] = []
        nodes = side.all_nodes()
        for i, node in enumerate(nodes):
            if node.certificate:
                where = f"{role}.nodes[{i}].certificate" if side.nodes else f"{role}.certificate"
                served += self._one(role, node.fqdn or f"{role} node {i + 1}", node.certificate, where)
        return served

    def _store(self, field_path: str, refs: Sequence[str]) -> TrustStore | None:
        if not refs:
            return None
        certs: list[x509.Certificate] = []
        for i, ref in enumerate(refs):
            certs += self.certs.load(ref, f"{field_path}[{i}]").certificates
        return TrustStore(certs)

    def path(self, served: Served, store: TrustStore, *, with_chain: bool = True) -> BuiltPath:
        """The Expressway-compatible judgement of what served presents, against store (cached)."""
        key = (id(served), id(store), with_chain)
        if key not in self._paths:
            self._paths[key] = judge_path(
                served.leaf, served.chain if with_chain else [], store, self.at, crls=self.crls
            )
        return self._paths[key]


def _first_reason(path: BuiltPath) -> str:
    return path.problems[0].message if path.problems else "trusted"


def _missing(path: BuiltPath) -> str:
    issuer = next(
        (
            p.message
            for p in path.problems
            if p.code in ("chain.issuer-missing", "chain.anchor-not-root", "chain.root-not-trusted")
        ),
        "",
    )
    return issuer


def _on_cert(served: Served, host: str, *, cn: bool = False) -> bool:
    return served.has_name(host, cn=cn)


def upload_facts(d: Deployment, out: Facts) -> None:
    """Format, trust and key checks on the file being uploaded."""
    upload = d.case.upload
    if upload is None:
        return
    loaded = d.certs.load(upload.file, "upload.file")
    verdict = upload_verdict(loaded)
    out.add(
        "upload.format_ok",
        verdict.accepted,
        "certificates",
        f"upload file {upload.file} ({loaded.format.value}) "
        + (
            "is a single PEM server certificate"
            if verdict.accepted
            else "is not accepted as is: " + "; ".join(verdict.reasons)
        ),
        ok=verdict.accepted,
        file=upload.file,
        format=loaded.format.value,
        reasons="; ".join(verdict.reasons),
    )
    if not loaded.certificates:
        return
    leaf_cert = next((c for c in loaded.certificates if not is_ca(c)), loaded.certificates[0])
    target = upload.target
    store = d.c_trust if target == "expressway_c" else d.e_trust if target == "expressway_e" else None
    if store is not None:
        served = Served(f"upload to {target}", target or "", CertFacts(leaf_cert), [])
        path = d.path(served, store, with_chain=False)
        chain_problems = [p for p in path.problems if p.code.startswith("chain.")]
        trusted = not chain_problems
        out.add(
            "upload.chain_trusted",
            trusted,
            "certificates",
            f"the CAs of {label(leaf_cert)} are "
            + ("all in the trusted list" if trusted else f"not all in the trusted list: {chain_problems[0].message}"),
            ok=trusted,
            file=upload.file,
            target=str(target),
            missing=_missing(path),
            certificate=label(leaf_cert),
        )
    if upload.key:
        key_file = d.certs.load(upload.key, "upload.key")
        keys = [k.key for k in key_file.private_keys if k.key is not None]
        if keys:
            matches = _public_der(keys[0]) == _public_der(leaf_cert.public_key())
            out.add(
                "upload.key_matches",
                matches,
                "certificates",
                f"the private key in {upload.key} "
                + ("belongs to" if matches else "does NOT belong to")
                + f" {label(leaf_cert)}",
                ok=matches,
                file=upload.file,
                key=upload.key,
                certificate=label(leaf_cert),
            )


def _public_der(key: object) -> bytes:
    """SubjectPublicKeyInfo DER of a public key, or of a private key's public half."""
    from cryptography.hazmat.primitives import serialization  # only with an upload key

    public: Any = key.public_key() if hasattr(key, "public_key") else key
    der: bytes = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return der


def zone_facts(d: Deployment, out: Facts) -> None:
    """Traversal zone names both ways, and each side's trust in the other's certificate."""
    c, e = d.case.expressway_c, d.case.expressway_e
    if c and c.traversal_zone and d.e:
        for peer in c.traversal_zone.peer_addresses:
            covering = [s for s in d.e if _on_cert(s, peer)]
            on = bool(covering)
            names = "; ".join(s.names for s in d.e)
            out.add(
                "zone.peer_address_on_e_cert",
                bool(on),
                "certificates",
                f"expressway_c peer address '{peer}' "
                + ("is" if on else "is not")
                + f" among the names on the expressway_e certificate: {names}",
                ok=bool(on),
                peer=peer,
                names=names,
                node=", ".join(s.node for s in d.e),
            )
    if e and e.traversal_zone and e.traversal_zone.tls_verify_subject_name and d.c:
        name = e.traversal_zone.tls_verify_subject_name
        for served in d.c:
            on = _on_cert(served, name)
            out.add(
                "zone.tls_verify_name_on_c_certs",
                on,
                "certificates",
                f"expressway_e TLS verify subject name '{name}' "
                + ("is" if on else "is not")
                + f" a name on the certificate of {served.node}: "
                f"{served.names}",
                ok=on,
                name=name,
                node=served.node,
                names=served.names,
            )
        if c and (c.cluster_fqdn or len(d.c) > 1):
            cluster = c.cluster_fqdn or ""
            same = bool(cluster) and name.lower().rstrip(".") == cluster.lower().rstrip(".")
            out.add(
                "zone.tls_verify_name_is_cluster_fqdn",
                same,
                "certificates",
                f"TLS verify subject name '{name}' "
                + ("is" if same else "is not")
                + f" the Expressway-C cluster FQDN '{cluster or '(not given)'}'",
                ok=same,
                name=name,
                cluster_fqdn=cluster or "(not given)",
            )
    for fact, servers, store, checker in (
        ("trust.c_trusts_e", d.e, d.c_trust, "expressway_c"),
        ("trust.e_trusts_c", d.c, d.e_trust, "expressway_e"),
    ):
        if store is None:
            continue
        for served in servers:
            path = d.path(served, store)
            trusted = not [p for p in path.problems if p.code.startswith("chain.")]
            out.add(
                fact,
                trusted,
                "certificates",
                f"{checker}'s trusted CA list "
                + ("validates" if trusted else "does not validate")
                + f" the certificate of {served.node}: {_first_reason(path)}",
                ok=trusted,
                node=served.node,
                reason=_first_reason(path),
                missing=_missing(path),
                certificate=served.leaf.label,
            )
            _intermediate_fact(d, served, store, checker, path, out)


def _intermediate_fact(
    d: Deployment, served: Served, store: TrustStore, checker: str, path: BuiltPath, out: Facts
) -> None:
    """The seed's SSH-tunnel case: trusted only thanks to an intermediate sent in the chain."""
    if not path.anchored:
        return
    offered = [f for f, s in zip(path.chain, path.sources, strict=True) if s == "chain"]
    out.add(
        "trust.intermediate_missing",
        bool(offered),
        "certificates",
        (
            f"intermediate {offered[0].label} is sent by {served.node} but is not in {checker}'s trusted CA "
            "list: TLS works, SSH tunnels need it trusted"
        )
        if offered
        else f"every CA of {served.node}'s path is in {checker}'s trusted CA list",
        ok=not offered,
        side=checker,
        node=served.node,
        intermediate=offered[0].label if offered else "",
        certificate=served.leaf.label,
    )


def cucm_facts(d: Deployment, out: Facts) -> None:
    """Unified CM trusts Expressway-C (tomcat/CallManager-trust), and Expressway-C trusts Unified CM."""
    for fact, store, which in (
        ("trust.cucm_tomcat_trusts_c", d.tomcat_trust, "tomcat-trust"),
        ("trust.cucm_callmanager_trusts_c", d.callmanager_trust, "CallManager-trust"),
    ):
        if store is None:
            continue
        for served in d.c:
            path = d.path(served, store, with_chain=False)
            trusted = not [p for p in path.problems if p.code.startswith("chain.")]
            out.add(
                fact,
                trusted,
                "certificates",
                f"Unified CM {which} "
                + ("holds" if trusted else "does not hold")
                + f" the whole CA chain of {served.node}'s certificate: {_first_reason(path)}",
                ok=trusted,
                node=served.node,
                missing=_missing(path),
                certificate=served.leaf.label,
            )
    if d.c_trust is not None:
        for served in d.tomcat + d.callmanager:
            path = d.path(served, d.c_trust)
            trusted = not [p for p in path.problems if p.code.startswith("chain.")]
            which = served.role.removeprefix("cucm ")
            out.add(
                "trust.c_trusts_cucm",
                trusted,
                "certificates",
                "expressway_c's trusted CA list "
                + ("validates" if trusted else "does not validate")
                + f" the {which} certificate of {served.node}: {_first_reason(path)}",
                ok=trusted,
                server=served.node,
                which=which,
                reason=_first_reason(path),
                certificate=served.leaf.label,
            )
    c = d.case.expressway_c
    if c and c.cucm_servers and d.tomcat:
        for server in c.cucm_servers:
            matching = [s for s in d.tomcat if _on_cert(s, server, cn=True)]
            on = bool(matching)
            names = "; ".join(s.names for s in d.tomcat)
            out.add(
                "cucm.server_name_on_cert",
                bool(on),
                "certificates",
                f"Unified CM server '{server}' (as added on Expressway-C) "
                + ("is" if on else "is not")
                + f" a name on the Unified CM tomcat certificate: {names}",
                ok=bool(on),
                server=server,
                names=names,
            )


def jabber_facts(d: Deployment, out: Facts) -> None:
    """The sign-in domain or collab-edge.<domain> on the Expressway-E certificate."""
    jabber = d.case.jabber
    if not jabber or not jabber.domain or not d.e:
        return
    domain = jabber.domain.strip().rstrip(".")
    for served in d.e:
        on = _on_cert(served, domain) or _on_cert(served, f"collab-edge.{domain}")
        out.add(
            "jabber.domain_on_e_cert",
            on,
            "certificates",
            f"neither '{domain}' nor 'collab-edge.{domain}' is a SAN on the expressway_e certificate of "
            f"{served.node}: {served.names}"
            if not on
            else f"the Jabber domain '{domain}' is covered by the certificate of {served.node}",
            ok=on,
            domain=domain,
            names=served.names,
            node=served.node,
        )


def _served_all(d: Deployment) -> list[Served]:
    return d.c + d.e + d.tomcat + d.callmanager


def name_facts(d: Deployment, out: Facts) -> None:
    """Each node's own FQDN on its own certificate."""
    for served in _served_all(d):
        if served.node and "." in served.node and not served.node.startswith(("expressway_", "cucm node")):
            on = _on_cert(served, served.node, cn=served.role.startswith("cucm"))
            out.add(
                "cert.own_name_on_cert",
                on,
                "certificates",
                f"{served.node} " + ("is" if on else "is not") + f" a name on its own certificate ({served.names})",
                ok=on,
                node=served.node,
                names=served.names,
                certificate=served.leaf.label,
            )


def _validity(d: Deployment) -> Iterable[tuple[CertFacts, str]]:
    """Every distinct certificate the case presents or trusts, with its role."""
    seen: set[bytes] = set()
    for served in _served_all(d):
        for facts, role in [(served.leaf, served.role)] + [(c, f"{served.role} chain") for c in served.chain]:
            if facts.fingerprint not in seen:
                seen.add(facts.fingerprint)
                yield facts, role
    for store, role in (
        (d.c_trust, "expressway_c trusted CA"),
        (d.e_trust, "expressway_e trusted CA"),
        (d.tomcat_trust, "cucm tomcat-trust"),
        (d.callmanager_trust, "cucm CallManager-trust"),
    ):
        for facts in store or []:
            if facts.fingerprint not in seen:
                seen.add(facts.fingerprint)
                yield facts, role


def certificate_facts(d: Deployment, out: Facts) -> None:
    """Validity, revocation, EKU, weak crypto, wildcards and unknown OIDs of every certificate."""
    at = d.at
    for facts, role in _validity(d):
        expired = at >= facts.not_after
        early = at < facts.not_before
        when = (
            f"expired on {facts.not_after:%Y-%m-%d}"
            if expired
            else f"not valid until {facts.not_before:%Y-%m-%d}"
            if early
            else f"valid until {facts.not_after:%Y-%m-%d}"
        )
        out.add(
            "cert.expired",
            expired or early,
            "certificates",
            f"{role} certificate {facts.label} {when}",
            ok=not (expired or early),
            certificate=facts.label,
            role=role,
            when=when,
        )
        if early:
            out.add(
                "cert.not_yet_valid",
                True,
                "certificates",
                f"{role} certificate {facts.label} is not valid until {facts.not_before:%Y-%m-%d %H:%M}Z",
                ok=False,
                certificate=facts.label,
                role=role,
            )
    if d.crls:
        revoked: dict[str, str] = {}
        stale: dict[str, str] = {}
        for path in d._paths.values():
            for p in path.problems:
                who = path.chain[p.depth].label if p.depth < len(path.chain) else ""
                if p.code == "revocation.revoked":
                    revoked[who] = p.message
                elif p.code == "revocation.crl-expired":
                    stale[who] = p.message
        for served in _served_all(d):
            msg = revoked.get(served.leaf.label)
            out.add(
                "cert.revoked",
                msg is not None,
                "certificates",
                msg or f"{served.leaf.label} is not on any supplied CRL",
                ok=msg is None,
                certificate=served.leaf.label,
                role=served.role,
                crl=msg or "",
            )
        for who, msg in stale.items():
            out.add("cert.crl_expired", True, "certificates", msg, ok=False, crl=msg, certificate=who)
    for served in d.c + d.e + d.callmanager:
        eku = served.leaf.eku
        missing = eku is not None and CLIENT_AUTH not in eku
        out.add(
            "cert.client_auth_missing",
            missing,
            "certificates",
            f"{served.role} certificate {served.leaf.label} "
            + ("lacks" if missing else "has")
            + " TLS Web Client Authentication (clientAuth)",
            ok=not missing,
            certificate=served.leaf.label,
            role=served.role,
        )
    for served in _served_all(d):
        weak = _weakness(served.leaf)
        out.add(
            "cert.weak_crypto",
            bool(weak),
            "certificates",
            f"{served.role} certificate {served.leaf.label}: " + (weak or "SHA-2 signature, key size fine"),
            ok=not weak,
            certificate=served.leaf.label,
            role=served.role,
            weakness=weak or "none",
        )
    for served in d.c + d.e:
        m = served._match
        wild = [n for n in (*m.dns_sans, m.cn or "") if "*" in n]
        out.add(
            "cert.wildcard",
            bool(wild),
            "certificates",
            f"{served.role} certificate {served.leaf.label} "
            + (f"carries wildcard name(s) {', '.join(wild)}" if wild else "has no wildcard name"),
            ok=not wild,
            certificate=served.leaf.label,
            role=served.role,
            names=", ".join(wild),
        )
        oids = unknown_oids(served.leaf.cert.subject) + unknown_oids(served.leaf.cert.issuer)
        out.add(
            "cert.unknown_oid",
            bool(oids),
            "certificates",
            f"{served.role} certificate {served.leaf.label} "
            + (
                f"has undecoded OID(s) {', '.join(oids)} in subject/issuer"
                if oids
                else "has only standard subject/issuer attributes"
            ),
            ok=not oids,
            certificate=served.leaf.label,
            oids=", ".join(oids),
        )


def _weakness(facts: CertFacts) -> str:
    parts = []
    try:
        sig = facts.cert.signature_hash_algorithm
    except Exception:
        sig = None
    if isinstance(sig, hashes.SHA1 | hashes.MD5):
        parts.append(f"{sig.name.upper()} signature")
    key = facts.public_key
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            parts.append(f"{key.key_size}-bit RSA key")
        elif key.key_size >= 8192:
            parts.append(f"{key.key_size}-bit RSA key (SIP TLS zones may fail)")
    return ", ".join(parts)


def cluster_facts(d: Deployment, out: Facts) -> None:
    """Cluster peers' certificates: cluster FQDN present, own FQDN present, no certificate on two peers."""
    for side, served in ((d.case.expressway_c, d.c), (d.case.expressway_e, d.e)):
        if side is None or (len(served) < 2 and not side.cluster_fqdn):
            continue
        cluster = side.cluster_fqdn
        if cluster and served is d.c:
            for s in served:
                on = _on_cert(s, cluster)
                out.add(
                    "cert.cluster_fqdn_on_cert",
                    on,
                    "certificates",
                    f"cluster FQDN '{cluster}' "
                    + ("is" if on else "is not")
                    + f" on the certificate of {s.node} ({s.names})",
                    ok=on,
                    node=s.node,
                    cluster_fqdn=cluster,
                    names=s.names,
                    certificate=s.leaf.label,
                )
        if len(served) < 2:
            continue
        prints: dict[bytes, str] = {}
        for s in served:
            problem = ""
            if s.leaf.fingerprint in prints:
                problem = f"{s.node} presents the same certificate as {prints[s.leaf.fingerprint]}"
            elif "." in s.node and not _on_cert(s, s.node):
                problem = f"{s.node}'s own FQDN is not on its certificate ({s.names})"
            prints.setdefault(s.leaf.fingerprint, s.node)
            out.add(
                "cluster.certificates_consistent",
                not problem,
                "certificates",
                problem or f"{s.node}'s certificate fits the cluster",
                ok=not problem,
                node=s.node,
                problem=problem,
                certificate=s.leaf.label,
            )


def trust_list_facts(d: Deployment, out: Facts) -> None:
    """Duplicate CA subjects in each trusted list."""
    for store, name in (
        (d.c_trust, "expressway_c trusted CA list"),
        (d.e_trust, "expressway_e trusted CA list"),
        (d.tomcat_trust, "cucm tomcat-trust"),
        (d.callmanager_trust, "cucm CallManager-trust"),
    ):
        if store is None:
            continue
        dups = store.duplicate_subjects()
        for dup in dups:
            out.add(
                "trust.duplicate_ca_subject",
                True,
                "certificates",
                f"the {name} holds {len(dup.entries)} different CA certificates with subject '{dup.subject}'",
                ok=False,
                list=name,
                subject=dup.subject,
            )
        if not dups:
            out.add(
                "trust.duplicate_ca_subject",
                False,
                "certificates",
                f"the {name} has no duplicate CA subjects",
                ok=True,
                list=name,
                subject="",
            )


#: Certificate checks whose failure alone can break a connection (cert.any_defect sums them up).
DEFECT_FACTS = frozenset(
    {"cert.expired", "cert.not_yet_valid", "cert.revoked", "cert.crl_expired", "cert.client_auth_missing",
     "cert.weak_crypto", "cert.unknown_oid", "cert.wildcard"}
)


def summary_facts(out: Facts) -> None:
    """Generic facts over everything checked: any path untrusted, any name mismatch, any certificate defect."""
    untrusted = [
        f
        for f in out.items
        if f.name.startswith("trust.")
        and f.value is False
        and f.name not in ("trust.intermediate_missing", "trust.duplicate_ca_subject")
    ]
    checked_trust = [
        f
        for f in out.items
        if f.name in ("trust.c_trusts_e", "trust.e_trusts_c", "trust.c_trusts_cucm", "upload.chain_trusted")
    ]
    if checked_trust or untrusted:
        bad = untrusted[0] if untrusted else None
        out.add(
            "chain.any_untrusted",
            bad is not None,
            "certificates",
            "",
            path=bad.params.get("node", bad.params.get("server", "")) if bad else "",
            reason=bad.message if bad else "",
        )
    names = [
        f
        for f in out.items
        if f.name
        in (
            "zone.peer_address_on_e_cert",
            "zone.tls_verify_name_on_c_certs",
            "cucm.server_name_on_cert",
            "cert.own_name_on_cert",
            "jabber.domain_on_e_cert",
        )
    ]
    if names:
        bad = next((f for f in names if f.value is False), None)
        out.add(
            "name.any_mismatch",
            bad is not None,
            "certificates",
            "",
            host=(
                bad.params.get("peer")
                or bad.params.get("name")
                or bad.params.get("server")
                or bad.params.get("domain")
                or bad.params.get("node", "")
            )
            if bad
            else "",
            certificate=bad.params.get("names", "") if bad else "",
        )
    defects = [f for f in out.items if f.name in DEFECT_FACTS]
    if defects:
        bad = next((f for f in defects if f.value is True), None)
        out.add("cert.any_defect", bad is not None, "certificates", "", defect=bad.name if bad else "")


def derive(case: Case, certs: CertificateSource, kb: KnowledgeBase, at: datetime | None = None) -> Facts:
    """All facts of a case: fields, recognised text, and every certificate check."""
    when = at or case.at or datetime.now(UTC)
    out = Facts()
    case_facts(case, out)
    out.recognition = recognise(case.symptoms, kb)
    symptom_facts(out.recognition, out)
    d = Deployment(case, certs, when)
    upload_facts(d, out)
    zone_facts(d, out)
    cucm_facts(d, out)
    jabber_facts(d, out)
    name_facts(d, out)
    certificate_facts(d, out)
    cluster_facts(d, out)
    trust_list_facts(d, out)
    summary_facts(out)
    answer_facts(case, kb, out, certs.source)
    return out


def answer_choice(kb: KnowledgeBase, qid: str, value: object, source: str) -> Choice:
    """The choice an answer names; an unknown question or value is one line naming answers.<id>."""
    question = next((q for q in kb.questions if q.id == qid), None)
    if question is None:
        import difflib  # only for the error message

        ids = [q.id for q in kb.questions]
        near = difflib.get_close_matches(qid, ids, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else f"; known: {', '.join(sorted(ids))}"
        raise InputError(source, f"answers.{qid}: no such question{hint}")
    choice = next((c for c in question.choices if c.value == str(value)), None)
    if choice is None:
        values = ", ".join(c.value for c in question.choices)
        raise InputError(source, f"answers.{qid}: '{value}' is not one of its choices ({values})")
    return choice


def answer_facts(case: Case, kb: KnowledgeBase, out: Facts, source: str) -> None:
    """Facts the user stated by answering questions; a stated fact replaces what was derived for it."""
    for qid, value in case.answers.items():
        choice = answer_choice(kb, qid, value, source)
        out.items = [f for f in out.items if f.name not in choice.sets]
        for name, fact_value in choice.sets.items():
            out.add(name, fact_value, "answer", value=str(value), question=qid)


__all__ = ["Fact", "Facts", "LoadedFile", "derive"]
