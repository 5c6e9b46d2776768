"""Non-traversal zones as facts: Webex Hybrid zones on Expressway-E (cloud CAs, TLS verify settings, what Control
Hub holds) and the Microsoft federation SRV target against the Expressway-E certificates.

Each fact about a zone is the entity `zone:<side>/<zone name>`, so rules `about: zone` join its settings (from the
case's `zones`, else from pasted `xConfiguration Zones Zone <n> ...` lines, certdoctor.xconfig); the
federation name check is about each Expressway-E node. Sources: Cisco Doc ID 212475 (Webex Hybrid Call Service
Connect mutual TLS) and Doc ID 212383 (Microsoft federation DNS and certificates).
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from certdoctor.case import Expressway, Zone
from certdoctor.facts.deployment import Deployment, chain_problems, first_reason
from certdoctor.facts.fact import Facts
from certdoctor.facts.parties import checked_params
from certdoctor.x509.load import Unreadable
from certdoctor.x509.naming import is_ca
from certdoctor.x509.store import TrustStore
from certdoctor.xconfig import is_zone_line, pasted_zones

#: Subject common names of the CAs that sign the Webex cloud's mutual-TLS certificates, as certdoctor knows them.
#: The lab's stand-in root; the real roots Cisco lists are named in the cause's steps, not decided here.
WEBEX_CLOUD_CAS = frozenset({"example webex cloud root"})


def _foreign_roots(d: Deployment, store: TrustStore) -> bool:
    """Whether the list holds a root outside the deployment's own hierarchy (not on any path its servers present).

    The Webex cloud is signed by public CAs: a list holding only the deployment's own CAs surely lacks them,
    while a list with other roots may hold them (the real Webex roots are not catalogued here).
    """
    own: set[object] = set()
    for served in d.all_served():
        path = d.path(served, store)
        own.update(c.subject_key for c in path.chain)
    return any(c.self_signed and c.subject_key not in own for c in store)


#: The TLS verify subject name of the Webex Hybrid DNS zone (Doc ID 212475; the old name still in many configs).
WEBEX_SUBJECT_NAMES = frozenset({"callservice.webex.com", "callservice.ciscospark.com"})
#: The port the Webex cloud uses for mutual TLS with Expressway-E.
WEBEX_PORT = 5062


def _cn(cert: x509.Certificate) -> str:
    """The certificate's subject common name, case-folded ('' without one)."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value).casefold() if names else ""


def _zones(side: Expressway | None, kind: str) -> list[tuple[int, Zone]]:
    """The zones of one side of a type, with their positions."""
    return [(i, z) for i, z in enumerate(side.zones if side else []) if z.type == kind]


def _e_webex_zones(d: Deployment) -> tuple[list[tuple[int, Zone]], bool]:
    """Expressway-E's Webex zones: from the case's `zones`, else from pasted xConfiguration (True when pasted)."""
    side = d.case.expressway_e
    if side is not None and side.zones:
        return _zones(side, "webex"), False
    return [(i, z) for i, z in enumerate(pasted_zones(d.case, "expressway_e")) if z.type == "webex"], True


def _zone_params(role: str, index: int, zone: Zone) -> dict[str, str]:
    """Params naming a zone: the side, its name (or position), its port."""
    name = zone.name or f"zone {index + 1}"
    return {"side": role, "zone": name, "zone_name": name, "port": str(zone.port or WEBEX_PORT)}


def webex_zone_facts(d: Deployment, out: Facts) -> None:
    """Every Webex zone on Expressway-E: cloud CAs trusted, TLS verify settings, Control Hub certificates."""
    webex_zones, pasted = _e_webex_zones(d)
    where = " (pasted xConfiguration)" if pasted else ""
    if pasted and webex_zones:  # the zone lines were read here: they are recognised text, not "not recognised"
        rec = out.recognition
        rec.unrecognised = [(f, t) for f, t in rec.unrecognised if not (f == "log_lines" and is_zone_line(t))]
    for index, zone in webex_zones:
        params = _zone_params("expressway_e", index, zone)
        found = [c for c in d.e_trust if _cn(c.cert) in WEBEX_CLOUD_CAS] if d.e_trust is not None else []
        # public roots beside the deployment's own may be the Webex ones (not catalogued here): left undecided
        if d.e_trust is not None and (found or not _foreign_roots(d, d.e_trust)):
            out.add(
                "webex.cloud_ca_trusted",
                bool(found),
                "certificates",
                (
                    f"Expressway-E's trusted CA list holds the Webex cloud CA {found[0].label}"
                    if found
                    else "Expressway-E's trusted CA list holds none of the CAs that sign the Webex cloud certificates"
                ),
                ok=bool(found),
                cas=", ".join(c.label for c in found),
                **params,
            )
        if zone.tls_verify_subject_name:
            ok = zone.tls_verify_subject_name.strip().casefold() in WEBEX_SUBJECT_NAMES
            out.add(
                "webex.tls_verify_subject_ok",
                ok,
                "case",
                f"TLS verify subject name of {params['zone']} is {zone.tls_verify_subject_name}{where}",
                ok=ok,
                name=zone.tls_verify_subject_name,
                **params,
            )
        if zone.tls_verify_mode:
            out.add(
                "webex.tls_verify_mode",
                zone.tls_verify_mode,
                "case",
                f"TLS verify mode of {params['zone']} is {zone.tls_verify_mode}{where}",
                ok=zone.tls_verify_mode == "on",
                **params,
            )
        if zone.tls_verify_inbound_mapping:
            out.add(
                "webex.tls_verify_inbound_mapping",
                zone.tls_verify_inbound_mapping,
                "case",
                f"TLS verify inbound mapping of {params['zone']} is {zone.tls_verify_inbound_mapping}{where}",
                ok=zone.tls_verify_inbound_mapping == "on",
                **params,
            )
        if not pasted:
            _control_hub_fact(d, index, zone, params, out)


def _control_hub_fact(d: Deployment, index: int, zone: Zone, params: dict[str, str], out: Facts) -> None:
    """Whether what Control Hub holds for this Expressway-E validates every Expressway-E node's certificate."""
    if not zone.control_hub_certificates or not d.e:
        return
    held: list[x509.Certificate] = []
    for i, ref in enumerate(zone.control_hub_certificates):
        loaded = d.certs.read(ref, f"expressway_e.zones[{index}].control_hub_certificates[{i}]")
        if isinstance(loaded, Unreadable):
            return  # a list read in part cannot say what Control Hub trusts
        held += loaded.certificates
    store = TrustStore([c for c in held if is_ca(c)])
    leaves = {c.fingerprint(hashes.SHA256()) for c in held if not is_ca(c)}
    for served in d.e:
        exact = served.leaf.fingerprint in leaves
        path = d.path(served, store) if len(store) else None
        trusted = exact or (path is not None and not chain_problems(path))
        reason = (
            "Control Hub holds this certificate"
            if exact
            else first_reason(path)
            if path is not None
            else "Control Hub holds only other certificates (an older Expressway-E certificate), no CA that issued it"
        )
        out.add(
            "webex.control_hub_trusts_e",
            trusted,
            "certificates",
            f"the certificates uploaded in Control Hub {'validate' if trusted else 'do not validate'} "
            f"the certificate of {served.node}: {reason}",
            ok=trusted,
            node=served.node,
            reason=reason,
            certificate=served.leaf.label,
            checker_role="webex",
            checker_name="Webex (the certificates uploaded in Control Hub)",
            **checked_params(served),
            **params,
        )


def federation_facts(d: Deployment, out: Facts) -> None:
    """The host the Microsoft federation SRV record points to, against every Expressway-E node's certificate."""
    side = d.case.expressway_e
    target = (side.federation_srv_target or "").strip().rstrip(".") if side else ""
    if not target:
        return
    for served in d.e:
        ok = served.has_name(target)
        out.add(
            "federation.srv_target_on_e_cert",
            ok,
            "certificates",
            f"the federation SRV target {target} is {'a SAN' if ok else 'not a SAN'} of {served.node}'s certificate "
            f"({served.names})",
            ok=ok,
            node=served.node,
            target=target,
            names=served.names,
            **checked_params(served),
        )


def other_zone_facts(d: Deployment, out: Facts) -> None:
    """Webex zone facts, then the Microsoft federation name check."""
    webex_zone_facts(d, out)
    federation_facts(d, out)
