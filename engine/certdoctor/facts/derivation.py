"""All facts of a case in their fixed order, and the summary facts that sum them up for the rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from certdoctor.case import Case, CertificateSource
from certdoctor.facts.certificates import certificate_facts
from certdoctor.facts.deployment import Deployment
from certdoctor.facts.edge import edge_facts
from certdoctor.facts.fact import Fact, Facts
from certdoctor.facts.far_end import far_end_facts
from certdoctor.facts.files import file_facts
from certdoctor.facts.lifecycle import lifecycle_facts
from certdoctor.facts.logs import log_record_facts
from certdoctor.facts.names import cluster_facts, cucm_name_facts, jabber_facts, own_name_facts, zone_name_facts
from certdoctor.facts.other_zones import other_zone_facts
from certdoctor.facts.reported import answer_facts, case_facts, symptom_facts
from certdoctor.facts.trust import cucm_trust_facts, expressway_trust_facts, trust_list_facts
from certdoctor.facts.uploads import upload_facts
from certdoctor.kb import KnowledgeBase
from certdoctor.symptoms import recognise

#: Certificate checks whose failure alone can break a connection (cert.any_defect sums them up).
DEFECT_FACTS = frozenset(
    {
        "cert.expired",
        "cert.not_yet_valid",
        "cert.revoked",
        "cert.crl_expired",
        "cert.client_auth_missing",
        "cert.weak_crypto",
        "cert.unknown_oid",
        "cert.wildcard",
    }
)

#: Path-trust checks: once any of them ran, chain.any_untrusted is asserted (True or False).
_PATH_TRUST = ("trust.c_trusts_e", "trust.e_trusts_c", "trust.c_trusts_cucm", "upload.chain_trusted")
#: Trust facts that are False without a path being untrusted.
_NOT_PATH_TRUST = ("trust.intermediate_missing", "trust.duplicate_ca_subject")
#: Params that name the checker, the checked and the missing CAs (facts/parties.py); summaries copy them.
_NAMING = ("checker_", "checked_", "ca")
#: Checks of a name against a certificate (name.any_mismatch sums them up).
_NAME_CHECKS = (
    "zone.peer_address_on_e_cert",
    "zone.tls_verify_name_on_c_certs",
    "cucm.server_name_on_cert",
    "cert.own_name_on_cert",
    "jabber.domain_on_e_cert",
)


def derive(case: Case, certs: CertificateSource, kb: KnowledgeBase, at: datetime | None = None) -> Facts:
    """All facts of a case: fields, recognised text, and every certificate check (the order is the answer's order)."""
    when = at or case.at or datetime.now(UTC)
    out = Facts()
    case_facts(case, out)
    out.recognition = recognise(case.symptoms, kb)
    symptom_facts(out.recognition, out)
    log_record_facts(case, out)
    d = Deployment(case, certs, when)
    out.given = d.given()
    file_facts(d, out)
    upload_facts(d, out)
    zone_name_facts(d, out)
    expressway_trust_facts(d, out)
    cucm_trust_facts(d, out)
    cucm_name_facts(d, out)
    jabber_facts(d, out)
    other_zone_facts(d, out)
    own_name_facts(d, out)
    certificate_facts(d, out)
    cluster_facts(d, out)
    trust_list_facts(d, out)
    edge_facts(d, out)
    far_end_facts(d, out)
    lifecycle_facts(case, d, out)
    summary_facts(out)
    answer_facts(case, kb, out, certs.source)
    return out


def _naming(fact: Fact | None) -> dict[str, Any]:
    """The params of a fact that name its checker, checked and missing CAs, for a summary fact to repeat."""
    return {k: v for k, v in fact.params.items() if k.startswith(_NAMING)} if fact else {}


def summary_facts(out: Facts) -> None:
    """Generic facts over everything checked: any path untrusted, any name mismatch, any certificate defect."""
    untrusted = [
        f for f in out.items if f.name.startswith("trust.") and f.value is False and f.name not in _NOT_PATH_TRUST
    ]
    checked_trust = [f for f in out.items if f.name in _PATH_TRUST]
    if checked_trust or untrusted:
        bad = untrusted[0] if untrusted else None
        out.add(
            "chain.any_untrusted",
            bad is not None,
            "certificates",
            "",
            path=bad.params.get("node", bad.params.get("server", "")) if bad else "",
            reason=bad.message if bad else "",
            **_naming(bad),
        )
    names = [f for f in out.items if f.name in _NAME_CHECKS]
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
