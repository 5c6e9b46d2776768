"""Read pasted Expressway CLI configuration (`xConfiguration` output) into settings and zones.

Customers and TAC often paste `xConfiguration` lines among the log lines. Cisco Doc ID 212475 shows the zone
settings in that form, several of them on one line, e.g.
`*c xConfiguration Zones Zone 6 DNS SIP TLS Verify Mode: "On"`,
`*c xConfiguration Zones Zone 6 DNS SIP TLS Verify Subject Name: "callservice.ciscospark.com"`,
`*c xConfiguration Zones Zone 6 DNS SIP TLS Verify InboundClassification: "Off"` (the web page's TLS verify
inbound mapping) and `*c xConfiguration Zones Zone 6 Name: " Hybrid Call Services DNS "`. The word after the
zone number is the zone's section (DNS, Neighbor, TraversalClient, TraversalServer, ...). Pure functions over text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from certdoctor.case import Case, Zone

#: One `*c xConfiguration <path>: <value>` entry; the value quoted (may hold spaces) or a single word.
_ENTRY = re.compile(r'\*c\s+xConfiguration\s+([^:"*]+?)\s*:\s*(?:"([^"]*)"|([^\s"*]+))', re.IGNORECASE)
#: A zone setting path: `Zones Zone <n> <rest>`.
_ZONE = re.compile(r"^Zones\s+Zone\s+(\d+)\s+(.+)$", re.IGNORECASE)
#: Zone sections (the word after the zone number, or the value of `Type`) and the case's zone type for each.
_KINDS = {
    "dns": "dns",
    "neighbor": "neighbor",
    "neighbour": "neighbor",
    "traversalclient": "traversal-client",
    "traversalserver": "traversal-server",
    "webex": "webex",
    "unifiedcommunications": "unified-communications",
}
#: What marks a zone as the Webex Hybrid zone when its type does not say: its name or its TLS verify subject name.
_WEBEX_NAME = re.compile(r"webex|spark|hybrid call", re.IGNORECASE)
_WEBEX_SUBJECT = re.compile(r"callservice|ciscospark|webex", re.IGNORECASE)


def entries(lines: Iterable[str]) -> list[tuple[str, str]]:
    """Every `xConfiguration` entry in the lines as (path with single spaces, value stripped), in order."""
    found: list[tuple[str, str]] = []
    for line in lines:
        text = line.replace("\u201c", '"').replace("\u201d", '"')
        for m in _ENTRY.finditer(text):
            value = m.group(2) if m.group(2) is not None else m.group(3)
            found.append((" ".join(m.group(1).split()), value.strip()))
    return found


def _on_off(value: str) -> str | None:
    """'on' / 'off' from an On/Off setting; None for anything else."""
    v = value.strip().casefold()
    return v if v in ("on", "off") else None


def _apply(zone: dict[str, object], rest: str, value: str) -> None:
    """Set one zone setting (the path after `Zones Zone <n>`) on the zone being built."""
    words = rest.split()
    key = " ".join(words).casefold()
    if key == "name":
        zone["name"] = value or None
        return
    if key == "type":
        zone["kind"] = _KINDS.get(value.replace(" ", "").casefold(), "other")
        return
    section = words[0].casefold()
    if section in _KINDS and "kind" not in zone:
        zone["kind"] = _KINDS[section]
    setting = " ".join(words[1:]).casefold()
    if setting == "sip tls verify mode":
        zone["tls_verify_mode"] = _on_off(value)
    elif setting == "sip tls verify subject name":
        zone["tls_verify_subject_name"] = value or None
    elif setting == "sip tls verify inboundclassification":
        zone["tls_verify_inbound_mapping"] = _on_off(value)
    elif setting == "sip port" and value.isdigit() and 0 < int(value) < 65536:
        zone["port"] = int(value)


def zones(lines: Iterable[str]) -> list[Zone]:
    """The zones the pasted `xConfiguration Zones Zone <n> ...` entries describe, by zone number.

    A zone whose type is not Webex but whose name or TLS verify subject name is Webex's (a pre-X12.5 DNS zone,
    as in Doc ID 212475) is typed `webex`, so the Webex checks read it.
    """
    built: dict[int, dict[str, object]] = {}
    for path, value in entries(lines):
        m = _ZONE.match(path)
        if m:
            _apply(built.setdefault(int(m.group(1)), {}), m.group(2), value)
    result: list[Zone] = []
    for number in sorted(built):
        z = built[number]
        name = str(z.get("name") or f"Zone {number}")
        subject = z.get("tls_verify_subject_name")
        kind = str(z.get("kind", "other"))
        if kind != "webex" and (_WEBEX_NAME.search(name) or (subject and _WEBEX_SUBJECT.search(str(subject)))):
            kind = "webex"
        result.append(
            Zone.model_validate(
                {
                    "name": name,
                    "type": kind,
                    "port": z.get("port"),
                    "tls_verify_mode": z.get("tls_verify_mode"),
                    "tls_verify_subject_name": subject,
                    "tls_verify_inbound_mapping": z.get("tls_verify_inbound_mapping"),
                }
            )
        )
    return result


def is_zone_line(line: str) -> bool:
    """Whether the line holds at least one `xConfiguration Zones Zone <n> ...` entry."""
    return any(_ZONE.match(path) for path, _ in entries([line]))


def pasted_lines(case: Case, side: str) -> list[str]:
    """The pasted lines that may hold one side's configuration: log_lines, and logs of that side or of no side."""
    s = case.symptoms
    return [*s.log_lines, *(e.text for e in s.logs if e.side in (None, side))]


def pasted_zones(case: Case, side: str) -> list[Zone]:
    """The zones of one side from pasted `xConfiguration` output, when the case lists none for it."""
    return zones(pasted_lines(case, side))
