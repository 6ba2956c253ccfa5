"""The lines ``attt scan`` prints after a scan, as messages in the command-line language.

Per system: the verdict, the requirement score next to check-level progress ("48/64 checks
passed": the requirement score alone reads "0.0% F" while many checks pass), requirement counts
with the status labels of the report, and the blocking requirements with their titles, at most
``BLOCKING_SHOWN`` of them.  A system with a host not scanned (unreachable, interrupted) shows
"incomplete" instead of a grade: a grade over part of the hosts would mislead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import gates
from ..i18n import STATUS_DISPLAY_ORDER, STATUS_LABELS
from ..messages import Msg, T
from ..render.document import pick

BLOCKING_SHOWN = 8
# Failed and errored requirements first: they are what an officer acts on today.
_BLOCKING_RANK = {"fail": 0, "error": 1, "manual": 2}


def status_counts(counts: Mapping[str, int], keep_zero: bool = True) -> list[Msg]:
    """``Fail 3``, ``Error 1`` ... in display order, with the report's status labels."""

    return [
        T("{label} {count}", label=Msg(STATUS_LABELS[s]), count=int(counts.get(s, 0)))
        for s in STATUS_DISPLAY_ORDER
        if keep_zero or counts.get(s, 0)
    ]


def incomplete(system: Mapping[str, Any], run: Mapping[str, Any]) -> bool:
    """True when a host of the system was not scanned in full, or the run was interrupted."""

    hosts = system.get("hosts") or []
    return bool(run.get("interrupted")) or any(h.get("state") != "ok" for h in hosts)


def check_progress(system: Mapping[str, Any]) -> tuple[int, int]:
    """(passed, applicable) over the system's findings: one per check, host and requirement;
    not-applicable findings are not counted."""

    statuses = [f.get("status") for r in system.get("requirements") or []
                for f in r.get("findings") or []]
    applicable = [s for s in statuses if s != "not_applicable"]
    return sum(1 for s in applicable if s == "pass"), len(applicable)


def percent(value: float | None, lang: str) -> str:
    """``87.5%`` (``87,5%`` in Vietnamese, the decimal comma of administrative documents)."""

    if value is None:
        return "-"
    shown = f"{value:.1f}"
    return (shown.replace(".", ",") if lang == "vi" else shown) + "%"


def _verdict(system: Mapping[str, Any], unfinished: bool) -> Msg:
    verdict = system["verdict"]
    if unfinished:
        return T("Incomplete scan")
    if verdict["ok"]:
        return T("Compliant with level {level}", level=verdict["level"])
    return T("Not compliant")


def _score(system: Mapping[str, Any], unfinished: bool, lang: str) -> Msg:
    passed, total = check_progress(system)
    score = system["score"]
    if unfinished:
        shown: str | Msg = T("Incomplete scan")
    else:
        shown = T("{percent} ({grade})", percent=percent(score.get("percent"), lang),
                  grade=score.get("grade", "-"))
    return T("Requirement score: {score}; {passed}/{total} checks passed",
             score=shown, passed=passed, total=total)


def blocking_lines(system: Mapping[str, Any], lang: str,
                   shown: int = BLOCKING_SHOWN) -> list[Msg]:
    """The blocking requirements, worst first, each with its title; the rest counted."""

    reqs = {r["id"]: r for r in system["requirements"]}
    blocking = sorted(system["verdict"]["blocking"],
                      key=lambda rid: _BLOCKING_RANK.get(reqs[rid]["status"], 3))
    if not blocking:
        return []
    lines = [T("Blocking requirements ({count}):", count=len(blocking))]
    for rid in blocking[:shown]:
        req = reqs[rid]
        lines.append(T("  {id} ({status}): {title}", id=rid,
                       status=Msg(STATUS_LABELS.get(req["status"], req["status"])),
                       title=pick(req, "title", lang)))
    if len(blocking) > shown:
        lines.append(T("  ... and {count} more requirements", count=len(blocking) - shown))
    return lines


def system_lines(system: Mapping[str, Any], run: Mapping[str, Any], lang: str) -> list[Msg]:
    """What the command line says about one system after a scan."""

    unfinished = incomplete(system, run)
    name = f"{system['name']} ({system['profile']['id']})"
    lines = [
        T("System {name}: {verdict}", name=name, verdict=_verdict(system, unfinished)),
        _score(system, unfinished, lang),
        T("Requirements: {counts}", counts=status_counts(system["score"])),
    ]
    return lines + blocking_lines(system, lang)


def gate_line(doc: Mapping[str, Any]) -> Msg | None:
    """The gate that decided the exit code, if a gate option was given.  The reasons that
    tripped it are the gate's own words, as recorded in results.json (attt.gates)."""

    gate = (doc.get("summary") or {}).get("gates")
    if not gate:
        return None
    recorded = [str(r) for r in gate.get("reasons") or []]
    reasons: str | Msg = ("; ".join(recorded) if recorded
                          else T("{options} passed", options=gates.options_text(gate)))
    return T("gate: {reasons} → exit {code}", reasons=reasons, code=gate.get("exit_code"))
