"""write_deployment: a generated deployment (case.yaml and certs/) with the chosen faults."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509

from certdoctor.lab.catalogue import AT, CUCM_IP, DOMAIN, E_IP, PFX_PASSWORD, UPLOADS, Side, checked_faults
from certdoctor.lab.issuing import (
    CucmCertificates,
    EIssuer,
    LabCAs,
    Layout,
    TrustedLists,
    e_issuer,
    issue_c_leaves,
    issue_cas,
    issue_crls,
    issue_cucm,
    issue_e_leaves,
    layout_for,
    trusted_lists,
)
from certdoctor.lab.pfx import locked_pfx
from certdoctor.lab.upload import write_upload
from certdoctor.testpki import Issued, TestPKI, pem


@dataclass(frozen=True)
class _Deployment:
    """Everything issued for one deployment, before any file is written."""

    layout: Layout
    cas: LabCAs
    c_leaves: list[Issued]
    e: EIssuer
    e_leaves: list[Issued]
    cucm: CucmCertificates
    trusted: TrustedLists


class _CertsDir:
    """The deployment's certs/ folder: writes PEM bundles and hands back their case-relative paths."""

    def __init__(self, path: Path) -> None:
        """Create the folder (and its parents) if needed."""
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, *objs: Any) -> str:
        """Write the objects as one PEM file; return "certs/<name>"."""
        return self.write_bytes(name, pem(*objs))

    def write_bytes(self, name: str, data: bytes) -> str:
        """Write a file as is; return "certs/<name>"."""
        (self.path / name).write_bytes(data)
        return f"certs/{name}"


def _yaml_dump(data: Any) -> str:
    """YAML in the case file's own key order."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


def _issue_deployment(pki: TestPKI, c_nodes: int, e_nodes: int, faults: set[str]) -> _Deployment:
    """Issue the CAs, each side's certificates and the trusted lists, in the order the serials depend on."""
    layout = layout_for(c_nodes, e_nodes, faults)
    cas = issue_cas(pki)
    c_leaves = issue_c_leaves(pki, cas.issuing, layout, faults)
    e = e_issuer(pki, cas, faults)
    e_leaves = issue_e_leaves(pki, e.ca, layout, faults)
    cucm = issue_cucm(pki, cas.issuing, faults)
    return _Deployment(layout, cas, c_leaves, e, e_leaves, cucm, trusted_lists(pki, cas, e, cucm, faults))


def _expressway_section(
    certs: _CertsDir,
    files: list[str],
    hosts: list[str],
    leaves: list[Issued],
    chain: list[x509.Certificate],
    cluster: str,
    trusted: list[x509.Certificate],
) -> dict[str, Any]:
    """One side's case section: a cluster of nodes or a single box, with its trusted CA list."""
    pems = [
        certs.write(f"{name.split('.')[0]}.pem", leaf.certificate, *chain)
        for name, leaf in zip(files, leaves, strict=True)
    ]
    side: dict[str, Any] = {}
    if len(hosts) > 1:
        side["cluster_fqdn"] = cluster
        side["nodes"] = [{"fqdn": h, "certificate": p} for h, p in zip(hosts, pems, strict=True)]
    else:
        side["fqdn"] = hosts[0]
        side["certificate"] = pems[0]
    side["trusted_cas"] = [certs.write(f"{cluster.split('.')[0]}-trust.pem", *trusted)]
    return side


def _c_peer_addresses(layout: Layout, faults: set[str]) -> list[str]:
    """C's traversal peer addresses: E's node FQDNs, renamed edge*, or E's IP address."""
    if "peer-address-ip" in faults:
        return [E_IP]
    if "peer-address" in faults:
        return [name.replace("expe", "edge", 1) for name in layout.e_names]
    return layout.e_names


def _tls_verify_name(layout: Layout, faults: set[str]) -> str:
    """E's TLS verify subject name: C's cluster FQDN (or single box FQDN), or a single or old node name."""
    if "tls-verify-name" in faults:
        return f"expc1.{DOMAIN}" if layout.c_nodes != 1 else f"expc-old.{DOMAIN}"
    if layout.c_nodes > 1 or not layout.c_names:
        return layout.c_cluster
    return layout.c_names[0]


def _c_section(certs: _CertsDir, d: _Deployment, cucm: bool, faults: set[str]) -> dict[str, Any]:
    """Expressway-C: its nodes and trusted list, its traversal peers (if there is an E) and Unified CM servers."""
    layout = d.layout
    side = _expressway_section(
        certs, layout.c_names, layout.c_names, d.c_leaves, [d.cas.issuing.certificate], layout.c_cluster, d.trusted.c
    )
    if "c-trust-truncated" in faults:  # cut off inside its second certificate: no END line, half its Base-64
        blocks = [pem(c) for c in d.trusted.c]
        trust = certs.path / side["trusted_cas"][0].removeprefix("certs/")
        trust.write_bytes(blocks[0] + blocks[1][: len(blocks[1]) // 2])
    if layout.e_nodes:
        side["traversal_zone"] = {"peer_addresses": _c_peer_addresses(layout, faults)}
    if cucm:
        side["cucm_servers"] = [CUCM_IP if "cucm-by-ip" in faults else f"cucm1.{DOMAIN}"]
    return side


def _e_section(certs: _CertsDir, d: _Deployment, faults: set[str]) -> dict[str, Any]:
    """Expressway-E: its nodes (files named after the certificates, hosts after the nodes) and its trusted list."""
    layout = d.layout
    side = _expressway_section(
        certs, layout.e_names, layout.e_hosts, d.e_leaves, d.e.chain, layout.e_cluster, d.trusted.e
    )
    if layout.c_nodes:
        side["traversal_zone"] = {"tls_verify_subject_name": _tls_verify_name(layout, faults)}
    if "e-node-pfx" in faults:  # node 1's certificate as the .pfx it was installed from (key and chain inside)
        leaf = d.e_leaves[0]
        data = locked_pfx(leaf.key, leaf.certificate, d.e.chain, PFX_PASSWORD.encode())
        ref = certs.write_bytes(f"{layout.e_names[0].split('.')[0]}.pfx", data)
        if "nodes" in side:
            side["nodes"][0]["certificate"] = ref
        else:
            side["certificate"] = ref
    return side


def _cucm_section(certs: _CertsDir, d: _Deployment) -> dict[str, Any]:
    """Unified CM: one node's tomcat and CallManager certificates, and both trust stores."""
    return {
        "nodes": [
            {
                "fqdn": f"cucm1.{DOMAIN}",
                "certificate": certs.write("cucm1-tomcat.pem", d.cucm.tomcat.certificate, *d.cucm.chain),
                "callmanager_certificate": certs.write("cucm1-cm.pem", d.cucm.callmanager.certificate, *d.cucm.chain),
            }
        ],
        "tomcat_trust": [certs.write("cucm-tomcat-trust.pem", *d.trusted.cucm_tomcat)],
        "callmanager_trust": [certs.write("cucm-cm-trust.pem", *d.trusted.cucm_callmanager)],
    }


def write_deployment(
    outdir: Path,
    faults: Iterable[str] = (),
    *,
    symptoms: dict[str, Any] | None = None,
    title: str | None = None,
    seed: str = "certdoctor-lab",
    c_nodes: int = 2,
    e_nodes: int = 2,
    cucm: bool = True,
    jabber_domain: str | None = DOMAIN,
    upload_target: Side = "expressway_e",
) -> Path:
    """Write case.yaml and certs/ under outdir for a deployment with the given faults; return the case path.

    c_nodes / e_nodes: 2 (or more) is a cluster with `nodes:`, 1 a single box with `fqdn:` and
    `certificate:`, 0 leaves that Expressway out. cucm=False leaves Unified CM out; jabber_domain None
    leaves the jabber section out.
    """
    faults = checked_faults(faults)
    pki = TestPKI(seed=seed)
    d = _issue_deployment(pki, c_nodes, e_nodes, faults)
    certs = _CertsDir(outdir / "certs")
    case: dict[str, Any] = {
        "title": title or ("healthy deployment" if not faults else ", ".join(sorted(faults))),
        "at": AT.isoformat().replace("+00:00", "Z"),
        "symptoms": symptoms or {},
    }
    if c_nodes:
        case["expressway_c"] = _c_section(certs, d, cucm, faults)
    if e_nodes:
        case["expressway_e"] = _e_section(certs, d, faults)
    if cucm:
        case["cucm"] = _cucm_section(certs, d)
    if jabber_domain is not None:
        case["jabber"] = {"domain": jabber_domain}
    crls = issue_crls(pki, d.cas, d.e, d.e_leaves, d.cucm, d.layout, faults)
    if crls:
        case["crls"] = [certs.write(name, crl) for name, crl in crls]
    if UPLOADS & faults:
        case["upload"] = write_upload(
            pki, certs.path, faults, upload_target, d.cas.issuing, d.cas.other_root, root=d.cas.root
        )
    path = outdir / "case.yaml"
    path.write_text(_yaml_dump(case), encoding="utf-8")
    return path
