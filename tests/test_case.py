"""Case files: both formats, references, and bad input named by file, field path and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_load import finishes, special_files

from certdoctor.case import CertificateSource, case_from_data, parse_case, read_case, unknown_field_warnings
from certdoctor.errors import InputError
from certdoctor.limits import MAX_ALARMS, MAX_ANSWERS, MAX_LIST_ENTRIES, MAX_LOG_LINES, MAX_TEXT_CHARS

__all__ = ["special_files"]  # a fixture, shared with test_load


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


# -- bounded input: every problem a one-line InputError naming the file (and field), never a crash ----------

#: "Billion laughs": nine levels of nine aliases, under 400 bytes, ~387 million strings once expanded.
LAUGHS = "title: laughs\n" + "".join(
    f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}" if i else '"lol"'] * 9) + "]\n" for i in range(9)
)


def one_line(text: str, source: str = "c.yaml") -> str:
    """The InputError message parse_case gives for text, asserted to be one line naming the source."""
    with pytest.raises(InputError) as err:
        parse_case(text, source)
    message = str(err.value)
    assert message.startswith(f"{source}: ") and "\n" not in message
    return message


def test_the_billion_laughs_are_refused_before_expansion() -> None:
    import time

    assert len(LAUGHS.encode()) < 400 and LAUGHS.count("*") < 100  # under the old alias count limit
    started = time.monotonic()
    assert "expand to more than" in one_line(LAUGHS, "laughs.yaml")
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("title: a\x00b\n", "not valid YAML at line 1: character #x0000 is not allowed"),
        ("at: " + "2" * 5000 + "\n", "an integer longer than 100 characters"),
        ("at: 2026-01-01T00:00:00+99:00\n", "'2026-01-01T00:00:00+99:00' is not a valid timestamp"),
        ("at: 0001-01-01T00:00:00+23:59\n", "at: the time is out of range once converted to UTC"),
        ('{"at": ' + "2" * 5000 + "}", "an integer longer than 100 characters"),
        ('{"title": "\\ud800"}', "title: holds a lone surrogate"),
        ('{"symptoms": {"alarms": ["ok", "\\udfff"]}}', "symptoms.alarms[1]: holds a lone surrogate"),
        ('{"\\ud800": 1}', "a key holds a lone surrogate"),
        ("title: \ud800\n", "c.yaml: holds a lone surrogate"),
        ('{"title": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than 32 levels deep"),
        ("title: " + "[" * 40 + "]" * 40 + "\n", "nested more than 32 levels deep"),
        ("a: &a [1, *a]\n", "recursive alias"),
    ],
)
def test_inputs_that_crashed_are_one_line_errors(text: str, problem: str) -> None:
    assert problem in one_line(text)


def test_deep_case_data_from_a_chat_is_refused_without_recursion() -> None:
    data: dict[str, object] = {}
    inner = data
    for _ in range(100_000):
        inner["x"] = {}
        inner = inner["x"]  # type: ignore[assignment]
    with pytest.raises(InputError, match="nested more than 32 levels deep"):
        case_from_data({"title": "t", "extra": data}, "case")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"symptoms": {"log_lines": ["x"] * (MAX_LOG_LINES + 1)}}, "symptoms.log_lines: List should have at most"),
        ({"symptoms": {"alarms": ["1"] * (MAX_ALARMS + 1)}}, "symptoms.alarms: List should have at most"),
        ({"answers": {f"q{i}": "yes" for i in range(MAX_ANSWERS + 1)}}, "answers: Dictionary should have at most"),
        ({"expressway_c": {"trusted_cas": ["ca.pem"] * (MAX_LIST_ENTRIES + 1)}}, "expressway_c.trusted_cas: List"),
        ({"symptoms": {"log_lines": ["ok", "x" * (MAX_TEXT_CHARS + 1)]}}, "symptoms.log_lines[1]: String should have"),
        ({"title": "x" * (MAX_TEXT_CHARS + 1)}, "title: String should have at most 65536 characters"),
    ],
)
def test_lists_and_texts_are_capped_naming_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as err:
        case_from_data(data, "c.yaml")
    assert str(err.value).startswith(f"c.yaml: {field}") and "\n" not in str(err.value)


def test_case_files_must_be_regular_files(special_files: list[tuple[Path, str]]) -> None:
    for path, kind in special_files:
        error = finishes(lambda p=path: read_case(p))  # type: ignore[misc]
        assert isinstance(error, InputError), (path, error)
        assert str(error).startswith(str(path)) and kind in str(error) and "\n" not in str(error)
