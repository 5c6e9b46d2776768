"""Would Expressway's Server certificate upload page take this file as is (seed S1); if not, how to fix it."""

from __future__ import annotations

from certdoctor.x509.findings import FileFormat, UploadVerdict
from certdoctor.x509.load import LoadedFile, Unreadable
from certdoctor.x509.naming import is_ca, is_self_signed, label

_CONVERT = "certdoctor convert {path} -o server.pem   (writes the server certificate as PEM)"
_WINDOWS = (
    "Windows: open the certificate > Details > Copy to File... > "
    "'Base-64 encoded X.509 (.CER)' > save, then upload the saved file"
)


def upload_verdict(loaded: LoadedFile) -> UploadVerdict:
    """Judge the file against Maintenance > Security > Server certificate: one PEM server certificate."""
    reasons: list[str] = []
    conversion: list[str] = []
    path = loaded.source
    fmt = loaded.format
    if fmt is FileFormat.CSR:
        reasons.append("this is a certificate signing request (CSR), not the signed certificate")
        conversion.append(
            "send the CSR to the CA and upload the certificate it returns; "
            "Expressway keeps the private key that belongs to this CSR"
        )
        return UploadVerdict(accepted=False, reasons=reasons, conversion=conversion)
    if fmt is FileFormat.PRIVATE_KEY:
        reasons.append("this file holds only a private key, no certificate")
        conversion.append(
            "upload the key in the 'Select the server private key file' field "
            "(it must not be password protected), and the certificate separately"
        )
        return UploadVerdict(accepted=False, reasons=reasons, conversion=conversion)
    if fmt is FileFormat.CRL:
        reasons.append("this is a certificate revocation list, not a certificate")
        conversion.append("load CRLs under Maintenance > Security > CRL management")
        return UploadVerdict(accepted=False, reasons=reasons, conversion=conversion)
    if fmt in (FileFormat.DER, FileFormat.BASE64):
        reasons.append(
            "binary DER certificate; Expressway wants PEM text starting with -----BEGIN CERTIFICATE-----"
            if fmt is FileFormat.DER
            else "Base-64 without the -----BEGIN CERTIFICATE----- / -----END CERTIFICATE----- lines"
        )
        conversion += [
            f"openssl x509 -inform DER -in {path} -out server.pem"
            if fmt is FileFormat.DER
            else "add the line -----BEGIN CERTIFICATE----- before and -----END CERTIFICATE----- after the text",
            _WINDOWS,
        ]
    elif fmt in (FileFormat.PKCS7_DER, FileFormat.PKCS7_PEM):
        reasons.append(
            f"PKCS#7 bundle (.p7b) with {len(loaded.certificates)} certificate(s); the upload page "
            "wants the server certificate alone in PEM"
        )
        inform = " -inform DER" if fmt is FileFormat.PKCS7_DER else ""
        conversion += [
            f"openssl pkcs7{inform} -print_certs -in {path} -out all.pem, keep only the server "
            "certificate block; load the CA certificates under Maintenance > Security > "
            "Trusted CA certificate",
            "Windows: open the .p7b, select the server certificate, Copy to File... > 'Base-64 encoded X.509 (.CER)'",
        ]
    elif fmt is FileFormat.PKCS12:
        reasons.append(
            "PKCS#12 (.pfx/.p12) file holding certificate(s) and a private key; Expressway takes "
            "the certificate and the unencrypted key as separate PEM files"
        )
        conversion += [
            f"openssl pkcs12 -in {path} -clcerts -nokeys -out server.pem",
            f"openssl pkcs12 -in {path} -nocerts -nodes -out server.key  (upload as the server "
            "private key; keep it safe)",
        ]
    elif fmt is FileFormat.MIXED_PEM:
        reasons.append("the PEM file mixes certificates with other blocks (private key, CSR, CRL)")
        conversion.append("keep only the server certificate block in the file; upload the private key in its own field")
    if loaded.utf16:
        reasons.append("the text is UTF-16 ('Unicode' in Notepad); Expressway expects ASCII")
        conversion.append("save the file again with encoding ANSI/UTF-8 (Notepad: Save As > Encoding)")
    elif loaded.byte_order_mark:
        reasons.append("the file starts with a byte-order mark before -----BEGIN CERTIFICATE-----")
        conversion.append("save the file again as UTF-8 without BOM or ANSI")
    if loaded.text_outside_pem:
        reasons.append("there is text outside the -----BEGIN/END CERTIFICATE----- block")
        conversion.append("delete everything before -----BEGIN CERTIFICATE----- and after -----END CERTIFICATE-----")
    certs = loaded.certificates
    if fmt is FileFormat.PEM_BUNDLE:
        reasons.append(
            f"the file holds {len(certs)} certificates; the upload page wants only the server "
            "certificate, not the chain"
        )
        conversion.append(
            "keep only the server certificate block; upload the CA certificates under "
            "Maintenance > Security > Trusted CA certificate"
        )
    leaves = [c for c in certs if not is_ca(c)]
    if certs and not leaves:
        who = label(certs[0])
        kind = "a self-signed root CA" if is_self_signed(certs[0]) else "a CA certificate"
        reasons.append(f"{who} is {kind}, not a server certificate")
        conversion.append(
            "upload CA certificates under Maintenance > Security > Trusted CA certificate; "
            "the server certificate is the one issued to this Expressway's FQDN"
        )
    if reasons and certs and leaves:
        conversion.append(_CONVERT.format(path=path))
    return UploadVerdict(accepted=not reasons, reasons=reasons, conversion=conversion)


def unreadable_verdict(file: Unreadable) -> UploadVerdict:
    """The upload page's verdict on a file whose content could not be read: refused, and why, without its content.

    A PKCS#12 container is refused for what it is, so a password-protected .pfx is judged without its password:
    the page takes the server certificate as PEM and its private key as a separate file, never a .pfx.
    """
    path = file.source
    if file.format is FileFormat.PKCS12:
        closed = "protected by a password" if file.locked else f"that cannot be opened ({file.problem})"
        return UploadVerdict(
            accepted=False,
            reasons=[
                f"PKCS#12 (.pfx/.p12) container {closed}; Expressway's Server certificate page takes the "
                "server certificate as PEM and its private key as a separate, unencrypted file, not a PKCS#12"
            ],
            conversion=[
                f"openssl pkcs12 -in {path} -clcerts -nokeys -out server.pem",
                f"openssl pkcs12 -in {path} -nocerts -nodes -out server.key  (upload as the server "
                "private key; keep it safe)",
                f"or: certdoctor convert {path} -o server.pem --password-env VAR  (the password from "
                "environment variable VAR; writes the server certificate only)",
            ],
        )
    return UploadVerdict(
        accepted=False,
        reasons=[f"the file cannot be read ({file.problem}); the upload page cannot read it either"],
        conversion=["export the server certificate again from the CA as Base-64 (PEM)", _WINDOWS],
    )
