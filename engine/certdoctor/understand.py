"""Read a customer's own sentence (English or Dutch) into symptoms: what they say about the zone, tunnels, sign-in.

The words are data (knowledge/language.yaml); matching is per word with rapidfuzz, so typos ("zoen", "renwed")
and word order ("werkt MRA niet meer") do not matter, and a negation close by turns a statement around
("the zone is not down"). Later statements win over earlier ones, so a correction ("not renewal") is just
another sentence. Nothing here decides a cause: it fills the symptom fields a case file could have stated.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from itertools import product
from typing import Any

from rapidfuzz import fuzz, process

from certdoctor.kb import Lang

Phrase = tuple[str, ...]
#: How far apart (in words) the parts of one concept may be, and a negation before it.
WINDOW, NEGATION_REACH = 9, 2
#: The change topics, as the case file's `recent_changes` names them.
CHANGES = ("upgrade", "certificate-renewal", "ca-change", "cluster-change")
_VERSION = re.compile(r"(?<![\w.])([xX]\d{1,2}(?:\.\d{1,2}){1,2}|\d{1,2}\.\d{1,2}\.\d{1,2})(?![\w.]*\d)")
_BREAK = re.compile(r"[,;.!?\n()]+")


@dataclass(frozen=True)
class Concept:
    """One thing a customer can say: a topic, what it is, and the phrase groups that must all occur."""

    id: str
    topic: str
    value: str | bool
    groups: tuple[tuple[Phrase, ...], ...]


@dataclass(frozen=True)
class Language:
    """knowledge/language.yaml, tokenised."""

    concepts: tuple[Concept, ...]
    near: frozenset[str]
    before: frozenset[str]
    breaks: frozenset[str]
    when: tuple[tuple[Phrase, str], ...]
    scope: tuple[tuple[Phrase, str], ...]
    answers: tuple[tuple[Phrase, str], ...]
    shown: dict[str, dict[str, str]]
    vocabulary: tuple[str, ...]


def words(text: str) -> list[str]:
    """Case-folded words without accents or apostrophes: "Can't" -> "cant", "geüpgraded" -> "geupgraded"."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c)).replace("'", "").replace("’", "")
    return re.findall(r"[a-z0-9]+", plain)


def _phrases(items: Any) -> tuple[Phrase, ...]:
    """Phrases of a list (or of an {en, nl} mapping of lists), each as its words."""
    if isinstance(items, dict):
        items = [p for lang in ("en", "nl") for p in items.get(lang, [])]
    return tuple(dict.fromkeys(tuple(words(str(p))) for p in items if words(str(p))))


@functools.cache
def language() -> Language:
    """The shipped customer language, loaded once."""
    from certdoctor.safeinput import load_yaml

    path = resources.files("certdoctor.knowledge") / "language.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"), "language.yaml")
    shared = {name: _phrases(lists) for name, lists in data["words"].items()}
    concepts = tuple(
        Concept(
            c["id"],
            c["topic"],
            c["value"],
            tuple(shared[g[1:]] if isinstance(g, str) else _phrases(g) for g in c["all"]),
        )
        for c in data["concepts"]
    )
    tagged = lambda table: tuple((p, key) for key, lists in table.items() for p in _phrases(lists))  # noqa: E731
    when = tuple((p, " ".join(p)) for p in _phrases(data["when"]))
    vocabulary = {w for c in concepts for g in c.groups for p in g for w in p}
    return Language(
        concepts,
        frozenset(data["negations"]["near"]),
        frozenset(data["negations"]["before"]),
        frozenset(data["breaks"]),
        when,
        tagged(data["scope"]),
        tagged(data["answers"]),
        data["shown"],
        tuple(sorted(vocabulary)),
    )


def similar(a: str, b: str) -> bool:
    """Whether word a is word b or a typo of it: exact below 4 letters, else rapidfuzz's ratio (same first letter
    for 4 or 5 letters, where one slip is a large share of the word)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    score = fuzz.ratio(a, b)
    return score >= 75 and a[0] == b[0] if min(len(a), len(b)) <= 5 else score >= 80


@functools.lru_cache(maxsize=4096)
def _near_words(word: str) -> frozenset[str]:
    """The vocabulary words this word is (or is a typo of)."""
    found = process.extract(word, language().vocabulary, scorer=fuzz.ratio, score_cutoff=75, limit=None)
    return frozenset(w for w, _, _ in found if similar(word, w))


@dataclass(frozen=True)
class Hit:
    """Where a phrase or concept occurs in a statement: the word positions it uses."""

    positions: frozenset[int]
    inexact: int = 0  # words matched as a typo of the phrase's word, not as it

    @property
    def span(self) -> int:
        return max(self.positions) - min(self.positions) + 1

    @property
    def slack(self) -> int:
        """Words between its parts that belong to none of them."""
        return self.span - len(self.positions)


def _phrase_hits(phrase: Phrase, tokens: list[str], seen: list[frozenset[str]]) -> list[Hit]:
    """Every place the phrase's words occur close together (any order)."""
    spots = [[i for i, near in enumerate(seen) if w in near] for w in phrase]
    hits = []
    for combo in product(*spots):
        if len(set(combo)) == len(combo) and max(combo) - min(combo) <= len(phrase):
            inexact = sum(tokens[i] != w for i, w in zip(combo, phrase, strict=True))
            hits.append(Hit(frozenset(combo), inexact))
    return hits


def _concept_hits(concept: Concept, tokens: list[str], seen: list[frozenset[str]]) -> list[Hit]:
    """Every place the concept occurs: one phrase of each group within WINDOW words."""
    per_group = [[h for p in group for h in _phrase_hits(p, tokens, seen)] for group in concept.groups]
    hits = []
    for combo in product(*per_group):
        used = frozenset().union(*(h.positions for h in combo))
        if len(used) == sum(len(h.positions) for h in combo) and Hit(used).span <= WINDOW:
            hits.append(Hit(used, sum(h.inexact for h in combo)))
    return hits


def _exact(phrase: Phrase, tokens: list[str]) -> int | None:
    """Where a phrase occurs word for word, or None."""
    n = len(phrase)
    return next((i for i in range(len(tokens) - n + 1) if tuple(tokens[i : i + n]) == phrase), None)


@dataclass
class Understanding:
    """What a text says: topic -> value (later statements win), and the version, timing and scope it names."""

    said: dict[str, str | bool] = field(default_factory=dict)
    version: str | None = None
    previous_version: str | None = None
    when: str | None = None
    scope: str | None = None

    def __bool__(self) -> bool:
        return bool(self.said or self.version)

    def changes(self) -> dict[str, bool]:
        """Each change the text mentions: True it happened, False it did not."""
        base = dict.fromkeys(CHANGES, False) if self.said.get("changes") == "none" else {}
        return {**base, **{c: bool(self.said[c]) for c in CHANGES if c in self.said}}

    def fields(self) -> dict[str, Any]:
        """The case-file symptom fields it fills (zone_status 'Failed', mra_login 'failed', recent_changes ...)."""
        out: dict[str, Any] = {}
        zone = self.said.get("zone")
        if zone:
            out["zone_status"] = "Failed" if zone == "down" else "Active"
        if "ssh" in self.said:
            out["ssh_tunnels"] = self.said["ssh"]
        if "mra" in self.said:
            out["mra_login"] = self.said["mra"]
        if "jabber" in self.said:
            out["jabber_warning"] = bool(self.said["jabber"])
        happened = [c for c, yes in self.changes().items() if yes]
        if happened:
            out["recent_changes"] = happened
        if self.version:
            out["version"] = self.version
        if self.previous_version:
            out["previous_version"] = self.previous_version
        return out

    def shown(self, lang: Lang) -> list[str]:
        """Each thing understood in a few words of lang ("zone Failed", "recent change: certificate renewal")."""
        say = lambda key: language().shown[key][lang]  # noqa: E731
        items = []
        for topic, value in self.said.items():
            if topic in CHANGES:
                what = say(topic) + (f" ({self.when})" if value and self.when else "")
                items.append(say("change" if value else "no_change").format(what=what))
            else:
                text = say(f"{topic}.{str(value).lower()}")
                items.append(text + (f" ({say('scope.' + self.scope)})" if topic == "mra" and self.scope else ""))
        if self.previous_version:
            items.append(say("previous").format(version=self.previous_version))
        if self.version:
            items.append(say("version").format(version=self.version))
        return items

    def merged(self, later: Understanding) -> Understanding:
        """This understanding with a later one on top (a correction overrides what it corrects)."""
        said = {k: v for k, v in self.said.items() if k not in later.said}
        if "changes" in later.said:  # "nothing changed" takes back every change said before
            said = {k: v for k, v in said.items() if k not in CHANGES}
        return Understanding(
            {**said, **later.said},
            later.version or self.version,
            later.previous_version or self.previous_version,
            later.when or self.when,
            later.scope or self.scope,
        )


def statements(text: str) -> list[list[str]]:
    """The text cut into statements (punctuation, 'but', 'since', 'maar', 'sinds' ...), each as its words."""
    out: list[list[str]] = []
    for part in _BREAK.split(_VERSION.sub(" ", text)):
        current: list[str] = []
        for w in words(part):
            if w in language().breaks:
                if current:
                    out.append(current)
                current = []
            else:
                current.append(w)
        if current:
            out.append(current)
    return out


def _statement(tokens: list[str], lang: Language, context: str | None = None) -> dict[str, str | bool]:
    """Topic -> value for one statement: per topic the tightest match, turned around by a negation close by."""
    seen = [_near_words(w) for w in tokens]
    candidates = [
        (hit.slack, hit.span, hit.inexact, -len(hit.positions), concept, hit)
        for concept in lang.concepts
        for hit in _concept_hits(concept, tokens, seen)
    ]
    candidates.sort(key=lambda c: c[:4])
    chosen: dict[str, tuple[Concept, Hit]] = {}
    for *_, concept, hit in candidates:
        if concept.topic not in chosen and (context is None or concept.topic == context):
            chosen[concept.topic] = (concept, hit)
    used = frozenset().union(*(h.positions for _, h in chosen.values()))
    said: dict[str, str | bool] = {}
    for topic, (concept, hit) in chosen.items():
        first, last = min(hit.positions), max(hit.positions)
        negated = any(
            i not in used
            and (
                (tokens[i] in lang.near and first - NEGATION_REACH <= i <= last + 1)
                or (tokens[i] in lang.before and _just_before(i, first, tokens, lang))
            )
            for i in range(len(tokens))
        )
        value = _opposite(concept.value) if negated else concept.value
        if value is not None:
            said[topic] = value
    return said


def _just_before(i: int, first: int, tokens: list[str], lang: Language) -> bool:
    """Whether word i comes right before a statement ("no renewal"), or one of its words ("no certificate warning")."""
    return i == first - 1 or (i == first - 2 and tokens[first - 1] in lang.vocabulary)


def _opposite(value: str | bool) -> str | bool | None:
    """What a negated statement says: not down is up, no renewal is a renewal that did not happen."""
    pairs: dict[str | bool, str | bool | None] = {"down": "up", "up": "down", "failed": "ok", "ok": "failed"}
    if isinstance(value, bool):
        return not value
    return pairs.get(value)


def _tagged(tokens: list[str], table: tuple[tuple[Phrase, str], ...]) -> str | None:
    """The tag of the first phrase of a table occurring word for word (longest phrases first)."""
    hits = [(at, -len(p), tag) for p, tag in table if (at := _exact(p, tokens)) is not None]
    return min(hits)[2] if hits else None


def understand(text: str, context: str | None = None) -> Understanding:
    """What a customer's text says; context (a topic such as 'zone') reads only that topic, for an answer."""
    lang = language()
    result = Understanding()
    for tokens in statements(text):
        said = _statement(tokens, lang, context)
        result = result.merged(Understanding(said))
        result.when = result.when or _tagged(tokens, lang.when)
        if "mra" in said or context == "mra":
            result.scope = _tagged(tokens, lang.scope) or result.scope
    versions = [v if v[0] in "xX" else "X" + v for v in _VERSION.findall(text)]
    if versions:
        result.version = versions[-1].upper()
        if len(versions) > 1:
            result.previous_version = versions[0].upper()
            result.said.setdefault("upgrade", True)
    return result


def yes_or_no(text: str) -> str | None:
    """'yes' or 'no' when a reply starts with one ("yes, X14.2.5", "nee hoor", "no it fails for everyone")."""
    tokens = [w for s in statements(text) for w in s][:3]
    starts = [(len(p), tag) for p, tag in language().answers if tuple(tokens[: len(p)]) == p]
    return max(starts)[1] if starts else None


def said_back(understood: Understanding, lang: Lang) -> str:
    """The line the shell prints: "understood: zone Failed, recent change: certificate renewal"."""
    return language().shown["understood"][lang].format(items=", ".join(understood.shown(lang)))


def correction_hint(lang: Lang) -> str:
    """How to put right what was misunderstood."""
    return language().shown["correct"][lang]


#: Per question topic (the case field it fills, or its id): the topic understood, and the words that name it.
_ASKED: dict[str, tuple[str, str]] = {
    "zone_status": ("zone", "zone"),
    "ssh_tunnels": ("ssh", "ssh tunnels"),
    "mra_login": ("mra", "mra"),
    "jabber_warning": ("jabber", "jabber"),
}
#: Choice values a plain yes or no means when no label starts with Yes or No ("Are the tunnels up?" "no").
_PLAIN = {"yes": ("yes", "ok", "up", "passed", "Active"), "no": ("no", "failed", "down", "Failed")}
_ANSWER_WORDS = {"yes": ("yes", "ja"), "no": ("no", "nee")}
_MODERN = (14, 0, 2)  # the version from which the traffic server verifies Unified CM's certificates


@dataclass(frozen=True)
class Reply:
    """A reply read as an answer: the choice it means, and case fields it names on the way (the version)."""

    value: str
    set: dict[str, Any] = field(default_factory=dict)


def _exact_choice(reply: str, choices: list[tuple[str, list[str]]]) -> str | None:
    """The choice a reply names outright: its number, its value, a unique prefix, or a unique word run of a label."""
    r = reply.strip().casefold()
    values = [v for v, _ in choices]
    if r.isdigit() and 1 <= int(r) <= len(values):
        return values[int(r) - 1]
    if not r:
        return None
    for v in values:
        if v.casefold() == r:
            return v
    prefixed = [v for v in values if v.casefold().startswith(r)]
    if len(prefixed) == 1:
        return prefixed[0]
    labelled = [v for v, labels in choices if any(r in label.casefold() for label in labels)]
    return labelled[0] if len(labelled) == 1 else None


def choose(qid: str, field_path: str | None, choices: list[tuple[str, list[str]]], reply: str) -> Reply | None:
    """The choice a natural reply means ("yes, X14.2.5", "no it fails for everyone", "ja", "nee hoor", "it shows
    Failed"), with the version it names; None when it names none. choices: (value, its labels in any language)."""
    exact = _exact_choice(reply, choices)
    values = [v for v, _ in choices]
    heard = understand(reply)
    extra = {"symptoms.version": heard.version} if heard.version else {}
    if exact is not None:
        return Reply(exact, extra)
    if heard.version and qid == "traffic_server_version":
        modern = tuple(int(p) for p in re.findall(r"\d+", heard.version)) >= _MODERN
        meant = "yes" if modern else "no"
        return Reply(meant, extra) if meant in values else None
    topic, subject = _ASKED.get(field_path.rpartition(".")[2] if field_path else qid) or _ASKED.get(qid) or ("", "")
    said = understand(f"{subject} {reply}", context=topic).said.get(topic) if topic else None
    if said is not None:
        named = {"down": "failed", "up": "active", "True": "yes", "False": "no"}  # Failed / Active, yes / no
        names = {str(said).casefold(), named.get(str(said), "")}
        match = next((v for v in values if v.casefold() in names), None)
        if match:
            return Reply(match, extra)
    if qid == "recent_changes":
        changed = [c for c, yes in heard.changes().items() if yes]
        if changed or heard.said.get("changes") == "none":
            pick = changed[0] if changed else "none"
            return Reply(pick, extra) if pick in values else None
    answer = yes_or_no(reply)
    if answer is None:
        return None
    starts = _ANSWER_WORDS[answer]
    labelled = [v for v, labels in choices if any(words(label)[:1] and words(label)[0] in starts for label in labels)]
    if len(labelled) == 1:
        return Reply(labelled[0], extra)
    plain = [v for v in values if v in _PLAIN[answer]]
    return Reply(plain[0], extra) if len(plain) == 1 else None
