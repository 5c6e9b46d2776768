"""Dutch for the certificate path reasons (x509/path.py) that evidence sentences quote, so a Dutch answer is Dutch.

The x509 layer words its reasons once, in English, for findings and `certdoctor verify`; a Dutch answer quotes
them inside Dutch evidence. Each pattern below matches one reason template whole; a reason no pattern matches
is quoted as it is (certificate names, serials and key ids stay as they are in both languages).
"""

from __future__ import annotations

import re

_LABEL = r"(?P<label>'[^']*'(?: \(serial [0-9a-f]+\))?)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern + r"(?P<rest>.*)$", re.DOTALL), dutch)
    for pattern, dutch in (
        (
            rf"^issuer of {_LABEL} \((?P<issuer>'[^']*'(?:, key id [0-9a-f]+)?)\) is neither in the trusted list "
            r"nor in the offered chain",
            "de uitgever van {label} ({issuer}) staat niet in de vertrouwde lijst en zit niet in de aangeboden keten",
        ),
        (
            rf"^root {_LABEL} was offered in the chain but is not in the trusted list",
            "root {label} werd in de keten meegestuurd maar staat niet in de vertrouwde lijst",
        ),
        (
            rf"^{_LABEL} is in the trusted list but its issuer (?P<issuer>'[^']*') is not: Expressway needs every "
            r"CA up to the self-signed root",
            "{label} staat in de vertrouwde lijst maar zijn uitgever {issuer} niet: Expressway heeft elke CA tot "
            "en met de zelfondertekende root nodig",
        ),
        (
            rf"^{_LABEL} is self-signed and not in the trusted list",
            "{label} is zelfondertekend en staat niet in de vertrouwde lijst",
        ),
        (
            rf"^{_LABEL} expired on (?P<when>[\d-]+ [\d:]+Z) \(checked at (?P<at>[\d-]+ [\d:]+Z)\)",
            "{label} is verlopen op {when} (gecontroleerd op {at})",
        ),
        (
            rf"^{_LABEL} is not valid until (?P<when>[\d-]+ [\d:]+Z) \(checked at (?P<at>[\d-]+ [\d:]+Z)\)",
            "{label} is pas geldig vanaf {when} (gecontroleerd op {at})",
        ),
        (
            rf"^(?:server certificate|CA) {_LABEL} has extendedKeyUsage without serverAuth "
            r"\(TLS Web Server Authentication\)",
            "{label} heeft extendedKeyUsage zonder serverAuth (TLS Web Server Authentication)",
        ),
        (
            rf"^the signature on {_LABEL} does not verify with the key of "
            r"(?P<issuer>'[^']*'(?: \(serial [0-9a-f]+\))?)",
            "de handtekening op {label} klopt niet met de sleutel van {issuer}",
        ),
        (
            rf"^{_LABEL} issues certificates but its basicConstraints say CA:FALSE",
            "{label} geeft certificaten uit maar zijn basicConstraints zeggen CA:FALSE",
        ),
        (
            rf"^CA {_LABEL} lacks basicConstraints CA:TRUE, which Expressway requires of every CA",
            "CA {label} mist basicConstraints CA:TRUE, wat Expressway van elke CA eist",
        ),
        (
            rf"^CA {_LABEL} has keyUsage without keyCertSign",
            "CA {label} heeft keyUsage zonder keyCertSign",
        ),
    )
)
_REST: tuple[tuple[str, str], ...] = (
    ("; a CA with that name is present but ", "; er is een CA met die naam, maar "),
    ("its key id ", "zijn sleutel-id "),
    (" does not match: a renewed or different CA?", " past niet: een vernieuwde of andere CA?"),
    (
        "its authorityKeyIdentifier issuer or serial does not match",
        "de uitgever of het serienummer in zijn authorityKeyIdentifier past niet",
    ),
    ("it is already on the path (the issuers form a loop)", "hij staat al in het pad (de uitgevers vormen een lus)"),
    ("its key type does not fit the signature algorithm", "zijn sleuteltype past niet bij het handtekeningalgoritme"),
)


#: Sentences the facts build around a path reason (facts/trust.py, far_end.py, lifecycle.py, certificates.py).
_WRAPPERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), dutch)
    for pattern, dutch in (
        (
            r"^(?P<who>.+?)'s trusted CA list (?P<verb>validates|does not validate) the (?:(?P<which>[\w-]+) )?"
            r"certificate of (?P<node>[^:]+): (?P<reason>.*)$",
            "de vertrouwde CA-lijst van {who} {verb} het {which}certificaat van {node}: {reason}",
        ),
        (
            r"^the trusted CA list of (?P<who>.+?) (?P<verb>validates|does not validate) the (?:(?P<which>[\w-]+) )?"
            r"certificate of (?P<node>[^:]+): (?P<reason>.*)$",
            "de vertrouwde CA-lijst van {who} {verb} het {which}certificaat van {node}: {reason}",
        ),
        (
            r"^Unified CM (?P<which>\S+) (?P<verb>holds|does not hold) the whole CA chain of (?P<node>.+?)'s "
            r"certificate: (?P<reason>.*)$",
            "Unified CM {which} {verb} de hele CA-keten van het certificaat van {node}: {reason}",
        ),
        (r"^expired on (?P<when>[\d-]+)$", "verlopen op {when}"),
        (r"^not valid until (?P<when>[\d-]+)$", "pas geldig vanaf {when}"),
        (
            r"^issued by the ACME authority (?P<issuer>.+), valid (?P<days>\d+) days$",
            "uitgegeven door de ACME-autoriteit {issuer}, {days} dagen geldig",
        ),
        (
            r"^valid only (?P<days>\d+) days, as ACME certificates are$",
            "slechts {days} dagen geldig, zoals ACME-certificaten",
        ),
        (
            r"^valid (?P<days>\d+) days from (?P<issuer>.+): not an ACME certificate$",
            "{days} dagen geldig, uitgegeven door {issuer}: geen ACME-certificaat",
        ),
        (r"^trusted$", "vertrouwd"),
    )
)
_VERBS = {
    "validates": "valideert",
    "does not validate": "valideert niet",
    "holds": "bevat",
    "does not hold": "bevat niet",
}
_WHO = {"expressway_c": "Expressway-C", "expressway_e": "Expressway-E", "cucm": "Unified CM"}


def _path_reason(text: str) -> str:
    """One x509 path reason in Dutch, or the text itself."""
    for pattern, dutch in _PATTERNS:
        m = pattern.match(text)
        if m is None:
            continue
        rest = m.group("rest")
        for english, nl in _REST:
            rest = rest.replace(english, nl)
        fields = {k: v for k, v in m.groupdict().items() if k != "rest" and v is not None}
        return dutch.format(**fields) + rest
    return text


def dutch_reason(text: str) -> str:
    """The Dutch wording of a path reason, or of a fact's sentence around one; the text itself when unknown."""
    for pattern, dutch in _WRAPPERS:
        m = pattern.match(text)
        if m is None:
            continue
        fields = {k: v or "" for k, v in m.groupdict().items()}
        if "verb" in fields:
            fields["verb"] = _VERBS[fields["verb"]]
        if "who" in fields:
            fields["who"] = _WHO.get(fields["who"], fields["who"])
        if fields.get("which"):
            fields["which"] += "-"
        if "reason" in fields:
            fields["reason"] = _path_reason(fields["reason"])
        return dutch.format(**fields)
    return _path_reason(text)
