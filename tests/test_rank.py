"""Certainty-factor algebra and the probability/cost order, checked against their definitions."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certdoctor.kb import Cause, Rule, Source, Step, Text
from certdoctor.rank import (
    Action,
    brute_force_order,
    combine,
    combine_all,
    combined_entities,
    expected_cost,
    pc_order,
    with_answer,
)
from certdoctor.rules import Instance, one_entity

cf = st.floats(min_value=-0.99, max_value=0.99, allow_nan=False)


def test_textbook_values() -> None:
    assert combine(0.5, 0.6) == pytest.approx(0.8)
    assert combine(-0.5, -0.6) == pytest.approx(-0.8)
    assert combine(0.6, -0.4) == pytest.approx(0.2 / 0.6)
    assert combine(0.9, 0.0) == pytest.approx(0.9)
    assert combine_all([]) == 0.0


@given(cf, cf)
def test_commutative(x: float, y: float) -> None:
    assert combine(x, y) == pytest.approx(combine(y, x))


@given(cf, cf, cf)
def test_associative_within_sign(x: float, y: float, z: float) -> None:
    # MYCIN's mixed-sign formula is associative only among same-signed evidence, which is why
    # combine_all combines for and against separately (test_combine_all_ignores_order)
    if (x >= 0) == (y >= 0) == (z >= 0):
        assert combine(combine(x, y), z) == pytest.approx(combine(x, combine(y, z)), abs=1e-9)


@given(cf, cf)
def test_stays_in_range_and_evidence_against_lowers(x: float, y: float) -> None:
    c = combine(x, y)
    assert -1 <= c <= 1
    if y < 0:
        assert c <= x + 1e-12


def _cause(i: int, costs: list[str]) -> Cause:
    text = Text(en="x", nl="x")
    return Cause(
        id=f"c{i}",
        title=text,
        origin=[Source(document="Cisco Doc ID 1", url="u")],
        rules=[Rule(id="r", when=[{"fact": "f", "is": True}], certainty=0.5, evidence=text)],  # type: ignore[list-item]
        steps=[Step(id=f"s{j}", device="expressway_c", cost=c, text=text) for j, c in enumerate(costs)],  # type: ignore[arg-type]
    )


def test_pc_order_equals_brute_force_on_random_instances() -> None:
    rng = random.Random(20261128)
    kinds = ["check", "config", "restart", "reissue"]
    for _ in range(200):
        n = rng.randint(2, 6)
        weights = [rng.random() for _ in range(n)]
        total = sum(weights)
        actions = [Action(_cause(i, rng.choices(kinds, k=rng.randint(1, 3))), w / total) for i, w in enumerate(weights)]
        assert expected_cost(pc_order(actions)) == pytest.approx(expected_cost(brute_force_order(actions)))


def test_cheap_likely_first_reissue_last() -> None:
    cheap = Action(_cause(1, ["check"]), 0.3)
    reissue = Action(_cause(2, ["reissue"]), 0.5)
    assert [a.cause.id for a in pc_order([reissue, cheap])] == ["c1", "c2"]


@given(st.lists(cf, max_size=6), st.randoms())
def test_combine_all_ignores_order(values: list[float], rnd: random.Random) -> None:
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert combine_all(values) == pytest.approx(combine_all(shuffled), abs=1e-9)


entity_sets = st.lists(st.sets(st.sampled_from(["case", "node:a", "node:b", "certificate:x"]), min_size=1), max_size=4)


@given(entity_sets)
def test_combined_entities_is_one_entity_of_every_combination(choices: list[set[str]]) -> None:
    # the twin's shortcut for an `any` rule without `about`: what the engine concludes once per combination
    assert combined_entities(choices) == {one_entity(combo) for combo in itertools.product(*choices) if combo}


def test_an_answer_replaces_the_facts_it_sets_about_what_an_answer_is_about() -> None:
    facts: dict[str, list[Instance]] = {"zone.status": [("up", "case")], "upload.key_matches": [(True, "upload")]}
    after = with_answer(facts, {"zone.status": "down", "upload.key_matches": False})
    assert after == {"zone.status": [("down", "case")], "upload.key_matches": [(False, "upload")]}
    assert facts["zone.status"] == [("up", "case")]  # the facts before the answer are not changed
