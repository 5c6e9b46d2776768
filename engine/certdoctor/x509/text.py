"""Render certificate-layer reports as plain text a TAC engineer reads top to bottom."""

from __future__ import annotations

from collections.abc import Callable

from certdoctor.x509.models import CertificateInfo, FileReport, Finding, Verdict, VerifyReport

Style = Callable[[str, str], str]


def plain(text: str, _kind: str) -> str:
    """No styling (pipes, files, NO_COLOR)."""
    return text


_ANSI = {"error": "31", "warning": "33", "pass": "32", "info": "36", "title": "1"}


def ansi(text: str, kind: str) -> str:
    """ANSI colour for a terminal."""
    code = _ANSI.get(kind)
    return f"\x1b[{code}m{text}\x1b[0m" if code else text


def _certificate_lines(info: CertificateInfo, index: int, style: Style) -> list[str]:
    """The fields of one certificate, one per line, indented."""
    lines = [style(f"  Certificate {index}: {info.subject or '(empty subject)'}", "title")]

    def add(name: str, value: object) -> None:
        if value not in (None, [], {}, ""):
            lines.append(f"    {name:<22} {value}")

    add("issuer", info.issuer)
    add("serial", info.serial)
    add("valid", f"{info.not_before:%Y-%m-%d %H:%M}Z .. {info.not_after:%Y-%m-%d %H:%M}Z")
    add(
        "subject alt names",
        ", ".join(info.sans.dns + info.sans.ip + info.sans.email + info.sans.uri + info.sans.other),
    )
    if info.key:
        curve = f" ({info.key.curve})" if info.key.curve else ""
        add("public key", f"{info.key.type} {info.key.size or ''}{curve}".strip())
    add("signature", f"{info.signature_algorithm}")
    if info.basic_constraints is not None:
        bc = info.basic_constraints
        path_len = f", pathlen {bc['path_length']}" if bc.get("path_length") is not None else ""
        add("basic constraints", f"CA:{'TRUE' if bc.get('ca') else 'FALSE'}{path_len}")
    else:
        add("basic constraints", "(absent)")
    add("key usage", ", ".join(info.key_usage) if info.key_usage is not None else "(absent)")
    add(
        "extended key usage",
        ", ".join(info.extended_key_usage) if info.extended_key_usage is not None else "(absent)",
    )
    add("subject key id", info.subject_key_id)
    add("authority key id", info.authority_key_id)
    add("CRL distribution", ", ".join(info.crl_distribution_points))
    for kind, urls in info.authority_info_access.items():
        add(f"AIA {kind}", ", ".join(urls))
    add("self-signed", "yes" if info.self_signed else None)
    add("wildcard names", ", ".join(info.wildcard_names))
    add("unknown subject OIDs", ", ".join(info.unknown_subject_oids))
    add("unknown issuer OIDs", ", ".join(info.unknown_issuer_oids))
    add("SHA-256 fingerprint", info.fingerprint_sha256)
    for problem in info.problems:
        lines.append("    " + style(f"! {problem.message}", "error"))
    return lines


def render_file_report(report: FileReport, style: Style = plain) -> str:
    """What a file is, what it holds, and whether the upload page takes it."""
    lines = [style(f"{report.path}: {report.format.value} ({report.size} bytes)", "title")]
    lines += [f"  note: {n}" for n in report.encoding_notes]
    for i, info in enumerate(report.certificates, start=1):
        lines += _certificate_lines(info, i, style)
    for req in report.requests:
        lines.append(style(f"  Certificate signing request: {req.subject}", "title"))
        if req.sans.dns or req.sans.ip:
            lines.append(f"    {'subject alt names':<22} {', '.join(req.sans.dns + req.sans.ip)}")
        if req.key:
            lines.append(f"    {'public key':<22} {req.key.type} {req.key.size or ''}".rstrip())
        lines.append(f"    {'signature':<22} {'valid' if req.signature_valid else 'INVALID'}")
    for key in report.private_keys:
        what = f"{key.key.type} {key.key.size}" if key.key else "unknown type"
        state = "encrypted" if key.encrypted else "not encrypted"
        lines.append(style(f"  Private key: {what}, {state} (content not shown)", "title"))
    for crl in report.crls:
        nxt = f"{crl.next_update:%Y-%m-%d}" if crl.next_update else "(none)"
        lines.append(style(f"  CRL from {crl.issuer}", "title"))
        lines.append(f"    {'this/next update':<22} {crl.this_update:%Y-%m-%d} / {nxt}")
        lines.append(f"    {'revoked serials':<22} {len(crl.revoked_serials)}")
    up = report.upload
    if up.accepted:
        lines.append(style("  Upload (Maintenance > Security > Server certificate): accepted as is", "pass"))
    else:
        lines.append(style("  Upload (Maintenance > Security > Server certificate): NOT accepted as is", "warning"))
        lines += [f"    - {r}" for r in up.reasons]
        if up.conversion:
            lines.append("    How to fix:")
            lines += [f"      * {c}" for c in up.conversion]
    return "\n".join(lines)


def _verdict_lines(name: str, verdict: Verdict, style: Style) -> list[str]:
    """One verdict with its reasons."""
    word = style("TRUSTED", "pass") if verdict.trusted else style("NOT TRUSTED", "error")
    lines = [f"{name}: {word}"]
    lines += [f"  - {r}" for r in verdict.reasons]
    return lines


def _finding_line(f: Finding, style: Style) -> str:
    severity = style(f"{f.severity.upper():<8}", f.severity)
    return f"  {severity} {f.code:<32} {f.message}"


def render_verify_report(report: VerifyReport, style: Style = plain) -> str:
    """Path, both verdicts, why they differ, and every finding."""
    host = f"   host: {report.host}" if report.host else "   (no --host: names not checked)"
    lines = [
        style(f"Leaf {report.leaf}", "title"),
        f"  checked at {report.at:%Y-%m-%d %H:%M:%S}Z{host}",
        "Path:",
    ]
    for i, link in enumerate(report.path):
        lines.append(f"  {i}  {link.source:<8} {link.certificate}")
    lines += _verdict_lines("Expressway-compatible verdict (OpenSSL-like)", report.expressway, style)
    lines += _verdict_lines("Strict verdict (RFC 5280 / CA/B Forum)", report.strict, style)
    if report.differences:
        lines.append("Why they differ:")
        lines += [f"  {d}" for d in report.differences]
    order = {"error": 0, "warning": 1, "info": 2, "pass": 3}
    lines.append("Findings:")
    lines += [_finding_line(f, style) for f in sorted(report.findings, key=lambda f: order[f.severity])]
    return "\n".join(lines)
