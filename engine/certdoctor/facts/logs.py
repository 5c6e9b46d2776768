"""Log records as facts: each TLS-relevant pasted line is an entity `log:<n>` with who logged it, channel and alert.

Who logged a line comes from the case (`symptoms.logs[].side`), else from its syslog host name matched against
the case's node names, else from the documented direction of the traversal connection (Expressway-C opens
it: Outbound on C, Inbound on E), else from the words of a Jabber or Unified CM log.
"""

from __future__ import annotations

import re

from certdoctor.case import Case
from certdoctor.facts.fact import Facts
from certdoctor.logrecords import LogRecord, parse_line
from certdoctor.symptoms import shown

#: Words that mark a line as a client's or Unified CM's own log (who logged it, when nothing else says).
_LOGGER_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bcsf::|\[csf\.|jabber|cisco jabber|\bjcf\b", "jabber"),
    (r"\bccm\b|callmanager|\btomcat\b|cisco unified cm", "cucm"),
    (r"ms-diagnostics|lync|skype for business", "microsoft"),
)


def _host_sides(case: Case) -> dict[str, str]:
    """Host name (FQDN and first label, case-folded) -> side, for every node the case names."""
    sides: dict[str, str] = {}
    for role, side in (("expressway_c", case.expressway_c), ("expressway_e", case.expressway_e)):
        if side is None:
            continue
        names = [n.fqdn for n in side.all_nodes() if n.fqdn] + ([side.cluster_fqdn] if side.cluster_fqdn else [])
        for name in names:
            sides[name.casefold()] = role
            sides.setdefault(name.split(".")[0].casefold(), role)
    if case.cucm is not None:
        for node in case.cucm.nodes:
            if node.fqdn:
                sides[node.fqdn.casefold()] = "cucm"
                sides.setdefault(node.fqdn.split(".")[0].casefold(), "cucm")
        for node in case.cucm.imp_nodes:
            if node.fqdn:
                sides[node.fqdn.casefold()] = "imp"
                sides.setdefault(node.fqdn.split(".")[0].casefold(), "imp")
    return sides


def logged_by(record: LogRecord, text: str, told: str | None, hosts: dict[str, str]) -> str:
    """The side that logged a line: as told, by host name, by traversal direction, by its words; else 'unknown'."""
    if told:
        return told
    if record.host and (side := hosts.get(record.host.casefold()) or hosts.get(record.host.split(".")[0].casefold())):
        return side
    if record.channel in ("traversal", "ssh") and record.direction:
        return "expressway_c" if record.direction == "outbound" else "expressway_e"
    norm = text.casefold()
    for pattern, side in _LOGGER_WORDS:
        if re.search(pattern, norm):
            return side
    return "unknown"


def log_lines(case: Case) -> list[tuple[str, str | None, str | None]]:
    """(text, side told, node told) for every pasted line: log_lines first, then logs entries."""
    lines: list[tuple[str, str | None, str | None]] = [(t, None, None) for t in case.symptoms.log_lines]
    lines += [(e.text, e.side, e.node) for e in case.symptoms.logs]
    return lines


def log_record_facts(case: Case, out: Facts) -> None:
    """One entity per TLS-relevant line: log.logged_by, log.channel, log.direction, log.alert, log.verify_error."""
    hosts = _host_sides(case)
    for n, (text, told, node) in enumerate(log_lines(case), 1):
        record = parse_line(text)
        if not record.tls_relevant:
            continue
        side = logged_by(record, text, told, hosts)
        params: dict[str, str] = {
            "record": str(n),
            "text": shown(text),
            "port": str(record.port) if record.port is not None else "",
            "logged_by": side,
            "common_name": record.common_name or "",
            "detail": record.detail or "",
            "logger_node": node or record.host or "",
        }
        out.add("log.logged_by", side, "symptoms", "", ok=None, **params)
        out.add("log.channel", record.channel, "symptoms", "", ok=None, **params)
        if record.direction:
            out.add("log.direction", record.direction, "symptoms", "", ok=None, **params)
        if record.alert:
            out.add("log.alert", record.alert, "symptoms", "", ok=None, **params)
        if record.verify_error:
            out.add("log.verify_error", record.verify_error, "symptoms", "", ok=None, **params)
        if record.disconnect:
            out.add("log.disconnect", True, "symptoms", "", ok=None, **params)
