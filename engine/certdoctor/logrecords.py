"""Read one pasted log line as a record: who logged it, port and channel, direction, TLS alert, verify error.

The same TLS alert means different causes on different ports and sides (an alert the Expressway-C logs on
its outbound traversal connection is the Expressway-E refusing C's certificate; the same alert on 5062 is
Webex refusing the Expressway-E's), so the rules read these fields rather than the words alone. Pure
functions over text; what the host name means (which side) is decided with the case (facts/logs.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Well-known ports of an Expressway deployment and the channel each one carries (Cisco Expressway IP port
#: usage guide; 7001 is the Unified Communications traversal zone, 5062 the Webex / mutual-TLS port).
CHANNELS: dict[int, str] = {
    7001: "traversal",
    7002: "traversal",
    7003: "traversal",
    2222: "ssh",
    5061: "sip-tls",
    5062: "webex",
    5091: "sip-oauth",
    5090: "sip-oauth",
    8443: "https",
    443: "https",
    6001: "https",
    5222: "xmpp",
    7400: "xmpp",
}

#: TLS alert descriptions (RFC 8446 section 6.2) as OpenSSL 1.x and 3.x write them, normalised with '-'.
ALERTS = (
    "certificate unknown",
    "unknown ca",
    "bad certificate",
    "certificate expired",
    "certificate revoked",
    "unsupported certificate",
    "handshake failure",
    "decrypt error",
    "access denied",
    "protocol version",
    "internal error",
    "illegal parameter",
    "decode error",
    "certificate required",
)

#: OpenSSL verify errors (X509_V_ERR_*): 1.x wording and 3.x wording ('self-signed') map to one value.
VERIFY_ERRORS: tuple[tuple[str, str], ...] = (
    (r"self[- ]signed certificate in certificate chain", "self-signed-in-chain"),
    (r"self[- ]signed certificate", "self-signed"),
    (r"unable to get local issuer certificate", "unknown-issuer"),
    (r"unable to get issuer certificate", "unknown-issuer"),
    (r"unable to verify the first certificate", "unknown-issuer"),
    (r"certificate has expired|certificate expired", "expired"),
    (r"certificate is not yet valid", "not-yet-valid"),
    (r"unsupported certificate purpose", "unsupported-purpose"),
    (r"certificate revoked|certificate has been revoked", "revoked"),
    (r"unable to get certificate crl", "crl-unavailable"),
    (r"hostname mismatch|does not match (the )?(host|peer|subject)", "name-mismatch"),
    (r"certificate signature failure", "signature-failure"),
)

_ALERT = re.compile(r"\b(?:sslv3|tlsv1(?:\.[0-3])?|tlsv13|tls|ssl)?[ _]?alert[ _]((?:[a-z]+[ _]){0,2}[a-z]+)")
_FIELD = re.compile(r'\b([A-Za-z][A-Za-z-]*)\s*=\s*"([^"]*)"')
_SYSLOG_HOST = re.compile(
    r"^(?:<\d+>)?(?:\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?|[A-Z][a-z]{2}\s+\d{1,2}\s+[\d:]+)\s+([A-Za-z0-9.-]+)\s+\S+:"
)
_PORT_WORD = re.compile(r"\bport[ :=]+(\d{2,5})\b", re.IGNORECASE)
_HOST_PORT = re.compile(r"\b[A-Za-z0-9.-]+:(\d{2,5})\b")


@dataclass(frozen=True)
class LogRecord:
    """One log line as fields; None where the line does not say."""

    host: str | None
    port: int | None
    channel: str
    direction: str | None
    common_name: str | None
    detail: str | None
    alert: str | None
    verify_error: str | None
    disconnect: bool

    @property
    def tls_relevant(self) -> bool:
        """Whether the line says anything about a TLS connection (an alert, a verify error, a disconnect)."""
        return bool(self.alert or self.verify_error or self.disconnect)


def _alert(norm: str) -> str | None:
    """The TLS alert a line names, as 'certificate-unknown'; None without one."""
    for m in _ALERT.finditer(norm):
        words = m.group(1).replace("_", " ")
        for name in ALERTS:
            if words.startswith(name):
                return name.replace(" ", "-")
    return None


def _verify_error(norm: str) -> str | None:
    """The OpenSSL verify error a line names, whichever OpenSSL wrote it; None without one."""
    for pattern, value in VERIFY_ERRORS:
        if re.search(pattern, norm):
            return value
    return None


def _port(fields: dict[str, str], text: str) -> int | None:
    """The listening port of the connection: Dst-port (inbound and outbound alike), else a port the line names."""
    for key in ("dst-port", "port", "local-port", "src-port"):
        value = fields.get(key, "")
        if value.isdigit() and (key != "src-port" or int(value) in CHANNELS):
            return int(value)
    for pattern in (_PORT_WORD, _HOST_PORT):
        for m in pattern.finditer(text):
            if int(m.group(1)) in CHANNELS:
                return int(m.group(1))
    return None


def parse_line(text: str) -> LogRecord:
    """The record of one pasted line (at most MAX_TEXT_CHARS characters, so bounded work)."""
    fields = {k.casefold(): v for k, v in _FIELD.findall(text)}
    norm = " ".join(text.casefold().split())
    host_match = _SYSLOG_HOST.match(text.strip())
    port = _port(fields, text)
    event = fields.get("event", "").casefold()
    direction = "inbound" if "inbound" in event else "outbound" if "outbound" in event else None
    if direction is None and (m := re.search(r"\b(inbound|outbound)\b", norm)):
        direction = m.group(1)
    detail = fields.get("detail")
    return LogRecord(
        host=host_match.group(1) if host_match else None,
        port=port,
        channel=CHANNELS.get(port, "other") if port is not None else "unknown",
        direction=direction,
        common_name=fields.get("common-name") or fields.get("common_name"),
        detail=detail,
        alert=_alert(norm),
        verify_error=_verify_error(norm),
        disconnect="probably remote disconnect" in norm or "eof on socket" in norm,
    )
