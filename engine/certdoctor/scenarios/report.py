"""Showing a scenario run: the summary table, failures side by side, and JUnit XML for CI."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from certdoctor.scenarios.run import RunReport, ScenarioResult

_LEFT, _RIGHT = 30, 46  # 80 columns with the indent and the bar
_SHOWN_CAUSES, _SHOWN_EVIDENCE = 6, 2
_MARK = {"pass": "ok", "fail": "FAIL", "error": "ERROR"}


def _expected_top(result: ScenarioResult) -> str:
    top = result.expect.top if result.expect else None
    return "(no cause)" if top == "none" else (top or "-")


def _actual_top(result: ScenarioResult) -> str:
    if result.status == "error":
        return "(not run)"
    return result.ranking[0].cause if result.ranking else "(no cause)"


def summary_table(report: RunReport) -> str:
    """One row per scenario (status, name, expected and actual top cause) and the totals."""
    width = max([len(r.name) for r in report.results] + [8])
    lines = [f"{'':5} {'scenario':<{width}}  {'expected top':<34} actual top"]
    for r in report.results:
        lines.append(f"{_MARK[r.status]:5} {r.name:<{width}}  {_expected_top(r):<34} {_actual_top(r)}")
    lines.append(
        f"{len(report.results)} scenarios: {report.passed} passed, {report.failed} failed, "
        f"{report.errors} errors in {report.seconds:.1f} s"
    )
    return "\n".join(lines)


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ") or [""]


def _expected_column(result: ScenarioResult) -> Iterator[str]:
    e = result.expect
    if e is None:
        return
    yield from _wrap(f"top: {_expected_top(result)}", _LEFT)
    groups = (
        ("includes", e.includes),
        ("excludes", e.excludes),
        ("ruled out", e.ruled_out),
        ("folded", e.folded),
        ("awaits files", e.decide_with),
    )
    for label, causes in groups:
        if causes:
            yield f"{label}:"
            for c in causes:
                yield from _wrap(c, _LEFT, "  ")
    if e.ranking:
        yield "ranking begins:"
        for i, c in enumerate(e.ranking, 1):
            yield from _wrap(f"{i}. {c}", _LEFT, "  ")
    if e.clear is not None:
        yield f"top stands clear: {'yes' if e.clear else 'no'}"
    if e.steps:
        yield "steps, in order:"
        for s in e.steps:
            yield from _wrap(s, _LEFT, "  ")


def _actual_column(result: ScenarioResult) -> Iterator[str]:
    """The ranking with the first pieces of evidence of each cause (the JSON output has all of it)."""
    if not result.ranking:
        yield "(no cause)"
    for i, d in enumerate(result.ranking[:_SHOWN_CAUSES], 1):
        yield from _wrap(f"{i}. {d.cause} {d.confidence:.0%}", _RIGHT)
        for why in d.evidence[:_SHOWN_EVIDENCE]:
            yield from _wrap(f"why: {why}", _RIGHT, "   ")
        if len(d.evidence) > _SHOWN_EVIDENCE:
            yield f"   (+{len(d.evidence) - _SHOWN_EVIDENCE} more)"
        if d.folded:
            yield from _wrap(f"folded: {', '.join(d.folded)}", _RIGHT, "   ")
        if d.decide_with:
            yield from _wrap(f"awaits: {d.decide_with}", _RIGHT, "   ")
    if len(result.ranking) > _SHOWN_CAUSES:
        yield f"(+{len(result.ranking) - _SHOWN_CAUSES} more causes)"
    if result.ruled_out:
        yield "ruled out by the files:"
        for c in result.ruled_out:
            yield from _wrap(c, _RIGHT, "  ")


def side_by_side(result: ScenarioResult) -> str:
    """A failing scenario: its problems, then the expectation beside the actual ranking with evidence."""
    head = [f"{_MARK[result.status]} {result.name}  ({result.path})"]
    if result.title:
        head.append(f"  {result.title}")
    head += [f"  - {p}" for p in result.problems]
    if result.status == "error":
        return "\n".join(head)
    left, right = list(_expected_column(result)), list(_actual_column(result))
    rows = [f"  {'expected':<{_LEFT}} | actual ranking", f"  {'-' * _LEFT}-+-{'-' * _RIGHT}"]
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else ""
        b = right[i] if i < len(right) else ""
        rows.append(f"  {a:<{_LEFT}} | {b}".rstrip())
    return "\n".join(head + rows)


def junit_xml(report: RunReport) -> str:
    """JUnit XML: one testcase per scenario, classname 'scenarios.<group>', failures with the side-by-side."""
    suite = ET.Element(
        "testsuite",
        name="certdoctor scenarios",
        tests=str(len(report.results)),
        failures=str(report.failed),
        errors=str(report.errors),
        skipped="0",
        time=f"{report.seconds:.3f}",
    )
    for r in report.results:
        group, _, leaf = r.name.rpartition("/")
        case = ET.SubElement(
            suite,
            "testcase",
            classname="scenarios" + (f".{group}" if group else ""),
            name=leaf,
            file=r.path,
            time=f"{r.seconds:.4f}",
        )
        if r.status != "pass":
            tag = "failure" if r.status == "fail" else "error"
            node = ET.SubElement(case, tag, message="; ".join(r.problems)[:500], type=tag)
            node.text = side_by_side(r)
    root = ET.Element("testsuites", name="certdoctor", tests=suite.get("tests", "0"))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
