"""Far-end facts on generated certificates: endpoint trust lists, on-premises Jabber, public-root migrations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from certdoctor.case import CertificateSource, read_case
from certdoctor.diagnosis import diagnose_file
from certdoctor.facts import derive
from certdoctor.kb import load_knowledge
from certdoctor.lab import write_deployment

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scenarios"))
from scenariogen.families import far_end


def _case(tmp: Path, faults: tuple[str, ...], extra: Any) -> Path:
    """A single-box lab deployment with the family's extra files patched in (as the scenario builder does)."""
    path = write_deployment(tmp, faults, c_nodes=1, e_nodes=1)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in extra(path.parent).items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _facts(path: Path) -> dict[str, list[Any]]:
    case = read_case(path)
    certs = CertificateSource(path.parent, str(path))
    found: dict[str, list[Any]] = {}
    for f in derive(case, certs, load_knowledge()).items:
        found.setdefault(f.name, []).append(f)
    return found


def test_phone_without_the_lab_root_names_the_missing_ca(tmp_path: Path) -> None:
    path = _case(tmp_path, (), far_end.far_end_trusting("phone", "CP-8845", "12.8(1)", "public"))
    [fact] = _facts(path)["endpoint.trusts_edge"]
    assert fact.value is False
    assert fact.entity == "endpoint:lobby-phone"
    assert "Lab Root CA" in fact.params["lacks"] and "SHA-256" in fact.params["lacks"]
    assert fact.params["checked_node"] == "expe.example.com"


def test_phone_with_the_lab_root_trusts_the_edge(tmp_path: Path) -> None:
    path = _case(tmp_path, (), far_end.far_end_trusting("phone", "CP-8845", "14.2(1)", "lab"))
    assert [f.value for f in _facts(path)["endpoint.trusts_edge"]] == [True]


def test_onprem_jabber_checks_imp_and_cucm_tomcat(tmp_path: Path) -> None:
    path = _case(tmp_path, (), far_end.onprem_jabber("public", "imp"))
    facts = _facts(path)
    [fact] = facts["endpoint.trusts_onprem"]
    assert fact.value is False and "endpoint.trusts_edge" not in facts
    trusted = _case(tmp_path / "ok", (), far_end.onprem_jabber("lab", "imp"))
    assert [f.value for f in _facts(trusted)["endpoint.trusts_onprem"]] == [True]


def test_old_root_only_is_a_migration_gap_with_the_cross_sign_named(tmp_path: Path) -> None:
    path = _case(tmp_path, (), far_end.migration())
    gaps = [f for f in _facts(path)["migration.bridge_missing"] if f.value is True]
    assert [g.params["checker"] for g in gaps] == ["lobby-phone"]
    assert gaps[0].params["old_root"] == "Example Public Root G2"
    assert gaps[0].params["new_root"] == "Example Public Root R1"


def test_sending_the_cross_sign_closes_the_gap(tmp_path: Path) -> None:
    path = _case(tmp_path, (), far_end.migration(e_sends_cross=True, cross_in="none"))
    facts = _facts(path)
    assert all(f.value is False for f in facts["migration.bridge_missing"])
    assert [f.value for f in facts["endpoint.trusts_edge"]] == [True]
    assert all(f.value is False for f in facts["migration.cross_sign_in_list"])


def test_cross_sign_above_the_root_takes_the_path_to_the_old_root(tmp_path: Path) -> None:
    path = _case(tmp_path, (), far_end.migration(cross_in="c-list-above-root", phone=False))
    facts = _facts(path)
    [c_list] = [f for f in facts["migration.cross_sign_in_list"] if f.params["list"].startswith("expressway_c")]
    assert c_list.value is True and c_list.params["signer"] == "Example Public Root G2"
    through = [f for f in facts["migration.path_through_cross"] if f.value is True]
    assert [f.params["checker"] for f in through] == ["expressway_c"]
    assert not any(f.value for f in facts["migration.bridge_missing"])


def test_root_reissued_with_the_same_key_is_not_a_cross_sign(tmp_path: Path) -> None:
    path = write_deployment(tmp_path, ("c-root-reissued",), c_nodes=1, e_nodes=1)
    assert not any(f.value for f in _facts(path)["migration.cross_sign_in_list"])


@pytest.mark.parametrize(
    ("extra", "top"),
    [
        (far_end.far_end_trusting("ce-endpoint", "Room Kit", "RoomOS 11.9", "other"), "endpoint.edge-ca-not-trusted"),
        (far_end.onprem_jabber("other", "cucm", imp=False), "jabber.onprem-certificate-not-trusted"),
        (far_end.migration(), "trust.public-root-migration"),
    ],
)
def test_what_a_tac_engineer_reads_first(tmp_path: Path, extra: Any, top: str) -> None:
    answer = diagnose_file(_case(tmp_path, (), extra))
    assert answer.diagnoses[0].cause == top
    assert answer.diagnoses[0].evidence
