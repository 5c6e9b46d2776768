"""The one durable_rules wrapper: compile the knowledge base, evaluate facts, collect conclusions.

durable_rules 2.0.28 has traps (../shared/durable-rules-notes.md); this module is where each is handled:
- a private host without background threads (`_SyncHost`), one short-lived session per evaluation, deleted
  afterwards: no live engine state between calls, and no retraction (a changed answer is a new evaluation);
- exceptions inside actions are swallowed into the session state: `evaluate` reads the state and raises;
- a fact no rule observes is not stored: sink rules store every fact and conclusion, and `evaluate` checks
  that every asserted fact was stored;
- duplicates raise MessageObservedException: facts are de-duplicated first; a conclusion derived twice is fine;
- `false` never matches and numbers and strings compare loosely: values are encoded as tagged strings, and
  fact values are type-checked against knowledge/facts.yaml before they enter the engine.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from certdoctor.errors import CertdoctorError
from certdoctor.facts import Fact
from certdoctor.kb import Condition, FactValue, KnowledgeBase

#: durable_rules hangs creating a ruleset of more than 512 rules (notes section 7).
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
    return {"$and": [{"t": "fact"}, {"name": cond.fact}, _test(cond)]}


def _conclude(cause: str, rule: str, certainty: float, aliases: Sequence[str]) -> Callable[[Any], None]:
    """The generic action: assert a conclusion naming the cause, rule and matched facts."""

    def action(c: Any) -> None:
        from durable.engine import MessageObservedException

        bound = [dict(c._m[alias]) for alias in aliases]  # raw matched facts (Content wrappers are not dicts)
        for fact in bound:
            fact.pop("sid", None)
            fact.pop("id", None)
        conclusion = {
            "t": "conclusion",
            "cause": cause,
            "rule": rule,
            "cf": certainty,
            "bind": json.dumps(bound, sort_keys=True),
        }
        with contextlib.suppress(MessageObservedException):  # same rule, same facts: one is enough
            c.assert_fact(conclusion)

    return action


def _noop(c: Any) -> None:
    """Sink rules keep facts and conclusions stored even when no other rule observes them."""


def compile_rules(kb: KnowledgeBase) -> dict[str, dict[str, Any]]:
    """The KB as a durable_rules ruleset definition: one rule per KB rule, plus two sinks."""
    rules: dict[str, dict[str, Any]] = {}
    for cause in kb.causes:
        for rule in cause.rules:
            aliases = [f"f{i}" for i in range(len(rule.when))]
            rules[f"{cause.id}/{rule.id}"] = {
                "all": [{alias: _pattern(cond)} for alias, cond in zip(aliases, rule.when, strict=True)],
                "run": _conclude(cause.id, rule.id, rule.certainty, aliases),
            }
    if len(rules) > MAX_RULES:
        raise RuleEngineError(f"{len(rules)} rules: durable_rules hangs above ~512 per ruleset; split the KB")
    rules["_sink_facts"] = {"all": [{"m": {"t": "fact"}}], "run": _noop}
    rules["_sink_conclusions"] = {"all": [{"m": {"t": "conclusion"}}], "run": _noop}
    return rules


def _host_class() -> type:
    from durable import engine

    class _SyncHost(engine.Host):
        """A Host without the background dispatcher and timer threads (notes sections 3 and 7)."""

        def _run(self) -> None:
            pass

    return _SyncHost


class RuleEngine:
    """The compiled knowledge base on a private host; each evaluation is a fresh, deleted session."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.name = "certdoctor"
        self._host = _host_class()()
        self._host.set_rulesets({self.name: compile_rules(kb)})
        self._lock = threading.Lock()
        self._live: set[str] = set()

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
        """Run every rule over the facts in a new session; return the conclusions, then drop the session."""
        self.check_facts(facts)
        unique: dict[str, dict[str, object]] = {}
        for fact in facts:
            form = fact.engine_form()
            form["value"] = encode(fact.value)
            unique.setdefault(json.dumps(form, sort_keys=True), form)
        sid = uuid.uuid4().hex
        with self._lock:
            self._live.add(sid)
            try:
                for form in unique.values():
                    self._host.assert_fact(self.name, {**form, "sid": sid})
                state = self._host.get_state(self.name, sid) if unique else {}
                if state.get("exception"):
                    raise RuleEngineError(f"a rule action failed: {str(state['exception'])[:300]}")
                stored = self._host.get_facts(self.name, sid) if unique else []
            finally:
                if unique:
                    self._delete(sid)
                else:
                    self._live.discard(sid)
        kept = sum(1 for f in stored if f.get("t") == "fact")
        if kept != len(unique):
            raise RuleEngineError(f"{len(unique) - kept} fact(s) were not stored by the engine")
        conclusions = [
            Conclusion(
                cause=f["cause"], rule=f["rule"], certainty=float(f["cf"]), facts=tuple(json.loads(f["bind"]))
            )
            for f in stored
            if f.get("t") == "conclusion"
        ]
        return sorted(conclusions, key=lambda c: (c.cause, c.rule, json.dumps(c.facts, sort_keys=True)))

    def live_sessions(self) -> int:
        """Engine sessions still alive (0 between evaluations: no state survives a call)."""
        return len(self._live)

    def _delete(self, sid: str) -> None:
        self._live.discard(sid)
        with contextlib.suppress(Exception):  # durable_rules_engine.error 309: no such session
            self._host.delete_state(self.name, sid)
