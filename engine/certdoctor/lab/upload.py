"""The certificate file a customer is about to upload (and its private key), for the upload faults."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from certdoctor.lab.catalogue import DOMAIN, PFX_PASSWORD, Side
from certdoctor.lab.pfx import locked_pfx
from certdoctor.testpki import Issued, TestPKI, pem, pkcs7, windows_base64


def _upload_sans(prefix: str, target: Side, faults: set[str]) -> list[str]:
    """The new certificate's SANs: cluster plus collab-edge (E) or node 1 (C), and a short name if asked."""
    cluster = f"{prefix}.{DOMAIN}"
    sans = [cluster, f"collab-edge.{DOMAIN}"] if target == "expressway_e" else [cluster, f"{prefix}1.{DOMAIN}"]
    return [*sans, prefix] if "upload-short-san" in faults else sans


def _upload_file(
    pki: TestPKI, prefix: str, new: Issued, signer: Issued, sans: list[str], faults: set[str], root: Issued | None
) -> tuple[str, bytes]:
    """File name and bytes in the format the fault names: DER, PKCS#7, PEM bundle, CSR, .pfx, Windows Base-64, PEM."""
    if "pfx-upload-password" in faults:  # what a Windows CA exports: key, certificate and the whole path
        chain = [signer.certificate, *([root.certificate] if root is not None and root is not signer else [])]
        return f"{prefix}-new.pfx", locked_pfx(new.key, new.certificate, chain, PFX_PASSWORD.encode())
    if "upload-der" in faults:
        return f"{prefix}-new.cer", new.certificate.public_bytes(Encoding.DER)
    if "upload-pkcs7" in faults:
        return f"{prefix}-new.p7b", pkcs7([new.certificate, signer.certificate], encoding="der")
    if "upload-bundle" in faults:
        return f"{prefix}-new-chain.pem", pem(new.certificate, signer.certificate)
    if "upload-csr" in faults:
        return f"{prefix}-new.csr", pem(pki.csr(f"{prefix}.{DOMAIN}", sans=sans, key_label=f"{prefix}-new"))
    if "upload-windows-base64" in faults:
        return f"{prefix}-new.cer", windows_base64(new.certificate)
    return f"{prefix}-new.cer", new.pem()


def write_upload(
    pki: TestPKI,
    certs: Path,
    faults: set[str],
    target: Side,
    issuing: Issued,
    other_root: Issued,
    *,
    root: Issued | None = None,
) -> dict[str, str]:
    """The upload file (and its private key) for the upload faults; returns the case's upload block.

    A .pfx holds its own key: the block then names no key file (the customer has none apart from the .pfx).
    """
    prefix = "expc" if target == "expressway_c" else "expe"
    sans = _upload_sans(prefix, target, faults)
    eku = ["serverAuth"] if "upload-no-client-auth" in faults else ["serverAuth", "clientAuth"]
    signer = other_root if "upload-untrusted" in faults else issuing
    new = pki.leaf(f"{prefix}.{DOMAIN}", signer, sans=sans, eku=eku, key_label=f"{prefix}-new")
    name, data = _upload_file(pki, prefix, new, signer, sans, faults, root if signer is issuing else None)
    (certs / name).write_bytes(data)
    if "pfx-upload-password" in faults:
        return {"target": target, "file": f"certs/{name}"}
    key_owner = (
        pki.leaf("unrelated.example.com", issuing, key_label="unrelated") if "upload-key-mismatch" in faults else new
    )
    (certs / f"{prefix}-new.key").write_bytes(key_owner.key_pem())
    return {"target": target, "file": f"certs/{name}", "key": f"certs/{prefix}-new.key"}
