"""The lab's names and fault catalogue: domain, instant, documented addresses, FAULTS and VARIANTS."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

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
    "revoked-intermediate-e": "Expressway-E's issuing CA (Lab Edge CA, sent in its chain, trusted by C) is revoked "
    "by the supplied CRL of the Lab Root CA",
    "revoked-ca-cucm": "Unified CM's issuing CA (Voice Issuing CA, sent in its chain, trusted by C) is revoked by "
    "the supplied CRL of the Voice Root CA",
    "pfx-upload-password": "the upload file is a password-protected PKCS#12 (.pfx) holding the new certificate, "
    "its private key and its chain, as a Windows CA exports it",
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
    "root-crl-unrelated": "Expressway-E is issued by Lab Edge CA; the supplied CRL of the Lab Root CA revokes a "
    "retired CA, not Lab Edge CA",
    "cucm-crl-unrelated": "Unified CM is issued by Voice Issuing CA; the supplied CRL of the Voice Root CA revokes "
    "a retired CA, not Voice Issuing CA",
    "root-crl-expired": "Expressway-E is issued by Lab Edge CA; the supplied CRL of the Lab Root CA, which judges "
    "Lab Edge CA, is past its nextUpdate (nothing revoked)",
    "c-trust-truncated": "Expressway-C's trusted CA list file is truncated: it ends inside its second certificate",
    "e-node-pfx": "Expressway-E node 1's certificate is given as the password-protected .pfx it was installed from",
}

#: The password of every .pfx the lab writes (pfx-upload-password, e-node-pfx): what tests give `fix --password`.
PFX_PASSWORD = "Lab-Pfx-2026"

#: Faults that put Expressway-E under its own issuing CA, Lab Edge CA (sent in its chain and trusted by C).
EDGE_CA = {"revoked-intermediate-e", "root-crl-unrelated", "root-crl-expired"}
#: Faults that give Unified CM certificates from Voice Issuing CA under Voice Root CA (trusted by C).
VOICE_CA = {"revoked-ca-cucm", "cucm-crl-unrelated"}

#: The faults and variants about a certificate to upload: the case gets an `upload:` block.
UPLOADS = {
    "upload-der",
    "upload-key-mismatch",
    "upload-untrusted",
    "upload-pkcs7",
    "upload-bundle",
    "upload-csr",
    "upload-windows-base64",
    "upload-no-client-auth",
    "upload-short-san",
    "pfx-upload-password",
}

Side = Literal["expressway_c", "expressway_e"]


def checked_faults(faults: Iterable[str]) -> set[str]:
    """The faults as a set; a name that is neither a fault nor a variant is a ValueError."""
    chosen = set(faults)
    unknown = chosen - set(FAULTS) - set(VARIANTS)
    if unknown:
        raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
    return chosen


def fqdns(prefix: str, count: int) -> list[str]:
    """Node FQDNs: expc1.., expc2.. for a cluster; expc.<domain> for a single box."""
    if count == 1:
        return [f"{prefix}.{DOMAIN}"]
    return [f"{prefix}{i}.{DOMAIN}" for i in range(1, count + 1)]
