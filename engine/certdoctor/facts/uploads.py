"""The server-certificate upload file: its format, whether its CAs are trusted, whether its key belongs to it."""

from __future__ import annotations

from typing import Any

from certdoctor.facts.deployment import Deployment, chain_problems, missing_ca
from certdoctor.facts.fact import Facts
from certdoctor.facts.parties import ca_params, checker_params, missing_cas
from certdoctor.x509.findings import FileFormat
from certdoctor.x509.load import Unreadable
from certdoctor.x509.naming import label
from certdoctor.x509.upload import unreadable_verdict, upload_verdict


def upload_facts(d: Deployment, out: Facts) -> None:
    """Format, trust and key checks on the file being uploaded.

    The format is judged even when the file's content cannot be read (a password-protected .pfx is refused by
    the upload page for being a PKCS#12, whatever it holds); the trust and key checks need its certificate.
    """
    upload = d.case.upload
    loaded = d.upload_file
    if upload is None or loaded is None:
        return
    if isinstance(loaded, Unreadable):
        verdict = unreadable_verdict(loaded)
        shown = loaded.format.value if loaded.format is not None else "unreadable"
    else:
        verdict = upload_verdict(loaded)
        shown = loaded.format.value
    # what the file is, for steps that only apply to a .pfx (no finding of its own: upload.format_ok judges it)
    out.add("upload.is_pkcs12", loaded.format is FileFormat.PKCS12, "certificates", "", ok=True, file=upload.file)
    out.add(
        "upload.format_ok",
        verdict.accepted,
        "certificates",
        f"upload file {upload.file} ({shown}) "
        + (
            "is a single PEM server certificate"
            if verdict.accepted
            else "is not accepted as is: " + "; ".join(verdict.reasons)
        ),
        ok=verdict.accepted,
        file=upload.file,
        format=shown,
        reasons="; ".join(verdict.reasons),
        conversion="; ".join(verdict.conversion),
    )
    served = d.upload_served
    if served is None:
        return
    leaf_cert = served.leaf.cert
    target = upload.target
    store = d.c_trust if target == "expressway_c" else d.e_trust if target == "expressway_e" else None
    if store is not None:
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
            **checker_params(d, str(target)),
            checked_name=f"the upload file {upload.file}",
            **ca_params(missing_cas(d, path, store)),
        )
    if upload.key and d.upload_key is not None:
        keys = [k.key for k in d.upload_key.private_keys if k.key is not None]
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
