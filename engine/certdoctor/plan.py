"""The FixPlan: the top causes' remediation steps instantiated on what they were found on, merged, in P/C order.

A step is instantiated from the params of the facts its cause's rules fired on (facts/parties.py): on whose
nodes (the side that checks, or the side whose certificate is checked), which CA certificates to append (by
subject, serial and SHA-256), which names are at fault. Steps with the same `action` on the same device and
targets are given once and name every cause they address; a restart goes after the last change it covers.
Checks of a cause the files decided, steps whose `only_if` the files refute and fallbacks stay out of the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from certdoctor.answer import CertificateRef, Diagnosis, StepOut
from certdoctor.kb import FactValue, KnowledgeBase, Lang, Step, fill, placeholders
from certdoctor.rank import Action, pc_order
from certdoctor.rules import Conclusion

#: Causes whose steps make up the plan.
PLAN_CAUSES = 3
#: Separates the entries of a list param (facts/parties.py LIST_SEP).
_SEP = "; "
#: How much of a serial or fingerprint a sentence shows; the step's `certificates` carry them whole.
SHOWN_HEX = 16
#: The param naming the name at fault, per name check (the {names} placeholder).
_NAME_PARAMS = {
    "zone.peer_address_on_e_cert": "peer",
    "zone.tls_verify_name_on_c_certs": "name",
    "cucm.server_name_on_cert": "server",
    "jabber.domain_on_e_cert": "domain",
    "cert.own_name_on_cert": "node",
    "name.any_mismatch": "host",
}
#: Devices a step on a side may be narrowed to: a step for every Expressway becomes one for the side at fault.
_NARROWS = {"all_expressways": {"expressway_c", "expressway_e"}}
_SIDES = {"expressway_c", "expressway_e", "cucm"}

_WORDS: dict[str, dict[Lang, str]] = {
    "and": {"en": "and", "nl": "en"},
    "go": {"en": "go to", "nl": "ga naar"},
    "serial": {"en": "serial", "nl": "serienummer"},
    "key_id": {"en": "key id", "nl": "sleutel-id"},
    "for": {"en": "for", "nl": "voor"},
}
_DEVICE: dict[Lang, dict[str, str]] = {
    "en": {
        "expressway_c": "On Expressway-C",
        "expressway_e": "On Expressway-E",
        "all_expressways": "On every Expressway (each cluster peer)",
        "cucm": "On Unified CM",
        "ca": "With the certificate authority",
        "client": "On the client",
        "network": "In the network",
        "ntp": "On the NTP setup",
    },
    "nl": {
        "expressway_c": "Op Expressway-C",
        "expressway_e": "Op Expressway-E",
        "all_expressways": "Op elke Expressway (elke clusterpeer)",
        "cucm": "Op Unified CM",
        "ca": "Bij de certificeringsinstantie",
        "client": "Op de client",
        "network": "In het netwerk",
        "ntp": "Bij de NTP-instellingen",
    },
}
#: "On Expressway-C node(s) a and b" per language: (one node, several nodes).
_ON_NODES: dict[Lang, tuple[str, str]] = {
    "en": ("{where} node {nodes}", "{where} nodes {nodes}"),
    "nl": ("{where}-node {nodes}", "{where}-nodes {nodes}"),
}


def word(key: str, lang: Lang) -> str:
    """A small word of the plan's sentences in lang."""
    return _WORDS[key][lang]


def listing(items: Sequence[str], lang: Lang) -> str:
    """'a', 'a and b', 'a, b and c' (Dutch: en)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word('and', lang)} {items[-1]}"


def _short(hexa: str, colons: bool = False) -> str:
    """A long hex value cut to SHOWN_HEX digits with an ellipsis; a fingerprint as colon-separated pairs."""
    cut = hexa[:SHOWN_HEX]
    if colons:
        cut = ":".join(cut[i : i + 2] for i in range(0, len(cut), 2)).upper()
    return cut + ("…" if len(hexa) > SHOWN_HEX else "")


def ca_text(ca: CertificateRef, lang: Lang) -> str:
    """A CA certificate as a step names it: 'Lab Issuing CA' (serial 2069f5…, SHA-256 3A:DB:…)."""
    parts = []
    if ca.serial:
        parts.append(f"{word('serial', lang)} {_short(ca.serial)}")
    if ca.sha256:
        parts.append(f"SHA-256 {_short(ca.sha256, colons=True)}")
    elif ca.key_id:
        parts.append(f"{word('key_id', lang)} {_short(ca.key_id)}")
    return f"'{ca.subject}'" + (f" ({', '.join(parts)})" if parts else "")


@dataclass
class Binding:
    """What a cause was found on, read from the params of the facts its rules fired on."""

    checkers: dict[str, list[str]] = field(default_factory=dict)
    checked: dict[str, list[str]] = field(default_factory=dict)
    cas: dict[str, list[CertificateRef]] = field(default_factory=dict)
    #: The same CAs by the checked side: what a sender lacks in its own list when it does not send its chain.
    checked_cas: dict[str, list[CertificateRef]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)


def same_ca(a: CertificateRef, b: CertificateRef) -> bool:
    """Two references to one CA certificate: the same fingerprint, or the same subject and key id."""
    if a.sha256 and b.sha256:
        return a.sha256 == b.sha256
    return a.subject == b.subject and (a.key_id == b.key_id or not a.key_id or not b.key_id)


def add_ca(held: list[CertificateRef], ref: CertificateRef) -> None:
    """Add a CA certificate to a list once; of two references to one CA the one with a fingerprint stays."""
    for i, other in enumerate(held):
        if same_ca(other, ref):
            held[i] = ref if (ref.sha256 and not other.sha256) else other
            return
    held.append(ref)


def _refs(params: Mapping[str, str]) -> list[CertificateRef]:
    """The CA certificates named by a fact's ca_* params (facts/parties.py)."""
    keys = ("ca_subject", "ca_serial", "ca_sha256", "ca_key_id", "ca_issuer")
    columns = [params.get(k, "").split(_SEP) for k in keys]
    rows = zip(*(c + [""] * (len(columns[0]) - len(c)) for c in columns), strict=False)
    return [
        CertificateRef(subject=s, serial=n or None, sha256=h or None, key_id=k or None, issuer=i or None)
        for s, n, h, k, i in rows
        if s
    ]


def bind(conclusions: Iterable[Conclusion]) -> Binding:
    """The binding of a cause: the checkers, checked nodes, CAs and names of its positive findings."""
    b = Binding()
    for c in conclusions:
        if c.certainty <= 0:
            continue
        for fact in c.facts:
            params: Mapping[str, str] = fact.get("params") or {}
            checker = params.get("checker_role")
            if checker:
                nodes = b.checkers.setdefault(checker, [])
                nodes += [n for n in params.get("checker_nodes", "").split(_SEP) if n and n not in nodes]
                for ref in _refs(params):
                    add_ca(b.cas.setdefault(checker, []), ref)
            checked = params.get("checked_role")
            if checked:
                nodes = b.checked.setdefault(checked, [])
                nodes += [n for n in params.get("checked_node", "").split(_SEP) if n and n not in nodes]
                for ref in _refs(params):
                    add_ca(b.checked_cas.setdefault(checked, []), ref)
            name = params.get(_NAME_PARAMS.get(str(fact.get("name")), ""), "")
            if name and name not in b.names:
                b.names.append(name)
    return b


@dataclass
class Instance:
    """One step on one device and its targets: what the plan shows (before merging)."""

    cause: str
    step: Step
    device: str
    targets: list[str]
    certificates: list[CertificateRef]
    values: dict[str, str]


def _sides(step: Step, roles: Iterable[str]) -> list[str]:
    """The roles of a binding a step can act on: its own device, or a side its device narrows to."""
    allowed = _NARROWS.get(step.device, {step.device}) if step.device in _SIDES | set(_NARROWS) else None
    return [r for r in roles if allowed is None or r in allowed]


def instantiate(cause: str, step: Step, binding: Binding, lang: Lang) -> list[Instance]:
    """A step on what its cause was found on: one instance per side it acts on (or one generic instance)."""
    values = {"names": listing([f"'{n}'" for n in binding.names], lang)}
    wants_ca = any(name == "ca" for name, _ in placeholders(step.text.en))
    parties = binding.checkers if step.acts_on == "checker" else binding.checked if step.acts_on == "checked" else {}
    out = []
    for role in _sides(step, parties):
        by_side = binding.cas if step.acts_on == "checker" else binding.checked_cas
        cas = by_side.get(role, []) if wants_ca else []
        device = role if step.device in _SIDES | set(_NARROWS) else step.device
        out.append(Instance(cause, step, device, list(parties[role]), list(cas), values))
    return out or [Instance(cause, step, step.device, [], [], values)]


def render(instance: Instance, lang: Lang) -> str:
    """'On Expressway-C nodes a and b, go to <menu>: <text with placeholders filled>'."""
    where = _DEVICE[lang][instance.device]
    if instance.targets:
        nodes = listing(instance.targets, lang)
        if instance.device in _SIDES:
            one, many = _ON_NODES[lang]
            where = (one if len(instance.targets) == 1 else many).format(where=where, nodes=nodes)
        else:
            where = f"{where} ({word('for', lang)} {nodes})"
    values = dict(instance.values)
    values["ca"] = listing([ca_text(c, lang) for c in instance.certificates], lang)
    text = fill(instance.step.text.get(lang), values)
    return f"{where}, {word('go', lang)} {instance.step.menu}: {text}" if instance.step.menu else f"{where}: {text}"


def applies(step: Step, instances: Mapping[str, Sequence[tuple[FactValue, str]]]) -> bool:
    """A step applies unless its only_if fact is known and holds on no instance."""
    cond = step.only_if
    known = instances.get(cond.fact) if cond is not None else None
    return cond is None or not known or any(cond.holds(v) for v, _ in known)


@dataclass
class _Merged:
    """A plan step being merged: its first instance, every cause it addresses, the union of its certificates."""

    first: Instance
    causes: list[str]
    certificates: list[CertificateRef]
    position: int


def _key(i: Instance) -> tuple[str, str, tuple[str, ...]]:
    return (i.step.action or f"{i.cause}/{i.step.id}", i.device, tuple(i.targets))


def plan_causes(diagnoses: Sequence[Diagnosis]) -> list[Diagnosis]:
    """The causes the plan is made of: the top ones found on the files; without any, the top hypotheses."""
    found = [d for d in diagnoses if d.from_files]
    return (found or list(diagnoses))[:PLAN_CAUSES]


def build_plan(
    kb: KnowledgeBase,
    diagnoses: Sequence[Diagnosis],
    bindings: Mapping[str, Binding],
    instances: Mapping[str, Sequence[tuple[FactValue, str]]],
    lang: Lang,
) -> list[StepOut]:
    """The merged, instantiated plan over the plan causes in P/C order (docs/diagnosis.md, "The plan")."""
    top = plan_causes(diagnoses)
    total = sum(d.confidence for d in top) or 1.0
    shown = {d.cause: d for d in top}
    actions = []
    for d in top:  # each cause is one repair: its probability, and the cost of the steps the plan keeps
        cause = kb.cause(d.cause)
        kept = [s for s in cause.steps if s.planned(d.from_files) and applies(s, instances)]
        actions.append(Action(cause.model_copy(update={"steps": kept}), d.confidence / total))
    merged: dict[tuple[str, str, tuple[str, ...]], _Merged] = {}
    position = 0
    for action in pc_order([a for a in actions if a.cause.steps]):
        d = shown[action.cause.id]
        folded = [kb.cause(f) for f in d.folded]
        for step in action.cause.steps:
            also = [f.id for f in folded if step.action and any(s.action == step.action for s in f.steps)]
            for inst in instantiate(d.cause, step, bindings.get(d.cause, Binding()), lang):
                position += 1
                entry = merged.get(_key(inst))
                if entry is None:
                    merged[_key(inst)] = _Merged(inst, [d.cause, *also], list(inst.certificates), position)
                    continue
                entry.causes += [c for c in (d.cause, *also) if c not in entry.causes]
                for ref in inst.certificates:
                    add_ca(entry.certificates, ref)
                if step.cost == "restart":  # after every change it covers
                    entry.position = position
    out = []
    for entry in sorted(merged.values(), key=lambda m: m.position):
        inst = entry.first
        final = Instance(inst.cause, inst.step, inst.device, inst.targets, entry.certificates, inst.values)
        out.append(
            StepOut(
                cause=inst.cause,
                device=inst.device,
                cost=inst.step.cost,
                menu=inst.step.menu,
                text=render(final, lang),
                causes=entry.causes,
                targets=inst.targets,
                certificates=entry.certificates,
            )
        )
    return out
