"""What each target needs: the certificates the plan names, or those the failing trust facts call for.

Pure: the case's certificates come in already loaded (CaseCertificates), the facts, conclusions and plan
come from the diagnosis; nothing here reads or writes a file. A needed certificate is looked up among every
certificate the case's files hold; one found nowhere is a Need without a certificate: to obtain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID

from certdoctor.answer import CertificateRef, StepOut
from certdoctor.facts.deployment import Served
from certdoctor.facts.fact import Fact
from certdoctor.limits import MAX_CHAIN_DEPTH
from certdoctor.rules import Conclusion
from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.naming import common_name, name_text, serial_hex
from certdoctor.x509.store import TrustStore

Kind = Literal["trusted-ca-append", "server-certificate"]
#: Why a certificate is needed: it completes the path of `about`, it issued `about` (and no file holds it), it is the
#: upload file `about` converted, it is the certificate the CA signs for the CSR `about`, or plan step `about` names it.
Why = Literal["path", "issuer", "upload", "csr", "step"]
#: The trusted lists a derived need appends to, as case-file field paths.
C_LIST, E_LIST = "expressway_c.trusted_cas", "expressway_e.trusted_cas"
TOMCAT_LIST, CALLMANAGER_LIST = "cucm.tomcat_trust", "cucm.callmanager_trust"
#: Both Unified CM trust stores: where a plan step on a Unified CM node appends CAs (it uploads to each purpose).
CUCM_TRUST = "cucm.trust"
#: Failing trust facts: fact name -> (the value that fails, the checking list, the role whose certificate is checked).
_TRUST: dict[str, tuple[bool, str, str]] = {
    "trust.c_trusts_e": (False, C_LIST, "expressway_e"),
    "trust.e_trusts_c": (False, E_LIST, "expressway_c"),
    "trust.cucm_tomcat_trusts_c": (False, TOMCAT_LIST, "expressway_c"),
    "trust.cucm_callmanager_trusts_c": (False, CALLMANAGER_LIST, "expressway_c"),
    "trust.c_trusts_cucm": (False, C_LIST, "cucm"),
    "trust.intermediate_missing": (True, "", ""),  # the list and role come from the fact's side
    "upload.chain_trusted": (False, "", "upload"),  # the list comes from the upload's target
}
#: The summary fact every failing path-trust fact makes true: causes resting on it rest on each of them.
_SUMMARY = "chain.any_untrusted"


@dataclass(frozen=True)
class UploadFile:
    """The case's upload file as loaded: where it goes, its server certificate (or the CSR it holds instead)."""

    source: str
    target: str | None
    leaf: CertFacts | None
    request: x509.CertificateSigningRequest | None = None
    locked: bool = False  # a password-protected .pfx opened without its password: nothing to convert yet


@dataclass(frozen=True)
class CaseCertificates:
    """Every certificate the case's files hold: what each server presents, each trusted list, the upload."""

    served: Sequence[Served]
    lists: dict[str, TrustStore]
    upload: UploadFile | None
    extra: Sequence[CertFacts] = ()  # the rest of the upload file (a .p7b's or .pfx's chain)
    at: datetime | None = None

    def roles(self) -> dict[str, str]:
        """Each server's role by its node name: expressway_c, expressway_e, cucm tomcat, cucm callmanager."""
        return {s.node: s.role for s in self.served}

    def pool(self) -> list[CertFacts]:
        """Each distinct certificate once: chains presented, trusted lists, Unified CM, the upload file."""
        seen: set[bytes] = set()
        found: list[CertFacts] = []
        everything: list[CertFacts] = [c for s in self.served for c in (s.leaf, *s.chain)]
        everything += [c for store in self.lists.values() for c in store]
        everything += [*self.extra, *([self.upload.leaf] if self.upload and self.upload.leaf else [])]
        for c in everything:
            if c.fingerprint not in seen:
                seen.add(c.fingerprint)
                found.append(c)
        return found


@dataclass(frozen=True)
class Need:
    """One certificate a target needs; cert None: it is in none of the case's files and must be obtained."""

    target: str
    kind: Kind
    ref: CertificateRef
    cert: x509.Certificate | None
    why: Why
    about: str
    causes: frozenset[str] = field(default_factory=frozenset)
    hint: str = ""
    steps: frozenset[int] = field(default_factory=frozenset)  # the plan steps (0-based) that name it


def certificate_ref(cert: x509.Certificate) -> CertificateRef:
    """A certificate named as the answer names it: subject, serial, SHA-256, key id, issuer."""
    facts = CertFacts(cert)
    return CertificateRef(
        subject=name_text(cert.subject),
        serial=serial_hex(cert),
        sha256=facts.fingerprint.hex(),
        key_id=facts.ski.hex() if facts.ski else None,
        issuer=name_text(cert.issuer),
    )


def _hex(text: str | None) -> str:
    """A fingerprint or key id as plain lowercase hex (colons and spaces dropped)."""
    return "".join(ch for ch in (text or "").lower() if ch in "0123456789abcdef")


def _same_subject(wanted: str, cert: CertFacts) -> bool:
    """The subject a plan gives (RFC 4514 text, a label or a bare CN) names this certificate."""
    cn = common_name(cert.cert.subject) or ""
    names = (name_text(cert.cert.subject), cert.label, cn, f"CN={cn}" if cn else "")
    return any(_words(n) == _words(wanted) for n in names if n)


def _words(text: str) -> str:
    """Text compared loosely: case and runs of white space do not count."""
    return " ".join(text.split()).casefold()


def find_certificate(ref: CertificateRef, pool: Sequence[CertFacts]) -> CertFacts | None:
    """The certificate a reference names: by SHA-256, else by subject and key id (subject alone only if unique)."""
    if ref.sha256:
        exact = [c for c in pool if c.fingerprint.hex() == _hex(ref.sha256)]
        if exact:
            return exact[0]
    named = [c for c in pool if _same_subject(ref.subject, c)]
    if ref.key_id:
        named = [c for c in named if c.ski is not None and c.ski.hex() == _hex(ref.key_id)]
    elif len(named) > 1:
        return None
    return named[0] if named else None


def _ca_issuers(cert: CertFacts) -> list[str]:
    """Where the certificate says its issuer's certificate can be downloaded (AIA caIssuers URLs)."""
    try:
        aia = cert.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_INFORMATION_ACCESS).value
    except x509.ExtensionNotFound:
        return []
    if not isinstance(aia, x509.AuthorityInformationAccess):
        return []
    return [str(d.access_location.value) for d in aia if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS]


def ca_path(
    leaf: CertFacts, pool: Sequence[CertFacts], store: TrustStore, at: datetime | None = None
) -> tuple[list[CertFacts], CertFacts | None]:
    """The CAs above leaf up to a self-signed root, from the pool (the list's own first); and who lacks an issuer."""
    path: list[CertFacts] = []
    seen = {leaf.fingerprint}
    current = leaf
    while not current.self_signed and len(path) <= MAX_CHAIN_DEPTH:
        candidates = [c for c in pool if c.fingerprint not in seen and current.likely_issued_by(c)]
        if not candidates:
            return path, current
        current = max(
            candidates,
            key=lambda c: (c in store, current.signed_by(c), at is None or c.valid_at(at)),
        )
        path.append(current)
        seen.add(current.fingerprint)
    return path, None


def _missing(
    served: CertFacts, pool: Sequence[CertFacts], store: TrustStore, at: datetime | None
) -> tuple[list[CertFacts], CertFacts | None]:
    """The certificates store lacks for served's path (root first), and the certificate whose issuer no file holds."""
    if served.self_signed:
        return ([] if served in store else [served]), None
    path, stuck = ca_path(served, pool, store, at)
    return [c for c in reversed(path) if c not in store], stuck


def _causes(fact: Fact, conclusions: Sequence[Conclusion], summary: Sequence[Fact]) -> frozenset[str]:
    """The causes whose rules fired on this fact (or on the summary fact it makes true), for them."""
    rests = [(fact.name, fact.params)]
    if fact.name != "trust.intermediate_missing":
        rests += [(s.name, s.params) for s in summary if s.value is True]
    return frozenset(
        c.cause
        for c in conclusions
        if c.certainty > 0 and any((f.get("name"), f.get("params") or {}) in rests for f in c.facts)
    )


def _checked(fact: Fact, certs: CaseCertificates) -> tuple[str, CertFacts] | None:
    """The list that checks and the certificate it fails on, for one failing trust fact."""
    fails, target, role = _TRUST[fact.name]
    if fact.value is not fails:
        return None
    p = fact.params
    if fact.name == "trust.intermediate_missing":
        target = C_LIST if p.get("side") == "expressway_c" else E_LIST
        role = "expressway_e" if p.get("side") == "expressway_c" else "expressway_c"
    if role == "upload":
        upload = certs.upload
        if upload is None or upload.leaf is None or upload.target is None:
            return None
        return f"{upload.target}.trusted_cas", upload.leaf
    node = p.get("server") or p.get("node", "")
    wanted_role = f"cucm {p.get('which', '')}" if role == "cucm" else role
    served = next((s for s in certs.served if s.role == wanted_role and s.node == node), None)
    return (target, served.leaf) if served else None


def needs_from_facts(
    facts: Sequence[Fact], conclusions: Sequence[Conclusion], certs: CaseCertificates, causes: Iterable[str]
) -> list[Need]:
    """The CA appends (and the converted upload) the failing facts call for, for the given causes only.

    The stand-in for the plan's own certificates while the plan is silent: one pure function, so it can go
    once every step names what it uploads.
    """
    wanted = set(causes)
    pool = certs.pool()
    summary = [f for f in facts if f.name == _SUMMARY]
    needs: list[Need] = []
    for fact in facts:
        if fact.name == "upload.format_ok" and fact.value is False and certs.upload is not None:
            needs += _upload_needs(certs.upload, _causes(fact, conclusions, summary) & wanted)
            continue
        if fact.name not in _TRUST or (checked := _checked(fact, certs)) is None:
            continue
        target, leaf = checked
        store = certs.lists.get(target)
        for_causes = _causes(fact, conclusions, summary) & wanted
        if store is None or not for_causes:
            continue
        missing, stuck = _missing(leaf, pool, store, certs.at)
        needs += [
            Need(target, "trusted-ca-append", certificate_ref(c.cert), c.cert, "path", leaf.label, for_causes)
            for c in missing
        ]
        if stuck is not None:
            needs.append(_to_obtain(target, stuck, for_causes))
    return needs


def _to_obtain(target: str, child: CertFacts, causes: frozenset[str]) -> Need:
    """The issuer of child, which no file of the case holds: named by subject and key id, with where to get it."""
    aki = child.aki.key_identifier if child.aki is not None else None
    ref = CertificateRef(subject=name_text(child.cert.issuer), key_id=aki.hex() if aki else None)
    hint = "; ".join(_ca_issuers(child))
    return Need(target, "trusted-ca-append", ref, None, "issuer", child.label, causes, hint)


def _upload_needs(upload: UploadFile, causes: frozenset[str]) -> list[Need]:
    """The upload as the single PEM server certificate the page takes; a CSR's certificate is to obtain."""
    if not causes:
        return []
    target = f"{upload.target or 'upload'}.certificate"
    if upload.leaf is not None:
        cert = upload.leaf.cert
        return [Need(target, "server-certificate", certificate_ref(cert), cert, "upload", upload.source, causes)]
    if upload.request is not None:
        ski = x509.SubjectKeyIdentifier.from_public_key(upload.request.public_key()).digest.hex()
        ref = CertificateRef(subject=name_text(upload.request.subject), key_id=ski)
        return [Need(target, "server-certificate", ref, None, "csr", upload.source, causes)]
    return []


def step_causes(step: StepOut) -> set[str]:
    """Every cause a plan step addresses."""
    return {step.cause, *step.causes}


def step_kind(step: StepOut) -> Kind:
    """A step that uploads on the Server certificate page uploads a server certificate; any other appends CAs."""
    return "server-certificate" if step.menu and "Server certificate" in step.menu else "trusted-ca-append"


def canonical_target(target: str, kind: Kind, roles: Mapping[str, str]) -> str:
    """What a step's target changes: a side or one of its nodes -> that side's list (or server certificate).

    A trusted CA list is per peer and a cluster's server certificate is the same file on every peer, so one
    file serves all the nodes a step names; a Unified CM node stands for its trust stores (they replicate).
    """
    role = roles.get(target, target)
    if role in ("expressway_c", "expressway_e"):
        return f"{role}.{'certificate' if kind == 'server-certificate' else 'trusted_cas'}"
    if role.startswith("cucm ") and kind == "trusted-ca-append":
        return CUCM_TRUST
    return target


def needs_from_plan(plan: Sequence[StepOut], certs: CaseCertificates) -> list[Need]:
    """The certificates the plan's steps name, per target, found among the case's certificates or to obtain."""
    pool, roles = certs.pool(), certs.roles()
    needs: list[Need] = []
    for index, step in enumerate(plan):
        if step.cost == "check":  # a check looks; it uploads nothing
            continue
        kind = step_kind(step)
        both = ["expressway_c", "expressway_e"]
        named = step.targets or (both if step.device == "all_expressways" else [step.device])
        targets = dict.fromkeys(canonical_target(t, kind, roles) for t in named)
        for target in targets:
            for ref in step.certificates:
                found = find_certificate(ref, pool)
                causes = frozenset(step_causes(step))
                if found is not None:
                    cert = found.cert
                    ref_found = certificate_ref(cert)
                    needs.append(
                        Need(target, kind, ref_found, cert, "step", step.cause, causes, "", frozenset({index}))
                    )
                    continue
                child = _issued_by(ref, pool)
                why: Why = "issuer" if child else "step"
                about = child.label if child else step.cause
                hint = "; ".join(_ca_issuers(child)) if child else ""
                needs.append(Need(target, kind, ref, None, why, about, causes, hint, frozenset({index})))
    return needs


def _issued_by(ref: CertificateRef, pool: Sequence[CertFacts]) -> CertFacts | None:
    """A certificate of the case that the CA named by ref issued (its authority key id is ref's key id)."""
    for c in pool:
        aki = c.aki.key_identifier if c.aki is not None else None
        if ref.key_id and aki is not None and aki.hex() == _hex(ref.key_id):
            return c
    return None


def plan_needs(
    plan: Sequence[StepOut], facts: Sequence[Fact], conclusions: Sequence[Conclusion], certs: CaseCertificates
) -> list[Need]:
    """The plan's own certificates; for causes whose steps name none, what the facts call for."""
    spoken = {c for s in plan if s.certificates for c in step_causes(s)}
    silent = {c for s in plan for c in step_causes(s)} - spoken
    derived = [
        Need(n.target, n.kind, n.ref, n.cert, n.why, n.about, n.causes - spoken, n.hint)
        for n in needs_from_facts(facts, conclusions, certs, silent)
    ]
    return needs_from_plan(plan, certs) + [n for n in derived if n.causes]
