"""Files of the case whose content cannot be read fully: one finding each, and a warning naming what was skipped.

One unreadable file never ends a diagnosis (docs/case-file.md): a corrupt trusted list, a truncated chain, a
password-protected .pfx are findings about that file. Deployment leaves the file out, so the checks that need it
are not made and no rule-out rests on it; the rest of the case is diagnosed as usual.
"""

from __future__ import annotations

from certdoctor.facts.deployment import Deployment, UnreadFile
from certdoctor.facts.fact import Facts

#: What is not checked without each kind of file (the warning says it).
_SKIPPED = {
    "expressway_c.certificate": "the checks of that Expressway-C node's certificate",
    "expressway_e.certificate": "the checks of that Expressway-E node's certificate",
    "expressway_c.trusted_cas": "what Expressway-C trusts",
    "expressway_e.trusted_cas": "what Expressway-E trusts",
    "cucm.certificate": "the checks of that Unified CM tomcat certificate",
    "cucm.callmanager_certificate": "the checks of that Unified CM CallManager certificate",
    "cucm.tomcat_trust": "what Unified CM tomcat-trust holds",
    "cucm.callmanager_trust": "what Unified CM CallManager-trust holds",
    "crls": "revocation by that CRL",
    "upload.file": "the upload's chain and key (its format is still judged)",
    "upload.key": "whether the key belongs to the upload certificate",
}


def file_facts(d: Deployment, out: Facts) -> None:
    """A file.unreadable fact (a failing finding) and a warning for every file of the case that could not be read."""
    for unread in d.unread:
        out.add(
            "file.unreadable",
            True,
            "certificates",
            f"{unread.field} {unread.shown} cannot be read: {_why(unread)}",
            ok=False,
            field=unread.field,
            file=unread.shown,
            problem=unread.file.problem,
            locked=str(unread.file.locked).lower(),
        )
        out.notes.append(
            f"{unread.field} ({unread.shown}) cannot be read: {_why(unread)}; not checked: "
            f"{_SKIPPED.get(unread.kind, 'what needs it')}"
        )


def _why(unread: UnreadFile) -> str:
    """Why a file could not be read, in the words a user acts on (a password goes to inspect, convert or fix)."""
    if unread.file.locked:
        return (
            "it is a PKCS#12 (.pfx/.p12) protected by a password; the diagnosis does not need the password, "
            "`certdoctor inspect`, `convert` and `fix` open the file with --password-env VAR"
        )
    return unread.file.problem
