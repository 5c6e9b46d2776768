"""The durable_rules wrapper: every documented trap is handled, and each handling is proven here."""

from __future__ import annotations

from pathlib import Path

import pytest

from certdoctor import rules as rules_module
from certdoctor.facts import Fact
from certdoctor.facts.fact import entity_of
from certdoctor.kb import Cause, FactSpec, KnowledgeBase, Rule, Source, Step, Text, load_knowledge
from certdoctor.rank import certainties
from certdoctor.rules import SESSION_RULE, Instance, RuleEngine, RuleEngineError, compile_rules

MINI = Path(__file__).parent / "data" / "mini-kb"


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(load_knowledge(MINI))


def fact(name: str, value: object, **params: str) -> Fact:
    return Fact(name=name, value=value, source="test", params=params, entity=entity_of(name, params))  # type: ignore[arg-type]


def fired(engine: RuleEngine, facts: list[Fact]) -> set[str]:
    return {f"{c.cause}/{c.rule}" for c in engine.evaluate(facts)}


def test_false_values_match(engine: RuleEngine) -> None:
    # durable_rules never matches a JSON false; values are encoded so `is: false` works
    assert "zone.peer-address-mismatch/not-on-cert" in fired(
        engine, [fact("zone.peer_address_on_e_cert", False, peer="p", names="n")]
    )


def test_types_are_strict_where_the_engine_is_loose(engine: RuleEngine) -> None:
    with pytest.raises(RuleEngineError, match="not a number"):
        engine.evaluate([fact("key.bits", "1024")])
    with pytest.raises(RuleEngineError, match="not declared"):
        engine.evaluate([fact("zone.typo", True)])
    with pytest.raises(RuleEngineError, match=r"in \['up', 'down'\]"):
        engine.evaluate([fact("zone.status", "sideways")])


def test_join_of_two_facts_and_evidence_params(engine: RuleEngine) -> None:
    out = engine.evaluate([fact("key.bits", 1024, certificate="expe"), fact("zone.status", "down")])
    small = [c for c in out if c.rule == "small-key-and-down"]
    assert small and small[0].params()["certificate"] == "expe"
    assert "restart.required/small-key-and-down" not in fired(
        engine, [fact("key.bits", 4096), fact("zone.status", "down")]
    )


def test_each_evaluation_is_independent_no_retraction_needed(engine: RuleEngine) -> None:
    assert "restart.required/not-restarted" in fired(engine, [fact("restart.done_after_change", False)])
    # the next conversation turn with a changed answer sees nothing of the previous one
    assert fired(engine, [fact("restart.done_after_change", True)]) == set()


def test_no_session_survives_an_evaluation(engine: RuleEngine) -> None:
    engine.evaluate([fact("zone.status", "down")])
    assert engine.live_sessions() == 0


def test_duplicate_facts_do_not_raise(engine: RuleEngine) -> None:
    f = fact("zone.status", "down")
    assert fired(engine, [f, f]) == {"zone.peer-address-mismatch/zone-down"}


def test_facts_no_rule_observes_are_kept_out_and_the_rest_all_stored(engine: RuleEngine) -> None:
    # durable_rules drops a fact no rule observes (and rejects a batch holding one): such facts are
    # filtered out before asserting, and every asserted fact is checked to be stored
    assert engine.evaluate([fact("restart.done_after_change", True), fact("zone.status", "up")]) == []
    assert fired(engine, [fact("zone.status", "up"), fact("zone.status", "down")]) == {
        "zone.peer-address-mismatch/zone-down"
    }


def test_a_fact_the_engine_does_not_store_is_an_error(engine: RuleEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine._host.get_facts
    # the engine "loses" one of our facts (not the session fact, which the wrapper does not count)
    monkeypatch.setattr(
        engine._host, "get_facts", lambda name, sid: [f for f in real(name, sid) if f.get("name") != "zone.status"]
    )
    with pytest.raises(RuleEngineError, match="not stored"):
        engine.evaluate([fact("zone.status", "down"), fact("restart.done_after_change", False)])


def test_exception_inside_an_action_is_raised_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def exploding(*args: object) -> object:
        def action(c: object) -> None:
            raise ValueError("kaboom")

        return action

    monkeypatch.setattr(rules_module, "_conclude", exploding)
    broken = RuleEngine(load_knowledge(MINI))
    with pytest.raises(RuleEngineError, match="kaboom"):
        broken.evaluate([fact("zone.status", "down")])
    assert broken.live_sessions() == 0


def test_compiled_rules_agree_with_the_python_twin(engine: RuleEngine) -> None:
    cases = [
        [fact("zone.status", "down")],
        [fact("zone.peer_address_on_e_cert", True, peer="a", names="a")],
        [fact("key.bits", 1000), fact("zone.status", "down"), fact("restart.done_after_change", False)],
        [fact("key.bits", 4096), fact("zone.status", "up")],
    ]
    for facts in cases:
        found: dict[str, list[Instance]] = {}
        for f in facts:
            found.setdefault(f.name, []).append((f.value, f.entity))
        twin = {c for c, cf in certainties(engine.kb, found).items() if cf != 0}
        assert twin == {c.cause for c in engine.evaluate(facts)}  # the whole proof: tests/test_twin.py


def test_every_rule_is_compiled_and_the_count_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    kb = load_knowledge(MINI)
    compiled = compile_rules(kb, lambda conclusion: None)
    assert set(compiled) == {f"{c.id}/{r.id}" for c in kb.causes for r in c.rules} | {SESSION_RULE}
    monkeypatch.setattr(rules_module, "MAX_RULES", 3)  # durable_rules hangs above ~512: refuse, never hang
    with pytest.raises(RuleEngineError, match="split the KB"):
        compile_rules(kb, lambda conclusion: None)


def test_knowledge_cache_follows_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from certdoctor import kb as kb_module

    monkeypatch.setenv("CERTDOCTOR_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "kb"
    shutil.copytree(MINI, root)
    first = kb_module.load_knowledge(root)
    cached = list((tmp_path / "cache").glob("kb-*.json"))
    assert len(cached) == 1
    assert kb_module.load_knowledge(root) == first  # served from the cache, same content
    cause = root / "causes" / "restart.required.yaml"
    cause.write_text(cause.read_text().replace("certainty: 0.7", "certainty: 0.75"))
    changed = kb_module.load_knowledge(root)
    assert changed.cause("restart.required").rules[0].certainty == 0.75
    for stale in (tmp_path / "cache").glob("kb-*.json"):
        stale.write_text("{not json")
    assert kb_module.load_knowledge(root) == changed  # a corrupt cache is ignored, not trusted


def test_random_fact_sets_never_crash_the_engine() -> None:
    """Any mix of declared facts, including ones that only wait in a join, is evaluated and cleaned up.

    Run in a child process: a crash of durable_rules' C core (one was found this way: a session whose
    facts fired no rule could not be deleted) must fail this test, not kill the test run.
    """
    import subprocess
    import sys

    code = """
import random
from certdoctor.diagnosis import shipped_engine
from certdoctor.facts import Fact
from certdoctor.facts.fact import ENTITIES, entity_of
from certdoctor.rules import RuleEngine
engine = shipped_engine()
values = {}
for name, spec in engine.kb.facts.items():
    values[name] = [True, False] if spec.type == "bool" else (spec.values or ["x"]) if spec.type == "str" else [0, 5]
names = sorted(values)
def fact(name, value, key="a"):  # about entity `key` of the fact's own kind (joins and quantifiers need several)
    params = {k: key for k in ENTITIES.get(name, ("case", ()))[1] if not k.startswith("=")}
    return Fact(name, value, "fuzz", params=params, entity=entity_of(name, params))
for name in names:  # every fact alone, first thing in a fresh engine: many only wait in a join
    for value in values[name]:
        RuleEngine(engine.kb).evaluate([fact(name, value)])
rnd = random.Random(20261130)
for i in range(3000):
    chosen = rnd.sample(names, rnd.randint(1, 6))
    facts = [fact(n, rnd.choice(values[n]), rnd.choice("abc")) for n in chosen for _ in range(rnd.randint(1, 3))]
    engine.evaluate(facts)
assert engine.live_sessions() == 0
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", (done.returncode, done.stderr[-500:])


# ------------------------------------------------------------------ entities, joins and quantifiers (issue 12)

TEXT = Text(en="x", nl="x")
FACTS = {
    "trust.cucm_tomcat_trusts_c": FactSpec(type="bool", source="certificates", about="node"),
    "trust.cucm_callmanager_trusts_c": FactSpec(type="bool", source="certificates", about="node"),
    "cert.expired": FactSpec(type="bool", source="certificates", about="certificate"),
    "zone.status": FactSpec(type="str", values=["up", "down"], source="case", about="case"),
    "test.count": FactSpec(type="number", source="case", about="case"),
}


def kb_of(*rules: dict[str, object]) -> KnowledgeBase:
    parsed = [Rule.model_validate({"certainty": 0.5, "evidence": TEXT, **r}) for r in rules]
    cause = Cause(
        id="c",
        title=TEXT,
        origin=[Source(document="test")],
        rules=parsed,
        steps=[Step(id="s", device="expressway_c", cost="check", text=TEXT)],
    )
    return KnowledgeBase(facts=FACTS, causes=[cause], questions=[], symptoms=[])


TOMCAT_FALSE = {"fact": "trust.cucm_tomcat_trusts_c", "is": False}
CALLMANAGER_FALSE = {"fact": "trust.cucm_callmanager_trusts_c", "is": False}


@pytest.mark.parametrize(
    ("rule", "refusal"),
    [
        ({"id": "r", "about": "node", "when": [{"fact": "cert.expired", "is": True}]}, "tests no fact about a node"),
        (
            {"id": "r", "about": "node", "quantifier": "all", "when": [{"fact": "zone.status", "is": "down"}]},
            "tests no fact about a node",
        ),
        (
            {"id": "r", "when": [{"fact": "zone.status", "is": "down"}, {"fact": "zone.status", "is_not": "up"}]},
            "tests one fact twice",
        ),
        (
            {
                "id": "r",
                "about": "node",
                "when": [TOMCAT_FALSE, {"fact": "trust.cucm_tomcat_trusts_c", "one_of": [False]}],
            },
            "tests one fact twice",
        ),
        ({"id": "r", "when": [{"fact": "test.count", "is": 5}]}, "for equality"),
        ({"id": "r", "when": [{"fact": "test.count", "one_of": [1, 2]}]}, "for equality"),
    ],
)
def test_rules_the_engine_cannot_mean_are_refused(rule: dict[str, object], refusal: str) -> None:
    with pytest.raises(RuleEngineError, match=refusal):
        RuleEngine(kb_of(rule))


def test_quantified_rules_are_decided_in_python_so_they_may_test_a_fact_twice_or_a_number_for_equality() -> None:
    engine = RuleEngine(
        kb_of(
            {
                "id": "twice",
                "quantifier": "all",
                "about": "node",
                "when": [{"fact": "trust.cucm_tomcat_trusts_c", "is_not": True}, TOMCAT_FALSE],
            },
            {"id": "number", "quantifier": "none", "when": [{"fact": "test.count", "is": 5}]},
        )
    )
    out = engine.evaluate([fact("trust.cucm_tomcat_trusts_c", False, node="A"), fact("test.count", 5.0)])
    assert {(c.rule, c.entity) for c in out} == {("twice", "node:A"), ("number", "case")}  # 5.0 is not 5


def test_a_fact_about_another_kind_of_entity_is_refused_one_about_the_case_is_not() -> None:
    engine = RuleEngine(kb_of({"id": "r", "about": "node", "when": [TOMCAT_FALSE]}))
    wrong = Fact("trust.cucm_tomcat_trusts_c", False, "test", entity="certificate:x")
    with pytest.raises(RuleEngineError, match="not about a node"):
        engine.evaluate([wrong])
    unnamed = Fact("trust.cucm_tomcat_trusts_c", False, "test")  # Fact's default entity: the case
    assert [(c.rule, c.entity) for c in engine.evaluate([unnamed])] == [("r", "case")]


def test_rules_without_about_compile_exactly_as_before() -> None:
    """Default about/quantifier: one alias per condition, name and value test only, no join, no aggregate."""
    kb = load_knowledge(MINI)
    compiled = compile_rules(kb, lambda conclusion: None)
    assert compiled["restart.required/small-key-and-down"]["all"] == [
        {"f0": {"$and": [{"name": "key.bits"}, {"$lt": {"value": 2048}}]}},
        {"f1": {"$and": [{"name": "zone.status"}, {"value": "s:down"}]}},
    ]


def test_a_join_is_compiled_right_after_the_name_where_durable_rules_keeps_it() -> None:
    """durable_rules silently drops a join placed after a $or in the same $and (verified: cross-entity pairs
    then fire), so the join goes right after the name test."""
    kb = kb_of(
        {
            "id": "r",
            "about": "node",
            "when": [
                TOMCAT_FALSE,
                {**CALLMANAGER_FALSE, "is": None, "one_of": [False]},
                {"fact": "zone.status", "one_of": ["down"]},
            ],
        }
    )
    compiled = compile_rules(kb, lambda conclusion: None)["c/r"]["all"]
    assert compiled[1] == {
        "f1": {
            "$and": [
                {"name": "trust.cucm_callmanager_trusts_c"},
                {"entity": {"f0": "entity"}},
                {"$or": [{"value": "b:false"}]},
            ]
        }
    }
    assert "entity" not in str(compiled[0]) and "entity" not in str(compiled[2])  # the anchor and a case fact
    crossed = [
        fact("trust.cucm_tomcat_trusts_c", False, node="A"),
        fact("trust.cucm_callmanager_trusts_c", False, node="B"),
        fact("zone.status", "down"),
    ]
    engine = RuleEngine(kb)
    assert engine.evaluate(crossed) == []
    same = engine.evaluate([*crossed, fact("trust.cucm_callmanager_trusts_c", False, node="A")])
    assert [(c.rule, c.entity) for c in same] == [("r", "node:A")]


def test_conclusions_are_unique_and_ordered_by_cause_rule_and_facts() -> None:
    import json

    engine = RuleEngine(
        kb_of(
            {"id": "expired", "when": [{"fact": "cert.expired", "is": True}]},
            {"id": "and-down", "when": [{"fact": "cert.expired", "is": True}, {"fact": "zone.status", "is": "down"}]},
        )
    )
    facts = [fact("cert.expired", True, certificate=c) for c in ("b", "a b", "a", "é", "a")] + [
        fact("zone.status", "down")
    ]
    out = engine.evaluate(facts)
    keys = [(c.cause, c.rule, json.dumps(c.facts, sort_keys=True)) for c in out]
    assert keys == sorted(set(keys)) and len(out) == 8  # 4 certificates, duplicates removed, two rules
    # the order of the matched facts' sorted JSON, as it always was: not the order of the strings themselves
    # (JSON escapes 'é' as '\u00e9', and its closing quote sorts after the space of "a b")
    assert [c.entity for c in out if c.rule == "expired"] == [f"certificate:{k}" for k in ("é", "a b", "a", "b")]
    assert {c.entity for c in out if c.rule == "and-down"} == {"case"}  # a certificate and the case together
