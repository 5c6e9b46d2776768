"""Generated deployments (case file + certificates) for tests, scenarios and benchmarks.

A healthy MRA deployment: a two-node Expressway-C cluster, a two-node Expressway-E cluster, one Unified CM
node, all issued by one private CA (root + issuing CA). Named faults change exactly one thing each, so a
test or scenario can say which documented cause it expects.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.serialization import Encoding

from certdoctor.testpki import Issued, KeySpec, TestPKI, pem

DOMAIN = "example.com"
AT = datetime(2026, 6, 1, tzinfo=UTC)

FAULTS = {
    "peer-address": "Expressway-C traversal peer address is a name not on the Expressway-E certificates",
    "tls-verify-name": "Expressway-E TLS verify subject name is a single C node, not the cluster FQDN",
    "c-trust-root-only": "Expressway-C trusts only the root: the issuing CA comes only in E's chain",
    "c-trust-missing": "Expressway-C's trusted list lacks the CA of the Expressway-E certificate",
    "e-trust-missing": "Expressway-E's trusted list lacks the CA of the Expressway-C certificates",
    "c-no-client-auth": "Expressway-C certificates lack the clientAuth EKU",
    "e-expired": "the Expressway-E certificates expired",
    "cucm-trust-missing": "Unified CM tomcat-trust and CallManager-trust lack the Expressway-C CA chain",
    "c-untrusts-cucm": "Unified CM certificates are self-signed and not in Expressway-C's trusted list",
    "jabber-domain": "the Expressway-E certificates carry neither the domain nor collab-edge.<domain>",
    "wildcard": "the Expressway-E certificates are wildcard certificates",
    "unknown-oid": "the Expressway-E certificates carry an undecoded OID in the subject",
    "duplicate-ca": "Expressway-C's trusted list holds a stale CA with the same subject as the root",
    "e-revoked": "the Expressway-E node 1 certificate is revoked by the supplied CRL",
    "weak": "the Expressway-E certificates are SHA-1 signed with 1024-bit RSA keys",
    "cluster-same-cert": "Expressway-C node 2 presents node 1's certificate",
    "upload-der": "the upload file is DER, not PEM",
    "upload-key-mismatch": "the private key given with the upload belongs to another certificate",
    "upload-untrusted": "the upload certificate comes from a CA the target does not trust yet",
}


def _yaml_dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


def write_deployment(
    outdir: Path,
    faults: Iterable[str] = (),
    *,
    symptoms: dict[str, Any] | None = None,
    title: str | None = None,
    seed: str = "certdoctor-lab",
) -> Path:
    """Write case.yaml and certs/ under outdir for a deployment with the given faults; return the case path."""
    faults = set(faults)
    unknown = faults - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
    pki = TestPKI(seed=seed)
    root = pki.root("Lab Root CA")
    issuing = pki.intermediate("Lab Issuing CA", root)
    other_root = pki.root("Other Root CA", key=KeySpec("ec", 256))
    certs = outdir / "certs"
    certs.mkdir(parents=True, exist_ok=True)

    def write(name: str, *objs: Any) -> str:
        (certs / name).write_bytes(pem(*objs))
        return f"certs/{name}"

    c_cluster = f"expc.{DOMAIN}"
    e_cluster = f"expe.{DOMAIN}"
    c_eku = ["serverAuth"] if "c-no-client-auth" in faults else ["serverAuth", "clientAuth"]
    c_nodes: list[Issued] = []
    for i in (1, 2):
        fqdn = f"expc{i}.{DOMAIN}"
        c_nodes.append(pki.leaf(c_cluster, issuing, sans=[c_cluster, fqdn], eku=c_eku, key_label=f"expc{i}"))
    if "cluster-same-cert" in faults:
        c_nodes[1] = c_nodes[0]
    e_nodes: list[Issued] = []
    for i in (1, 2):
        fqdn = f"expe{i}.{DOMAIN}"
        sans = [e_cluster, fqdn]
        if "jabber-domain" not in faults:
            sans += [f"collab-edge.{DOMAIN}", DOMAIN]
        if "wildcard" in faults:
            sans = [f"*.{DOMAIN}"]
        extra: list[tuple[str, str]] = [("1.3.6.1.4.1.6449.1.2.1.5.1", "x")] if "unknown-oid" in faults else []
        window: dict[str, Any] = {}
        if "e-expired" in faults:
            window = {
                "not_before": datetime(2024, 1, 1, tzinfo=UTC),
                "not_after": datetime(2026, 1, 1, tzinfo=UTC),
            }
        crypto: dict[str, Any] = {"hash": "sha1", "key": KeySpec("rsa", 1024)} if "weak" in faults else {}
        e_nodes.append(
            pki.leaf(
                e_cluster if "wildcard" not in faults else f"*.{DOMAIN}",
                issuing,
                sans=sans,
                subject_extra=extra,
                key_label=f"expe{i}",
                **window,
                **crypto,
            )
        )
    cucm_tomcat = pki.leaf(f"cucm1.{DOMAIN}", issuing, sans=[f"cucm1.{DOMAIN}"], key_label="cucm1-tomcat")
    cucm_cm = pki.leaf(f"cucm1.{DOMAIN}", issuing, sans=[f"cucm1.{DOMAIN}"], key_label="cucm1-cm")
    if "c-untrusts-cucm" in faults:
        cucm_tomcat = pki.leaf(f"cucm1.{DOMAIN}", None, sans=[f"cucm1.{DOMAIN}"], key_label="cucm1-tomcat-ss")
        cucm_cm = pki.leaf(f"cucm1.{DOMAIN}", None, sans=[f"cucm1.{DOMAIN}"], key_label="cucm1-cm-ss")

    full = [root.certificate, issuing.certificate]
    c_trust = list(full)
    if "c-trust-root-only" in faults:
        c_trust = [root.certificate]
    if "c-trust-missing" in faults:
        c_trust = [other_root.certificate]
    if "duplicate-ca" in faults:
        stale = pki.root("Lab Root CA", key_label="stale-lab-root", key=KeySpec("ec", 256))
        c_trust = [stale.certificate, *c_trust]
    e_trust = [other_root.certificate] if "e-trust-missing" in faults else list(full)
    cucm_trust = [other_root.certificate] if "cucm-trust-missing" in faults else list(full)

    case: dict[str, Any] = {
        "title": title or ("healthy deployment" if not faults else ", ".join(sorted(faults))),
        "at": AT.isoformat().replace("+00:00", "Z"),
    }
    case["symptoms"] = symptoms or {}
    case["expressway_c"] = {
        "cluster_fqdn": c_cluster,
        "nodes": [
            {
                "fqdn": f"expc{i + 1}.{DOMAIN}",
                "certificate": write(f"expc{i + 1}.pem", n.certificate, issuing.certificate),
            }
            for i, n in enumerate(c_nodes)
        ],
        "trusted_cas": [write("expc-trust.pem", *c_trust)],
        "traversal_zone": {
            "peer_addresses": [f"expe{i}.{DOMAIN}" for i in (1, 2)]
            if "peer-address" not in faults
            else [f"edge{i}.{DOMAIN}" for i in (1, 2)]
        },
        "cucm_servers": [f"cucm1.{DOMAIN}"],
    }
    case["expressway_e"] = {
        "cluster_fqdn": e_cluster,
        "nodes": [
            {
                "fqdn": f"expe{i + 1}.{DOMAIN}",
                "certificate": write(f"expe{i + 1}.pem", n.certificate, issuing.certificate),
            }
            for i, n in enumerate(e_nodes)
        ],
        "trusted_cas": [write("expe-trust.pem", *e_trust)],
        "traversal_zone": {
            "tls_verify_subject_name": c_cluster if "tls-verify-name" not in faults else f"expc1.{DOMAIN}"
        },
    }
    case["cucm"] = {
        "nodes": [
            {
                "fqdn": f"cucm1.{DOMAIN}",
                "certificate": write("cucm1-tomcat.pem", cucm_tomcat.certificate),
                "callmanager_certificate": write("cucm1-cm.pem", cucm_cm.certificate),
            }
        ],
        "tomcat_trust": [write("cucm-tomcat-trust.pem", *cucm_trust)],
        "callmanager_trust": [write("cucm-cm-trust.pem", *cucm_trust)],
    }
    case["jabber"] = {"domain": DOMAIN}
    if "e-revoked" in faults:
        crl = pki.crl(
            issuing,
            [e_nodes[0]],
            this_update=datetime(2026, 5, 1, tzinfo=UTC),
            next_update=datetime(2026, 12, 1, tzinfo=UTC),
        )
        (certs / "issuing.crl").write_bytes(pem(crl))
        case["crls"] = ["certs/issuing.crl"]
    upload_faults = {"upload-der", "upload-key-mismatch", "upload-untrusted"} & faults
    if upload_faults:
        new = pki.leaf(
            e_cluster,
            issuing if "upload-untrusted" not in faults else other_root,
            sans=[e_cluster, f"collab-edge.{DOMAIN}"],
            key_label="expe-new",
        )
        if "upload-der" in faults:
            (certs / "expe-new.cer").write_bytes(new.certificate.public_bytes(Encoding.DER))
        else:
            (certs / "expe-new.cer").write_bytes(new.pem())
        key_owner = (
            pki.leaf("unrelated.example.com", issuing, key_label="unrelated")
            if "upload-key-mismatch" in faults
            else new
        )
        (certs / "expe-new.key").write_bytes(key_owner.key_pem())
        case["upload"] = {"target": "expressway_e", "file": "certs/expe-new.cer", "key": "certs/expe-new.key"}
    path = outdir / "case.yaml"
    path.write_text(_yaml_dump(case), encoding="utf-8")
    return path


#: The bundled example cases (examples/cases/<name>): faults and the symptoms a customer reports.
EXAMPLE_CASES: dict[str, tuple[list[str], dict[str, Any]]] = {
    "zone-down-after-renewal": (
        ["peer-address"],
        {
            "zone_status": "Failed",
            "log_lines": [
                'Event="Outbound TLS Negotiation Error" Service="SIP" Detail="Peer\'s TLS certificate '
                'identity was unacceptable" Protocol="TLS"'
            ],
            "recent_changes": ["certificate-renewal"],
        },
    ),
    "ssh-tunnels-down": (
        ["c-trust-root-only"],
        {
            "zone_status": "Active",
            "ssh_tunnels": "down",
            "alarms": ["35013"],
            "recent_changes": ["certificate-renewal"],
        },
    ),
    "healthy": ([], {"zone_status": "Active", "ssh_tunnels": "up", "mra_login": "ok"}),
}


def write_examples(outdir: Path) -> list[Path]:
    """Write every bundled example case under outdir; return the case paths."""
    return [
        write_deployment(outdir / name, faults, symptoms=symptoms, title=name.replace("-", " "))
        for name, (faults, symptoms) in EXAMPLE_CASES.items()
    ]


def main(argv: list[str] | None = None) -> int:
    """python -m certdoctor.lab OUTDIR [FAULT...]: write one deployment; `examples OUTDIR` writes the examples."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print("usage: python -m certdoctor.lab OUTDIR [FAULT...] | examples OUTDIR\nfaults:")
        for name, what in FAULTS.items():
            print(f"  {name:22} {what}")
        return 0 if args else 2
    if args[0] == "examples" and len(args) == 2:
        for path in write_examples(Path(args[1])):
            print(path)
        return 0
    print(write_deployment(Path(args[0]), args[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
