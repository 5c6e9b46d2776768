"""The one durable_rules wrapper: compile the knowledge base, evaluate facts, collect conclusions.

durable_rules 2.0.28 has traps, found by experiment (docs/diagnosis.md sums them up); this module handles each:
- a private host without background threads (`_SyncHost`), one short-lived session per evaluation, deleted
  afterwards: no live engine state between calls, and no retraction (a changed answer is a new evaluation);
- exceptions inside actions are swallowed into the session state: `evaluate` reads the state and raises;
- a fact no rule observes is not stored (and a batch with one raises): only facts some rule condition
  accepts are asserted, and `evaluate` checks that every asserted fact was stored; conclusions go to a
  Python collector, not back into the engine;
- duplicates raise MessageObservedException: facts are de-duplicated first, conclusions afterwards;
- `false` never matches and numbers and strings compare loosely: values are encoded as tagged strings, and
  fact values are type-checked against knowledge/facts.yaml before they enter the engine.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from certdoctor.errors import CertdoctorError
from certdoctor.facts import Fact
from certdoctor.kb import Condition, FactValue, KnowledgeBase

#: durable_rules hangs creating a ruleset of more than 512 rules (513 never returns, at 100% CPU).
MAX_RULES = 500


class RuleEngineError(CertdoctorError):
    """The rules engine failed in a way the wrapper refuses to hide."""


@dataclass(frozen=True)
class Conclusion:
    """One rule firing: the cause it supports, by how much, and the facts that made it fire."""

    cause: str
    rule: str
    certainty: float
    facts: tuple[dict[str, Any], ...]

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


def _conclude(
    cause: str, rule: str, certainty: float, aliases: Sequence[str], collect: Collector
) -> Callable[[Any], None]:
    """The generic action: hand a conclusion naming the cause, rule and matched facts to the collector.

    Conclusions are collected in Python rather than asserted back into the engine: no rule chains on
    them, and each assert would cost a sink action and a JSON round trip.
    """

    def action(c: Any) -> None:
        bound = []
        for alias in aliases:
            fact = dict(c._m[alias])  # the raw matched fact (Content wrappers are not dicts)
            fact.pop("sid", None)
            fact.pop("id", None)
            bound.append(fact)
        collect(Conclusion(cause=cause, rule=rule, certainty=certainty, facts=tuple(bound)))

    return action


#: A fact asserted into every session and the rule that fires on it. durable_rules 2.0.28 corrupts the
#: heap ("free(): invalid pointer" in deleteStateNode) when a session whose facts fired no rule is
#: deleted, e.g. a lone "certificate renewal" fact waiting in a join; with a rule that always fires,
#: no session is ever in that state.
SESSION_FACT = "certdoctor:session"
SESSION_RULE = "certdoctor/session"


def _session_seen(c: Any) -> None:
    """The session rule's action: nothing to conclude."""


def compile_rules(kb: KnowledgeBase, collect: Collector) -> dict[str, dict[str, Any]]:
    """The KB as a durable_rules ruleset definition: one rule per KB rule, plus the session rule."""
    rules: dict[str, dict[str, Any]] = {
        SESSION_RULE: {"all": [{"s": {"name": SESSION_FACT}}], "run": _session_seen},
    }
    for cause in kb.causes:
        for rule in cause.rules:
            aliases = [f"f{i}" for i in range(len(rule.when))]
            rules[f"{cause.id}/{rule.id}"] = {
                "all": [{alias: _pattern(cond)} for alias, cond in zip(aliases, rule.when, strict=True)],
                "run": _conclude(cause.id, rule.id, rule.certainty, aliases, collect),
            }
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
        self._host.set_rulesets({self.name: compile_rules(kb, self._collected.append)})
        self._lock = threading.Lock()
        self._live: set[str] = set()
        #: The conditions on each fact name: a fact no condition accepts cannot take part in any firing.
        self.conditions: dict[str, list[Condition]] = {}
        for cause in kb.causes:
            for rule in cause.rules:
                for cond in rule.when:
                    self.conditions.setdefault(cond.fact, []).append(cond)

    def check_facts(self, facts: Sequence[Fact]) -> None:
        """Refuse facts the KB does not declare, or of the wrong type: they would be silently useless."""
        for fact in facts:
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

    def evaluate(self, facts: Sequence[Fact]) -> list[Conclusion]:
        """Run every rule over the facts in a new session; return the conclusions, then drop the session.

        Every fact is type-checked; only facts some rule condition accepts enter the engine. Those are
        all observed by a rule, so the engine stores them (checked below): none is silently lost. The
        session fact fires the session rule, so no session is deleted without a firing (see SESSION_FACT).
        """
        self.check_facts(facts)
        unique: dict[tuple[object, ...], dict[str, object]] = {}
        for fact in facts:
            if not any(cond.holds(fact.value) for cond in self.conditions.get(fact.name, ())):
                continue
            key = (fact.name, type(fact.value).__name__, fact.value, tuple(sorted(fact.params.items())))
            if key not in unique:
                form = fact.engine_form()
                form["value"] = encode(fact.value)
                unique[key] = form
        sid = os.urandom(16).hex()  # not uuid: its import costs milliseconds at every start
        with self._lock:
            self._live.add(sid)
            self._collected.clear()
            try:
                if unique:  # one batch: duplicates were removed above, so no item is rejected
                    batch = [{"name": SESSION_FACT, "sid": sid}, *({**form, "sid": sid} for form in unique.values())]
                    try:
                        self._host.assert_facts(self.name, batch)
                    except Exception as exc:  # MessageNotHandled/Observed: the filter above failed its job
                        raise RuleEngineError(f"the engine refused a fact: {exc}") from None
                state = self._host.get_state(self.name, sid) if unique else {}
                if state.get("exception"):
                    raise RuleEngineError(f"a rule action failed: {str(state['exception'])[:300]}")
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
        unique_conclusions = {(c.cause, c.rule, json.dumps(c.facts, sort_keys=True)): c for c in collected}
        conclusions = list(unique_conclusions.values())
        return sorted(conclusions, key=lambda c: (c.cause, c.rule, json.dumps(c.facts, sort_keys=True)))

    def live_sessions(self) -> int:
        """Engine sessions still alive (0 between evaluations: no state survives a call)."""
        return len(self._live)

    def _delete(self, sid: str) -> None:
        self._live.discard(sid)
        with contextlib.suppress(Exception):  # durable_rules_engine.error 309: no such session
            self._host.delete_state(self.name, sid)
