"""The case's certificates loaded once: what each server presents, what each side trusts, and its judged paths."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from cryptography import x509

from certdoctor.case import Case, CertificateSource, Expressway
from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.names import NameMatch, match_host, wildcard_matches
from certdoctor.x509.naming import ip_or_none, is_ca
from certdoctor.x509.path import BuiltPath, PathProblem, judge_path
from certdoctor.x509.store import TrustStore

#: Problems that make a path untrusted (the rest, like revocation, are checked as certificate defects).
_CHAIN = "chain."
#: Problems that name the CA a trusted list lacks.
_MISSING_CA = ("chain.issuer-missing", "chain.anchor-not-root", "chain.root-not-trusted")


@dataclass(eq=False)
class Served:
    """A certificate one server presents: the leaf, the chain sent with it, where it came from."""

    role: str
    node: str
    leaf: CertFacts
    chain: list[CertFacts]

    @cached_property
    def name_match(self) -> NameMatch:
        """The leaf's names, read once (a host that matches nothing, just to collect them)."""
        return match_host(self.leaf.cert, "invalid.invalid", cn_fallback=False, partial_wildcards=False)

    @property
    def names(self) -> str:
        """Names on the leaf, for messages."""
        m = self.name_match
        return ", ".join(m.dns_sans + m.ip_sans) or f"(no SAN; CN {m.cn})"

    def has_name(self, host: str, *, cn: bool = False) -> bool:
        """host is a SAN (DNS or IP) of the leaf; with cn, also the CN when there is no DNS SAN."""
        m = self.name_match
        address = ip_or_none(host)
        if address is not None:
            return str(address) in m.ip_sans
        if any(wildcard_matches(n, host, partial=False) for n in m.dns_sans):
            return True
        return cn and not m.dns_sans and bool(m.cn) and wildcard_matches(m.cn or "", host, partial=False)


class Deployment:
    """The case's certificates loaded once: what each server presents and what each side trusts."""

    def __init__(self, case: Case, certs: CertificateSource, at: datetime) -> None:
        """Load every certificate, trusted list and CRL the case names, in the case's order."""
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
        """What one certificate file serves: its first non-CA certificate as leaf, the rest as chain."""
        loaded = self.certs.load(ref, field_path)
        if not loaded.certificates:
            return []
        leaf = next((c for c in loaded.certificates if not is_ca(c)), loaded.certificates[0])
        chain = [CertFacts(c) for c in loaded.certificates if c is not leaf]
        return [Served(role, node, CertFacts(leaf), chain)]

    def _served(self, role: str, side: Expressway | None) -> list[Served]:
        """What each node of one Expressway side serves (a single box counts as one node)."""
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
        """One trusted CA list from its files; None when the case gives none."""
        if not refs:
            return None
        certs: list[x509.Certificate] = []
        for i, ref in enumerate(refs):
            certs += self.certs.load(ref, f"{field_path}[{i}]").certificates
        return TrustStore(certs)

    def all_served(self) -> list[Served]:
        """Every certificate a server of the case presents: Expressway-C, -E, then Unified CM tomcat, CallManager."""
        return self.c + self.e + self.tomcat + self.callmanager

    def path(self, served: Served, store: TrustStore, *, with_chain: bool = True) -> BuiltPath:
        """The Expressway-compatible judgement of what served presents, against store (cached)."""
        key = (id(served), id(store), with_chain)
        if key not in self._paths:
            self._paths[key] = judge_path(
                served.leaf, served.chain if with_chain else [], store, self.at, crls=self.crls
            )
        return self._paths[key]

    def judged(self) -> list[BuiltPath]:
        """Every path judged so far, in the order first asked (revocation is read from them)."""
        return list(self._paths.values())


def chain_problems(path: BuiltPath) -> list[PathProblem]:
    """The problems that leave a path untrusted: a CA missing, unusable or not a trusted root."""
    return [p for p in path.problems if p.code.startswith(_CHAIN)]


def first_reason(path: BuiltPath) -> str:
    """Why a path fails, for messages: its first problem, or 'trusted'."""
    return path.problems[0].message if path.problems else "trusted"


def missing_ca(path: BuiltPath) -> str:
    """The message naming the CA a trusted list lacks; empty when none is missing."""
    return next((p.message for p in path.problems if p.code in _MISSING_CA), "")
