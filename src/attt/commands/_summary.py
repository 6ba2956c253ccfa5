"""The lines ``attt scan`` prints after a scan, as messages in the command-line language.

Per system: the verdict, the requirement score next to check-level progress ("48/64 checks
passed": the requirement score alone reads "0.0% F" while many checks pass), requirement counts
with the status labels of the report, and the blocking requirements with their titles, at most
``BLOCKING_SHOWN`` of them.  A system with a host not scanned (unreachable, interrupted) shows
"incomplete" instead of a grade: a grade over part of the hosts would mislead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .. import gates
from ..i18n import N_, STATUS_DISPLAY_ORDER, STATUS_LABELS
from ..messages import Msg, T
from ..render.document import check_counts, finding_counts, pick, system_incomplete

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


def check_progress(system: Mapping[str, Any]) -> tuple[int, int]:
    """(passed, applicable) over the system's findings (document.check_counts)."""

    counts = check_counts(finding_counts(system.get("requirements") or []))
    return counts["passed"], counts["total"]


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

    unfinished = system_incomplete(system, run)
    name = f"{system['name']} ({system['profile']['id']})"
    lines = [
        T("System {name}: {verdict}", name=name, verdict=_verdict(system, unfinished)),
        _score(system, unfinished, lang),
        T("Requirements: {counts}", counts=status_counts(system["score"])),
    ]
    return lines + blocking_lines(system, lang)


# The reasons attt.gates records in results.json (English), read back to be said in the
# command-line language: (pattern, template, names of the groups).
_GATE_REASONS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"--fail-on (\S+) tripped by (.+)"),
     N_("--fail-on {severity} tripped by {ids}"), ("severity", "ids")),
    (re.compile(r"failed requirements \(no --fail-on\): (.+)"),
     N_("failed requirements (no --fail-on): {ids}"), ("ids",)),
    (re.compile(r"--fail-under (\S+) tripped: compliance (\S+)%"),
     N_("--fail-under {minimum} tripped: compliance {percent}%"), ("minimum", "percent")),
    (re.compile(r"not every host was scanned"), N_("not every host was scanned"), ()),
    (re.compile(r"--max-errors (\d+) tripped by (\d+) errors"),
     N_("--max-errors {maximum} tripped by {count} errors"), ("maximum", "count")),
    (re.compile(r"(\d+) errors \(no --max-errors\)"),
     N_("{count} errors (no --max-errors)"), ("count",)),
)
_MORE_IDS = re.compile(r"(.*) \(\+(\d+) more\)")


def _ids(text: str) -> str | Msg:
    more = _MORE_IDS.fullmatch(text)
    if more is None:
        return text
    return T("{ids} (+{count} more)", ids=more.group(1), count=int(more.group(2)))


def gate_reason(reason: str) -> str | Msg:
    """A recorded gate reason as a message; a reason of another wording as it is."""

    for pattern, template, names in _GATE_REASONS:
        match = pattern.fullmatch(reason)
        if match:
            values = dict(zip(names, match.groups(), strict=True))
            return Msg(template, **{k: _ids(v) if k == "ids" else v for k, v in values.items()})
    return reason


def gate_line(doc: Mapping[str, Any]) -> Msg | None:
    """The gate that decided the exit code, if a gate option was given, with its reasons."""

    gate = (doc.get("summary") or {}).get("gates")
    if not gate:
        return None
    reasons: list[str | Msg] = [gate_reason(str(r)) for r in gate.get("reasons") or []]
    if not reasons:
        reasons = [T("{options} passed", options=gates.options_text(gate))]
    joined = reasons[0]
    for reason in reasons[1:]:
        joined = T("{before}; {after}", before=joined, after=reason)
    return T("gate: {reasons} → exit {code}", reasons=joined, code=gate.get("exit_code"))
