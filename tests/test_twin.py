"""The rules' Python twin concludes exactly what durable_rules concludes: the same (cause, rule, entity) firings.

The twin (rank.rule_firings) scores questions and judges knowledge-base mutants, so where it and the compiled
rules disagree, certdoctor would ask the wrong questions or miss a broken rule. Proven here on every scenario
(and on random parts of their facts), on random fact sets over the shipped knowledge base, and on random small
knowledge bases whose rules use `about` and the quantifiers any/all/none; plus the four cases that say what
entities, joins and quantifiers are for.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdoctor.case import read_case
from certdoctor.diagnosis import diagnose_traced, shipped_engine
from certdoctor.facts import Fact
from certdoctor.facts.fact import ENTITIES, entity_of
from certdoctor.kb import Cause, Condition, FactSpec, FactValue, KnowledgeBase, Rule, Source, Step, Text
from certdoctor.rank import rule_firings
from certdoctor.rules import Conclusion, Instance, RuleEngine
from certdoctor.scenarios.run import discover

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BUDGET = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Firing = tuple[str, str, str]


def instances(facts: Sequence[Fact]) -> dict[str, list[Instance]]:
    """The facts as the twin reads them (facts.Facts.instances)."""
    out: dict[str, list[Instance]] = {}
    for f in facts:
        out.setdefault(f.name, []).append((f.value, f.entity))
    return out


def twin(kb: KnowledgeBase, facts: Sequence[Fact]) -> set[Firing]:
    found = instances(facts)
    return {(c.id, r.id, e) for c in kb.causes for r in c.rules for e in rule_firings(r, found)}


def fired(conclusions: Sequence[Conclusion]) -> set[Firing]:
    return {(c.cause, c.rule, c.entity) for c in conclusions}


def engine_fired(engine: RuleEngine, facts: Sequence[Fact]) -> set[Firing]:
    conclusions = engine.evaluate(facts)
    keys = [(c.cause, c.rule, json.dumps(c.facts, sort_keys=True)) for c in conclusions]
    assert keys == sorted(set(keys)), "conclusions must be de-duplicated and ordered by cause, rule, facts"
    assert all(c.entity in {f["entity"] for f in c.facts} or c.entity == "case" for c in conclusions)
    return fired(conclusions)


def fact(name: str, value: FactValue, **params: str) -> Fact:
    return Fact(name=name, value=value, source="test", params=params, entity=entity_of(name, params))


# ---------------------------------------------------------------------------------------------- (a) scenarios


@functools.cache
def scenario_facts() -> list[tuple[str, list[Fact], set[Firing]]]:
    """Every scenario's facts, derived as the scenario runner does, with the engine's firings on them."""
    engine = shipped_engine()
    out = []
    for name, path in discover([SCENARIOS]):
        traced = diagnose_traced(
            read_case(path), base_dir=path.resolve().parent, source=str(path), engine=engine, ask=False
        )
        out.append((name, traced.facts.items, fired(traced.conclusions)))
    return out


def test_twin_equals_engine_on_every_scenario() -> None:
    kb = shipped_engine().kb
    scenarios = scenario_facts()
    assert len(scenarios) > 100
    joined = 0
    for name, facts, engine_firings in scenarios:
        assert twin(kb, facts) == engine_firings, name
        joined += sum(e != "case" for _, _, e in engine_firings)
    assert joined > 100  # the scenarios do exercise conclusions about single entities


@BUDGET
@given(st.data())
def test_twin_equals_engine_on_parts_of_scenarios(data: st.DataObject) -> None:
    """Partly known cases: a random part of a scenario's facts (what a conversation may know at some turn)."""
    engine = shipped_engine()
    name, facts, _ = data.draw(st.sampled_from(scenario_facts()), label="scenario")
    kept = data.draw(st.lists(st.booleans(), min_size=len(facts), max_size=len(facts)), label="kept")
    part = [f for f, keep in zip(facts, kept, strict=True) if keep]
    assert twin(engine.kb, part) == engine_fired(engine, part), name


# --------------------------------------------------------------------- (b) random facts over the shipped KB

KEYS = ("n1", "n2", "n3")


def values_of(spec: FactSpec) -> st.SearchStrategy[FactValue]:
    if spec.type == "bool":
        return st.booleans()
    if spec.type == "str":
        return st.sampled_from(spec.values or ["a", "b", "a b"])
    return st.one_of(st.integers(-3, 5000), st.sampled_from([0.5, 1024.0, 2048.0]))


@st.composite
def fact_sets(draw: st.DrawFn, kb: KnowledgeBase, names: Sequence[str], max_names: int = 10) -> list[Fact]:
    """A few of the fact names, each with one to three instances about a few entities of its own kind."""
    chosen = draw(st.lists(st.sampled_from(sorted(names)), min_size=1, max_size=max_names, unique=True))
    facts: list[Fact] = []
    for name in chosen:
        keys = [k for k in ENTITIES.get(name, ("case", ()))[1] if not k.startswith("=")]
        for _ in range(draw(st.integers(1, 3))):
            params = {k: draw(st.sampled_from(KEYS)) for k in keys}
            facts.append(fact(name, draw(values_of(kb.facts[name])), **params))
    return facts


@BUDGET
@given(st.data())
def test_twin_equals_engine_on_random_facts_of_the_shipped_kb(data: st.DataObject) -> None:
    engine = shipped_engine()
    facts = data.draw(fact_sets(engine.kb, list(engine.kb.facts)), label="facts")
    assert twin(engine.kb, facts) == engine_fired(engine, facts)


# --------------------------------------------------------------- (c) small knowledge bases with about/quantifiers

#: Real fact names (their entity kind comes from facts/fact.py's ENTITIES), a few of each kind.
SMALL_FACTS: dict[str, FactSpec] = {
    "trust.c_trusts_e": FactSpec(type="bool", source="certificates", about="path"),
    "trust.e_trusts_c": FactSpec(type="bool", source="certificates", about="path"),
    "trust.intermediate_missing": FactSpec(type="bool", source="certificates", about="path"),
    "trust.cucm_tomcat_trusts_c": FactSpec(type="bool", source="certificates", about="node"),
    "trust.cucm_callmanager_trusts_c": FactSpec(type="bool", source="certificates", about="node"),
    "cluster.certificates_consistent": FactSpec(type="bool", source="certificates", about="node"),
    "cert.expired": FactSpec(type="bool", source="certificates", about="certificate"),
    "cert.revoked": FactSpec(type="bool", source="certificates", about="certificate"),
    "upload.key_matches": FactSpec(type="bool", source="certificates", about="upload"),
    "zone.status": FactSpec(type="str", values=["up", "down"], source="case", about="case"),
    "change.upgrade": FactSpec(type="bool", source="case", about="case"),
    "test.count": FactSpec(type="number", source="case", about="case"),
}
KIND = {name: ENTITIES.get(name, ("case", ()))[0] for name in SMALL_FACTS}
TEXT = Text(en="x", nl="x")


def cause(cause_id: str, rules: list[Rule]) -> Cause:
    return Cause(
        id=cause_id,
        title=TEXT,
        origin=[Source(document="test")],
        rules=rules,
        steps=[Step(id="s", device="expressway_c", cost="check", text=TEXT)],
    )


def small_kb(causes: list[Cause]) -> KnowledgeBase:
    return KnowledgeBase(facts=SMALL_FACTS, causes=causes, questions=[], symptoms=[])


def rule(rule_id: str, when: list[dict[str, object]], about: str | None = None, quantifier: str = "any") -> Rule:
    return Rule.model_validate(
        {"id": rule_id, "when": when, "certainty": 0.5, "evidence": TEXT, "about": about, "quantifier": quantifier}
    )


@st.composite
def conditions(draw: st.DrawFn, name: str, numbers_equal: bool) -> Condition:
    spec = SMALL_FACTS[name]
    if spec.type == "number":
        tests = ["lt", "gt"] + (["is", "one_of"] if numbers_equal else [])
        test = draw(st.sampled_from(tests))
        if test in ("lt", "gt"):
            return Condition.model_validate({"fact": name, test: draw(st.sampled_from([0, 1, 2.5, 1024]))})
        if test == "is":
            return Condition.model_validate({"fact": name, "is": draw(st.sampled_from([1, 2, 1024.0]))})
        numbers: list[list[FactValue]] = [[1], [1, 2.5], [1024, 0]]
        return Condition(fact=name, one_of=draw(st.sampled_from(numbers)))
    value: st.SearchStrategy[FactValue] = st.booleans() if spec.type == "bool" else st.sampled_from(spec.values or [])
    test = draw(st.sampled_from(["is", "is_not", "one_of"]))
    if test == "one_of":
        return Condition(fact=name, one_of=draw(st.lists(value, min_size=1, max_size=2, unique=True)))
    return Condition.model_validate({"fact": name, test: draw(value)})


@st.composite
def rules(draw: st.DrawFn, index: int) -> Rule:
    """A rule the compiler accepts: `about` tests a fact of its kind; any tests each fact once; none without
    `about` tests one fact; numbers are tested for equality only by quantified rules (decided in Python).
    Its other conditions are often on facts of the same kind, so that joins have something to get wrong."""
    quantifier = draw(st.sampled_from(["any", "all", "none"]))
    about = draw(st.sampled_from([None, "path", "node", "certificate", "upload", "case"]))
    kind = about or draw(st.sampled_from(sorted(set(KIND.values()))))
    names = sorted(SMALL_FACTS)
    akin = [n for n in names if KIND[n] == kind]
    count = 1 if quantifier == "none" and about is None else draw(st.integers(1, 3))
    chosen = [draw(st.sampled_from(akin))]
    while len(chosen) < count:
        name = draw(st.sampled_from(akin) | st.sampled_from(names))
        if quantifier != "any" or name not in chosen:
            chosen.append(name)
        elif all(n in chosen for n in names):
            break
    when = [draw(conditions(n, numbers_equal=quantifier != "any")) for n in chosen]
    return Rule.model_validate(
        {"id": f"r{index}", "when": when, "certainty": 0.5, "evidence": TEXT, "about": about, "quantifier": quantifier}
    )


@st.composite
def small_kbs(draw: st.DrawFn) -> KnowledgeBase:
    count = draw(st.integers(1, 6))
    return small_kb([cause("generated", [draw(rules(i)) for i in range(count)])])


@st.composite
def facts_of_the_rules(draw: st.DrawFn, kb: KnowledgeBase) -> list[Fact]:
    """Facts for the names the rules test: each unknown, or one to three instances about a few entities."""
    names = sorted({cond.fact for c in kb.causes for r in c.rules for cond in r.when})
    facts: list[Fact] = []
    for name in names:
        keys = [k for k in ENTITIES.get(name, ("case", ()))[1] if not k.startswith("=")]
        for _ in range(draw(st.integers(0, 3))):
            params = {k: draw(st.sampled_from(KEYS)) for k in keys}
            facts.append(fact(name, draw(values_of(kb.facts[name])), **params))
    return facts


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_twin_equals_engine_on_random_small_knowledge_bases(data: st.DataObject) -> None:
    kb = data.draw(small_kbs(), label="kb")
    engine = RuleEngine(kb)  # a small ruleset: about 130 KiB and 2 ms each
    for _ in range(3):
        facts = data.draw(facts_of_the_rules(kb), label="facts")
        assert twin(kb, facts) == engine_fired(engine, facts)


# the four cases that say what entities, joins and quantifiers are for, on one small knowledge base
EXAMPLES = small_kb(
    [
        cause(
            "path.c-does-not-trust-e",
            [
                rule("broken", [{"fact": "trust.c_trusts_e", "is": False}], about="path"),
                rule("healthy-everywhere", [{"fact": "trust.c_trusts_e", "is": True}], about="path", quantifier="all"),
            ],
        ),
        cause(
            "cert.none-expired",
            [rule("none-expired", [{"fact": "cert.expired", "is": True}], about="certificate", quantifier="none")],
        ),
        cause(
            "node.cucm-trusts-neither",
            [
                rule(
                    "joined",
                    [
                        {"fact": "trust.cucm_tomcat_trusts_c", "is": False},
                        {"fact": "trust.cucm_callmanager_trusts_c", "is": False},
                    ],
                    about="node",
                ),
                rule(
                    "loose",
                    [
                        {"fact": "trust.cucm_tomcat_trusts_c", "is": False},
                        {"fact": "trust.cucm_callmanager_trusts_c", "is": False},
                    ],
                ),
            ],
        ),
    ]
)


@functools.cache
def examples_engine() -> RuleEngine:
    return RuleEngine(EXAMPLES)


def both(facts: list[Fact]) -> set[Firing]:
    """The engine's firings, after checking the twin has exactly the same."""
    found = engine_fired(examples_engine(), facts)
    assert twin(EXAMPLES, facts) == found
    return found


def of(found: set[Firing], cause_id: str, rule_id: str) -> set[str]:
    return {e for c, r, e in found if (c, r) == (cause_id, rule_id)}


def test_a_rule_about_paths_fires_on_the_broken_path_only() -> None:
    found = both([fact("trust.c_trusts_e", False, node="n1"), fact("trust.c_trusts_e", True, node="n2")])
    assert of(found, "path.c-does-not-trust-e", "broken") == {"path:expressway_c<n1"}


def test_a_quantifier_all_counter_rule_does_not_fire_while_one_path_is_broken() -> None:
    one_broken = [fact("trust.c_trusts_e", False, node="n1"), fact("trust.c_trusts_e", True, node="n2")]
    assert of(both(one_broken), "path.c-does-not-trust-e", "healthy-everywhere") == set()
    all_healthy = [fact("trust.c_trusts_e", True, node="n1"), fact("trust.c_trusts_e", True, node="n2")]
    assert of(both(all_healthy), "path.c-does-not-trust-e", "healthy-everywhere") == {"case"}  # two paths
    one_healthy = [fact("trust.c_trusts_e", True, node="n1")]
    assert of(both(one_healthy), "path.c-does-not-trust-e", "healthy-everywhere") == {"path:expressway_c<n1"}
    assert of(both([]), "path.c-does-not-trust-e", "healthy-everywhere") == set()  # unknown: not "all healthy"
    # two instances on ONE path (e.g. two certificates one node presents): a healthy one hides no broken one
    mixed_on_one_path = [fact("trust.c_trusts_e", True, node="n1"), fact("trust.c_trusts_e", False, node="n1")]
    assert of(both(mixed_on_one_path), "path.c-does-not-trust-e", "healthy-everywhere") == set()


def test_none_fires_only_when_no_entity_matches_and_the_facts_are_known() -> None:
    assert of(both([fact("change.upgrade", True)]), "cert.none-expired", "none-expired") == set()  # not known
    known = [fact("cert.expired", False, certificate="a"), fact("cert.expired", False, certificate="b")]
    assert of(both(known), "cert.none-expired", "none-expired") == {"case"}
    one_expired = [fact("cert.expired", False, certificate="a"), fact("cert.expired", True, certificate="b")]
    assert of(both(one_expired), "cert.none-expired", "none-expired") == set()


def test_a_join_does_not_pair_node_a_tomcat_with_node_b_callmanager() -> None:
    crossed = [
        fact("trust.cucm_tomcat_trusts_c", False, node="A"),
        fact("trust.cucm_callmanager_trusts_c", True, node="A"),
        fact("trust.cucm_tomcat_trusts_c", True, node="B"),
        fact("trust.cucm_callmanager_trusts_c", False, node="B"),
    ]
    found = both(crossed)
    assert of(found, "node.cucm-trusts-neither", "joined") == set()
    assert of(found, "node.cucm-trusts-neither", "loose") == {"case"}  # without `about`, any instances pair up
    same_node = [*crossed, fact("trust.cucm_callmanager_trusts_c", False, node="A")]
    assert of(both(same_node), "node.cucm-trusts-neither", "joined") == {"node:A"}
