"""Every cause of the catalogue fires on its evidence and stays quiet on a near miss (shipped KB)."""

from __future__ import annotations

from typing import get_args

import pytest

from certdoctor.answer import Answer
from certdoctor.diagnosis import rank, shipped_engine
from certdoctor.facts import Fact, Facts
from certdoctor.facts.fact import entity_of
from certdoctor.kb import Cause, FileKind

F = tuple[str, object]

#: cause -> (facts that prove it, near miss: facts that look similar but are not that cause)
CASES: dict[str, tuple[list[F], list[F]]] = {
    "trust.own-chain-not-sent": ([("chain.not_sent", True)], [("chain.not_sent", False)]),
    "cert.default-temporary": ([("cert.default_temporary", True)], [("cert.default_temporary", False)]),
    "cert.san-too-long": ([("cert.san_too_long", True)], [("cert.san_too_long", False)]),
    "upload.key-no-trailing-newline": (
        [("upload.key_trailing_newline", False)],
        [("upload.key_trailing_newline", True)],
    ),
    "endpoint.edge-ca-not-trusted": (
        [("endpoint.trusts_edge", False)],
        [("endpoint.trusts_edge", True), ("endpoint.edge_domain_not_in_san", True), ("jabber.cert_not_valid", True)],
    ),
    "jabber.onprem-certificate-not-trusted": (
        [("endpoint.trusts_onprem", False)],
        [("endpoint.trusts_edge", True), ("jabber.cert_not_valid", True), ("jabber.warning", True)],
    ),
    "trust.public-root-migration": (
        [("migration.bridge_missing", True)],
        [("migration.bridge_missing", False), ("trust.c_trusts_e", False), ("change.ca_change", True)],
    ),
    "trust.cross-sign-same-cn": (
        [("migration.cross_sign_in_list", True), ("migration.path_through_cross", True)],
        [("migration.cross_sign_in_list", False), ("trust.duplicate_ca_subject", True), ("upload.page", "trusted-ca")],
    ),
    "acme.certificate-revoked": (
        [("cert.acme_revoked", True)],
        [("cert.revoked", True), ("cert.acme_revoked", False), ("acme.in_use", False)],
    ),
    "acme.renewal-failed": (
        [("cert.acme_expired", True)],
        [("cert.expired", True), ("cert.acme_expired", False), ("acme.in_use", False)],
    ),
    "cert.client-auth-eku-sunset": (
        [("cert.public_ca_no_client_auth", True)],
        [("cert.client_auth_missing", True), ("cert.public_ca_no_client_auth", False)],
    ),
    "cert.eku-check-mode": (
        [("cert.client_auth_missing", True), ("version.x15_5_or_later", True)],
        [("cert.client_auth_missing", True), ("version.x15_5_or_later", False)],
    ),
    "mra.cucm-ecdsa-not-trusted": (
        [("trust.c_trusts_cucm_ecdsa", False), ("version.x14_2_or_later", True)],
        [("trust.c_trusts_cucm", False), ("trust.c_trusts_cucm_ecdsa", True)],
    ),
    "webex.cloud-ca-missing": ([("webex.cloud_ca_trusted", False)], [("webex.cloud_ca_trusted", True)]),
    "webex.tls-verify-settings": (
        [("webex.tls_verify_subject_ok", False)],
        [
            ("webex.tls_verify_subject_ok", True),
            ("webex.tls_verify_mode", "on"),
            ("webex.tls_verify_inbound_mapping", "on"),
        ],
    ),
    "webex.stale-control-hub-certificate": (
        [("webex.control_hub_trusts_e", False)],
        [("webex.control_hub_trusts_e", True)],
    ),
    "mra.cucm-servers-not-refreshed": (
        [("log.channel", "sip-oauth"), ("log.alert", "unknown-ca"), ("log.logged_by", "expressway_c")],
        [
            ("log.channel", "sip-oauth"),
            ("log.alert", "unknown-ca"),
            ("log.logged_by", "expressway_c"),
            ("trust.cucm_callmanager_trusts_c", False),
        ],
    ),
    "federation.microsoft-fqdn-not-in-san": (
        [("federation.srv_target_on_e_cert", False)],
        [("federation.srv_target_on_e_cert", True)],
    ),
    "network.tls-inspection": (
        [("log.remote_disconnect", True), ("zone.status", "down")],
        [("log.remote_disconnect", True), ("zone.status", "up")],
    ),
    "upload.invalid-format": (
        [("upload.failed", True), ("upload.format_ok", False)],
        [("upload.failed", True), ("upload.format_ok", True)],
    ),
    "upload.untrusted-chain": ([("upload.chain_trusted", False)], [("upload.chain_trusted", True)]),
    "upload.key-mismatch": ([("upload.key_matches", False)], [("upload.key_matches", True)]),
    "zone.peer-address-mismatch": (
        [("zone.status", "down"), ("zone.peer_address_on_e_cert", False)],
        [("zone.status", "down"), ("zone.peer_address_on_e_cert", True)],
    ),
    "zone.tls-verify-name-mismatch": (
        [("zone.tls_verify_name_on_c_certs", False)],
        [("zone.tls_verify_name_on_c_certs", True)],
    ),
    "zone.ca-not-trusted": (
        [("zone.status", "down"), ("trust.c_trusts_e", False)],
        [("trust.c_trusts_e", True), ("trust.e_trusts_c", True)],
    ),
    "ssh.intermediate-not-trusted": (
        [("ssh.tunnels", "down"), ("trust.intermediate_missing", True)],
        [("ssh.tunnels", "up"), ("trust.intermediate_missing", False)],
    ),
    "mra.cucm-does-not-trust-expressway-c": (
        [("mra.login", "failed"), ("trust.cucm_tomcat_trusts_c", False)],
        [("mra.login", "ok"), ("trust.cucm_tomcat_trusts_c", True), ("trust.cucm_callmanager_trusts_c", True)],
    ),
    "mra.expressway-c-does-not-trust-cucm": (
        [("trust.c_trusts_cucm", False)],
        [("trust.c_trusts_cucm", True), ("mra.login", "ok")],
    ),
    "jabber.edge-domain-not-in-san": (
        [("jabber.warning", True), ("jabber.domain_on_e_cert", False)],
        [("jabber.domain_on_e_cert", True)],
    ),
    "cert.name-mismatch": ([("name.any_mismatch", True)], [("name.any_mismatch", False)]),
    "cert.untrusted-ca": ([("chain.any_untrusted", True)], [("chain.any_untrusted", False)]),
    "cert.expired": ([("cert.expired", True)], [("cert.expired", False)]),
    "cert.revoked": ([("cert.revoked", True)], [("cert.revoked", False)]),
    "cert.missing-client-auth-eku": ([("cert.client_auth_missing", True)], [("cert.client_auth_missing", False)]),
    "cert.weak-crypto": ([("cert.weak_crypto", True)], [("cert.weak_crypto", False)]),
    "cert.wildcard-unsupported": ([("cert.wildcard", True)], [("cert.wildcard", False)]),
    "cert.missing-feature-san": ([("cert.cluster_fqdn_on_cert", False)], [("cert.cluster_fqdn_on_cert", True)]),
    "cluster.peer-certificate-mismatch": (
        [("cluster.certificates_consistent", False)],
        [("cluster.certificates_consistent", True)],
    ),
    "trust.duplicate-ca-cn": ([("trust.duplicate_ca_subject", True)], [("trust.duplicate_ca_subject", False)]),
    "restart.required": ([("log.restart_required", True)], [("restart.done_after_change", True)]),
    "time.not-synchronized": ([("ntp.synchronized", False)], [("ntp.synchronized", True)]),
    "crl.unavailable": (
        [("cert.crl_expired", True), ("crl.checking_enabled", True)],
        [("crl.checking_enabled", False)],
    ),
    "cert.unsupported-oid": (
        [("ssh.tunnels", "down"), ("cert.unknown_oid", True)],
        [("ssh.tunnels", "up"), ("cert.unknown_oid", False)],
    ),
}


def _ranking(pairs: list[F]) -> dict[str, float]:
    engine = shipped_engine()
    facts = Facts(items=[Fact(name=n, value=v, source="test", params={}) for n, v in pairs])  # type: ignore[arg-type]
    answer = rank(engine.kb, facts, engine.evaluate(facts.items))
    return {d.cause: d.confidence for d in answer.diagnoses}


def test_every_catalogue_cause_is_covered() -> None:
    assert set(CASES) == {c.id for c in shipped_engine().kb.causes}
    assert len(CASES) == 43


@pytest.mark.parametrize("cause", sorted(CASES))
def test_fires_on_its_evidence(cause: str) -> None:
    ranking = _ranking(CASES[cause][0])
    assert cause in ranking and ranking[cause] >= 0.5, ranking


@pytest.mark.parametrize("cause", sorted(CASES))
def test_quiet_on_a_near_miss(cause: str) -> None:
    assert cause not in _ranking(CASES[cause][1])


# ------------------------------------------------------------------ files that decide a cause (issue 12)

#: Params naming an entity of each kind, so a test fact is about an entity as the case's facts are.
_PARAMS = {
    "node": "expe1.example.com",
    "side": "expressway_c",
    "server": "cucm1.example.com",
    "list": "expressway_c trusted CA list",
    "certificate": "'expe1.example.com' (serial 01)",
}


def _facts(pairs: list[F]) -> list[Fact]:
    return [
        Fact(name=n, value=v, source="test", params=dict(_PARAMS), entity=entity_of(n, _PARAMS))  # type: ignore[arg-type]
        for n, v in pairs
    ]


#: Every kind of file a case can hold completely: a rule-out decides only when its `needs` are given.
ALL_FILES = set(get_args(FileKind))


def _answer(pairs: list[F], given: set[str] | None = None) -> Answer:
    engine = shipped_engine()
    facts = Facts(items=_facts(pairs), given=ALL_FILES if given is None else given)
    return rank(engine.kb, facts, engine.evaluate(facts.items))


def _symptoms_for(cause: Cause, *, required: bool = True) -> list[F]:
    """The facts of a positive rule that tests no certificate fact: a symptom that alone makes the cause a candidate.

    Without one: an AssertionError, or (required=False) an empty list."""
    kb = shipped_engine().kb
    for rule in cause.rules:
        if rule.certainty > 0 and all(
            kb.facts[c.fact].source != "certificates" and c.is_ is not None for c in rule.when
        ):
            return [(c.fact, c.is_) for c in rule.when]
    if not required:
        return []
    raise AssertionError(f"{cause.id}: no symptom-only positive rule")


DECIDABLE = sorted(c.id for c in shipped_engine().kb.causes if c.rule_out is not None)


@pytest.mark.parametrize("cause_id", DECIDABLE)
def test_healthy_deciding_files_rule_the_cause_out_whatever_the_symptoms(cause_id: str) -> None:
    cause = shipped_engine().kb.cause(cause_id)
    assert cause.rule_out is not None
    symptoms = _symptoms_for(cause)
    healthy: list[F] = [(c.fact, not c.is_) for c in cause.rule_out.faults]
    answer = _answer(symptoms + healthy)
    assert cause_id not in {d.cause for d in answer.diagnoses}
    assert [r.reason for r in answer.ruled_out if r.cause == cause_id] == [cause.rule_out.reason.en]
    # without the deciding files: a hypothesis from the symptoms that names them
    found = {d.cause: d for d in _answer(symptoms).diagnoses}
    assert cause_id in found and found[cause_id].decide_with == cause.rule_out.decide_with.en
    # the facts healthy but a file the rule-out needs not held completely (one node's certificate missing)
    for absent in cause.rule_out.needs:
        partial_files = _answer(symptoms + healthy, given=ALL_FILES - {absent})
        assert cause_id not in {r.cause for r in partial_files.ruled_out}, absent
    # one deciding fact missing: not ruled out; where it ranks, it names the files
    for missing in cause.rule_out.facts():
        partial = _answer(symptoms + [(f, v) for f, v in healthy if f != missing])
        assert cause_id not in {r.cause for r in partial.ruled_out}
        assert all(d.decide_with == cause.rule_out.decide_with.en for d in partial.diagnoses if d.cause == cause_id)


@pytest.mark.parametrize("cause_id", DECIDABLE)
def test_a_fault_on_one_entity_keeps_the_cause(cause_id: str) -> None:
    cause = shipped_engine().kb.cause(cause_id)
    assert cause.rule_out is not None
    faults: list[F] = [(c.fact, c.is_) for c in cause.rule_out.faults]
    answer = _answer(faults)
    assert cause_id in {d.cause for d in answer.diagnoses}
    assert not answer.ruled_out and not answer.diagnoses[0].decide_with


def test_the_rule_out_facts_are_certificate_facts_with_entities() -> None:
    from certdoctor.facts.fact import ENTITIES

    for cause_id in DECIDABLE:
        cause = shipped_engine().kb.cause(cause_id)
        assert cause.rule_out is not None
        for cond in cause.rule_out.faults:
            assert cond.fact in ENTITIES, f"{cause_id}: {cond.fact} is about the case, not about one entity"
        assert cause.rule_out.reason.nl and cause.rule_out.decide_with.nl


#: specific cause -> (facts of one finding, the general cause folded into it)
SUBSUMED: dict[tuple[str, str], list[F]] = {
    ("zone.peer-address-mismatch", "cert.name-mismatch"): [
        ("zone.peer_address_on_e_cert", False),
        ("name.any_mismatch", True),
    ],
    ("zone.tls-verify-name-mismatch", "cert.name-mismatch"): [
        ("zone.tls_verify_name_on_c_certs", False),
        ("name.any_mismatch", True),
    ],
    ("jabber.edge-domain-not-in-san", "cert.name-mismatch"): [
        ("jabber.domain_on_e_cert", False),
        ("name.any_mismatch", True),
    ],
    ("cluster.peer-certificate-mismatch", "cert.name-mismatch"): [
        ("cluster.certificates_consistent", False),
        ("name.any_mismatch", True),
    ],
    ("zone.ca-not-trusted", "cert.untrusted-ca"): [("trust.c_trusts_e", False), ("chain.any_untrusted", True)],
    ("trust.own-chain-not-sent", "zone.ca-not-trusted"): [
        ("chain.not_sent", True),
        ("trust.c_trusts_e", False),
        ("chain.any_untrusted", True),
    ],
    ("trust.own-chain-not-sent", "ssh.intermediate-not-trusted"): [
        ("chain.not_sent", True),
        ("trust.intermediate_missing", True),
        ("ssh.tunnels", "down"),
    ],
    ("cert.default-temporary", "zone.ca-not-trusted"): [
        ("cert.default_temporary", True),
        ("trust.c_trusts_e", False),
        ("chain.any_untrusted", True),
    ],
    ("cert.default-temporary", "cert.untrusted-ca"): [
        ("cert.default_temporary", True),
        ("chain.any_untrusted", True),
    ],
    ("acme.certificate-revoked", "cert.revoked"): [("cert.acme_revoked", True), ("cert.revoked", True)],
    ("acme.renewal-failed", "cert.expired"): [("cert.acme_expired", True), ("cert.expired", True)],
    ("cert.client-auth-eku-sunset", "cert.missing-client-auth-eku"): [
        ("cert.public_ca_no_client_auth", True),
        ("cert.client_auth_missing", True),
    ],
    ("cert.eku-check-mode", "cert.missing-client-auth-eku"): [
        ("cert.client_auth_missing", True),
        ("version.x15_5_or_later", True),
        ("cert.public_ca_no_client_auth", True),
    ],
    ("cert.eku-check-mode", "cert.client-auth-eku-sunset"): [
        ("cert.client_auth_missing", True),
        ("version.x15_5_or_later", True),
        ("cert.public_ca_no_client_auth", True),
    ],
    ("mra.cucm-ecdsa-not-trusted", "mra.expressway-c-does-not-trust-cucm"): [
        ("trust.c_trusts_cucm_ecdsa", False),
        ("log.traffic_server_verify_failed", True),
    ],
    ("trust.public-root-migration", "endpoint.edge-ca-not-trusted"): [
        ("migration.bridge_missing", True),
        ("endpoint.trusts_edge", False),
    ],
    ("trust.public-root-migration", "zone.ca-not-trusted"): [
        ("migration.bridge_missing", True),
        ("trust.c_trusts_e", False),
        ("chain.any_untrusted", True),
    ],
    ("trust.cross-sign-same-cn", "zone.ca-not-trusted"): [
        ("migration.cross_sign_in_list", True),
        ("migration.path_through_cross", True),
        ("trust.c_trusts_e", False),
        ("chain.any_untrusted", True),
    ],
    ("mra.cucm-does-not-trust-expressway-c", "cert.untrusted-ca"): [
        ("trust.cucm_tomcat_trusts_c", False),
        ("trust.cucm_callmanager_trusts_c", False),
        ("chain.any_untrusted", True),
    ],
    ("mra.expressway-c-does-not-trust-cucm", "cert.untrusted-ca"): [
        ("trust.c_trusts_cucm", False),
        ("chain.any_untrusted", True),
    ],
    ("mra.expressway-c-does-not-trust-cucm", "cert.name-mismatch"): [
        ("cucm.server_name_on_cert", False),
        ("name.any_mismatch", True),
    ],
}


def test_every_subsumption_is_exercised() -> None:
    declared = {(c.id, g) for c in shipped_engine().kb.causes for g in c.subsumes}
    assert declared == set(SUBSUMED)


@pytest.mark.parametrize(("specific", "general"), sorted(SUBSUMED))
def test_a_general_cause_on_the_same_finding_is_folded_into_the_specific_one(specific: str, general: str) -> None:
    answer = _answer(SUBSUMED[(specific, general)])
    found = {d.cause: d for d in answer.diagnoses}
    assert specific in found and general not in found
    assert general in found[specific].folded
    # from symptoms alone the specific cause rests on no finding: nothing is folded (a general cause that only
    # the files establish, like cert.revoked, has no symptoms to try)
    symptoms = _symptoms_for(shipped_engine().kb.cause(general), required=False)
    if symptoms:
        alone = _answer(symptoms)
        assert all(not d.folded for d in alone.diagnoses)
