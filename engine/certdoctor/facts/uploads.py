"""The server-certificate upload file: its format, whether its CAs are trusted, whether its key belongs to it."""

from __future__ import annotations

from typing import Any

from certdoctor.facts.deployment import Deployment, Served, chain_problems, missing_ca
from certdoctor.facts.fact import Facts
from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.naming import is_ca, label
from certdoctor.x509.upload import upload_verdict


def upload_facts(d: Deployment, out: Facts) -> None:
    """Format, trust and key checks on the file being uploaded."""
    upload = d.case.upload
    if upload is None:
        return
    loaded = d.certs.load(upload.file, "upload.file")
    verdict = upload_verdict(loaded)
    out.add(
        "upload.format_ok",
        verdict.accepted,
        "certificates",
        f"upload file {upload.file} ({loaded.format.value}) "
        + (
            "is a single PEM server certificate"
            if verdict.accepted
            else "is not accepted as is: " + "; ".join(verdict.reasons)
        ),
        ok=verdict.accepted,
        file=upload.file,
        format=loaded.format.value,
        reasons="; ".join(verdict.reasons),
    )
    if not loaded.certificates:
        return
    leaf_cert = next((c for c in loaded.certificates if not is_ca(c)), loaded.certificates[0])
    target = upload.target
    store = d.c_trust if target == "expressway_c" else d.e_trust if target == "expressway_e" else None
    if store is not None:
        served = Served(f"upload to {target}", target or "", CertFacts(leaf_cert), [])
        path = d.path(served, store, with_chain=False)
        problems = chain_problems(path)
        trusted = not problems
        out.add(
            "upload.chain_trusted",
            trusted,
            "certificates",
            f"the CAs of {label(leaf_cert)} are "
            + ("all in the trusted list" if trusted else f"not all in the trusted list: {problems[0].message}"),
            ok=trusted,
            file=upload.file,
            target=str(target),
            missing=missing_ca(path),
            certificate=label(leaf_cert),
        )
    if upload.key:
        key_file = d.certs.load(upload.key, "upload.key")
        keys = [k.key for k in key_file.private_keys if k.key is not None]
        if keys:
            matches = _public_der(keys[0]) == _public_der(leaf_cert.public_key())
            out.add(
                "upload.key_matches",
                matches,
                "certificates",
                f"the private key in {upload.key} "
                + ("belongs to" if matches else "does NOT belong to")
                + f" {label(leaf_cert)}",
                ok=matches,
                file=upload.file,
                key=upload.key,
                certificate=label(leaf_cert),
            )


def _public_der(key: object) -> bytes:
    """SubjectPublicKeyInfo DER of a public key, or of a private key's public half."""
    from cryptography.hazmat.primitives import serialization  # only with an upload key

    public: Any = key.public_key() if hasattr(key, "public_key") else key
    der: bytes = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return der
