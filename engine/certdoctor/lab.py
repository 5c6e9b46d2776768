"""Generated deployments (case file + certificates) for tests, scenarios and benchmarks.

A healthy MRA deployment: a two-node Expressway-C cluster, a two-node Expressway-E cluster, one Unified CM
node, all issued by one private CA (root + issuing CA). Named faults change exactly one thing each, so a
test or scenario can say which documented cause it expects. `FAULTS` maps each such fault to one documented
cause (tests rely on that); `VARIANTS` are further changes for scenarios: look-alikes that are not a fault
(near misses), other file formats, and faults that need a particular layout. Options shape the layout: a
single box instead of a cluster (`c_nodes=1`), only one side (`e_nodes=0`), no Unified CM, another
Jabber domain.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from certdoctor.testpki import Issued, KeySpec, TestPKI, pem, pkcs7, windows_base64

DOMAIN = "example.com"
AT = datetime(2026, 6, 1, tzinfo=UTC)

#: Addresses used where a name was documented as an IP address (Cisco 117811 and TS218018 log samples).
E_IP = "10.48.36.171"
CUCM_IP = "10.48.36.215"

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

VARIANTS = {
    "peer-address-ip": "Expressway-C traversal peer address is the Expressway-E IP address (not on its certificate)",
    "e-renamed": "Expressway-E host names changed; its certificates (and the C peer addresses) keep the old names",
    "c-cluster-fqdn-missing": "Expressway-C node certificates carry only the node FQDN, not the cluster FQDN",
    "c-node-name-missing": "Expressway-C node 2's certificate was issued for node 1's names (copied CSR)",
    "e-trust-root-only": "Expressway-E trusts only the root: the issuing CA comes only in C's chain",
    "e-new-intermediate": "Expressway-E renewed under a new intermediate CA it sends, missing from C's trusted list",
    "e-new-intermediate-unsent": "as e-new-intermediate, but Expressway-E does not send the intermediate",
    "e-not-yet-valid": "the Expressway-E certificates only become valid two days after the case's instant",
    "e-strong": "the Expressway-E certificates use 4096-bit RSA keys and SHA-384 (strong, not weak)",
    "e-ev-subject": "the Expressway-E certificates carry EV subject attributes Expressway decodes",
    "crl-expired": "the supplied CRL of the issuing CA is past its nextUpdate (nothing revoked)",
    "crl-old-revoked": "the supplied CRL revokes a replaced Expressway-E certificate, not the one in use",
    "cucm-by-ip": "Expressway-C added Unified CM by IP address, which is not on its certificate",
    "cucm-callmanager-trust-missing": "only Unified CM CallManager-trust lacks the Expressway-C CA chain",
    "cucm-other-ca": "Unified CM certificates come from a CA missing from Expressway-C's trusted list",
    "cucm-self-signed-dup": "self-signed Unified CM tomcat and CallManager certificates (one CN) both in C's list",
    "c-root-reissued": "Expressway-C's trusted list holds the root and a re-issue of it with the same key",
    "upload-pkcs7": "the upload file is a PKCS#7 (.p7b) holding the certificate and its chain",
    "upload-bundle": "the upload file is PEM: the server certificate followed by its CA chain",
    "upload-csr": "the upload file is the certificate signing request, not the signed certificate",
    "upload-windows-base64": "the upload file is a Windows Base-64 export (.cer, CRLF): a format Expressway takes",
    "upload-no-client-auth": "the upload certificate has serverAuth only (AD CS Web Server template)",
    "upload-short-san": "the upload certificate carries a short host name, not an FQDN, as a SAN",
}

_UPLOADS = {
    "upload-der",
    "upload-key-mismatch",
    "upload-untrusted",
    "upload-pkcs7",
    "upload-bundle",
    "upload-csr",
    "upload-windows-base64",
    "upload-no-client-auth",
    "upload-short-san",
}

Side = Literal["expressway_c", "expressway_e"]


def _yaml_dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


def _fqdns(prefix: str, count: int) -> list[str]:
    """Node FQDNs: expc1.., expc2.. for a cluster; expc.<domain> for a single box."""
    if count == 1:
        return [f"{prefix}.{DOMAIN}"]
    return [f"{prefix}{i}.{DOMAIN}" for i in range(1, count + 1)]


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
    faults = set(faults)
    unknown = faults - set(FAULTS) - set(VARIANTS)
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
    c_names = _fqdns("expc", c_nodes)
    e_names = _fqdns("expe", e_nodes)
    e_hosts = _fqdns("vcse", e_nodes) if "e-renamed" in faults else e_names

    c_eku = ["serverAuth"] if "c-no-client-auth" in faults else ["serverAuth", "clientAuth"]
    c_leaves: list[Issued] = []
    for i, fqdn in enumerate(c_names, start=1):
        if c_nodes == 1:
            c_leaves.append(pki.leaf(fqdn, issuing, sans=[fqdn], eku=c_eku, key_label="expc1"))
        elif "c-cluster-fqdn-missing" in faults:
            c_leaves.append(pki.leaf(fqdn, issuing, sans=[fqdn], eku=c_eku, key_label=f"expc{i}"))
        else:
            sans = [c_cluster, c_names[0] if i == 2 and "c-node-name-missing" in faults else fqdn]
            c_leaves.append(pki.leaf(c_cluster, issuing, sans=sans, eku=c_eku, key_label=f"expc{i}"))
    if "cluster-same-cert" in faults and len(c_leaves) > 1:
        c_leaves[1] = c_leaves[0]

    e_issuer = issuing
    e_chain: list[x509.Certificate] = [issuing.certificate]
    issuing2: Issued | None = None
    if {"e-new-intermediate", "e-new-intermediate-unsent"} & faults:
        issuing2 = pki.intermediate("Lab Issuing CA 2", root)
        e_issuer = issuing2
        e_chain = [] if "e-new-intermediate-unsent" in faults else [issuing2.certificate]
    e_leaves: list[Issued] = []
    for i, fqdn in enumerate(e_names, start=1):
        sans = [e_cluster, fqdn] if e_nodes > 1 else [fqdn]
        if "jabber-domain" not in faults:
            sans += [f"collab-edge.{DOMAIN}", DOMAIN]
        if "wildcard" in faults:
            sans = [f"*.{DOMAIN}"]
        extra: list[tuple[str, str]] = [("1.3.6.1.4.1.6449.1.2.1.5.1", "x")] if "unknown-oid" in faults else []
        if "e-ev-subject" in faults:
            extra = [
                ("1.3.6.1.4.1.311.60.2.1.3", "NL"),
                ("2.5.4.15", "Private Organization"),
                ("SERIALNUMBER", "12345678"),
                ("C", "NL"),
                ("O", "Example BV"),
            ]
        window: dict[str, Any] = {}
        if "e-expired" in faults:
            window = {
                "not_before": datetime(2024, 1, 1, tzinfo=UTC),
                "not_after": datetime(2026, 1, 1, tzinfo=UTC),
            }
        if "e-not-yet-valid" in faults:
            window = {
                "not_before": datetime(2026, 6, 3, tzinfo=UTC),
                "not_after": datetime(2028, 6, 3, tzinfo=UTC),
            }
        crypto: dict[str, Any] = {"hash": "sha1", "key": KeySpec("rsa", 1024)} if "weak" in faults else {}
        if "e-strong" in faults:
            crypto = {"hash": "sha384", "key": KeySpec("rsa", 4096)}
        cn = f"*.{DOMAIN}" if "wildcard" in faults else e_cluster if e_nodes > 1 else fqdn
        e_leaves.append(
            pki.leaf(cn, e_issuer, sans=sans, subject_extra=extra, key_label=f"expe{i}", **window, **crypto)
        )

    cucm_tomcat = pki.leaf(f"cucm1.{DOMAIN}", issuing, sans=[f"cucm1.{DOMAIN}"], key_label="cucm1-tomcat")
    cucm_cm = pki.leaf(f"cucm1.{DOMAIN}", issuing, sans=[f"cucm1.{DOMAIN}"], key_label="cucm1-cm")
    if {"c-untrusts-cucm", "cucm-self-signed-dup"} & faults:
        cucm_tomcat = pki.leaf(f"cucm1.{DOMAIN}", None, sans=[f"cucm1.{DOMAIN}"], key_label="cucm1-tomcat-ss")
        cucm_cm = pki.leaf(f"cucm1.{DOMAIN}", None, sans=[f"cucm1.{DOMAIN}"], key_label="cucm1-cm-ss")
    cucm_chain: list[x509.Certificate] = []
    if "cucm-other-ca" in faults:
        voice_ca = pki.root("Voice Root CA")
        cucm_tomcat = pki.leaf(f"cucm1.{DOMAIN}", voice_ca, sans=[f"cucm1.{DOMAIN}"], key_label="cucm1-tomcat")
        cucm_cm = pki.leaf(f"cucm1.{DOMAIN}", voice_ca, sans=[f"cucm1.{DOMAIN}"], key_label="cucm1-cm")
        cucm_chain = [voice_ca.certificate]

    full = [root.certificate, issuing.certificate]
    c_trust = list(full)
    if "c-trust-root-only" in faults:
        c_trust = [root.certificate]
    if "c-trust-missing" in faults:
        c_trust = [other_root.certificate]
    if "duplicate-ca" in faults:
        stale = pki.root("Lab Root CA", key_label="stale-lab-root", key=KeySpec("ec", 256))
        c_trust = [stale.certificate, *c_trust]
    if "c-root-reissued" in faults:
        reissued = pki.root("Lab Root CA", not_before=datetime(2025, 6, 1, tzinfo=UTC))
        c_trust = [*c_trust, reissued.certificate]
    if "cucm-self-signed-dup" in faults:
        c_trust = [*c_trust, cucm_tomcat.certificate, cucm_cm.certificate]
    e_trust = [other_root.certificate] if "e-trust-missing" in faults else list(full)
    if "e-trust-root-only" in faults:
        e_trust = [root.certificate]
    if issuing2 is not None:
        e_trust = [*e_trust, issuing2.certificate]
    cucm_trust = [other_root.certificate] if "cucm-trust-missing" in faults else list(full)
    cm_trust = [other_root.certificate] if "cucm-callmanager-trust-missing" in faults else cucm_trust

    case: dict[str, Any] = {
        "title": title or ("healthy deployment" if not faults else ", ".join(sorted(faults))),
        "at": AT.isoformat().replace("+00:00", "Z"),
    }
    case["symptoms"] = symptoms or {}
    c_peers = e_names
    if "peer-address" in faults:
        c_peers = [name.replace("expe", "edge", 1) for name in e_names]
    if "peer-address-ip" in faults:
        c_peers = [E_IP]
    verify_name = c_cluster if c_nodes > 1 else c_names[0] if c_names else c_cluster
    if "tls-verify-name" in faults:
        verify_name = f"expc1.{DOMAIN}" if c_nodes != 1 else f"expc-old.{DOMAIN}"
    def expressway(
        files: list[str], hosts: list[str], leaves: list[Issued], chain: list[Any], cluster: str, trust: list[Any]
    ) -> dict[str, Any]:
        """One side's case section: a cluster of nodes or a single box, with its trusted CA list."""
        pems = [
            write(f"{name.split('.')[0]}.pem", leaf.certificate, *chain)
            for name, leaf in zip(files, leaves, strict=True)
        ]
        side: dict[str, Any] = {}
        if len(hosts) > 1:
            side["cluster_fqdn"] = cluster
            side["nodes"] = [{"fqdn": h, "certificate": p} for h, p in zip(hosts, pems, strict=True)]
        else:
            side["fqdn"] = hosts[0]
            side["certificate"] = pems[0]
        side["trusted_cas"] = [write(f"{cluster.split('.')[0]}-trust.pem", *trust)]
        return side

    if c_nodes:
        side_c = expressway(c_names, c_names, c_leaves, [issuing.certificate], c_cluster, c_trust)
        if e_nodes:
            side_c["traversal_zone"] = {"peer_addresses": c_peers}
        if cucm:
            side_c["cucm_servers"] = [CUCM_IP if "cucm-by-ip" in faults else f"cucm1.{DOMAIN}"]
        case["expressway_c"] = side_c
    if e_nodes:
        side_e = expressway(e_names, e_hosts, e_leaves, e_chain, e_cluster, e_trust)
        if c_nodes:
            side_e["traversal_zone"] = {"tls_verify_subject_name": verify_name}
        case["expressway_e"] = side_e
    if cucm:
        case["cucm"] = {
            "nodes": [
                {
                    "fqdn": f"cucm1.{DOMAIN}",
                    "certificate": write("cucm1-tomcat.pem", cucm_tomcat.certificate, *cucm_chain),
                    "callmanager_certificate": write("cucm1-cm.pem", cucm_cm.certificate, *cucm_chain),
                }
            ],
            "tomcat_trust": [write("cucm-tomcat-trust.pem", *cucm_trust)],
            "callmanager_trust": [write("cucm-cm-trust.pem", *cm_trust)],
        }
    if jabber_domain is not None:
        case["jabber"] = {"domain": jabber_domain}
    crl_faults = {"e-revoked", "crl-expired", "crl-old-revoked"} & faults
    if crl_faults:
        revoked: list[Issued] = []
        if "e-revoked" in faults and e_leaves:
            revoked.append(e_leaves[0])
        if "crl-old-revoked" in faults:
            old_sans = [e_cluster, e_names[0], f"collab-edge.{DOMAIN}", DOMAIN] if e_names else [e_cluster]
            old = pki.leaf(
                e_cluster,
                issuing,
                sans=old_sans,
                key_label="expe-old",
                not_before=datetime(2023, 3, 1, tzinfo=UTC),
                not_after=datetime(2026, 3, 1, tzinfo=UTC),
            )
            revoked.append(old)
        this_update, next_update = datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
        if "crl-expired" in faults:
            this_update, next_update = datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
        crl = pki.crl(issuing, revoked, this_update=this_update, next_update=next_update)
        (certs / "issuing.crl").write_bytes(pem(crl))
        case["crls"] = ["certs/issuing.crl"]
    upload_faults = _UPLOADS & faults
    if upload_faults:
        case["upload"] = _write_upload(pki, certs, faults, upload_target, issuing, other_root)
    path = outdir / "case.yaml"
    path.write_text(_yaml_dump(case), encoding="utf-8")
    return path


def _write_upload(
    pki: TestPKI, certs: Path, faults: set[str], target: Side, issuing: Issued, other_root: Issued
) -> dict[str, str]:
    """The upload file (and its private key) for the upload faults; returns the case's upload block."""
    prefix = "expc" if target == "expressway_c" else "expe"
    cluster = f"{prefix}.{DOMAIN}"
    sans = [cluster, f"collab-edge.{DOMAIN}"] if target == "expressway_e" else [cluster, f"{prefix}1.{DOMAIN}"]
    if "upload-short-san" in faults:
        sans = [*sans, prefix]
    eku = ["serverAuth"] if "upload-no-client-auth" in faults else ["serverAuth", "clientAuth"]
    signer = other_root if "upload-untrusted" in faults else issuing
    new = pki.leaf(cluster, signer, sans=sans, eku=eku, key_label=f"{prefix}-new")
    name = f"{prefix}-new.cer"
    if "upload-der" in faults:
        data = new.certificate.public_bytes(Encoding.DER)
    elif "upload-pkcs7" in faults:
        name = f"{prefix}-new.p7b"
        data = pkcs7([new.certificate, signer.certificate], encoding="der")
    elif "upload-bundle" in faults:
        name = f"{prefix}-new-chain.pem"
        data = pem(new.certificate, *([signer.certificate] if signer is other_root else [issuing.certificate]))
    elif "upload-csr" in faults:
        name = f"{prefix}-new.csr"
        data = pem(pki.csr(cluster, sans=sans, key_label=f"{prefix}-new"))
    elif "upload-windows-base64" in faults:
        data = windows_base64(new.certificate)
    else:
        data = new.pem()
    (certs / name).write_bytes(data)
    key_owner = (
        pki.leaf("unrelated.example.com", issuing, key_label="unrelated") if "upload-key-mismatch" in faults else new
    )
    (certs / f"{prefix}-new.key").write_bytes(key_owner.key_pem())
    return {"target": target, "file": f"certs/{name}", "key": f"certs/{prefix}-new.key"}


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
        print("variants:")
        for name, what in VARIANTS.items():
            print(f"  {name:30} {what}")
        return 0 if args else 2
    if args[0] == "examples" and len(args) == 2:
        for path in write_examples(Path(args[1])):
            print(path)
        return 0
    print(write_deployment(Path(args[0]), args[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
