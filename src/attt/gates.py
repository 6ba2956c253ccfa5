"""CI gates on a results document: ``--fail-under``, ``--fail-on``, ``--max-errors``.

Pure functions of the document, so ``attt scan`` (before rendering: every format shows the
gated exit code) and ``attt report`` (gating a results.json made earlier) agree.

A gate decides the exit code only.  The compliance verdict (``summary.verdict``, the report's
headline, each system's "Đạt cấp độ N" / "Chưa đạt") stays as grading made it: a CI job that
tolerates high failures with ``--fail-on critical`` must not turn a failing system into a
compliant one on paper.  The gate's outcome is kept beside it, in ``summary.gates``.

Semantics (also in the README, "Exit codes"):

* ``--fail-on SEVERITY``: only a failed requirement of at least that severity (low < medium
  < high < critical) makes the run non-compliant (1).  Without it, any failed requirement
  does, as always.  Advisory requirements never do.
* ``--fail-under PERCENT``: exit 1 when the overall compliance % is below PERCENT.  A run
  that scored nothing (no pass, fail or error) counts as 0%: a gate must not pass when
  nothing was checked.
* ``--max-errors N``: "errors" (``error_count``, the same count grading uses) are the error
  findings of applicable, non-advisory requirements plus hosts that could not be scanned.
  More than N: incomplete (3).  At most N: errors alone no longer make the run incomplete.
  Without it, N is 0: any error makes the run incomplete (3) when no failure gate tripped.
* Precedence: 1 (a failure gate tripped) over 3 (incomplete) over 0.  An interrupted or
  partly scanned run stays incomplete whatever ``--max-errors`` says.

When no gate option is given the exit code is exactly grading's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .model import Severity

SEVERITY_RANK = {s.value: i for i, s in enumerate(Severity)}
SHOWN_IDS = 5  # requirement ids named on the one-line gate summary


@dataclass(frozen=True)
class Gates:
    """The CI gates of a run: minimum score, failing severity, error budget."""

    fail_under: float | None = None
    fail_on: str = ""  # a Severity value, "" = any
    max_errors: int | None = None

    @property
    def active(self) -> bool:
        """Whether any gate is set."""

        return self.fail_under is not None or bool(self.fail_on) or self.max_errors is not None

    def to_json(self) -> dict[str, Any]:
        """The gates as results.json stores them."""

        return {"fail_under": self.fail_under, "fail_on": self.fail_on or None,
                "max_errors": self.max_errors}


@dataclass(frozen=True)
class GateResult:
    """The exit code the gates give a results document, and why."""

    exit_code: int
    reasons: tuple[str, ...]
    errors: int
    failed: tuple[str, ...]  # requirement ids that count as failures under --fail-on

    def to_json(self) -> dict[str, Any]:
        """The gate outcome as results.json stores it."""

        return {"exit_code": self.exit_code, "reasons": list(self.reasons),
                "errors": self.errors, "failed": list(self.failed)}


def _applicable(doc: Mapping[str, Any]) -> Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(system, requirement) pairs that can affect the exit code: not advisory, not N/A."""

    for system in doc.get("systems") or []:
        for req in system.get("requirements") or []:
            if not req.get("advisory") and req.get("status") != "not_applicable":
                yield system, req


def error_count(doc: Mapping[str, Any]) -> int:
    """Error findings of applicable, non-advisory requirements plus hosts not scanned.

    The one count behind exit 3, with or without ``--max-errors`` (grading.error_count is
    the same count on the graded report)."""

    # ``counts`` (version 2) or, in a version-1 mapping, the findings themselves.
    findings = sum(
        int((req.get("counts") or {}).get("error", 0)) if "counts" in req
        else sum(1 for f in req.get("findings") or [] if f.get("status") == "error")
        for _, req in _applicable(doc)
    )
    return findings + int((doc.get("summary") or {}).get("host_errors") or 0)


def _ids(failed: list[str], systems: int) -> str:
    # One system: its name adds nothing to every id.
    shown = [f.split(":", 1)[1] if systems == 1 and ":" in f else f for f in failed]
    text = ", ".join(shown[:SHOWN_IDS])
    return text + (f" (+{len(shown) - SHOWN_IDS} more)" if len(shown) > SHOWN_IDS else "")


def evaluate(doc: Mapping[str, Any], gates: Gates) -> GateResult:
    """Apply the gates to a results document."""

    if gates.fail_on and gates.fail_on not in SEVERITY_RANK:
        raise ValueError(f"unknown severity {gates.fail_on!r}")
    floor = SEVERITY_RANK.get(gates.fail_on, 0)
    failed = [
        f"{system.get('name')}:{req.get('id')}"
        for system, req in _applicable(doc)
        if req.get("status") == "fail" and SEVERITY_RANK.get(str(req.get("severity")), 0) >= floor
    ]
    summary = doc.get("summary") or {}
    run = doc.get("run") or {}
    errors = error_count(doc)
    incomplete = bool(run.get("interrupted")) or int(run.get("hosts_scanned") or 0) < int(
        run.get("hosts_total") or 0
    )
    reasons: list[str] = []
    code = 0
    if failed:
        code = 1
        ids = _ids(failed, len(doc.get("systems") or []))
        reasons.append(f"--fail-on {gates.fail_on} tripped by {ids}" if gates.fail_on
                       else f"failed requirements (no --fail-on): {ids}")
    if gates.fail_under is not None:
        percent = (summary.get("score") or {}).get("percent")
        shown = 0.0 if percent is None else float(percent)
        if shown < gates.fail_under:
            code = 1
            reasons.append(f"--fail-under {gates.fail_under:g} tripped: compliance {shown:.1f}%")
    if code == 0:
        if incomplete:
            code = 3
            reasons.append("not every host was scanned")
        elif errors > (gates.max_errors or 0):
            code = 3
            reasons.append(f"--max-errors {gates.max_errors} tripped by {errors} errors"
                           if gates.max_errors is not None
                           else f"{errors} errors (no --max-errors)")
    return GateResult(code, tuple(reasons), errors, tuple(failed))


def apply(doc: dict[str, Any], gates: Gates) -> int:
    """Gate ``doc`` in place (``summary.exit_code`` and ``summary.gates``) and return the exit
    code.  ``summary.verdict`` is never touched.  No gate given: the document is left as
    grading made it."""

    summary = doc.setdefault("summary", {})
    if not gates.active:
        return int(summary.get("exit_code", 0))
    result = evaluate(doc, gates)
    # Grading's own code, kept once: re-gating a saved results.json must start from it, not
    # from the code an earlier gate produced.
    before = summary.get("gates") or {}
    grading_code = int(before.get("grading_exit_code", summary.get("exit_code", 0)))
    summary["exit_code"] = result.exit_code
    summary["gates"] = {**gates.to_json(), **result.to_json(),
                        "grading_exit_code": grading_code}
    return result.exit_code


def options_text(gate: Mapping[str, Any]) -> str:
    """The gate options of a ``summary.gates`` entry as typed: ``--fail-on high ...``."""

    parts = []
    if gate.get("fail_on"):
        parts.append(f"--fail-on {gate['fail_on']}")
    if gate.get("fail_under") is not None:
        parts.append(f"--fail-under {float(gate['fail_under']):g}")
    if gate.get("max_errors") is not None:
        parts.append(f"--max-errors {gate['max_errors']}")
    return " ".join(parts)


def describe(doc: Mapping[str, Any]) -> str:
    """One line for the terminal: the gate that tripped and why, and the exit code; "" when
    no gate was given."""

    gate = (doc.get("summary") or {}).get("gates")
    if not gate:
        return ""
    reasons = list(gate.get("reasons") or []) or [f"{options_text(gate)} passed"]
    return f"gate: {'; '.join(reasons)} → exit {gate.get('exit_code')}"
