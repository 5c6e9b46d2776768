"""Ranking: MYCIN certainty factors per cause, probability/cost step order, questions by expected impact."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from certdoctor.facts.fact import entity_of
from certdoctor.kb import COST_WEIGHT, Cause, FactValue, KnowledgeBase, Question, Rule
from certdoctor.rules import CASE, Instance, joined, one_entity, quantify


def combine(x: float, y: float) -> float:
    """MYCIN combination of two certainty factors in [-1, 1] (commutative and associative)."""
    if x >= 0 and y >= 0:
        return x + y * (1 - x)
    if x <= 0 and y <= 0:
        return x + y * (1 + x)
    denominator = 1 - min(abs(x), abs(y))
    return (x + y) / denominator if denominator else 0.0


def combine_all(values: Iterable[float]) -> float:
    """All certainty factors of one cause combined (0 when there are none), independent of order.

    MYCIN's mixed-sign formula is not associative, so evidence for and against are each combined
    first (where the formula is associative) and then mixed once.
    """
    items = list(values)
    pro = 0.0
    con = 0.0
    for v in items:
        if v > 0:
            pro = combine(pro, v)
        elif v < 0:
            con = combine(con, v)
    return combine(pro, con)


def rule_firings(rule: Rule, facts: Mapping[str, Sequence[Instance]]) -> set[str]:
    """Python twin of the compiled rule: the entities its conclusions are about (empty: it does not fire).

    any without `about`: each condition is met by some instance; the engine fires once per combination of
    matching instances, about the one entity they share, else the case. any `about` K: the conditions on
    K-facts are met on one entity (an equality join), the others by some instance; about that entity.
    all/none: decided by rules.quantify over every instance, exactly as the engine's aggregate fact is.
    """
    if rule.quantifier != "any":
        matched = quantify(rule, facts)
        return set() if matched is None else {one_entity(facts[name][i][1] for name, i in matched)}
    free: list[set[str]] = []
    common: set[str] | None = None
    for cond, bound in zip(rule.when, joined(rule), strict=True):
        entities = {e for v, e in facts.get(cond.fact, ()) if cond.holds(v)}
        if not entities:
            return set()
        if bound:
            common = entities if common is None else common & entities
        else:
            free.append(entities)
    if rule.about is not None:
        return common or set()  # no condition on a fact about its kind: refused by the compiler, never fires
    return combined_entities(free)


def combined_entities(choices: Sequence[set[str]]) -> set[str]:
    """one_entity of every combination that takes one entity from each (non-empty) set, without the product.

    A combination is about entity e when all its picks are e: e is in every set. Some combination mixes
    entities (and is about the case) unless there are several sets, all the same single entity.
    """
    if not choices:
        return set()
    shared = set.intersection(*choices)
    if len(choices) == 1 or all(s == choices[0] and len(s) == 1 for s in choices):
        return shared
    return shared | {CASE}


def rule_fires(rule: Rule, facts: Mapping[str, Sequence[Instance]]) -> bool:
    """Python twin of the compiled rule: whether it fires on these fact instances (name -> (value, entity))."""
    if rule.about is None and rule.quantifier == "any":
        return all(any(cond.holds(v) for v, _ in facts.get(cond.fact, ())) for cond in rule.when)
    return bool(rule_firings(rule, facts))


def certainties(kb: KnowledgeBase, facts: Mapping[str, Sequence[Instance]]) -> dict[str, float]:
    """Combined certainty per cause over the rules that fire on these fact instances (a rule counts once)."""
    return {cause.id: combine_all(r.certainty for r in cause.rules if rule_fires(r, facts)) for cause in kb.causes}


#: A leading cause "stands clear" at this confidence and this lead over the next cause.
CLEAR_CONFIDENCE, CLEAR_GAP = 0.8, 0.25


def stands_clear(confidences: Sequence[float]) -> bool:
    """Whether the first of a ranking (best first) stands clear: the shell stops asking, scenarios may expect it."""
    if not confidences or confidences[0] < CLEAR_CONFIDENCE:
        return False
    return len(confidences) == 1 or confidences[0] - confidences[1] >= CLEAR_GAP


def visible(certainty: float) -> float:
    """What the ranking shows of a certainty: causes at or below zero are not listed."""
    return max(0.0, certainty)


@dataclass(frozen=True)
class ScoredQuestion:
    """A question and how much its answer is expected to move the ranking."""

    question: Question
    impact: float


class _Answered(Mapping[str, Sequence[Instance]]):
    """Fact instances after an answer, without copying the rest: an answered fact replaces what was known,
    about what an answer is about (facts/reported.py adds it without naming an entity: the case)."""

    def __init__(self, facts: Mapping[str, Sequence[Instance]], sets: Mapping[str, FactValue]) -> None:
        self._facts = facts
        self._sets = {name: [(value, entity_of(name, {}))] for name, value in sets.items()}

    def __getitem__(self, name: str) -> Sequence[Instance]:
        return self._sets[name] if name in self._sets else self._facts[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._sets
        yield from (name for name in self._facts if name not in self._sets)

    def __len__(self) -> int:
        return len(self._sets) + sum(1 for name in self._facts if name not in self._sets)


def with_answer(
    facts: Mapping[str, Sequence[Instance]], sets: Mapping[str, FactValue]
) -> Mapping[str, Sequence[Instance]]:
    """Fact instances after an answer (an answered fact replaces what was known about it)."""
    return _Answered(facts, sets)


def _answered(question: Question, facts: Mapping[str, object]) -> bool:
    """Whether what the question asks is known: the fact every choice sets, or else all its facts."""
    common = set.intersection(*(set(c.sets) for c in question.choices)) if question.choices else set()
    return common <= set(facts) if common else question.facts() <= set(facts)


#: _choice_rules' index per knowledge base (by identity; the base is kept so its id is not reused).
_CHOICES: dict[int, tuple[KnowledgeBase, dict[tuple[str, str], list[tuple[Cause, list[tuple[Rule, bool]]]]]]] = {}


def _choice_rules(kb: KnowledgeBase) -> dict[tuple[str, str], list[tuple[Cause, list[tuple[Rule, bool]]]]]:
    """(question, choice) -> each cause the choice can move, with its rules and whether each tests a fact set.

    Built once per knowledge base: an answer changes only the causes with a rule testing a fact it sets, and
    of those only such rules need evaluating again (the rest fire as they did).
    """
    cached = _CHOICES.get(id(kb))
    if cached is not None and cached[0] is kb:
        return cached[1]
    if len(_CHOICES) >= 8:
        _CHOICES.clear()
    plans: dict[tuple[str, str], list[tuple[Cause, list[tuple[Rule, bool]]]]] = {}
    for q in kb.questions:
        for choice in q.choices:
            # in the order the causes were always summed: per fact set, the causes testing it in KB order
            moved = list({c.id: c for name in choice.sets for c in kb.causes if _tests_fact(c, name)}.values())
            plans[(q.id, choice.value)] = [(c, [(r, _tests(r, choice.sets)) for r in c.rules]) for c in moved]
    _CHOICES[id(kb)] = (kb, plans)
    return plans


def leader(certainty: Mapping[str, float], excluded: Collection[str] = ()) -> str | None:
    """The cause the ranking shows first (highest certainty, then id, as diagnosis sorts); None when none shows."""
    # rounded as the answer shows confidences (diagnosis.rank), so a tie breaks by id there and here alike
    shown = [(-round(c, 4), cause) for cause, c in certainty.items() if c > 0 and cause not in excluded]
    return min(shown)[1] if shown else None


def score_questions(
    kb: KnowledgeBase,
    facts: Mapping[str, Sequence[Instance]],
    answered: Iterable[str] = (),
    excluded: Collection[str] = (),
    fired: Collection[tuple[str, str]] | None = None,
) -> list[ScoredQuestion]:
    """Questions about unknown facts that can change which cause leads, by the expected change of the ranking.

    Impact = mean over the choices (equally likely) of the L1 distance between the visible certainty
    vectors before and after; a cause at or below zero is not shown, so pushing it further down does
    not count. A question is left out when its subject is known already (the fact every choice sets, or
    else all its facts, from certificates, text or an earlier answer), or when no answer would put another
    cause first (or none): its answer could not change the diagnosis a customer acts on, or when a known fact
    makes it moot (`moot_when`). `excluded` are
    causes the files rule out, which never lead. Questions marked `early` ("what changed?") come first
    while they qualify. Only the rules that test a fact an answer sets are re-evaluated. `fired` are the
    (cause, rule) pairs the engine fired on these facts, when the caller has them; else the Python twin decides.
    """
    if fired is None:
        fired = {(c.id, r.id) for c in kb.causes for r in c.rules if rule_fires(r, facts)}
    fired = set(fired)
    before = {c.id: combine_all(r.certainty for r in c.rules if (c.id, r.id) in fired) for c in kb.causes}
    # the ranking before, as leader() orders it: after an answer only the causes it moves can change place
    shown = sorted((-round(c, 4), cause) for cause, c in before.items() if c > 0 and cause not in excluded)
    first = shown[0][1] if shown else None
    plans = _choice_rules(kb)
    skip = set(answered)
    scored: list[ScoredQuestion] = []
    for q in kb.questions:
        if q.id in skip or _answered(q, facts) or _moot(q, facts):
            continue
        moves = []
        changes_leader = False
        for choice in q.choices:
            after_facts = with_answer(facts, choice.sets)
            after: dict[str, float] = {}
            move = 0.0
            for cause, rules in plans[(q.id, choice.value)]:
                was = [(cause.id, r.id) in fired for r, _ in rules]
                now = [rule_fires(r, after_facts) if tests else w for (r, tests), w in zip(rules, was, strict=True)]
                if now == was:
                    continue  # the same rules fire: the cause keeps its certainty and its place
                after[cause.id] = combine_all(r.certainty for (r, _), f in zip(rules, now, strict=True) if f)
                move += abs(visible(after[cause.id]) - visible(before[cause.id]))
            moves.append(move)
            if not changes_leader:
                rest = next((entry for entry in shown if entry[1] not in after), None)
                moved = [(-round(c, 4), cause) for cause, c in after.items() if c > 0 and cause not in excluded]
                top = min([*moved, *([rest] if rest else [])], default=None)
                changes_leader = (top[1] if top else None) != first
        impact = sum(moves) / len(moves)
        if impact > 1e-9 and changes_leader:
            scored.append(ScoredQuestion(q, impact))
    return sorted(scored, key=lambda s: (not s.question.early, -s.impact, s.question.id))


def _tests_fact(cause: Cause, name: str) -> bool:
    """Whether one of the cause's rules has a condition on the fact."""
    return any(cond.fact == name for rule in cause.rules for cond in rule.when)


def _tests(rule: Rule, sets: Mapping[str, FactValue]) -> bool:
    """Whether the rule has a condition on a fact the answer sets (else its firing cannot change)."""
    return any(cond.fact in sets for cond in rule.when)


def _moot(question: Question, facts: Mapping[str, Sequence[Instance]]) -> bool:
    """Whether a known fact makes the question moot (its `moot_when`): e.g. SSH tunnels while the zone is down."""
    return any(any(cond.holds(v) for v, _ in facts.get(cond.fact, ())) for cond in question.moot_when)


@dataclass(frozen=True)
class Action:
    """A unit of remediation for the P/C order: one cause's steps, its probability and total cost."""

    cause: Cause
    probability: float

    @property
    def cost(self) -> float:
        """Sum of the cost weights of the cause's steps."""
        return sum(COST_WEIGHT[s.cost] for s in self.cause.steps)


def expected_cost(order: Sequence[Action]) -> float:
    """Expected cost of trying actions in order until the fault is fixed (single-fault assumption)."""
    total = 0.0
    remaining = 1.0
    for action in order:
        total += action.cost * remaining
        remaining -= action.probability
    return total


def pc_order(actions: Sequence[Action]) -> list[Action]:
    """Decreasing probability/cost: the optimal order for independent single-fault repairs."""
    return sorted(actions, key=lambda a: (-(a.probability / a.cost), a.cause.id))


def brute_force_order(actions: Sequence[Action]) -> list[Action]:
    """The cheapest order by exhaustive search (for tests; factorial time)."""
    return list(min(itertools.permutations(actions), key=lambda order: expected_cost(list(order))))
