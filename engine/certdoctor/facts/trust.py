"""Trust between devices: whose trusted CA list validates whose certificate, and what each list holds."""

from __future__ import annotations

from certdoctor.facts.deployment import Deployment, Served, chain_problems, first_reason, missing_ca
from certdoctor.facts.fact import Facts
from certdoctor.facts.parties import ca_params, checked_params, checker_params, missing_cas
from certdoctor.x509.path import BuiltPath


def expressway_trust_facts(d: Deployment, out: Facts) -> None:
    """Each Expressway's trusted CA list against what the other side presents, both ways."""
    for fact, servers, store, checker in (
        ("trust.c_trusts_e", d.e, d.c_trust, "expressway_c"),
        ("trust.e_trusts_c", d.c, d.e_trust, "expressway_e"),
    ):
        if store is None:
            continue
        for served in servers:
            path = d.path(served, store)
            trusted = not chain_problems(path)
            out.add(
                fact,
                trusted,
                "certificates",
                f"{checker}'s trusted CA list "
                + ("validates" if trusted else "does not validate")
                + f" the certificate of {served.node}: {first_reason(path)}",
                ok=trusted,
                node=served.node,
                reason=first_reason(path),
                missing=missing_ca(path),
                certificate=served.leaf.label,
                **checker_params(d, checker),
                **checked_params(served),
                **ca_params(missing_cas(d, path, store)),
            )
            _intermediate_fact(d, served, checker, path, out)


def _intermediate_fact(d: Deployment, served: Served, checker: str, path: BuiltPath, out: Facts) -> None:
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
        **checker_params(d, checker),
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
            path = d.path(served, d.c_trust)
            trusted = not chain_problems(path)
            which = served.role.removeprefix("cucm ")
            out.add(
                "trust.c_trusts_cucm",
                trusted,
                "certificates",
                "expressway_c's trusted CA list "
                + ("validates" if trusted else "does not validate")
                + f" the {which} certificate of {served.node}: {first_reason(path)}",
                ok=trusted,
                server=served.node,
                which=which,
                reason=first_reason(path),
                certificate=served.leaf.label,
                **checker_params(d, "expressway_c"),
                **checked_params(served),
                **ca_params(missing_cas(d, path, d.c_trust)),
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
