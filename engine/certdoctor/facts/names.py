"""Names on certificates: traversal peer addresses, the TLS verify name, Unified CM servers, Jabber and own FQDNs."""

from __future__ import annotations

from certdoctor.facts.deployment import Deployment
from certdoctor.facts.fact import Facts
from certdoctor.facts.parties import LIST_SEP, ROLE_NAMES, checked_params, checker_params, side_nodes


def zone_name_facts(d: Deployment, out: Facts) -> None:
    """Traversal zone names both ways: C's peer addresses on E's certificate, E's TLS verify name on C's."""
    c, e = d.case.expressway_c, d.case.expressway_e
    if c and c.traversal_zone and d.e:
        every_e = d.unread_kinds().isdisjoint({"expressway_e.certificate"})
        # the same for every peer address: computed once, not once per address (that grew as peers x nodes)
        names = "; ".join(s.names for s in d.e)
        nodes = ", ".join(s.node for s in d.e)
        checker = checker_params(d, "expressway_c")
        checked = {
            "checked_role": "expressway_e",
            "checked_name": f"{ROLE_NAMES['expressway_e']} ({nodes})",
            "checked_node": LIST_SEP.join(s.node for s in d.e),
        }
        for peer in c.traversal_zone.peer_addresses:
            on = any(s.has_name(peer) for s in d.e)
            if not on and not every_e:  # the name may be on the certificate that could not be read
                continue
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
                node=nodes,
                **checker,
                **checked,
            )
    if e and e.traversal_zone and e.traversal_zone.tls_verify_subject_name and d.c:
        name = e.traversal_zone.tls_verify_subject_name
        for served in d.c:
            on = served.has_name(name)
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
                **checker_params(d, "expressway_e"),
                **checked_params(served),
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


def cucm_name_facts(d: Deployment, out: Facts) -> None:
    """Each Unified CM server as added on Expressway-C is a name on a Unified CM tomcat certificate."""
    c = d.case.expressway_c
    if c and c.cucm_servers and d.tomcat:
        every_tomcat = d.unread_kinds().isdisjoint({"cucm.certificate"})
        for server in c.cucm_servers:
            matching = [s for s in d.tomcat if s.has_name(server, cn=True)]
            on = bool(matching)
            if not on and not every_tomcat:  # the name may be on the certificate that could not be read
                continue
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
                **checker_params(d, "expressway_c"),
                checked_role="cucm",
                checked_name=f"{ROLE_NAMES['cucm']} ({', '.join(side_nodes(d, 'cucm'))})",
            )


def jabber_facts(d: Deployment, out: Facts) -> None:
    """The sign-in domain or collab-edge.<domain> on the Expressway-E certificate."""
    jabber = d.case.jabber
    if not jabber or not jabber.domain or not d.e:
        return
    domain = jabber.domain.strip().rstrip(".")
    for served in d.e:
        on = served.has_name(domain) or served.has_name(f"collab-edge.{domain}")
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
            **checked_params(served),
        )


def own_name_facts(d: Deployment, out: Facts) -> None:
    """Each node's own FQDN on its own certificate."""
    for served in d.all_served():
        if served.node and "." in served.node and not served.node.startswith(("expressway_", "cucm node")):
            on = served.has_name(served.node, cn=served.role.startswith("cucm"))
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


def cluster_facts(d: Deployment, out: Facts) -> None:
    """Cluster peers' certificates: cluster FQDN present, own FQDN present, no certificate on two peers."""
    for side, served in ((d.case.expressway_c, d.c), (d.case.expressway_e, d.e)):
        if side is None or (len(served) < 2 and not side.cluster_fqdn):
            continue
        cluster = side.cluster_fqdn
        if cluster and served is d.c:
            for s in served:
                on = s.has_name(cluster)
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
            elif "." in s.node and not s.has_name(s.node):
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
