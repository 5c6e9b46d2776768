"""Issue-15 edge causes: own chain not sent, default temporary certificate, SAN past 999 characters, key newline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cryptography import x509

from certdoctor.lab import E_IP
from certdoctor.lab.issuing import issue_cas
from certdoctor.testpki import TestPKI, pem

from ..common import PAIR_ONLY, Scenario
from ..texts import UNKNOWN_ISSUER

TS212475 = "Cisco Doc ID 212475"
TS217230 = "Cisco Doc ID 217230"
TS213872 = "Cisco Doc ID 213872"
CERT_GUIDE = "Cisco Expressway Certificate Creation and Use Deployment Guide"
CLUSTER = {"c_nodes": 1, "e_nodes": 2, "cucm": False}

# Expressway-C's event log: Expressway-E answered C's client certificate with a TLS alert (OpenSSL 1.x wording)
C_ALERT_CERT_UNKNOWN = (
    '2026-06-02T14:02:17.311+02:00 expc tvcs: Event="Outbound TLS Negotiation Error" Service="SIP" '
    f'Src-ip="10.48.80.161" Src-port="26114" Dst-ip="{E_IP}" Dst-port="7001" '
    'Detail="error:14094416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown" Protocol="TLS"'
)
# Expressway-E's event log: Webex refused the chain E sent on the mutual-TLS port 5062
E_WEBEX_CERT_UNKNOWN = (
    '2026-06-02T14:09:03.870+02:00 expe1 tvcs: Event="Outbound TLS Negotiation Error" Service="SIP" '
    'Dst-ip="146.20.193.64" Dst-port="5062" '
    'Detail="error:14094416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown" Protocol="TLS"'
)
# Expressway-E's event log: Expressway-C answered the chain E sent on the traversal port with a TLS alert
E_ALERT_CERT_UNKNOWN = (
    '2026-06-02T14:03:41.027+02:00 expe tvcs: Event="Inbound TLS Negotiation Error" Service="SIP" '
    f'Src-ip="10.48.80.161" Src-port="26120" Dst-ip="{E_IP}" Dst-port="7001" '
    'Detail="error:14094416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown" Protocol="TLS"'
)
# the Issuer line of the default trusted CA entry a new Expressway ships with, as Show all (decoded) prints it
TEMPORARY_CA_ISSUER = (
    "Issuer: O=Temporary CA 5c1d9e02-7a44-4f0b-9d3e-1b6f0c2a8e71, OU=Temporary CA "
    "5c1d9e02-7a44-4f0b-9d3e-1b6f0c2a8e71, CN=Temporary CA 5c1d9e02-7a44-4f0b-9d3e-1b6f0c2a8e71"
)


def _certs(folder: Path) -> Path:
    return folder / "certs"


def _first_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificates(path.read_bytes())[0]


def _e2_own_list_root_only(folder: Path) -> dict[str, Any]:
    """Expressway-E peer 2 has its own trusted list holding only the root (not replicated): it sends no intermediate."""
    cas = issue_cas(TestPKI(seed="certdoctor-lab"))
    (_certs(folder) / "expe2-own-trust.pem").write_bytes(pem(cas.root.certificate))
    return {
        "expressway_e.nodes": [
            {"fqdn": "expe1.example.com", "certificate": "certs/expe1.pem"},
            {
                "fqdn": "expe2.example.com",
                "certificate": "certs/expe2.pem",
                "trusted_cas": ["certs/expe2-own-trust.pem"],
            },
        ]
    }


def _c_leaf_only(folder: Path) -> dict[str, Any]:
    """Expressway-C's certificate as its Server certificate page gives it: the leaf alone (chain from its list)."""
    leaf = _first_cert(_certs(folder) / "expc.pem")
    (_certs(folder) / "expc-leaf.pem").write_bytes(pem(leaf))
    return {"expressway_c.certificate": "certs/expc-leaf.pem"}


def _e_leaf_only(folder: Path) -> dict[str, Any]:
    """Expressway-E's certificate as its Server certificate page gives it: the leaf alone (chain from its list)."""
    leaf = _first_cert(_certs(folder) / "expe.pem")
    (_certs(folder) / "expe-leaf.pem").write_bytes(pem(leaf))
    return {"expressway_e.certificate": "certs/expe-leaf.pem"}


def _temporary(pki: TestPKI, host: str, tag: str) -> bytes:
    """A default certificate as a new Expressway presents it: a leaf for its host from its own temporary CA."""
    name = f"Temporary CA {tag}"
    ca = pki.root(name, subject_extra=[("O", name), ("OU", name)], key_label=f"temp-{tag}")
    leaf = pki.leaf(host, ca, sans=[host], key_label=f"temp-leaf-{tag}")
    return pem(leaf.certificate, ca.certificate)


def _default_e_single(folder: Path) -> dict[str, Any]:
    data = _temporary(TestPKI(seed="edge-default"), "expe.example.com", "5c1d9e02-7a44-4f0b-9d3e-1b6f0c2a8e71")
    (_certs(folder) / "expe-default.pem").write_bytes(data)
    return {"expressway_e.certificate": "certs/expe-default.pem"}


def _default_e_peer2(folder: Path) -> dict[str, Any]:
    data = _temporary(TestPKI(seed="edge-default"), "expe2.example.com", "0b7e4f61-2c93-4d1a-8f25-6e0d9a3c7b14")
    (_certs(folder) / "expe2-default.pem").write_bytes(data)
    return {
        "expressway_e.nodes": [
            {"fqdn": "expe1.example.com", "certificate": "certs/expe1.pem"},
            {"fqdn": "expe2.example.com", "certificate": "certs/expe2-default.pem"},
        ]
    }


def _many_sans(count: int, last: list[str]) -> list[str]:
    """count registration-domain style names, then the ones that matter last."""
    return [f"collab-edge.branch{i:02d}-region.example-voice.com" for i in range(count)] + last


def _long_san(count: int, *, with_domain: bool = True) -> Callable[[Path], dict[str, Any]]:
    """Expressway-E with a SAN list of count long names before its own names (past 999 characters for 20+)."""

    def extra(folder: Path) -> dict[str, Any]:
        pki = TestPKI(seed="certdoctor-lab")
        cas = issue_cas(pki)
        tail = ["expe.example.com"] + (["collab-edge.example.com", "example.com"] if with_domain else [])
        leaf = TestPKI(seed="edge-san").leaf("expe.example.com", cas.issuing, sans=_many_sans(count, tail))
        (_certs(folder) / "expe-long-san.pem").write_bytes(pem(leaf.certificate, cas.issuing.certificate))
        return {"expressway_e.certificate": "certs/expe-long-san.pem"}

    return extra


def _key_upload(target: str, *, newline: bool, matching: bool = True) -> Callable[[Path], dict[str, Any]]:
    """An upload whose key file ends with or without a newline (the key matches the certificate unless told)."""
    prefix = "expc" if target == "expressway_c" else "expe"

    def extra(folder: Path) -> dict[str, Any]:
        cas = issue_cas(TestPKI(seed="certdoctor-lab"))
        pki = TestPKI(seed="edge-key")
        new = pki.leaf(f"{prefix}.example.com", cas.issuing, sans=[f"{prefix}.example.com"], key_label=f"{prefix}-k")
        owner = new if matching else pki.leaf("other.example.com", cas.issuing, key_label="other-k")
        key = owner.key_pem()
        key = key if newline else key.rstrip(b"\r\n")
        (_certs(folder) / f"{prefix}-new.pem").write_bytes(new.pem())
        (_certs(folder) / f"{prefix}-new.key").write_bytes(key)
        return {"upload": {"target": target, "file": f"certs/{prefix}-new.pem", "key": f"certs/{prefix}-new.key"}}

    return extra


def scenarios() -> Iterator[Scenario]:
    """Positives, near misses and symptom-only scenarios of the four edge causes."""
    yield from _own_chain()
    yield from _default_certificate()
    yield from _san_too_long()
    yield from _key_newline()


def _own_chain() -> Iterator[Scenario]:
    g = "trust.own-chain-not-sent"
    yield Scenario(
        g,
        "e-peer-own-list-lacks-intermediate",
        "Zone Failed towards one Expressway-E peer: expe2's own trusted CA list (not replicated) holds only the root, "
        "so expe2 sends no intermediate and Expressway-C, which trusts only the root, cannot build its path",
        TS212475,
        {"zone_status": "Failed", "log_lines": [UNKNOWN_ISSUER]},
        {"top": g, "folded": ["zone.ca-not-trusted"]},
        ("c-trust-root-only",),
        layout=CLUSTER,
        extra=_e2_own_list_root_only,
    )
    yield Scenario(
        g,
        "c-leaf-only-both-trust-root",
        "Single boxes, zone Failed: Expressway-C's own list lacks its intermediate so it sends its certificate alone; "
        "Expressway-E trusts only the root and answers with 'certificate unknown', which C logs outbound on 7001",
        TS212475,
        {"zone_status": "Failed", "log_lines": [C_ALERT_CERT_UNKNOWN]},
        {"top": g},
        ("c-trust-root-only", "e-trust-root-only"),
        layout=PAIR_ONLY,
        extra=_c_leaf_only,
    )
    yield Scenario(
        g,
        "near-miss-receiver-lacks-root",
        "Zone Failed with 'unable to get local issuer certificate': Expressway-E sends its whole chain, but "
        "Expressway-C's trusted list lacks the lab CA altogether: the CA belongs on the receiver",
        TS212475,
        {"zone_status": "Failed", "log_lines": [UNKNOWN_ISSUER]},
        {"top": "zone.ca-not-trusted", "excludes": [g], "ruled_out": [g]},
        ("c-trust-missing",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "near-miss-intermediate-sent-tunnels-down",
        "Zone Active, SSH tunnels down: Expressway-E sends the intermediate (its own list holds it) and Expressway-C "
        "trusts only the root: the intermediate must go into C's list, not E's",
        TS212475,
        {"zone_status": "Active", "ssh_tunnels": "down"},
        {"top": "ssh.intermediate-not-trusted", "excludes": [g]},
        ("c-trust-root-only",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "e-peer-own-list-lacks-intermediate-tunnels-down",
        "MRA sign-in fails and Status > Unified Communications shows the SSH tunnels to Expressway-E down: expe2's "
        "own trusted CA list (not replicated) holds only the root, so expe2 sends no intermediate, and Expressway-C "
        "trusts only the root",
        TS212475,
        {"zone_status": "Failed", "ssh_tunnels": "down", "mra_login": "failed"},
        {"top": g, "folded": ["zone.ca-not-trusted", "ssh.intermediate-not-trusted"]},
        ("c-trust-root-only",),
        layout=CLUSTER,
        extra=_e2_own_list_root_only,
    )
    yield Scenario(
        g,
        "e-logs-certificate-unknown-inbound",
        "Single boxes, zone Failed: Expressway-E's own trusted list holds only the Lab Root CA, so E sends its "
        "certificate alone; Expressway-C, which also trusts only the root, refuses it, and E logs the 'certificate "
        "unknown' alert inbound on 7001",
        TS212475,
        {"zone_status": "Failed", "logs": [{"side": "expressway_e", "text": E_ALERT_CERT_UNKNOWN}]},
        {"top": g},
        ("c-trust-root-only", "e-trust-root-only"),
        layout=PAIR_ONLY,
        extra=_e_leaf_only,
    )
    yield Scenario(
        "symptom-only",
        "212475-c-logs-certificate-unknown-outbound",
        "Zone Failed; Expressway-C logs a 'certificate unknown' alert on its outbound traversal connection (no files): "
        "E lacks C's CA, or C does not send its intermediate",
        TS212475,
        {"zone_status": "Failed", "log_lines": [C_ALERT_CERT_UNKNOWN]},
        {"includes": [g, "zone.ca-not-trusted"]},
        certificates=False,
    )
    yield Scenario(
        "symptom-only",
        "212475-webex-refuses-e-chain",
        "Webex calls fail; Expressway-E logs a 'certificate unknown' alert from Webex on port 5062 (no files)",
        TS212475,
        {"logs": [{"side": "expressway_e", "text": E_WEBEX_CERT_UNKNOWN}]},
        {"includes": [g, "webex.stale-control-hub-certificate"]},
        certificates=False,
    )


def _default_certificate() -> Iterator[Scenario]:
    g = "cert.default-temporary"
    yield Scenario(
        g,
        "e-default-certificate-zone-down",
        "Zone Failed with 'self signed certificate in certificate chain' on Expressway-C: Expressway-E still presents "
        "the default certificate from its temporary CA",
        TS212475,
        {"zone_status": "Failed", "log_lines": [UNKNOWN_ISSUER]},
        {"top": g, "folded": ["zone.ca-not-trusted"]},
        layout=PAIR_ONLY,
        extra=_default_e_single,
    )
    yield Scenario(
        g,
        "e-peer2-factory-reset",
        "After a factory reset of Expressway-E peer 2, calls through that peer fail: expe2 presents the default "
        "certificate again",
        TS217230,
        {"zone_status": "Failed"},
        {"top": g},
        layout=CLUSTER,
        extra=_default_e_peer2,
    )
    yield Scenario(
        g,
        "near-miss-other-ca-not-trusted",
        "Zone Failed with an unknown CA: Expressway-C does not trust the CA of a real Expressway-E certificate (no "
        "default certificate anywhere)",
        TS212475,
        {"zone_status": "Failed", "log_lines": [UNKNOWN_ISSUER]},
        {"top": "zone.ca-not-trusted", "excludes": [g]},
        ("c-trust-missing",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "e-peer2-rebuilt-during-upgrade",
        "Expressway-E peer 2 was rebuilt from a fresh image during the upgrade; Jabber users routed through it get a "
        "warning for a certificate issued by Temporary CA: expe2 presents the default certificate again",
        TS217230,
        {
            "recent_changes": ["upgrade"],
            "jabber_warning": "Certificate issued by Temporary CA 0b7e4f61-2c93-4d1a-8f25-6e0d9a3c7b14 is not trusted",
        },
        {"top": g},
        layout=CLUSTER,
        extra=_default_e_peer2,
    )
    yield Scenario(
        g,
        "ruled-out-temporary-ca-left-in-trusted-list",
        "After an upgrade the engineer finds 'Temporary CA' in the decoded trusted CA list and suspects the default "
        "certificate; every node presents a Lab Issuing CA certificate and the zone is Active: the entry is the "
        "harmless default trusted CA, no node uses the default certificate",
        TS217230,
        {"zone_status": "Active", "recent_changes": ["upgrade"], "log_lines": [TEMPORARY_CA_ISSUER]},
        {"excludes": [g], "ruled_out": [g]},
        layout=PAIR_ONLY,
    )
    yield Scenario(
        "symptom-only",
        "217230-jabber-warning-temporary-ca",
        "After a factory reset Jabber warns about the Expressway-E certificate; its issuer reads Temporary CA "
        "(no files)",
        TS217230,
        {"jabber_warning": "Certificate issued by Temporary CA 5c1d9e02-7a44-4f0b-9d3e-1b6f0c2a8e71 is not trusted"},
        {"top": g},
        certificates=False,
    )
    yield Scenario(
        "symptom-only",
        "212475-webex-unknown-ca-temporary-ca",
        "Webex calls fail; the Expressway-E log shows an unknown CA for a certificate whose issuer is the Temporary CA",
        TS212475,
        {
            "log_lines": [
                '2026-06-02T14:07:12.441+02:00 expe1 tvcs: Event="Inbound TLS Negotiation Error" Service="SIP" '
                'Dst-port="5062" Detail="self signed certificate in certificate chain" '
                'Issuer="CN=Temporary CA 5c1d9e02-7a44-4f0b-9d3e-1b6f0c2a8e71" Protocol="TLS"'
            ]
        },
        {"top": g},
        certificates=False,
    )


def _san_too_long() -> Iterator[Scenario]:
    g = "cert.san-too-long"
    yield Scenario(
        g,
        "e-san-cut-domain-lost",
        "Jabber warns about the Expressway-E certificate although its SAN list does hold the domain: the SAN field "
        "is past 999 characters and the domain comes after the cut",
        TS213872,
        {"jabber_warning": True, "mra_login": "failed"},
        {"top": g},
        layout=PAIR_ONLY,
        extra=_long_san(30),
    )
    yield Scenario(
        g,
        "e-san-cut-zone-name",
        "Expressway-E's own name sits at the end of a SAN list of 1,400 characters: Expressway ignores it",
        CERT_GUIDE,
        {"mra_login": "failed"},
        {"top": g},
        layout=PAIR_ONLY,
        extra=_long_san(40),
    )
    yield Scenario(
        g,
        "near-miss-long-san-under-limit-domain-missing",
        "A long SAN list (under 999 characters) simply lacks the Jabber domain: the name is missing, not cut",
        TS213872,
        {"jabber_warning": True},
        {"excludes": [g]},
        layout=PAIR_ONLY,
        extra=_long_san(15, with_domain=False),
    )
    yield Scenario(
        g,
        "ruled-out-short-san-edge-domain-missing",
        "Jabber warns and MRA sign-in fails; the Expressway-E SAN list is short (well under 999 characters) and "
        "simply lacks the sign-in domain and collab-edge.<domain>",
        TS213872,
        {"jabber_warning": True, "mra_login": "failed"},
        {"top": "jabber.edge-domain-not-in-san", "excludes": [g], "ruled_out": [g]},
        ("jabber-domain",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        "symptom-only",
        "213872-jabber-warns-mra-fails-no-certificates",
        "Jabber warns about the Expressway-E certificate and MRA sign-in fails (no certificates yet): a name missing "
        "from, or cut off the end of, the SAN list is among the candidates",
        TS213872,
        {"jabber_warning": True, "mra_login": "failed"},
        {"includes": [g]},
        certificates=False,
    )


def _key_newline() -> Iterator[Scenario]:
    g = "upload.key-no-trailing-newline"
    yield Scenario(
        g,
        "e-key-without-newline",
        "The new Expressway-E certificate and its private key fail to upload; the key file ends right after its END "
        "line",
        CERT_GUIDE,
        {"upload_page": "server-certificate"},
        {"top": g},
        layout=PAIR_ONLY,
        extra=_key_upload("expressway_e", newline=False),
    )
    yield Scenario(
        g,
        "c-key-without-newline-mra-fails",
        "After uploading a new Expressway-C certificate MRA services fail; its key file has no trailing newline",
        CERT_GUIDE,
        {"mra_login": "failed"},
        {"top": g},
        layout=PAIR_ONLY,
        extra=_key_upload("expressway_c", newline=False),
    )
    yield Scenario(
        g,
        "near-miss-key-of-another-certificate",
        "The upload fails; the key file ends with a newline but belongs to another certificate",
        CERT_GUIDE,
        {"upload_page": "server-certificate"},
        {"top": "upload.key-mismatch", "excludes": [g]},
        layout=PAIR_ONLY,
        extra=_key_upload("expressway_e", newline=True, matching=False),
    )
