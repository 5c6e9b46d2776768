"""Trust between devices: whose trusted CA list validates whose certificate, and what each list holds."""

from __future__ import annotations

from certdoctor.facts.deployment import (
    ROLE_NAMES,
    Deployment,
    Served,
    chain_problems,
    first_reason,
    list_verdict,
    missing_ca,
)
from certdoctor.facts.fact import Facts
from certdoctor.facts.parties import LIST_SEP, ca_params, checked_params, checker_params, missing_cas
from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.path import BuiltPath
from certdoctor.x509.store import TrustStore


def expressway_trust_facts(d: Deployment, out: Facts) -> None:
    """Each Expressway's trusted CA list against what the other side presents, both ways.

    A cluster peer with its own trusted CA list (not replicated) checks with that list; the others with the side's.
    """
    for fact, servers, checker in (
        ("trust.c_trusts_e", d.e, "expressway_c"),
        ("trust.e_trusts_c", d.c, "expressway_e"),
    ):
        for store, nodes in d.checker_groups(checker):
            who = _checker(d, checker, nodes)
            for served in servers:
                path = d.path(served, store)
                trusted = not chain_problems(path)
                out.add(
                    fact,
                    trusted,
                    "certificates",
                    list_verdict(f"{who['checker_name']}'s trusted CA list", trusted, "", served.node, path),
                    ok=trusted,
                    node=served.node,
                    reason=first_reason(path),
                    missing=missing_ca(path),
                    certificate=served.leaf.label,
                    **who,
                    **checked_params(served),
                    **ca_params(missing_cas(d, path, store)),
                )
                _intermediate_fact(d, served, checker, path, out, who)
                _chain_not_sent_fact(d, served, checker, store, out, who)


def _checker(d: Deployment, role: str, nodes: list[str]) -> dict[str, str]:
    """Checker params: the whole side (as before per-peer lists), or the peers that check with their own list."""
    if not nodes:
        return checker_params(d, role)
    return {
        "checker_role": role,
        "checker_name": f"{ROLE_NAMES.get(role, role)} ({', '.join(nodes)})",
        "checker_nodes": LIST_SEP.join(nodes),
    }


def _full_path_cas(d: Deployment, served: Served) -> list[CertFacts]:
    """The CA certificates of what served presents, leaf excluded, as built from every CA the case holds."""
    return d.revocation_path(served).chain[1:]


def _chain_not_sent_fact(
    d: Deployment, served: Served, checker: str, store: TrustStore, out: Facts, who: dict[str, str]
) -> None:
    """Expressway sends the chain it builds from its OWN trusted list: an intermediate the far end lacks and the
    sender's own list lacks is never sent, so the far end cannot build the path (Cisco Doc ID 212475)."""
    own = d.trust_of(served.role, served.node)
    if own is None or served.leaf.self_signed:
        return
    cas = _full_path_cas(d, served)
    if not cas:  # its issuer is nowhere in the case: what it should send is unknown
        return
    needed = [c for c in cas if not c.self_signed and c not in store]
    sent = {c.fingerprint for c in served.chain}  # the certificate file as given, or what its own list builds
    unsent = [c for c in needed if c.fingerprint not in sent and c not in own]
    sender = ROLE_NAMES.get(served.role, served.role)
    out.add(
        "chain.not_sent",
        bool(unsent),
        "certificates",
        (
            f"{served.node} does not send intermediate {unsent[0].label}: it is not in its own trusted CA list, "
            f"and {who['checker_name']} does not hold it either"
        )
        if unsent
        else f"{served.node} sends every intermediate {who['checker_name']} needs (from its own trusted CA list)",
        ok=not unsent,
        side=checker,
        node=served.node,
        sender=sender,
        intermediate=unsent[0].label if unsent else "",
        certificate=served.leaf.label,
        own_list=(
            "its own trusted CA list" if (served.role, served.node) in d.node_trust else f"{sender}'s trusted CA list"
        ),
        **who,
        **checked_params(served),
        **ca_params(unsent),
    )


def own_chain_facts(d: Deployment, out: Facts) -> None:
    """Per Expressway node: its own trusted list holds every intermediate of its own certificate (so it sends them)."""
    for served in d.c + d.e:
        own = d.trust_of(served.role, served.node)
        if own is None or served.leaf.self_signed:
            continue
        intermediates = [c for c in _full_path_cas(d, served) if not c.self_signed]
        if not intermediates:
            continue
        lacking = [c for c in intermediates if c not in own]
        out.add(
            "chain.own_list_complete",
            not lacking,
            "certificates",
            f"{served.node}'s own trusted CA list "
            + (
                f"lacks its own intermediate {lacking[0].label}: it cannot send it"
                if lacking
                else "holds its own intermediates"
            ),
            ok=not lacking,
            node=served.node,
            side=served.role,
            intermediate=lacking[0].label if lacking else "",
            certificate=served.leaf.label,
            **checker_params(d, served.role),
            **checked_params(served),
            **ca_params(lacking),
        )


def _intermediate_fact(
    d: Deployment, served: Served, checker: str, path: BuiltPath, out: Facts, who: dict[str, str]
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
        **who,
        **checked_params(served),
        **ca_params(offered),
    )


def cucm_trust_facts(d: Deployment, out: Facts) -> None:
    """Unified CM trusts Expressway-C (tomcat/CallManager-trust), and Expressway-C trusts Unified CM."""
    for fact, store, which in (
        ("trust.cucm_tomcat_trusts_c", d.tomcat_trust, "tomcat-trust"),
        ("trust.cucm_callmanager_trusts_c", d.callmanager_trust, "CallManager-trust"),
    ):
        if store is None:
            continue
        for served in d.c:
            path = d.path(served, store, with_chain=False)
            trusted = not chain_problems(path)
            out.add(
                fact,
                trusted,
                "certificates",
                f"Unified CM {which} "
                + ("holds" if trusted else "does not hold")
                + f" the whole CA chain of {served.node}'s certificate: {first_reason(path)}",
                ok=trusted,
                node=served.node,
                missing=missing_ca(path),
                certificate=served.leaf.label,
                **checker_params(d, "cucm", which),
                **checked_params(served),
                **ca_params(missing_cas(d, path, store)),
            )
    if d.c_trust is not None:
        for served in d.tomcat + d.callmanager:
            c_trusts_server(d, d.c_trust, served, "trust.c_trusts_cucm", out)


def c_trusts_server(d: Deployment, store: TrustStore, served: Served, fact: str, out: Facts, **extra: str) -> None:
    """One Unified CM certificate judged against Expressway-C's trusted list, as `fact` (RSA or ECDSA alike)."""
    path = d.path(served, store)
    trusted = not chain_problems(path)
    which = served.role.removeprefix("cucm ")
    out.add(
        fact,
        trusted,
        "certificates",
        list_verdict("expressway_c's trusted CA list", trusted, f"{which} ", served.node, path),
        ok=trusted,
        server=served.node,
        which=which,
        **extra,
        reason=first_reason(path),
        certificate=served.leaf.label,
        **checker_params(d, "expressway_c"),
        **checked_params(served),
        **ca_params(missing_cas(d, path, store)),
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
