"""What the case itself states: its symptom fields, the text they recognise, recent changes and the user's answers."""

from __future__ import annotations

import re

from certdoctor.case import Case, Symptoms
from certdoctor.errors import InputError
from certdoctor.facts.fact import Facts
from certdoctor.kb import Choice, KnowledgeBase
from certdoctor.symptoms import Recognition, normalise

_UP = ("active", "up", "on", "omhoog", "actief")
_DOWN = ("failed", "down", "fail", "error", "tls", "negotiation", "omlaag", "mislukt", "onderhandelingsfout")


def zone_state(text: str) -> str | None:
    """'up' or 'down' from how a zone status was written; None when it says neither."""
    words = set(re.findall(r"[a-z]+", normalise(text)))
    if words & set(_DOWN):
        return "down"
    if words & set(_UP):
        return "up"
    return None


def version_tuple(text: str) -> tuple[int, ...] | None:
    """(14, 0, 2) from 'X14.0.2' or '14.0.2'; None when unreadable."""
    m = re.search(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
    if not m:
        return None
    return tuple(int(p) for p in m.groups(default="0"))


def described(symptoms: Symptoms) -> tuple[Symptoms, dict[str, bool]]:
    """The symptoms with the blanks filled from the customer's description, and the changes it denies.

    A field the case states wins over the description; the description's later sentences win over earlier ones.
    """
    if not symptoms.description:
        return symptoms, {}
    from certdoctor.understand import understand

    understood = understand(symptoms.description)
    fill = {k: v for k, v in understood.fields().items() if not getattr(symptoms, k)}
    if understood.said.get("upload") is True and not symptoms.upload_error:
        fill["upload_error"] = symptoms.description
    if symptoms.recent_changes:
        fill.pop("recent_changes", None)
    denied = {c: False for c, yes in understood.changes().items() if not yes and c not in symptoms.recent_changes}
    return symptoms.model_copy(update=fill), denied


def case_facts(case: Case, out: Facts) -> None:
    """Facts read from structured case fields, and from the customer's description where they are blank."""
    s, denied = described(case.symptoms)
    if s.zone_status and (state := zone_state(s.zone_status)):
        out.add("zone.status", state, "case", value=s.zone_status)
    if s.ssh_tunnels:
        out.add("ssh.tunnels", s.ssh_tunnels, "case", value=s.ssh_tunnels)
    if s.mra_login:
        out.add("mra.login", s.mra_login, "case", value=s.mra_login)
    if s.jabber_warning:
        out.add("jabber.warning", True, "case", value=str(s.jabber_warning))
    elif s.jabber_warning is False and case.symptoms.jabber_warning is None:  # "no warning in Jabber"
        out.add("jabber.warning", False, "case", value="false")
    if s.upload_error:
        out.add("upload.failed", True, "case", value=s.upload_error)
    if s.upload_page:
        out.add("upload.page", s.upload_page, "case", value=s.upload_page)
    problem = _reported_problem(s)
    if problem:
        out.add("report.problem", problem, "case", value=problem)
    changes = set(s.recent_changes)
    if s.previous_version and s.version and version_tuple(s.previous_version) != version_tuple(s.version):
        changes.add("upgrade")
    for change in ("upgrade", "certificate-renewal", "ca-change", "cluster-change"):
        if s.recent_changes or change in changes or change in denied:
            out.add(f"change.{change.replace('-', '_')}", change in changes, "case", value=change)
    if s.version and (v := version_tuple(s.version)):
        out.add("version.traffic_server_verifies", v >= (14, 0, 2), "case", value=s.version)
    sides = [x for x in (case.expressway_c, case.expressway_e) if x is not None]
    if sides:
        clustered = any(len(x.all_nodes()) > 1 or x.cluster_fqdn for x in sides)
        out.add("cluster.is_cluster", clustered, "case", value=str(clustered))


def _reported_problem(s: Symptoms) -> str | None:
    """What the customer sees, when the case's symptoms already say it (so it is not asked again)."""
    if s.upload_error:
        return "upload-error"
    if s.ssh_tunnels == "down" and (not s.zone_status or zone_state(s.zone_status) == "up"):
        return "ssh-down"
    if s.zone_status and zone_state(s.zone_status) == "down":
        return "zone-down"
    if s.mra_login == "failed":
        return "mra-login-failed"
    if s.jabber_warning:
        return "jabber-warning"
    return None


def symptom_facts(recognition: Recognition, out: Facts) -> None:
    """Facts established by recognised text."""
    for name, value, where in recognition.facts():
        out.add(name, value, "symptoms", text=where.excerpt, field=where.field, pattern=where.pattern.id)


def answer_choice(kb: KnowledgeBase, qid: str, value: object, source: str) -> Choice:
    """The choice an answer names; an unknown question or value is one line naming answers.<id>."""
    question = next((q for q in kb.questions if q.id == qid), None)
    if question is None:
        import difflib  # only for the error message

        ids = [q.id for q in kb.questions]
        near = difflib.get_close_matches(qid, ids, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else f"; known: {', '.join(sorted(ids))}"
        raise InputError(source, f"answers.{qid}: no such question{hint}")
    choice = next((c for c in question.choices if c.value == str(value)), None)
    if choice is None:
        values = ", ".join(c.value for c in question.choices)
        raise InputError(source, f"answers.{qid}: '{value}' is not one of its choices ({values})")
    return choice


def answer_facts(case: Case, kb: KnowledgeBase, out: Facts, source: str) -> None:
    """Facts the user stated by answering questions; a stated fact replaces what was derived for it."""
    for qid, value in case.answers.items():
        choice = answer_choice(kb, qid, value, source)
        out.items = [f for f in out.items if f.name not in choice.sets]
        for name, fact_value in choice.sets.items():
            out.add(name, fact_value, "answer", value=str(value), question=qid)
