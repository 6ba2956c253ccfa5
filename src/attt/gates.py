"""CI gates on a results document: ``--fail-under``, ``--fail-on``, ``--max-errors``.

Pure functions of the document, so ``attt scan`` (before rendering: every format shows the
gated exit code) and ``attt report`` (gating a results.json made earlier) agree.

Semantics (also in the README, "Exit codes"):

* ``--fail-on SEVERITY``: only a failed requirement of at least that severity (low < medium
  < high < critical) makes the run non-compliant (1).  Without it, any failed requirement
  does, as always.  Advisory requirements never do.
* ``--fail-under PERCENT``: exit 1 when the overall compliance % is below PERCENT.  A run
  that scored nothing (no pass, fail or error) counts as 0%: a gate must not pass when
  nothing was checked.
* ``--max-errors N``: "errors" are error findings of non-advisory requirements plus hosts
  that could not be scanned.  More than N: incomplete (3).  At most N: errors alone no longer
  make the run incomplete (exit 0 when nothing failed).  Without it, any error makes the run
  incomplete (3) when nothing failed, as always.
* Precedence: 1 (a failure gate tripped) over 3 (incomplete) over 0.  An interrupted or
  partly scanned run stays incomplete whatever ``--max-errors`` says.

When no gate option is given the exit code is exactly grading's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import Severity

SEVERITY_RANK = {s.value: i for i, s in enumerate(Severity)}


@dataclass(frozen=True)
class Gates:
    fail_under: float | None = None
    fail_on: str = ""  # a Severity value, "" = any
    max_errors: int | None = None

    @property
    def active(self) -> bool:
        return self.fail_under is not None or bool(self.fail_on) or self.max_errors is not None

    def to_json(self) -> dict[str, Any]:
        return {"fail_under": self.fail_under, "fail_on": self.fail_on or None,
                "max_errors": self.max_errors}


@dataclass(frozen=True)
class GateResult:
    exit_code: int
    reasons: tuple[str, ...]
    errors: int
    failed: tuple[str, ...]  # requirement ids that count as failures under --fail-on

    def to_json(self) -> dict[str, Any]:
        return {"exit_code": self.exit_code, "reasons": list(self.reasons),
                "errors": self.errors, "failed": list(self.failed)}


def evaluate(doc: Mapping[str, Any], gates: Gates) -> GateResult:
    if gates.fail_on and gates.fail_on not in SEVERITY_RANK:
        raise ValueError(f"unknown severity {gates.fail_on!r}")
    floor = SEVERITY_RANK.get(gates.fail_on, 0)
    failed: list[str] = []
    error_findings = 0
    req_errors = 0
    for system in doc.get("systems") or []:
        for req in system.get("requirements") or []:
            if req.get("advisory"):
                continue
            status = req.get("status")
            if status == "fail" and SEVERITY_RANK.get(str(req.get("severity")), 0) >= floor:
                failed.append(f"{system.get('name')}:{req.get('id')}")
            if status == "error":
                req_errors += 1
            error_findings += sum(
                1 for f in req.get("findings") or [] if f.get("status") == "error"
            )
    summary = doc.get("summary") or {}
    run = doc.get("run") or {}
    host_errors = int(summary.get("host_errors") or 0)
    errors = error_findings + host_errors
    incomplete = bool(run.get("interrupted")) or int(run.get("hosts_scanned") or 0) < int(
        run.get("hosts_total") or 0
    )
    reasons: list[str] = []
    code = 0
    if failed:
        code = 1
        which = f" of severity {gates.fail_on} or higher" if gates.fail_on else ""
        reasons.append(f"{len(failed)} failed requirement(s){which}")
    if gates.fail_under is not None:
        percent = (summary.get("score") or {}).get("percent")
        shown = 0.0 if percent is None else float(percent)
        if shown < gates.fail_under:
            code = 1
            reasons.append(f"compliance {shown:.1f}% below {gates.fail_under:g}%")
    if code == 0:
        if incomplete:
            code = 3
            reasons.append("not every host was scanned")
        elif gates.max_errors is None:
            if req_errors or host_errors:
                code = 3
                reasons.append(f"{errors} error(s)")
        elif errors > gates.max_errors:
            code = 3
            reasons.append(f"{errors} error(s), more than --max-errors {gates.max_errors}")
    return GateResult(code, tuple(reasons), errors, tuple(failed))


def apply(doc: dict[str, Any], gates: Gates) -> int:
    """Gate ``doc`` in place (summary.exit_code, verdict, and ``summary.gates``) and return
    the exit code.  No gate given: the document is left as grading made it."""

    summary = doc.setdefault("summary", {})
    if not gates.active:
        return int(summary.get("exit_code", 0))
    result = evaluate(doc, gates)
    summary["exit_code"] = result.exit_code
    summary["verdict"] = {0: "compliant", 1: "non_compliant", 3: "incomplete"}[
        result.exit_code
    ]
    summary["gates"] = {**gates.to_json(), **result.to_json()}
    return result.exit_code
