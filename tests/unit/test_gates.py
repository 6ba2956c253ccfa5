"""CI gates change the exit code, never the compliance verdict; one error count everywhere."""

from __future__ import annotations

from typing import Any

import pytest

from attt import gates, grading
from attt.gates import Gates, apply, evaluate
from attt.model import CheckRef, Exclusion, Finding, Profile, Requirement, Severity, Status, System
from attt.render.document import build

SYSTEM = System("s", "owner", "unit", "nd85-tt12", 2, (), ())


def req(rid: str, status: str, severity: str = "medium", errors: int = 0,
        advisory: bool = False) -> dict[str, Any]:
    findings = [{"status": status}]
    findings += [{"status": "error"}] * errors
    return {"id": rid, "status": status, "severity": severity, "advisory": advisory,
            "findings": findings}


def doc(*reqs: dict[str, Any], code: int = 1, verdict: str = "non_compliant",
        host_errors: int = 0) -> dict[str, Any]:
    return {
        "run": {"interrupted": False, "hosts_total": 1, "hosts_scanned": 1},
        "summary": {"exit_code": code, "verdict": verdict, "host_errors": host_errors,
                    "score": {"percent": 40.0}},
        "systems": [{"name": "s", "requirements": list(reqs)}],
    }


def test_a_gate_changes_the_exit_code_not_the_verdict() -> None:
    d = doc(req("TT12.A", "fail", "high"))
    assert apply(d, Gates(fail_on="critical")) == 0
    assert d["summary"]["exit_code"] == 0
    assert d["summary"]["verdict"] == "non_compliant"  # grading's, whatever the gate says
    assert d["summary"]["gates"]["exit_code"] == 0
    assert d["summary"]["gates"]["grading_exit_code"] == 1


def test_gate_line_names_the_gate_and_the_requirements() -> None:
    ids = [f"TT12.R{i}" for i in range(9)]
    d = doc(*(req(i, "fail", "high") for i in ids))
    apply(d, Gates(fail_on="high"))
    line = gates.describe(d)
    assert line.startswith("gate: --fail-on high tripped by TT12.R0, ")
    assert "(+4 more)" in line and "TT12.R8" not in line
    assert line.endswith("→ exit 1")


@pytest.mark.parametrize(
    ("reqs", "gate", "kw", "needle"),
    [
        ([req("A", "pass")], Gates(fail_under=90), {}, "--fail-under 90 tripped: compliance 40.0%"),
        ([req("A", "error", errors=2)], Gates(max_errors=1), {},
         "--max-errors 1 tripped by 3 errors"),
        ([req("A", "pass")], Gates(fail_on="low"), {"host_errors": 2},
         "2 errors (no --max-errors)"),
        ([req("A", "pass")], Gates(fail_on="low"), {}, "--fail-on low passed"),
    ],
)
def test_gate_line_for_each_gate(reqs: list[dict[str, Any]], gate: Gates, kw: dict[str, Any],
                                 needle: str) -> None:
    d = doc(*reqs, **kw)
    apply(d, gate)
    assert needle in gates.describe(d)


def test_no_gate_no_line() -> None:
    d = doc(req("A", "fail"))
    apply(d, Gates())
    assert gates.describe(d) == ""


# -- one error count: with and without --max-errors, and grading's own exit code ----------

def test_errors_counted_the_same_with_and_without_max_errors() -> None:
    # A high requirement fails and also has an error finding; --fail-on critical ignores the
    # failure.  The error is an error either way: 3 with or without --max-errors 0.
    d = doc(req("A", "fail", "high", errors=1))
    without = evaluate(d, Gates(fail_on="critical"))
    with_flag = evaluate(d, Gates(fail_on="critical", max_errors=0))
    assert without.errors == with_flag.errors == 1
    assert without.exit_code == with_flag.exit_code == 3
    assert evaluate(d, Gates(fail_on="critical", max_errors=1)).exit_code == 0


def _req(rid: str, advisory: bool = False) -> Requirement:
    return Requirement(rid, rid, rid, "server", 1, Severity.MEDIUM, {"tt12": "x"},
                       checks=(CheckRef("c." + rid, {}),), advisory=advisory)


def _f(rid: str, status: Status, host: str = "h1") -> Finding:
    return Finding("s", host, rid, "c." + rid, {}, status, f"{rid} {status.value}", {})


def _graded(findings: list[Finding], excluded: tuple[str, ...] = (),
            host_errors: int = 0) -> tuple[grading.Report, dict[str, Any]]:
    prof = Profile("p", "nd85-tt12", 2, "vi", "en", (),
                   (_req("A"), _req("B"), _req("X"), _req("ADV", advisory=True)), (),
                   exclusions=tuple(Exclusion(r, "tailored out") for r in excluded))
    report = grading.grade([(SYSTEM, prof)], findings, [], host_errors)
    code = grading.exit_code(report)
    d = build(report, {"interrupted": False, "hosts_total": 2, "hosts_scanned": 2}, {}, code)
    return report, d


@pytest.mark.parametrize(
    ("findings", "excluded", "host_errors", "expected_errors", "expected_code"),
    [
        # An excluded (not applicable) requirement's error findings are not errors.
        ([_f("A", Status.PASS), _f("X", Status.ERROR)], ("X",), 0, 0, 0),
        # Advisory requirements never count.
        ([_f("A", Status.PASS), _f("ADV", Status.ERROR)], (), 0, 0, 0),
        # Finding level: two error findings of one requirement are two errors.
        ([_f("A", Status.ERROR), _f("A", Status.ERROR, "h2")], (), 0, 2, 3),
        ([_f("A", Status.PASS)], (), 1, 1, 3),
        ([_f("A", Status.FAIL), _f("B", Status.ERROR)], (), 0, 1, 1),
    ],
)
def test_grading_and_gates_count_the_same_errors(
    findings: list[Finding], excluded: tuple[str, ...], host_errors: int,
    expected_errors: int, expected_code: int,
) -> None:
    report, d = _graded(findings, excluded, host_errors)
    assert grading.error_count(report) == expected_errors
    assert gates.error_count(d) == expected_errors
    assert grading.exit_code(report) == expected_code
    # No gate at all: what gates would compute equals grading's code.
    assert evaluate(d, Gates()).exit_code == expected_code
    # --max-errors at exactly the count never makes the run incomplete; one less does.
    if expected_errors and expected_code == 3:
        assert evaluate(d, Gates(max_errors=expected_errors)).exit_code == 0
        assert evaluate(d, Gates(max_errors=expected_errors - 1)).exit_code == 3
