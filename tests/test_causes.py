"""Every cause of the catalogue fires on its evidence and stays quiet on a near miss (shipped KB)."""

from __future__ import annotations

import pytest

from certdoctor.diagnosis import rank, shipped_engine
from certdoctor.facts import Fact, Facts

F = tuple[str, object]

#: cause -> (facts that prove it, near miss: facts that look similar but are not that cause)
CASES: dict[str, tuple[list[F], list[F]]] = {
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
    assert len(CASES) == 24


@pytest.mark.parametrize("cause", sorted(CASES))
def test_fires_on_its_evidence(cause: str) -> None:
    ranking = _ranking(CASES[cause][0])
    assert cause in ranking and ranking[cause] >= 0.5, ranking


@pytest.mark.parametrize("cause", sorted(CASES))
def test_quiet_on_a_near_miss(cause: str) -> None:
    assert cause not in _ranking(CASES[cause][1])
