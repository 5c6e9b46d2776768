"""The facts established about a case: the record every fact module writes into and the rules read."""

from __future__ import annotations

from dataclasses import dataclass, field

from certdoctor.kb import FactValue
from certdoctor.symptoms import Recognition
from certdoctor.x509.findings import Finding

#: Certificate facts by what they are about: the entity kind and the params that name the entity. A path is
#: "who checks whose certificate" (checker < checked); a node or server is the device whose certificate is
#: judged; a file is one the case names whose content cannot be read (keyed by its field); facts not listed here
#: are about the case as a whole (symptoms, changes, answers, summaries).
ENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "trust.c_trusts_e": ("path", ("=expressway_c", "node")),
    "trust.e_trusts_c": ("path", ("=expressway_e", "node")),
    "trust.intermediate_missing": ("path", ("side", "node")),
    "trust.cucm_tomcat_trusts_c": ("node", ("node",)),
    "trust.cucm_callmanager_trusts_c": ("node", ("node",)),
    "trust.c_trusts_cucm": ("server", ("server",)),
    "cucm.server_name_on_cert": ("server", ("server",)),
    "trust.duplicate_ca_subject": ("trust_list", ("list",)),
    "zone.peer_address_on_e_cert": ("path", ("=expressway_c", "peer")),
    "zone.tls_verify_name_on_c_certs": ("node", ("node",)),
    "jabber.domain_on_e_cert": ("node", ("node",)),
    "cert.own_name_on_cert": ("node", ("node",)),
    "cert.cluster_fqdn_on_cert": ("node", ("node",)),
    "cluster.certificates_consistent": ("node", ("node",)),
    "cert.expired": ("certificate", ("certificate",)),
    "cert.not_yet_valid": ("certificate", ("certificate",)),
    "cert.revoked": ("certificate", ("certificate",)),
    "cert.crl_expired": ("certificate", ("certificate",)),
    "cert.client_auth_missing": ("certificate", ("certificate",)),
    "cert.weak_crypto": ("certificate", ("certificate",)),
    "cert.wildcard": ("certificate", ("certificate",)),
    "cert.unknown_oid": ("certificate", ("certificate",)),
    "cert.acme_issued": ("certificate", ("certificate",)),
    "cert.acme_expired": ("certificate", ("certificate",)),
    "cert.acme_revoked": ("certificate", ("certificate",)),
    "cert.public_ca_no_client_auth": ("certificate", ("certificate",)),
    "trust.c_trusts_cucm_ecdsa": ("server", ("server",)),
    "upload.format_ok": ("upload", ()),
    "upload.is_pkcs12": ("upload", ()),
    "upload.chain_trusted": ("upload", ()),
    "upload.key_matches": ("upload", ()),
    "file.unreadable": ("file", ("field",)),
    "log.logged_by": ("log", ("record",)),
    "log.channel": ("log", ("record",)),
    "log.direction": ("log", ("record",)),
    "log.alert": ("log", ("record",)),
    "log.verify_error": ("log", ("record",)),
    "log.disconnect": ("log", ("record",)),
    "chain.not_sent": ("path", ("side", "node")),
    "chain.own_list_complete": ("node", ("node",)),
    "cert.default_temporary": ("node", ("node",)),
    "cert.san_too_long": ("certificate", ("certificate",)),
    "upload.key_trailing_newline": ("upload", ()),
    "endpoint.trusts_edge": ("endpoint", ("endpoint",)),
    "endpoint.trusts_onprem": ("endpoint", ("endpoint",)),
    "migration.bridge_missing": ("path", ("checker", "node")),
    "migration.path_through_cross": ("path", ("checker", "node")),
    "migration.cross_sign_in_list": ("trust_list", ("list",)),
    "webex.cloud_ca_trusted": ("zone", ("side", "zone")),
    "webex.tls_verify_subject_ok": ("zone", ("side", "zone")),
    "webex.tls_verify_mode": ("zone", ("side", "zone")),
    "webex.tls_verify_inbound_mapping": ("zone", ("side", "zone")),
    "webex.control_hub_trusts_e": ("zone", ("side", "zone")),
    "federation.srv_target_on_e_cert": ("node", ("node",)),
}


def entity_of(name: str, params: dict[str, str]) -> str:
    """The entity a fact is about, as 'kind:key' (a path as 'path:checker<checked'); 'case' for the rest."""
    kind, keys = ENTITIES.get(name, ("case", ()))
    parts = [k[1:] if k.startswith("=") else params.get(k, "") for k in keys]
    if kind == "path":
        return f"path:{parts[0]}<{parts[1]}"
    return f"{kind}:{'/'.join(parts)}" if parts else kind


def entity_kind(entity: str) -> str:
    """The kind of an entity key ('path', 'node', ..., 'case')."""
    return entity.split(":", 1)[0]


@dataclass
class Fact:
    """One established fact: a name from knowledge/facts.yaml, its value and what it is about.

    Internal (never read from outside), so a dataclass: seventy of these per diagnosis need no validation.
    """

    name: str
    value: FactValue
    source: str
    params: dict[str, str] = field(default_factory=dict)
    message: str = ""
    ok: bool | None = None
    entity: str = "case"

    def engine_form(self) -> dict[str, object]:
        """The dict asserted into the rules engine (no reserved 'id'/'sid' keys)."""
        return {"name": self.name, "value": self.value, "entity": self.entity, "params": dict(self.params)}


@dataclass
class Facts:
    """Everything established about a case, plus what the pasted text did not match."""

    items: list[Fact] = field(default_factory=list)
    recognition: Recognition = field(default_factory=Recognition)
    #: The kinds of files the case holds completely (Deployment.given): a rule-out needs its files.
    given: set[str] = field(default_factory=set)
    #: What the answer should warn about: files of the case that could not be read, and what was not checked.
    notes: list[str] = field(default_factory=list)

    def values(self) -> dict[str, list[FactValue]]:
        """Every value each fact name has (one per instance)."""
        values: dict[str, list[FactValue]] = {}
        for f in self.items:
            values.setdefault(f.name, []).append(f.value)
        return values

    def instances(self) -> dict[str, list[tuple[FactValue, str]]]:
        """Every (value, entity) each fact name has, as the rules' Python twin reads them."""
        instances: dict[str, list[tuple[FactValue, str]]] = {}
        for f in self.items:
            instances.setdefault(f.name, []).append((f.value, f.entity))
        return instances

    def add(
        self,
        name: str,
        value: FactValue,
        source: str,
        message: str = "",
        /,
        *,
        ok: bool | None = None,
        **params: object,
    ) -> None:
        """Record one fact instance."""
        text = {k: str(v) for k, v in params.items()}
        self.items.append(
            Fact(
                name=name, value=value, source=source, message=message, ok=ok, params=text, entity=entity_of(name, text)
            )
        )

    def known(self) -> set[str]:
        """Names of the facts established."""
        return {f.name for f in self.items}

    def findings(self) -> list[Finding]:
        """The certificate checks that ran, as findings (pass and fail; built from checked facts: not re-validated)."""
        return [
            Finding.model_construct(
                severity="pass" if f.ok else "error",
                code=f.name,
                message=f.message,
                certificate=f.params.get("certificate") or f.params.get("node"),
            )
            for f in self.items
            if f.source == "certificates" and f.message and f.ok is not None
        ]
