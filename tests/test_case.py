"""Case files: both formats, references, and bad input named by file, field path and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from certdoctor.case import CertificateSource, parse_case, read_case, unknown_field_warnings
from certdoctor.errors import InputError


def test_yaml_and_json_give_the_same_case() -> None:
    y = parse_case("title: t\nsymptoms:\n  ssh_tunnels: down\n  alarms: [35013]\n", "c.yaml")
    j = parse_case('{"title": "t", "symptoms": {"ssh_tunnels": "down", "alarms": ["35013"]}}', "c.json")
    assert y == j
    assert y.symptoms.alarms == ["35013"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "expressway_c:\n  nodes:\n    - fqdn: a\n    - certificate: [1, 2]\n",
            "c.yaml: expressway_c.nodes[1].certificate: Input should be a valid string",
        ),
        (
            "symptoms:\n  ssh_tunnels: sideways\n",
            "c.yaml: symptoms.ssh_tunnels: Input should be 'up' or 'down'",
        ),
        ("at: tomorrow\n", "c.yaml: at:"),
        ("- a\n- b\n", "c.yaml: (top level): the case file must be a mapping"),
        ("title: [unclosed\n", "c.yaml: not valid YAML"),
        ("", "c.yaml: the case file is empty"),
    ],
)
def test_bad_case_files_name_the_field(text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_case(text, "c.yaml")
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_unknown_fields_warn_with_the_nearest_name() -> None:
    case = parse_case("sypmtoms: {}\nexpressway_c:\n  trusted_ca: [x.pem]\n", "c.yaml")
    warnings = unknown_field_warnings(case)
    assert "unknown field 'sypmtoms' is ignored; did you mean 'symptoms'?" in warnings
    assert any("expressway_c.trusted_ca" in w and "'trusted_cas'" in w for w in warnings)


def test_alias_bombs_are_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(
            f"{chr(97 + i)}: &{chr(97 + i)} [*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, "
            f"*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, "
            f"*{chr(96 + i)}, *{chr(96 + i)}]"
        )
    with pytest.raises(InputError, match="aliases"):
        parse_case("\n".join(lines), "bomb.yaml")


def test_missing_case_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_case(tmp_path / "nope.yaml")


def test_certificate_references_relative_and_inline(dep, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "e.pem").write_bytes(dep.expe.pem())
    source = CertificateSource(tmp_path, "case.yaml")
    assert source.load("certs/e.pem", "expressway_e.certificate").certificates
    assert source.load(dep.expe.pem().decode(), "expressway_e.certificate").certificates
    with pytest.raises(InputError) as err:
        source.load("certs/missing.pem", "expressway_c.nodes[0].certificate")
    assert str(err.value).startswith("case.yaml: expressway_c.nodes[0].certificate: ")
    assert "no such file" in str(err.value)
