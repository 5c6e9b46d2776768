"""The durable_rules wrapper: every documented trap is handled, and each handling is proven here."""

from __future__ import annotations

from pathlib import Path

import pytest

from certdoctor import rules as rules_module
from certdoctor.facts import Fact
from certdoctor.kb import load_knowledge
from certdoctor.rank import certainties
from certdoctor.rules import SESSION_RULE, RuleEngine, RuleEngineError, compile_rules

MINI = Path(__file__).parent / "data" / "mini-kb"


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(load_knowledge(MINI))


def fact(name: str, value: object, **params: str) -> Fact:
    return Fact(name=name, value=value, source="test", params=params)  # type: ignore[arg-type]


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
        "zone.peer-address-mismatch/zone-down"}


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
        values: dict[str, list[object]] = {}
        for f in facts:
            values.setdefault(f.name, []).append(f.value)
        twin = {c for c, cf in certainties(engine.kb, values).items() if cf != 0}  # type: ignore[arg-type]
        assert twin == {c.cause for c in engine.evaluate(facts)}


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
from certdoctor.rules import RuleEngine
engine = shipped_engine()
values = {}
for name, spec in engine.kb.facts.items():
    values[name] = [True, False] if spec.type == "bool" else (spec.values or ["x"]) if spec.type == "str" else [0, 5]
names = sorted(values)
for name in names:  # every fact alone, first thing in a fresh engine: many only wait in a join
    for value in values[name]:
        RuleEngine(engine.kb).evaluate([Fact(name, value, "fuzz")])
rnd = random.Random(20261130)
for i in range(3000):
    chosen = rnd.sample(names, rnd.randint(1, 6))
    facts = [Fact(n, rnd.choice(values[n]), "fuzz") for n in chosen]
    engine.evaluate(facts)
assert engine.live_sessions() == 0
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", (done.returncode, done.stderr[-500:])
