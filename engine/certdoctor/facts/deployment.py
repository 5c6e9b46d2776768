"""The case's certificates loaded once: what each server presents, what each side trusts, and its judged paths."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from cryptography import x509

from certdoctor import seen
from certdoctor.case import DATA_URI, Case, CertificateSource, Expressway
from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.load import LoadedFile, Unreadable
from certdoctor.x509.names import NameMatch, match_host, normalize_host, wildcard_matches
from certdoctor.x509.naming import ip_or_none, is_ca
from certdoctor.x509.path import BuiltPath, PathProblem, judge_path
from certdoctor.x509.store import TrustStore

#: Problems that make a path untrusted (the rest, like revocation, are checked as certificate defects).
_CHAIN = "chain."
#: Problems that name the CA a trusted list lacks.
_MISSING_CA = ("chain.issuer-missing", "chain.anchor-not-root", "chain.root-not-trusted")


#: How a device side is named in sentences (the same in English and Dutch).
ROLE_NAMES = {"expressway_c": "Expressway-C", "expressway_e": "Expressway-E", "cucm": "Unified CM"}
#: The role of the upload file's certificate (Served.node is the upload's target, or empty).
UPLOAD = "upload"


@dataclass(eq=False)
class Served:
    """A certificate one server presents: the leaf, the chain sent with it, where it came from."""

    role: str
    node: str
    leaf: CertFacts
    chain: list[CertFacts]
    #: Where the chain came from: "file" (the certificate file as given) or "own-list" (built from the node's
    #: own trusted CA list, as Expressway builds the chain it sends).
    chain_source: str = "file"

    @cached_property
    def name_match(self) -> NameMatch:
        """The leaf's names, read once (a host that matches nothing, just to collect them)."""
        return match_host(self.leaf.cert, "invalid.invalid", cn_fallback=False, partial_wildcards=False)

    @property
    def names(self) -> str:
        """Names on the leaf, for messages."""
        m = self.name_match
        return ", ".join(m.dns_sans + m.ip_sans) or f"(no SAN; CN {m.cn})"

    @cached_property
    def _dns(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """The leaf's DNS SANs: the plain ones normalised (a set: one lookup per host), and the wildcards."""
        plain = frozenset(normalize_host(n) for n in self.name_match.dns_sans if "*" not in n)
        return plain, tuple(n for n in self.name_match.dns_sans if "*" in n)

    def has_name(self, host: str, *, cn: bool = False) -> bool:
        """host is a SAN (DNS or IP) of the leaf; with cn, also the CN when there is no DNS SAN."""
        m = self.name_match
        address = _address(host)
        if address is not None:
            return address in m.ip_sans
        plain, wildcards = self._dns  # a plain SAN matches exactly what wildcard_matches would match
        if normalize_host(host) in plain or any(wildcard_matches(n, host, partial=False) for n in wildcards):
            return True
        return cn and not m.dns_sans and bool(m.cn) and wildcard_matches(m.cn or "", host, partial=False)


@functools.lru_cache(maxsize=4096)
def _address(host: str) -> str | None:
    """The IP address in host as text, or None for a DNS name (cached: every node's names are tested per host)."""
    address = ip_or_none(host)
    return None if address is None else str(address)


@dataclass(frozen=True)
class UnreadFile:
    """A file of the case whose content could not be read fully: the field that names it, the reference, why."""

    field: str
    ref: str
    file: Unreadable

    @property
    def shown(self) -> str:
        """The file as the case names it (a path), or what an inline reference is."""
        if "-----BEGIN" in self.ref:
            return "inline PEM"
        return "inline data" if self.ref.startswith(DATA_URI) else self.ref

    @property
    def kind(self) -> str:
        """The kind of file for Deployment.given: expressway_c.certificate, cucm.tomcat_trust, crls, ..."""
        head = self.field.split("[", 1)[0].split(".", 1)[0]
        tail = re.sub(r"\[\d+\]", "", self.field).rsplit(".", 1)[-1]
        return head if head == tail else f"{head}.{tail}"


class Deployment:
    """The case's certificates loaded once: what each server presents and what each side trusts."""

    def __init__(self, case: Case, certs: CertificateSource, at: datetime) -> None:
        """Load every certificate, trusted list, CRL and upload file the case names, in the case's order.

        A file whose content cannot be read fully is left out and kept in `unread`: the checks that need it are
        not made (their facts stay unknown, and rule-outs that need its kind of file cannot refute anything).
        """
        self.case = case
        self.at = at
        self.certs = certs
        self.unread: list[UnreadFile] = []
        self.crls: list[x509.CertificateRevocationList] = []
        for i, ref in enumerate(case.crls):
            loaded = self._read(ref, f"crls[{i}]")
            self.crls += loaded.crls if loaded is not None else []
        self.c = self._served("expressway_c", case.expressway_c)
        self.e = self._served("expressway_e", case.expressway_e)
        self.c_trust = self._store(
            "expressway_c.trusted_cas", case.expressway_c.trusted_cas if case.expressway_c else []
        )
        self.e_trust = self._store(
            "expressway_e.trusted_cas", case.expressway_e.trusted_cas if case.expressway_e else []
        )
        #: A cluster peer's own trusted CA list (not replicated between peers), by (role, node): None when unreadable.
        self.node_trust: dict[tuple[str, str], TrustStore | None] = {}
        for role, side in (("expressway_c", case.expressway_c), ("expressway_e", case.expressway_e)):
            for i, peer in enumerate(side.nodes if side is not None else []):
                if peer.trusted_cas:
                    where = f"{role}.nodes[{i}].trusted_cas"
                    self.node_trust[(role, node_name(role, i, peer.fqdn))] = self._store(where, peer.trusted_cas)
        for served in self.c + self.e:
            own = self.node_trust.get((served.role, served.node))
            if own is not None:  # Expressway sends the intermediates it finds in its own trusted CA list
                served.chain = chain_from(served.leaf, own)
                served.chain_source = "own-list"
        cucm = case.cucm
        self.tomcat: list[Served] = []
        self.callmanager: list[Served] = []
        if cucm is not None:
            for i, node in enumerate(cucm.nodes):
                name = node.fqdn or f"{ROLE_NAMES['cucm']} node {i + 1}"
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
        #: The upload file as read (LoadedFile), or why it could not be (Unreadable); None without an upload.
        self.upload_file: LoadedFile | Unreadable | None = None
        self.upload_key: LoadedFile | None = None
        #: What the upload file would present once installed: its server certificate and the rest of the file.
        self.upload_served: Served | None = None
        upload = case.upload
        if upload is not None:
            self.upload_file = certs.read(upload.file, "upload.file")
            if isinstance(self.upload_file, Unreadable):
                self.unread.append(UnreadFile("upload.file", upload.file, self.upload_file))
            elif self.upload_file.certificates:
                self.upload_served = served_from(UPLOAD, upload.target or "", self.upload_file.certificates)
            if upload.key:
                self.upload_key = self._read(upload.key, "upload.key")
        self._paths: dict[tuple[int, int, bool], tuple[Served, BuiltPath]] = {}
        #: What fact builders compute once per deployment (facts/parties.py: the checker params of each side).
        self.memo: dict[tuple[str, ...], dict[str, str]] = {}
        self._everyone: TrustStore | None = None

    def _read(self, ref: str, field_path: str) -> LoadedFile | None:
        """One file of the case, or None (kept in `unread`) when its content cannot be read fully."""
        found = self.certs.read(ref, field_path)
        if isinstance(found, Unreadable):
            self.unread.append(UnreadFile(field_path, ref, found))
            return None
        return found

    def _one(self, role: str, node: str, ref: str, field_path: str) -> list[Served]:
        """What one certificate file serves: its first non-CA certificate as leaf, the rest as chain."""
        loaded = self._read(ref, field_path)
        if loaded is None or not loaded.certificates:
            return []
        return [served_from(role, node, loaded.certificates)]

    def _served(self, role: str, side: Expressway | None) -> list[Served]:
        """What each node of one Expressway side serves (a single box counts as one node)."""
        if side is None:
            return []
        served: list[Served] = []
        nodes = side.all_nodes()
        for i, node in enumerate(nodes):
            if node.certificate:
                where = f"{role}.nodes[{i}].certificate" if side.nodes else f"{role}.certificate"
                served += self._one(role, node_name(role, i, node.fqdn), node.certificate, where)
        return served

    def _store(self, field_path: str, refs: Sequence[str]) -> TrustStore | None:
        """One trusted CA list from its files; None when the case gives none."""
        if not refs:
            return None
        certs: list[x509.Certificate] = []
        complete = True
        for i, ref in enumerate(refs):
            loaded = self._read(ref, f"{field_path}[{i}]")
            complete = complete and loaded is not None
            certs += loaded.certificates if loaded is not None else []
        return seen.trusted_list(certs) if complete else None  # a list read in part would miss CAs it holds

    def given(self) -> set[str]:
        """The kinds of files the case holds completely (every node's certificate, a list): rule-outs need them."""
        case = self.case
        given: set[str] = set()
        for role, side in (("expressway_c", case.expressway_c), ("expressway_e", case.expressway_e)):
            if side is not None and side.all_nodes() and all(n.certificate for n in side.all_nodes()):
                given.add(f"{role}.certificate")
        for role, side, store in (
            ("expressway_c", case.expressway_c, self.c_trust),
            ("expressway_e", case.expressway_e, self.e_trust),
        ):
            own = {k: v for k, v in self.node_trust.items() if k[0] == role}
            if not own and store is not None:
                given.add(f"{role}.trusted_cas")
            elif (
                own
                and side is not None
                and all(
                    self.trust_of(role, node_name(role, i, n.fqdn)) is not None for i, n in enumerate(side.all_nodes())
                )
            ):
                given.add(f"{role}.trusted_cas")  # every peer's list is known: its own, or the side's
        cucm = case.cucm
        if cucm is not None and cucm.nodes:
            if all(n.certificate for n in cucm.nodes):
                given.add("cucm.certificate")
            if all(n.callmanager_certificate for n in cucm.nodes):
                given.add("cucm.callmanager_certificate")
        if self.tomcat_trust is not None:
            given.add("cucm.tomcat_trust")
        if self.callmanager_trust is not None:
            given.add("cucm.callmanager_trust")
        if case.upload is not None and case.upload.file:
            given.add("upload.file")  # an unreadable upload file is still judged (upload.format_ok is False)
        return given - {u.kind for u in self.unread if u.field != "upload.file"}

    def trust_of(self, role: str, node: str) -> TrustStore | None:
        """The trusted list one Expressway node checks with and builds its sent chain from: its own, or its side's."""
        if (role, node) in self.node_trust:
            return self.node_trust[(role, node)]
        return self.c_trust if role == "expressway_c" else self.e_trust if role == "expressway_e" else None

    def checker_groups(self, role: str) -> list[tuple[TrustStore, list[str]]]:
        """The distinct trusted lists a side checks with, each with the nodes using it ([] nodes: the whole side).

        Without per-peer lists this is the side's list alone (as before per-peer lists existed); a peer with its
        own list checks with it, the others with the side's list.
        """
        side = self.case.expressway_c if role == "expressway_c" else self.case.expressway_e
        store = self.c_trust if role == "expressway_c" else self.e_trust
        own = [(node, s) for (r, node), s in self.node_trust.items() if r == role]
        if not own:
            return [(store, [])] if store is not None else []
        names = [node_name(role, i, n.fqdn) for i, n in enumerate(side.all_nodes())] if side is not None else []
        rest = [n for n in names if (role, n) not in self.node_trust]
        groups = [(store, rest)] if store is not None and rest else []
        return groups + [(s, [node]) for node, s in own if s is not None]

    def unread_kinds(self) -> set[str]:
        """The kinds of files of which at least one could not be read (expressway_e.certificate, crls, ...)."""
        return {u.kind for u in self.unread}

    def all_served(self) -> list[Served]:
        """Every certificate a server of the case presents: Expressway-C, -E, then Unified CM tomcat, CallManager."""
        return self.c + self.e + self.tomcat + self.callmanager

    def path(self, served: Served, store: TrustStore, *, with_chain: bool = True) -> BuiltPath:
        """The Expressway-compatible judgement of what served presents, against store (cached)."""
        key = (id(served), id(store), with_chain)
        if key not in self._paths:
            path = judge_path(served.leaf, served.chain if with_chain else [], store, self.at, crls=self.crls)
            self._paths[key] = (served, path)
        return self._paths[key][1]

    def judged(self) -> list[tuple[Served, BuiltPath]]:
        """Every path judged so far, with what it judged, in the order first asked (revocation is read from them)."""
        return list(self._paths.values())

    def case_cas(self) -> list[CertFacts]:
        """Every CA certificate the case holds, once: the chains servers send, then every trusted list."""
        seen: set[bytes] = set()
        found: list[CertFacts] = []
        for facts in [c for s in self.all_served() for c in s.chain] + [
            c
            for store in (
                self.c_trust,
                self.e_trust,
                self.tomcat_trust,
                self.callmanager_trust,
                *self.node_trust.values(),
            )
            for c in store or []
        ]:
            if facts.fingerprint not in seen and is_ca(facts.cert):
                seen.add(facts.fingerprint)
                found.append(facts)
        return found

    def revocation_path(self, served: Served) -> BuiltPath:
        """The path of what served presents, built from every CA the case holds, judged with the CRLs (cached).

        Revocation is a fact about a certificate and a CRL, whoever checks it: this path judges a certificate
        even when the case gives no trusted list that would check it (the checked paths are judged as well).
        """
        key = (id(served), -1, True)
        if key not in self._paths:
            if self._everyone is None:
                lists = (self.c_trust, self.e_trust, self.tomcat_trust, self.callmanager_trust)
                self._everyone = TrustStore(c for store in lists for c in store or [])
            sent = {c.fingerprint for c in served.chain}
            offered = [*served.chain, *(c for c in self.case_cas() if c.fingerprint not in sent)]
            path = judge_path(served.leaf, offered, self._everyone, self.at, crls=self.crls)
            self._paths[key] = (served, path)
        return self._paths[key][1]


def served_from(role: str, node: str, certificates: Sequence[x509.Certificate]) -> Served:
    """What one file serves: its first non-CA certificate as leaf (else its first), the rest as the chain sent.

    Each certificate's facts come from what the process has read before (seen.facts_of): made once per encoding.
    """
    leaf = next((c for c in certificates if not is_ca(c)), certificates[0])
    return Served(role, node, seen.facts_of(leaf), [seen.facts_of(c) for c in certificates if c is not leaf])


def node_name(role: str, index: int, fqdn: str | None) -> str:
    """How a node is named: its FQDN, else its position on its side (no FQDN in the case)."""
    return fqdn or f"{ROLE_NAMES.get(role, role)} node {index + 1}"


def chain_from(leaf: CertFacts, store: TrustStore) -> list[CertFacts]:
    """The intermediates Expressway sends with leaf: its issuers found in one trusted list, nearest first (no root)."""
    chain: list[CertFacts] = []
    current = leaf
    for _ in range(8):  # a CA hierarchy is shallow; the bound stops a loop of cross-signed CAs
        issuer = next((c for c in store if c is not current and current.likely_issued_by(c)), None)
        if issuer is None or issuer.self_signed or issuer in chain:
            break
        chain.append(issuer)
        current = issuer
    return chain


def chain_problems(path: BuiltPath) -> list[PathProblem]:
    """The problems that leave a path untrusted: a CA missing, unusable or not a trusted root."""
    return [p for p in path.problems if p.code.startswith(_CHAIN)]


def first_reason(path: BuiltPath) -> str:
    """Why a path fails, for messages: its first problem, or 'trusted'."""
    return path.problems[0].message if path.problems else "trusted"


def list_verdict(owner: str, trusted: bool, what: str, node: str, path: BuiltPath) -> str:
    """ "<owner>'s trusted CA list validates (or does not validate) the <what>certificate of <node>: <reason>"."""
    verb = "validates" if trusted else "does not validate"
    return f"{owner} {verb} the {what}certificate of {node}: {first_reason(path)}"


def missing_ca(path: BuiltPath) -> str:
    """The message naming the CA a trusted list lacks; empty when none is missing."""
    return next((p.message for p in path.problems if p.code in _MISSING_CA), "")
