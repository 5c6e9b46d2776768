"""Customer language: sentences in English and Dutch, with typos, word-order changes and negations, read into
symptoms; natural replies read as the choices they mean; a case file's description read into facts."""

from __future__ import annotations

from typing import Any

import pytest

from certdoctor.case import case_from_data
from certdoctor.chat.api import converse
from certdoctor.chat.token import StateSealer
from certdoctor.facts.fact import Facts
from certdoctor.facts.reported import case_facts
from certdoctor.kb import load_knowledge
from certdoctor.understand import choose, said_back, understand, yes_or_no

RENEWED = {"certificate-renewal": True}
#: (sentence, what it says: topic -> value). Exactly these topics, no more.
SENTENCES: list[tuple[str, dict[str, Any]]] = [
    # the example of the issue, in English and in Dutch
    (
        "MRA login fails since we renewed the Expressway-E certificate last night, zone shows Failed",
        {"mra": "failed", "zone": "down", **RENEWED},
    ),
    (
        "sinds we gisteren het certificaat van de Expressway-E hebben vernieuwd werkt MRA niet meer, "
        "zone staat op failed",
        {"mra": "failed", "zone": "down", **RENEWED},
    ),
    # typos
    ("MRA logn fials sinc we renwed the certficate, zoen shows faild", {"mra": "failed", "zone": "down", **RENEWED}),
    ("the travesal zone is donw", {"zone": "down"}),
    ("ssh tunnles are dwon since the upgrde", {"ssh": "down", "upgrade": True}),
    ("Jaber shows a certifcate warning", {"jabber": True}),
    ("het certifikaat is verlengt en de zone staat op faild", {"zone": "down", **RENEWED}),
    # word order
    ("failed is what the zone shows", {"zone": "down"}),
    ("werkt MRA niet meer", {"mra": "failed"}),
    ("down are the SSH tunnels, since yesterday", {"ssh": "down"}),
    ("de zone omlaag, de tunnels ook omlaag", {"zone": "down", "ssh": "down"}),
    # negations
    ("the zone is not down", {"zone": "up"}),
    ("de zone is niet omlaag", {"zone": "up"}),
    ("the zone isn't down but MRA doesn't work", {"zone": "up", "mra": "failed"}),
    ("not renewal", {"certificate-renewal": False}),
    ("geen vernieuwing", {"certificate-renewal": False}),
    ("no certificate warning in Jabber", {"jabber": False}),
    ("geen certificaatwaarschuwing in jabber", {"jabber": False}),
    ("we did not upgrade, we renewed the certificates", {"upgrade": False, **RENEWED}),
    ("MRA does not fail", {"mra": "ok"}),
    ("nothing changed", {"changes": "none"}),
    ("er is niets veranderd", {"changes": "none"}),
    # more ways to say it, both languages
    ("Some users cannot sign in over MRA", {"mra": "failed"}),
    ("iedereen kan niet meer inloggen via mra", {"mra": "failed"}),
    ("the zone is active but the ssh tunnels are down", {"zone": "up", "ssh": "down"}),
    ("de zone is actief maar de sshtunnels liggen eruit", {"zone": "up", "ssh": "down"}),
    ("MRA doesnt work and zone is up", {"mra": "failed", "zone": "up"}),
    ("we got a new intermediate from the CA last week", {"ca-change": True}),
    ("we zijn overgestapt naar een andere CA", {"ca-change": True}),
    ("uploaden van het certificaat mislukt met een foutmelding", {"upload": True}),
    ("the upload of the server certificate fails", {"upload": True}),
    ("a node was added to the cluster yesterday", {"cluster-change": True}),
    ("jabber geeft een certificaatwaarschuwing sinds de upgrade", {"jabber": True, "upgrade": True}),
    ("we upgraded from X14.0.1 to X14.2.5 and now the ssh tunnels are down", {"upgrade": True, "ssh": "down"}),
    ("the customer says it worked yesterday", {}),
]


@pytest.mark.parametrize(("sentence", "says"), SENTENCES, ids=[s[:40] for s, _ in SENTENCES])
def test_sentences_are_understood(sentence: str, says: dict[str, Any]) -> None:
    assert understand(sentence).said == says


def test_thirty_sentences_and_more() -> None:
    assert len(SENTENCES) >= 30
    assert sum(1 for s, _ in SENTENCES if any(w in s for w in (" de ", " het ", "werkt", "geen", "niets"))) >= 10


def test_versions_timing_and_scope_are_read_and_said_back() -> None:
    u = understand("we upgraded from X14.0.1 to X14.2.5 yesterday, MRA fails for everyone")
    assert (u.previous_version, u.version, u.when, u.scope) == ("X14.0.1", "X14.2.5", "yesterday", "all")
    assert u.fields()["version"] == "X14.2.5" and u.fields()["recent_changes"] == ["upgrade"]
    line = said_back(understand("MRA login fails since we renewed the certificate last night, zone shows Failed"), "en")
    assert line == "understood: MRA sign-in failing, recent change: certificate renewal (last night), zone Failed"
    nl = said_back(understand("de zone staat op failed sinds de vernieuwing"), "nl")
    assert nl == "begrepen: zone Failed (omlaag), recente wijziging: certificaatvernieuwing"
    assert understand("14.2.5").version == "X14.2.5" and understand("from 10.1.2.3 to 10.1.2.4").version is None


def test_a_later_sentence_corrects_an_earlier_one() -> None:
    u = understand("the zone is down since the renewal\nnot renewal\nthe zone is not down")
    assert u.said == {"zone": "up", "certificate-renewal": False}
    assert understand("we renewed the certificate\nnothing changed").changes() == dict.fromkeys(
        ("upgrade", "certificate-renewal", "ca-change", "cluster-change"), False
    )


def _choices(qid: str) -> tuple[str, str | None, list[tuple[str, list[str]]]]:
    q = next(q for q in load_knowledge().questions if q.id == qid)
    return q.id, q.field, [(c.value, [c.label.en, c.label.nl]) for c in q.choices]


@pytest.mark.parametrize(
    ("qid", "reply", "value", "version"),
    [
        ("traffic_server_version", "yes, X14.2.5", "yes", "X14.2.5"),
        ("traffic_server_version", "we run X12.7", "no", "X12.7"),
        ("traffic_server_version", "nee", "no", None),
        ("mra_login", "no it fails for everyone", "failed", None),
        ("mra_login", "ja", "ok", None),
        ("jabber_warning", "nee hoor", "no", None),
        ("jabber_warning", "yep", "yes", None),
        ("zone_status", "it shows failed", "Failed", None),
        ("zone_status", "actief", "Active", None),
        ("ssh_tunnels", "no", "down", None),
        ("ssh_tunnels", "ze liggen eruit", "down", None),
        ("recent_changes", "we renewed the certificate last night", "certificate-renewal", None),
        ("recent_changes", "niets", "none", None),
        ("crl_checking", "nope", "no", None),
        ("secure_traversal_test", "yes", "passed", None),
        ("mra_login", "2", "failed", None),
    ],
)
def test_natural_replies_mean_a_choice(qid: str, reply: str, value: str, version: str | None) -> None:
    chosen = choose(*_choices(qid), reply)
    assert chosen is not None and chosen.value == value
    assert chosen.set == ({"symptoms.version": version} if version else {})


def test_a_reply_that_means_no_choice_is_none() -> None:
    assert choose(*_choices("problem"), "MRA login fails") is None
    assert choose(*_choices("cluster"), "perhaps") is None
    assert yes_or_no("nee hoor") == "no" and yes_or_no("Yes, X14.2.5") == "yes" and yes_or_no("maybe") is None


def test_a_case_file_description_gives_the_facts_fields_would() -> None:
    words = "MRA login fails since we renewed the Expressway-E certificate, zone shows Failed"
    described = case_from_data({"symptoms": {"description": words}}, "test")
    stated = case_from_data(
        {"symptoms": {"zone_status": "Failed", "mra_login": "failed", "recent_changes": ["certificate-renewal"]}},
        "test",
    )
    a, b = Facts(), Facts()
    case_facts(described, a)
    case_facts(stated, b)
    assert sorted((f.name, f.value) for f in a.items) == sorted((f.name, f.value) for f in b.items)
    # a stated field wins over the description
    mixed = case_from_data({"symptoms": {"description": "the zone is down", "zone_status": "Active"}}, "test")
    c = Facts()
    case_facts(mixed, c)
    assert ("zone.status", "up") in [(f.name, f.value) for f in c.items]


def test_chat_takes_the_customer_words_and_natural_answers() -> None:
    """HTTP and MCP take turns through converse: a free-text turn is read, a worded answer is the choice it means."""
    sealer = StateSealer(b"a" * 40)
    said = "de zone staat op failed sinds we gisteren het certificaat vernieuwden"
    first = converse(None, {"text": said, "lang": "nl"}, sealer=sealer)
    assert first.answer.unrecognized == [] and any(d.cause.startswith("zone.") for d in first.answer.diagnoses)
    second = converse(first.state, {"answers": {"traffic_server_version": "ja, X14.2.5"}}, sealer=sealer)
    assert second.turns == 2 and second.answer.diagnoses
    conversation = sealer.open(second.state or "")
    assert conversation.turns[-1].answers == {"traffic_server_version": "yes"}
    assert conversation.case().symptoms.version == "X14.2.5"
    assert conversation.case().symptoms.description == said


def test_the_answer_says_back_what_it_understood_in_its_language() -> None:
    import certdoctor

    said = "MRA login fails since we renewed the Expressway-E certificate last night, zone shows Failed"
    answer = certdoctor.diagnose({"symptoms": {"description": said}})
    assert answer.understood and answer.understood.startswith("understood: ")
    assert "zone Failed" in answer.understood and "certificate renewal" in answer.understood
    dutch = certdoctor.diagnose({"symptoms": {"description": "de zone staat op failed"}}, lang="nl")
    assert dutch.understood and dutch.understood.startswith("begrepen: ")
    assert certdoctor.diagnose({"symptoms": {"zone_status": "Failed"}}).understood is None
