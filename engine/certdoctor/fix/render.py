"""What `certdoctor fix` writes, decided without writing: one PEM file per target, and plan.md naming them.

Pure: the needs, the answer and the language in; file names and their bytes out. Only certificates are ever
serialised (public_bytes), so no private key can reach a file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from certdoctor.answer import Answer, StepOut
from certdoctor.fix.needs import (
    C_LIST,
    CALLMANAGER_LIST,
    CUCM_TRUST,
    E_LIST,
    TOMCAT_LIST,
    Kind,
    Need,
    UploadFile,
    step_causes,
    step_kind,
)
from certdoctor.kb import Lang
from certdoctor.wording import say
from certdoctor.x509.certfacts import CertFacts
from certdoctor.x509.naming import label

PLAN = "plan.md"
_TRUST_MENU = "Maintenance > Security > Trusted CA certificate"
_FILE_NAMES = {
    C_LIST: "expressway_c-trusted-ca-append.pem",
    E_LIST: "expressway_e-trusted-ca-append.pem",
    TOMCAT_LIST: "cucm-tomcat-trust-append.pem",
    CALLMANAGER_LIST: "cucm-callmanager-trust-append.pem",
    CUCM_TRUST: "cucm-trust-append.pem",
}
_TARGETS: dict[str, dict[Lang, str]] = {
    C_LIST: {"en": "Expressway-C trusted CA list", "nl": "vertrouwde CA-lijst van Expressway-C"},
    E_LIST: {"en": "Expressway-E trusted CA list", "nl": "vertrouwde CA-lijst van Expressway-E"},
    TOMCAT_LIST: {"en": "Unified CM tomcat-trust", "nl": "Unified CM tomcat-trust"},
    CALLMANAGER_LIST: {"en": "Unified CM CallManager-trust", "nl": "Unified CM CallManager-trust"},
    CUCM_TRUST: {
        "en": "Unified CM tomcat-trust and CallManager-trust",
        "nl": "Unified CM tomcat-trust en CallManager-trust",
    },
    "expressway_c.certificate": {"en": "Expressway-C server certificate", "nl": "servercertificaat van Expressway-C"},
    "expressway_e.certificate": {"en": "Expressway-E server certificate", "nl": "servercertificaat van Expressway-E"},
}
_CUCM_MENU = (
    "Cisco Unified OS Administration > Security > Certificate Management > Upload Certificate/Certificate chain"
)
_WHERE: dict[str, dict[Lang, str]] = {
    "expressway": {
        "en": f"{_TRUST_MENU}: Append CA certificate, on every cluster peer (the list is not replicated)",
        "nl": f"{_TRUST_MENU}: Append CA certificate, op elke clusterpeer (de lijst wordt niet gerepliceerd)",
    },
    "cucm": {
        "en": _CUCM_MENU + ", purpose {purpose}, one certificate at a time, root first",
        "nl": _CUCM_MENU + ", doel {purpose}, één certificaat per keer, de root eerst",
    },
    "server": {
        "en": "Maintenance > Security > Server certificate: the server certificate alone (its CAs go to the "
        "trusted CA list), with the private key the CSR was made with; this folder holds no key",
        "nl": "Maintenance > Security > Server certificate: alleen het servercertificaat (de CA's horen in de "
        "vertrouwde CA-lijst), met de privésleutel van de CSR; deze map bevat geen sleutel",
    },
    "other": {"en": "{target}", "nl": "{target}"},
}


def _say(word: str, lang: Lang, **values: str) -> str:
    """plan.md's words, from the one wording catalogue (certdoctor.wording)."""
    return say("fix." + word, lang, **values)


@dataclass
class TargetFile:
    """One file to write: the certificates one target needs, in upload order, and the causes they serve."""

    name: str
    target: str
    kind: Kind
    needs: list[Need] = field(default_factory=list)

    @property
    def certificates(self) -> list[x509.Certificate]:
        """The certificates to write (each once); CAs root first, each after its issuer."""
        return root_first([n.cert for n in self.needs if n.cert is not None])

    @property
    def causes(self) -> set[str]:
        """Every cause a certificate in the file serves."""
        return {c for n in self.needs for c in n.causes}


def root_first(certs: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """Each certificate after its issuer when both are here: Unified CM takes a CA only once its issuer is trusted."""
    left = [CertFacts(c) for c in certs]
    ordered: list[x509.Certificate] = []
    while left:
        ready = next(
            (f for f in left if f.self_signed or not any(o is not f and f.likely_issued_by(o) for o in left)), left[0]
        )
        ordered.append(ready.cert)
        left.remove(ready)
    return ordered


def file_name(target: str, kind: Kind) -> str:
    """The file for a target: expressway_c-trusted-ca-append.pem, expressway_e-server-certificate.pem, ..."""
    if kind == "trusted-ca-append" and target in _FILE_NAMES:
        return _FILE_NAMES[target]
    base = target.removesuffix(".certificate").removesuffix(".trusted_cas").lower()
    return f"{re.sub(r'[^a-z0-9_]+', '-', base).strip('-') or 'target'}-{kind}.pem"


def group(needs: Sequence[Need]) -> tuple[list[TargetFile], list[Need]]:
    """Needs found in the case's files as one file per target (each certificate once); the rest, to obtain."""
    files: dict[tuple[str, Kind], TargetFile] = {}
    taken: set[str] = set()
    obtain: dict[tuple[str, str, str | None], Need] = {}
    for need in needs:
        if need.cert is None:
            key = (need.target, need.ref.subject, need.ref.key_id)
            old = obtain.get(key)
            obtain[key] = need if old is None else _merged(old, need)
            continue
        tf = files.get((need.target, need.kind))
        if tf is None:
            name = file_name(need.target, need.kind)
            while name in taken:
                name = name.removesuffix(".pem") + "-2.pem"
            taken.add(name)
            tf = files[(need.target, need.kind)] = TargetFile(name, need.target, need.kind)
        same = next((i for i, n in enumerate(tf.needs) if n.ref.sha256 == need.ref.sha256), None)
        if same is None:
            tf.needs.append(need)
        else:
            tf.needs[same] = _merged(tf.needs[same], need)
    return list(files.values()), list(obtain.values())


def _merged(a: Need, b: Need) -> Need:
    """One need serving the causes of both."""
    return Need(
        a.target, a.kind, a.ref, a.cert, a.why, a.about, a.causes | b.causes, a.hint or b.hint, a.steps | b.steps
    )


def pem_text(tf: TargetFile) -> bytes:
    """PEM blocks only, no text between them: upload pages judge text outside the blocks as a bad format.

    What each certificate is (subject, serial, SHA-256) is said in plan.md, beside the file's name.
    """
    if tf.kind == "server-certificate":
        return tf.certificates[0].public_bytes(Encoding.PEM)
    return b"".join(c.public_bytes(Encoding.PEM) for c in tf.certificates)


def target_name(target: str, lang: Lang) -> str:
    """How plan.md names a target."""
    return _TARGETS[target][lang] if target in _TARGETS else target


def where(tf: TargetFile, lang: Lang) -> str:
    """Where the file is uploaded."""
    if tf.kind == "server-certificate":
        return _WHERE["server"][lang]
    if tf.target in (C_LIST, E_LIST):
        return _WHERE["expressway"][lang]
    if tf.target in (TOMCAT_LIST, CALLMANAGER_LIST, CUCM_TRUST):
        purposes = {TOMCAT_LIST: "tomcat-trust", CALLMANAGER_LIST: "CallManager-trust"}
        both = {"en": "tomcat-trust, then again CallManager-trust", "nl": "tomcat-trust, dan opnieuw CallManager-trust"}
        return _WHERE["cucm"][lang].format(purpose=purposes.get(tf.target, both[lang]))
    return _WHERE["other"][lang].format(target=tf.target)


def _fits(device: str, target: str) -> bool:
    """A step on this device acts on this target."""
    return (device == "all_expressways" and target.startswith("expressway_")) or target.startswith(device + ".")


def uses(index: int, step: StepOut, tf: TargetFile) -> bool:
    """Whether plan step `index` uploads this file: the step names its certificates, or (plan silent) its cause's."""
    if step.certificates:
        return any(index in n.steps for n in tf.needs)
    if step.cost == "check" or not tf.causes & step_causes(step):
        return False
    if tf.kind == "server-certificate":
        return step_kind(step) == "server-certificate" and _fits(step.device, tf.target)
    if tf.target in (TOMCAT_LIST, CALLMANAGER_LIST, CUCM_TRUST):
        return step.device == "cucm" and "Certificate Management" in (step.menu or "")
    return step.menu == _TRUST_MENU and _fits(step.device, tf.target)


def _why(need: Need, lang: Lang) -> str:
    word = {"upload": "upload_why"}.get(need.why, need.why)
    return _say(word, lang, about=need.about)


def locked_note(upload: UploadFile, case: str, lang: Lang) -> str:
    """What plan.md says of a password-protected .pfx upload opened without its password."""
    return _say("locked", lang, file=upload.source, case=case)


def plan_markdown(
    answer: Answer,
    files: Sequence[TargetFile],
    obtain: Sequence[Need],
    lang: Lang,
    title: str,
    case: str,
    notes: Sequence[str] = (),
) -> str:
    """plan.md: the files and their targets, the plan's steps with the files each uploads, what to obtain, notes
    (a .pfx that needs its password), ruled out."""
    lines = [_say("title", lang, title=title), "", _say("intro", lang, case=case), ""]
    if not answer.diagnoses and not files and not obtain:
        lines += [_say("healthy", lang), ""]
    if answer.diagnoses:
        lines += [_say("diagnosis", lang), ""]
        lines += [f"- `{d.cause}` {round(d.confidence * 100)}%: {d.title}" for d in answer.diagnoses[:3]] + [""]
    if files:
        lines += [_say("files", lang), "", _say("head", lang), "|---|---|---|---|"]
        for tf in files:
            held = "; ".join(f"{label(c)} SHA-256 `{CertFacts(c).fingerprint.hex()}`" for c in tf.certificates)
            lines.append(
                f"| `{tf.name}` | {target_name(tf.target, lang)} (`{tf.target}`) | {where(tf, lang)} | {held} |"
            )
        lines.append("")
    elif answer.plan and not obtain and not notes:
        lines += [_say("no_files", lang), ""]
    if answer.plan:
        lines += [_say("plan", lang), ""]
        for n, step in enumerate(answer.plan, start=1):
            used = [tf for tf in files if uses(n - 1, step, tf)]
            targets = step.targets or [tf.target for tf in used]
            lines.append(f"{n}. {step.text}")
            lines.append(f"   - {_say('causes', lang)}: " + ", ".join(f"`{c}`" for c in sorted(step_causes(step))))
            if targets:
                lines.append(f"   - {_say('targets', lang)}: " + ", ".join(f"`{t}`" for t in targets))
            if used:
                lines.append(f"   - {_say('upload', lang)}: " + ", ".join(f"`{tf.name}`" for tf in used))
        lines.append("")
    if obtain:
        lines += [_say("obtain", lang), ""]
        lines += [_obtain_line(need, lang) for need in obtain] + [""]
    if notes:
        lines += [_say("notes", lang), ""] + [f"- {note}" for note in notes] + [""]
    if answer.ruled_out:
        lines += [_say("ruled_out", lang), ""]
        lines += [f"- `{r.cause}` {r.title}. {_say('why_not', lang)}: {r.reason}" for r in answer.ruled_out] + [""]
    return "\n".join(lines)


def _obtain_line(need: Need, lang: Lang) -> str:
    """One certificate to obtain: subject, key id, why, from which issuer and where to download it."""
    kid = need.ref.key_id or _say("unknown", lang)
    text = _say(
        "obtain_line",
        lang,
        target=target_name(need.target, lang),
        subject=need.ref.subject,
        key_id=_say("key_id", lang),
        kid=kid,
        why=_why(need, lang),
    )
    if need.ref.issuer:
        text += " " + _say("issued_by", lang, issuer=need.ref.issuer)
    if need.hint:
        text += " " + _say("download", lang, hint=need.hint)
    if need.kind == "trusted-ca-append":
        text += " " + _say("ask_ca", lang)
    return f"- {text}"
