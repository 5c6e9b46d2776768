"""The one durable_rules wrapper: compile the knowledge base, evaluate facts, collect conclusions.

durable_rules 2.0.28 has traps, found by experiment (docs/diagnosis.md sums them up); this module handles each:
- a private host without background threads (`_SyncHost`), one short-lived session per evaluation, deleted
  afterwards: no live engine state between calls, and no retraction (a changed answer is a new evaluation);
- exceptions inside actions are swallowed into the session state, and each firing costs a Closure, a JSON round
  trip of the state and a lease timer: `_fire` runs the engine's action loop itself (the same C calls in the
  same order) and raises what an action raises;
- a fact no rule observes is not stored (and a batch with one raises): only facts some rule condition
  accepts are asserted, and `evaluate` checks that every asserted fact was stored; conclusions go to a
  Python collector, not back into the engine;
- duplicates raise MessageObservedException: facts are de-duplicated first, conclusions afterwards;
- `false` never matches and numbers and strings compare loosely: values are encoded as tagged strings, and
  fact values are type-checked against knowledge/facts.yaml before they enter the engine; 5 and 5.0 still
  match each other (kb.Condition.holds says they differ), so a compiled equality test on a number is refused;
- one fact never binds two aliases of a rule, so a rule testing one fact twice would need two instances:
  such a rule is refused rather than compiled to something its Python twin does not mean;
- cross-fact inequality joins segfault and negation (`none`) is order-dependent: a rule `about` an entity
  kind compiles to EQUALITY joins on the fact's entity only, and the quantifiers all/none are decided in
  Python before the batch is asserted, as one aggregate fact per rule that its compiled rule matches alone;
- a join placed after a `$or` in an `$and` is silently ignored (the pair matches across entities; constant
  tests after a `$or` are kept): the join goes right after the name test, before the value test.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from certdoctor.errors import CertdoctorError
from certdoctor.facts import Fact
from certdoctor.facts.fact import entity_kind, entity_of
from certdoctor.kb import Condition, FactValue, KnowledgeBase, Rule

#: durable_rules hangs creating a ruleset of more than 512 rules (513 never returns, at 100% CPU).
MAX_RULES = 500
#: The entity of facts about the case as a whole (symptoms, changes, answers, summaries).
CASE = "case"
#: Name prefix of the aggregate fact that says a quantified (all/none) rule holds: 'q:<cause>/<rule>'.
QUANTIFIED = "q:"

#: One instance of a fact as the quantifiers and the Python twin read it: its value and its entity.
Instance = tuple[FactValue, str]


class RuleEngineError(CertdoctorError):
    """The rules engine failed in a way the wrapper refuses to hide."""


@dataclass(frozen=True)
class Conclusion:
    """One rule firing: the cause it supports, by how much, the facts that made it fire, the entity it is about."""

    cause: str
    rule: str
    certainty: float
    facts: tuple[dict[str, Any], ...]
    entity: str

    def params(self) -> dict[str, str]:
        """Merged params of the matched facts (later facts win), plus each fact's value as 'value'."""
        merged: dict[str, str] = {}
        for fact in self.facts:
            merged["value"] = str(decode(fact.get("value")))
            merged.update(fact.get("params") or {})
        return merged


def encode(value: FactValue) -> str | int | float:
    """Engine form of a fact value: tagged strings for bools and strings, numbers as numbers."""
    if isinstance(value, bool):
        return "b:true" if value else "b:false"
    if isinstance(value, str):
        return "s:" + value
    return value


def decode(value: Any) -> Any:
    """Inverse of encode."""
    if isinstance(value, str) and value[:2] == "b:":
        return value == "b:true"
    if isinstance(value, str) and value[:2] == "s:":
        return value[2:]
    return value


@functools.cache
def fact_kind(name: str) -> str:
    """The entity kind every instance of a fact name is about (facts/fact.py decides; 'case' if unlisted)."""
    return entity_kind(entity_of(name, {}))


def joined(rule: Rule) -> list[bool]:
    """Per condition, whether it is bound to the rule's one entity: a condition on a fact of its `about` kind."""
    return [rule.about is not None and fact_kind(cond.fact) == rule.about for cond in rule.when]


def one_entity(entities: Iterable[str]) -> str:
    """What a conclusion is about: the one entity every matched fact shares, else the case as a whole."""
    seen = set(entities)
    return seen.pop() if len(seen) == 1 else CASE


def quantify(rule: Rule, instances: Mapping[str, Sequence[Instance]]) -> list[tuple[str, int]] | None:
    """Whether a rule's all/none quantifier holds; if so, the (fact, index) instances it quantified over.

    Without `about`: each condition's fact has instances, and all (none) of them satisfy it. With `about`
    K, over the entities with an instance of any of the rule's K-facts (at least one: "though the facts
    are known"): all holds when on every such entity each K-condition holds for EVERY instance (and there
    is one), so one healthy instance never hides a faulty one beside it and an entity whose K-facts are
    only partly known blocks the rule; none holds when on no such entity each K-condition holds for some
    instance. Conditions on other facts (the case's) hold when some instance satisfies them, as in an `any`
    rule. An `about` rule with no condition on a K-fact quantifies over no entity and never holds (the
    compiler refuses it).
    """
    every = rule.quantifier == "all"
    matched: list[tuple[str, int]] = []
    if rule.about is None:
        for cond in rule.when:
            items = instances.get(cond.fact, ())
            hits = [cond.holds(v) for v, _ in items]
            if not items or not (all(hits) if every else not any(hits)):
                return None
            matched += [(cond.fact, i) for i in range(len(items))]
        return list(dict.fromkeys(matched))
    bound = joined(rule)
    kconds = [cond for cond, b in zip(rule.when, bound, strict=True) if b]
    entities = {e for cond in kconds for _, e in instances.get(cond.fact, ())}
    on = {(c.fact, e): [v for v, x in instances.get(c.fact, ()) if x == e] for c in kconds for e in entities}
    if every:
        held = [all(on[c.fact, e] and all(c.holds(v) for v in on[c.fact, e]) for c in kconds) for e in entities]
    else:
        held = [all(any(c.holds(v) for v in on[c.fact, e]) for c in kconds) for e in entities]
    if not entities or not (all(held) if every else not any(held)):
        return None
    for cond, b in zip(rule.when, bound, strict=True):
        items = instances.get(cond.fact, ())
        met = [(cond.fact, i) for i, (v, _) in enumerate(items) if b or cond.holds(v)]
        if not met and not b:  # a condition on a case fact is met by some instance, as in any rule
            return None
        matched += met
    return list(dict.fromkeys(matched))


def _test(cond: Condition) -> dict[str, Any]:
    if cond.is_ is not None:
        return {"value": encode(cond.is_)}
    if cond.is_not is not None:
        return {"$neq": {"value": encode(cond.is_not)}}
    if cond.one_of is not None:
        return {"$or": [{"value": encode(v)} for v in cond.one_of]}
    if cond.lt is not None:
        return {"$lt": {"value": cond.lt}}
    return {"$gt": {"value": cond.gt}}


def _pattern(cond: Condition) -> dict[str, Any]:
    return {"$and": [{"name": cond.fact}, _test(cond)]}  # only facts enter the engine: no type tag needed


Collector = Callable[[Conclusion], None]
#: A compiled rule's action: it gets the facts the rule matched, by alias.
Action = Callable[[dict[str, Any]], None]


def _conclude(
    cause: str, rule: str, certainty: float, aliases: Sequence[str], collect: Collector, about: str | None = None
) -> Action:
    """The generic action: hand a conclusion naming the cause, rule, matched facts and entity to the collector.

    The entity is the fact bound to alias `about` (the joined entity, or an aggregate's), else the one
    entity all matched facts share, else the case. Conclusions are collected in Python rather than asserted
    back into the engine: no rule chains on them, and each assert would cost a sink action and a JSON round trip.
    """

    def action(matched: dict[str, Any]) -> None:
        bound = []
        for alias in aliases:
            fact = dict(matched[alias])
            fact.pop("sid", None)
            fact.pop("id", None)
            bound.append(fact)
        if about:
            entity = matched[about]["entity"]
        else:  # one_entity, inlined: this runs once per firing
            entity = bound[0]["entity"]
            entity = entity if all(f["entity"] == entity for f in bound) else CASE
        collect(Conclusion(cause=cause, rule=rule, certainty=certainty, facts=tuple(bound), entity=entity))

    return action


#: A fact asserted into every session and the rule that fires on it. durable_rules 2.0.28 corrupts the
#: heap ("free(): invalid pointer" in deleteStateNode) when a session whose facts fired no rule is
#: deleted, e.g. a lone "certificate renewal" fact waiting in a join; with a rule that always fires,
#: no session is ever in that state.
SESSION_FACT = "certdoctor:session"
SESSION_RULE = "certdoctor/session"


def _session_seen(matched: dict[str, Any]) -> None:
    """The session rule's action: nothing to conclude."""


def _refusal(rule: Rule) -> str | None:
    """Why a rule cannot be compiled faithfully, or None."""
    if rule.about is not None and not any(joined(rule)):
        return f"is about {rule.about} but tests no fact about a {rule.about}"
    if rule.quantifier != "any":
        return None  # decided in Python (quantify) over every instance; the engine only sees its aggregate fact
    names = [cond.fact for cond in rule.when]
    if len(set(names)) < len(names):
        return "tests one fact twice: durable_rules binds a fact to one condition only; use one_of, or two rules"
    for cond in rule.when:
        tested = [cond.is_, cond.is_not, *(cond.one_of or [])]
        if any(isinstance(v, int | float) and not isinstance(v, bool) for v in tested):
            return (
                f"tests the number {cond.fact} for equality: durable_rules matches 5 and 5.0 alike, "
                "kb.Condition.holds does not; use lt/gt"
            )
    return None


def _compiled(cause: str, rule: Rule, collect: Collector) -> dict[str, Any]:
    """One KB rule as a durable_rules rule: plain patterns, equality joins on the entity, or its aggregate fact."""
    if rule.quantifier != "any":
        aggregate = {"$and": [{"name": f"{QUANTIFIED}{cause}/{rule.id}"}, {"value": encode(True)}]}
        return {"all": [{"f0": aggregate}], "run": _conclude(cause, rule.id, rule.certainty, ["f0"], collect, "f0")}
    aliases = [f"f{i}" for i in range(len(rule.when))]
    patterns = [{alias: _pattern(cond)} for alias, cond in zip(aliases, rule.when, strict=True)]
    bound = joined(rule)
    anchor = aliases[bound.index(True)] if any(bound) else None
    for alias, pattern, b in zip(aliases, patterns, bound, strict=True):
        if b and alias != anchor:  # an equality join on an earlier alias: safe (inequality joins segfault)
            # right after the name: durable_rules silently drops a join that follows a $or (one_of) in an $and
            pattern[alias]["$and"].insert(1, {"entity": {anchor: "entity"}})
    return {"all": patterns, "run": _conclude(cause, rule.id, rule.certainty, aliases, collect, anchor)}


def compile_rules(kb: KnowledgeBase, collect: Collector) -> dict[str, dict[str, Any]]:
    """The KB as a durable_rules ruleset definition: one rule per KB rule, plus the session rule."""
    rules: dict[str, dict[str, Any]] = {
        SESSION_RULE: {"all": [{"s": {"name": SESSION_FACT}}], "run": _session_seen},
    }
    for cause in kb.causes:
        for rule in cause.rules:
            refusal = _refusal(rule)
            if refusal:
                raise RuleEngineError(f"rule {cause.id}/{rule.id} {refusal}")
            rules[f"{cause.id}/{rule.id}"] = _compiled(cause.id, rule, collect)
    if len(rules) > MAX_RULES:
        raise RuleEngineError(f"{len(rules)} rules: durable_rules hangs above ~512 per ruleset; split the KB")
    return rules


def _host_class() -> type:
    from durable import engine

    class _SyncHost(engine.Host):
        """A Host without the background dispatcher and timer threads: they cannot be stopped, and deleting
        sessions while they run crashes the engine."""

        def _run(self) -> None:
            pass

    return _SyncHost


class RuleEngine:
    """The compiled knowledge base on a private host; each evaluation is a fresh, deleted session."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.name = "certdoctor"
        self._host = _host_class()()
        self._collected: list[Conclusion] = []
        compiled = compile_rules(kb, self._collected.append)
        #: Each rule's action by rule name, taken before durable_rules consumes the definitions ('run' is removed).
        self._actions: dict[str, Action] = {name: rule["run"] for name, rule in compiled.items()}
        self._host.set_rulesets({self.name: compiled})
        self._ruleset = self._host.get_ruleset(self.name)
        self._lock = threading.Lock()
        self._live: set[str] = set()
        #: The conditions of compiled (any) rules on each fact name: a fact none accepts cannot take part in
        #: any firing. Quantified rules read every instance in Python and enter as their aggregate fact.
        self.conditions: dict[str, list[Condition]] = {}
        #: The quantified (all/none) rules, as (cause id, rule).
        self.quantified: list[tuple[str, Rule]] = []
        for cause in kb.causes:
            for rule in cause.rules:
                if rule.quantifier != "any":
                    self.quantified.append((cause.id, rule))
                    continue
                for cond in rule.when:
                    self.conditions.setdefault(cond.fact, []).append(cond)

    def check_facts(self, facts: Sequence[Fact]) -> None:
        """Refuse facts the KB does not declare, of the wrong type, or about another kind of entity than theirs."""
        checked: set[tuple[str, str, FactValue, str, bool]] = set()  # each distinct (name, value, kind) once
        for fact in facts:
            key = (fact.name, type(fact.value).__name__, fact.value, entity_kind(fact.entity), fact.entity == CASE)
            if key in checked:
                continue
            checked.add(key)
            spec = self.kb.facts.get(fact.name)
            if spec is None:
                raise RuleEngineError(f"fact '{fact.name}' is not declared in knowledge/facts.yaml")
            ok = {
                "bool": isinstance(fact.value, bool),
                "str": isinstance(fact.value, str),
                "number": isinstance(fact.value, int | float) and not isinstance(fact.value, bool),
            }[spec.type]
            if not ok or (spec.values is not None and fact.value not in spec.values):
                raise RuleEngineError(
                    f"fact '{fact.name}' has value {fact.value!r}, not a {spec.type}"
                    + (f" in {spec.values}" if spec.values else "")
                )
            # a fact about another kind of entity would be quantified and joined among the wrong entities; one
            # left about the case (Fact's default) names no entity: it joins only with facts about the case
            if fact.entity != CASE and entity_kind(fact.entity) != fact_kind(fact.name):
                raise RuleEngineError(
                    f"fact '{fact.name}' is about '{fact.entity}', not about a {fact_kind(fact.name)}"
                )

    def aggregates(self, facts: Sequence[Fact]) -> list[dict[str, object]]:
        """The aggregate fact of each quantified rule that holds over the facts (engine form, value unencoded).

        Its entity is the one entity all the instances it quantified over share, else the case; its params
        merge theirs (each instance's value as 'value', later instances win) for the evidence sentence.
        """
        if not self.quantified:
            return []
        instances: dict[str, list[Instance]] = {}
        sources: dict[str, list[Fact]] = {}
        for fact in facts:
            instances.setdefault(fact.name, []).append((fact.value, fact.entity))
            sources.setdefault(fact.name, []).append(fact)
        out: list[dict[str, object]] = []
        for cause, rule in self.quantified:
            matched = quantify(rule, instances)
            if matched is None:
                continue
            params: dict[str, str] = {}
            for name, i in matched:
                params["value"] = str(sources[name][i].value)
                params.update(sources[name][i].params)
            entity = one_entity(sources[name][i].entity for name, i in matched)
            out.append({"name": f"{QUANTIFIED}{cause}/{rule.id}", "value": True, "entity": entity, "params": params})
        return out

    def evaluate(self, facts: Sequence[Fact]) -> list[Conclusion]:
        """Run every rule over the facts in a new session; return the conclusions, then drop the session.

        Every fact is type-checked; only facts some compiled condition accepts enter the engine, plus the
        aggregate fact of each quantified rule that holds. Those are all observed by a rule, so the engine
        stores them (checked below): none is silently lost. The session fact fires the session rule, so no
        session is deleted without a firing (see SESSION_FACT).
        """
        self.check_facts(facts)
        unique: dict[tuple[object, ...], dict[str, object]] = {}
        accepted: dict[tuple[str, str, FactValue], bool] = {}  # one test per distinct value (nodes repeat them)
        for fact in facts:
            test = (fact.name, type(fact.value).__name__, fact.value)
            ok = accepted.get(test)
            if ok is None:
                ok = accepted[test] = any(cond.holds(fact.value) for cond in self.conditions.get(fact.name, ()))
            if not ok:
                continue
            params = tuple(sorted(fact.params.items()))
            key = (fact.name, type(fact.value).__name__, fact.value, fact.entity, params)
            if key not in unique:
                form = fact.engine_form()
                form["value"] = encode(fact.value)
                unique[key] = form
        for form in self.aggregates(facts):  # one per rule: names are unique
            unique[(form["name"],)] = {**form, "value": encode(True)}
        sid = os.urandom(16).hex()  # not uuid: its import costs milliseconds at every start
        with self._lock:
            self._live.add(sid)
            self._collected.clear()
            try:
                if unique:  # one batch: duplicates were removed above, so no item is rejected
                    batch = [{"name": SESSION_FACT, "sid": sid}, *({**form, "sid": sid} for form in unique.values())]
                    self._fire(batch)
                stored = self._host.get_facts(self.name, sid) if unique else []
                stored = [f for f in stored if f.get("name") != SESSION_FACT]
                collected = list(self._collected)
            finally:
                if unique:
                    self._delete(sid)
                else:
                    self._live.discard(sid)
        kept = len(stored)
        if kept != len(unique):
            raise RuleEngineError(f"{len(unique) - kept} fact(s) were not stored by the engine")
        # The engine fires once per combination of matching instances. One key per conclusion, its matched
        # facts as sorted JSON made once, both de-duplicates and orders them (cause, rule, facts' JSON).
        keyed: dict[tuple[str, str, str], Conclusion] = {}
        for c in collected:
            keyed[(c.cause, c.rule, json.dumps(c.facts, sort_keys=True))] = c
        return [keyed[k] for k in sorted(keyed)]

    def _fire(self, batch: Sequence[object]) -> None:
        """Assert the batch and run every firing's action: durable_rules' own loop, without its per-firing costs.

        durable.engine.Ruleset.do_actions wraps each firing in a Closure, re-encodes the session state as JSON and
        starts a lease timer; none of which these actions use (they read the matched facts, change no state and
        return at once). This calls the same engine functions in the same order (assert, start the first action,
        complete it and start the next), and an action that raises abandons the firing and is raised here.
        """
        import durable_rules_engine as core

        handle = self._ruleset._handle
        result = core.assert_facts(handle, json.dumps(batch, ensure_ascii=False))
        if result[0] in (1, 2):  # not handled / already observed: the filter in evaluate failed its job
            raise RuleEngineError(f"the engine refused a fact (code {result[0]})")
        if result[0] == 3:
            return
        state = result[1]
        started = core.start_action_for_state(handle, state)
        message = json.loads(started[1]) if started else None
        while message:
            name, matched = next(iter(message.items()))
            try:
                self._actions[name](matched)
            except Exception as exc:
                core.abandon_action(handle, state)
                raise RuleEngineError(f"a rule action failed: {str(exc)[:300]}") from None
            following = core.complete_and_start_action(handle, state)
            message = json.loads(following) if following else None

    def live_sessions(self) -> int:
        """Engine sessions still alive (0 between evaluations: no state survives a call)."""
        return len(self._live)

    def _delete(self, sid: str) -> None:
        self._live.discard(sid)
        with contextlib.suppress(Exception):  # durable_rules_engine.error 309: no such session
            self._host.delete_state(self.name, sid)
