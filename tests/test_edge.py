"""Edge causes on generated certificates: per-peer trusted lists, the chain a node sends, default certificate,
SAN past 999 characters, and a key file without a trailing newline (only a boolean is derived from it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from certdoctor.case import CertificateSource, read_case
from certdoctor.diagnosis import diagnose_file, shipped_engine
from certdoctor.facts.derivation import derive
from certdoctor.lab import write_deployment

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scenarios"))

from scenariogen.build import _apply_patch
from scenariogen.families import edge


def _facts(tmp_path: Path, slug: str) -> dict[str, list[tuple[object, dict[str, str]]]]:
    spec = next(s for s in edge.scenarios() if s.slug == slug)
    case_path = write_deployment(tmp_path, spec.faults, **spec.layout)
    doc = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    _apply_patch(doc, spec.extra(tmp_path) if spec.extra else {})
    case_path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    case = read_case(case_path)
    facts = derive(case, CertificateSource(case_path.parent), shipped_engine().kb)
    found: dict[str, list[tuple[object, dict[str, str]]]] = {}
    for f in facts.items:
        found.setdefault(f.name, []).append((f.value, f.params))
    return found


def test_peer_with_own_list_sends_no_intermediate(tmp_path: Path) -> None:
    facts = _facts(tmp_path, "e-peer-own-list-lacks-intermediate")
    not_sent = {p["node"]: v for v, p in facts["chain.not_sent"] if p["side"] == "expressway_c"}
    assert not_sent == {"expe1.example.com": False, "expe2.example.com": True}
    trusts = {p["node"]: v for v, p in facts["trust.c_trusts_e"]}
    assert trusts == {"expe1.example.com": True, "expe2.example.com": False}


def test_receiver_lacking_root_is_not_a_chain_not_sent(tmp_path: Path) -> None:
    facts = _facts(tmp_path, "near-miss-receiver-lacks-root")
    assert all(v is False for v, _ in facts["chain.not_sent"])


def test_default_certificate_is_recognised(tmp_path: Path) -> None:
    facts = _facts(tmp_path, "e-peer2-factory-reset")
    default = {p["node"]: v for v, p in facts["cert.default_temporary"]}
    assert default["expe2.example.com"] is True and default["expe1.example.com"] is False


@pytest.mark.parametrize(
    ("slug", "cut"), [("e-san-cut-domain-lost", True), ("near-miss-long-san-under-limit-domain-missing", False)]
)
def test_san_longer_than_999(tmp_path: Path, slug: str, cut: bool) -> None:
    facts = _facts(tmp_path, slug)
    values = [v for v, p in facts["cert.san_too_long"] if p["node"] == "expe.example.com"]
    assert values == [cut]


def test_key_newline_is_a_boolean_and_never_the_key(tmp_path: Path) -> None:
    facts = _facts(tmp_path, "e-key-without-newline")
    [(value, params)] = facts["upload.key_trailing_newline"]
    assert value is False
    assert not any("PRIVATE KEY" in v for v in params.values())
    assert not any("PRIVATE KEY" in v for _, p in (i for items in facts.values() for i in items) for v in p.values())


def test_e_sending_its_leaf_alone_is_a_chain_not_sent(tmp_path: Path) -> None:
    facts = _facts(tmp_path, "e-logs-certificate-unknown-inbound")
    not_sent = {(p["side"], p["node"]): v for v, p in facts["chain.not_sent"]}
    assert not_sent == {("expressway_c", "expe.example.com"): True, ("expressway_e", "expc.example.com"): False}
    [params] = [p for v, p in facts["chain.not_sent"] if v is True]
    assert params["ca_subject"] == "Lab Issuing CA"


def test_tunnels_down_evidence_names_the_unsent_intermediate(tmp_path: Path) -> None:
    spec = next(s for s in edge.scenarios() if s.slug == "e-peer-own-list-lacks-intermediate-tunnels-down")
    case_path = write_deployment(tmp_path, spec.faults, **spec.layout)
    doc = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    _apply_patch(doc, spec.extra(tmp_path) if spec.extra else {})
    doc["symptoms"] = dict(spec.symptoms)
    case_path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    answer = diagnose_file(case_path)
    [top] = [d for d in answer.diagnoses if d.cause == "trust.own-chain-not-sent"]
    [line] = [e for e in top.evidence_items if e.rule.endswith("/chain-not-sent-tunnels-down")]
    assert "'Lab Issuing CA'" in line.text and "expe2.example.com" in line.text and "{" not in line.text
