"""Pure grading: findings + profile + waivers -> Report (docs/design.md §6).

Published formula (also in the README and every report):

* requirement status = worst status of its checks over every host in scope, in the order
  fail > error > manual > pass; a valid waiver turns a failing finding into ``waived``;
  a requirement with documents only is ``manual`` until evidence is attested;
* compliance % = sum(w(pass)) / sum(w(pass) + w(fail) + w(error)) x 100, with w the severity
  weight of the requirement (low 1, medium 2, high 4, critical 8); waived, not-applicable and
  manual requirements are counted beside the score, never inside it;
* level verdict: "Đạt cấp độ N" only when no requirement is fail or error and no document
  requirement is still manual; otherwise "Chưa đạt" with the blocking list;
* letter grade from the %: A >= 90, B >= 80, C >= 65, D >= 50, else F; a failed
  high-severity requirement caps the grade at C and a failed critical one at D.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .evidence import DocResult, EvidenceSet, evaluate
from .i18n import VN_TZ
from .messages import Msg, T, render
from .model import (
    SEVERITY_WEIGHTS,
    Finding,
    Profile,
    Requirement,
    Severity,
    Status,
    System,
    Waiver,
    worst,
)
from .registry import CHECKS

GRADE_BANDS: tuple[tuple[str, float], ...] = (("A", 90.0), ("B", 80.0), ("C", 65.0), ("D", 50.0))
GRADE_CAPS: Mapping[Severity, str] = {Severity.HIGH: "C", Severity.CRITICAL: "D"}
_GRADES = "ABCDF"


@dataclass(frozen=True)
class Score:
    """Status counts, severity-weighted sums, compliance % and letter grade."""

    counts: Mapping[str, int]
    weighted: Mapping[str, int]
    percent: float | None
    grade: str

    def to_json(self) -> dict[str, object]:
        """The score as results.json stores it."""

        return {
            "percent": self.percent,
            "grade": self.grade,
            **{s.value: self.counts.get(s.value, 0) for s in Status},
            "weighted": dict(self.weighted),
        }


# Findings kept per requirement and attention status (fail, error, manual, waived) for the
# report's detail; every finding is counted, only these few are held (memory stays flat in
# the number of hosts, issue 12).
SAMPLE_LIMIT = 50
ATTENTION = (Status.FAIL, Status.ERROR, Status.MANUAL, Status.WAIVED)
# Distinct messages of not-applicable findings kept to say why a requirement does not apply.
NA_MESSAGES = 20


@dataclass
class Tally:
    """What grading keeps of a requirement's findings as they stream by: counts per status,
    the checks that answered, a bounded sample of findings needing attention, and a few
    distinct not-applicable messages."""

    counts: Counter[str] = field(default_factory=Counter)
    checks: set[str] = field(default_factory=set)
    attention_checks: set[str] = field(default_factory=set)
    sample: dict[Status, list[Finding]] = field(default_factory=dict)
    na_messages: dict[tuple[str, str], None] = field(default_factory=dict)

    def add(self, f: Finding) -> None:
        """Count one finding (and keep it if the sample has room)."""

        self.counts[f.status.value] += 1
        self.checks.add(f.check_id)
        if f.status in ATTENTION:
            self.attention_checks.add(f.check_id)
            kept = self.sample.setdefault(f.status, [])
            if len(kept) < SAMPLE_LIMIT:
                kept.append(f)
        elif f.status is Status.NOT_APPLICABLE and len(self.na_messages) < NA_MESSAGES:
            self.na_messages[(f.message, f.message_vi or f.message)] = None

    @property
    def total(self) -> int:
        """Every finding counted."""

        return sum(self.counts.values())

    def kept(self) -> tuple[Finding, ...]:
        """The sampled findings, in status order."""

        return tuple(f for s in ATTENTION for f in self.sample.get(s, ()))


@dataclass(frozen=True)
class RequirementResult:
    """One requirement's status on a system, with its counted findings and documents.

    ``findings`` is the bounded sample of findings needing attention (see ``Tally``);
    ``counts`` counts every finding by status."""

    requirement: Requirement
    status: Status
    findings: tuple[Finding, ...]
    reason: str = ""  # why N/A, why manual (English)
    documents: tuple[DocResult, ...] = ()
    # Status from the automated checks alone (None: no check), for the layer scorecard.
    automated: Status | None = None
    reason_vi: str = ""  # ``reason`` in Vietnamese
    counts: Mapping[str, int] = field(default_factory=dict)
    attention_checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerDetail:
    """One layer of the 4-layer scorecard: automated results and documents apart."""

    automated: Score
    documents: Mapping[str, int]  # attested / failed / missing
    missing: tuple[tuple[str, str, str], ...]  # (requirement id, title_vi, title_en)


@dataclass(frozen=True)
class SystemReport:
    """The graded result of one system: requirements, scores, level verdict."""

    system: System
    profile: Profile
    requirements: tuple[RequirementResult, ...]
    score: Score
    layers: Mapping[int, Score]
    verdict_ok: bool
    blocking: tuple[str, ...]
    layer_detail: Mapping[int, LayerDetail] = field(default_factory=dict)
    evidence_source: str = ""
    approval_date: str = ""


@dataclass(frozen=True)
class Report:
    """The graded result of a run: every system, expired waivers, overall score."""

    systems: tuple[SystemReport, ...]
    expired_waivers: tuple[Waiver, ...]
    score: Score
    host_errors: int
    notes: tuple[str | Msg, ...] = field(default_factory=tuple)


def today_vn() -> dt.date:
    """Today's date in Asia/Ho_Chi_Minh (waivers and evidence expire by it)."""

    return dt.datetime.now(VN_TZ).date()


def waiver_valid(w: Waiver, today: dt.date) -> bool:
    """Whether a waiver is still in force on ``today``."""

    return dt.date.fromisoformat(w.expires) >= today


def _matching_waiver(
    finding: Finding, waivers: Sequence[Waiver]
) -> Waiver | None:
    host_key = f"{finding.system}/{finding.host}"
    for w in waivers:
        if w.target in (finding.requirement_id, finding.check_id) and (
            fnmatch.fnmatchcase(host_key, w.hosts) or fnmatch.fnmatchcase(finding.host, w.hosts)
        ):
            return w
    return None


def waive(finding: Finding, valid: Sequence[Waiver]) -> Finding:
    """The finding, waived if it fails and a valid waiver covers it."""

    w = _matching_waiver(finding, valid) if finding.status is Status.FAIL else None
    if w is None:
        return finding
    f = finding
    return Finding(
        f.system, f.host, f.requirement_id, f.check_id, f.params, Status.WAIVED,
        f.message, f.evidence,
        {"reason": w.reason, "approver": w.approver, "expires": w.expires, "source": w.source},
        message_vi=f.message_vi,
    )


def valid_waivers(waivers: Sequence[Waiver], today: dt.date) -> list[Waiver]:
    """The waivers in force on ``today``."""

    return [w for w in waivers if waiver_valid(w, today)]


def waived(findings: Iterable[Finding], waivers: Sequence[Waiver],
           today: dt.date) -> Iterator[Finding]:
    """The findings, one at a time, with valid waivers applied."""

    valid = valid_waivers(waivers, today)
    for f in findings:
        yield waive(f, valid) if valid else f


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], today: dt.date
) -> tuple[list[Finding], list[Waiver]]:
    """Waive failing findings covered by a valid waiver; return the expired waivers too."""

    expired = [w for w in waivers if not waiver_valid(w, today)]
    return list(waived(findings, waivers, today)), expired


def grade_for(percent: float | None, failed: Iterable[Severity]) -> str:
    """The letter grade of a percentage, capped by failed severities."""

    if percent is None:
        return "-"
    letter = next((g for g, floor in GRADE_BANDS if percent >= floor), "F")
    for sev in failed:
        cap = GRADE_CAPS.get(sev)
        if cap and _GRADES.index(cap) > _GRADES.index(letter):
            letter = cap
    return letter


def score(results: Sequence[RequirementResult]) -> Score:
    """Score a set of requirement results (published formula)."""

    counts: Counter[str] = Counter(r.status.value for r in results)
    weighted: Counter[str] = Counter()
    for r in results:
        if r.status in (Status.PASS, Status.FAIL, Status.ERROR):
            weighted[r.status.value] += SEVERITY_WEIGHTS[r.requirement.severity]
    denom = weighted["pass"] + weighted["fail"] + weighted["error"]
    percent = round(100.0 * weighted["pass"] / denom, 1) if denom else None
    failed = [r.requirement.severity for r in results if r.status is Status.FAIL]
    return Score(dict(counts), dict(weighted), percent, grade_for(percent, failed))


def _checks_status(t: Tally) -> Status | None:
    if not t.total:
        return None
    applicable = [Status(s) for s, n in t.counts.items()
                  if n and s != Status.NOT_APPLICABLE.value]
    if not applicable:
        return Status.NOT_APPLICABLE
    if all(s is Status.WAIVED for s in applicable):
        return Status.WAIVED
    return worst([s for s in applicable if s is not Status.WAIVED])


NO_ZONE_PLAN = T(
    "No network check result: declare the system's network zones in the inventory "
    "and scan with network checks on"
)
NO_HOST = T("no host in scope")
REASON_CHARS = 500
WHY_NA_CHARS = 300


def joined(parts: Sequence[str | Msg], limit: int = REASON_CHARS) -> tuple[str, str]:
    """Several messages as one reason, (English, Vietnamese): each message is rendered in
    its language and the texts joined, so no sentence mixes the two."""

    en, vi = (clip(_sentences([render(p, lang) for p in parts]), limit) for lang in ("en", "vi"))
    return en, vi


def clip(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut between words with an ellipsis (a
    reason goes into a document an official reads: no word cut in half)."""

    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ;,") + "…"


def _sentences(texts: Sequence[str]) -> str:
    """Texts one after another: a sentence (ending with a full stop) is followed by a space,
    a phrase by a semicolon, so the reason reads as prose rather than ".; "."""

    out = ""
    for text in texts:
        if out:
            out += " " if out.endswith(".") else "; "
        out += text
    return out


def _network_checks_without_result(req: Requirement, t: Tally) -> list[str]:
    """Network-scope checks of ``req`` that produced no finding at all (no network unit)."""

    seen = t.checks
    return [
        ref.check_id
        for ref in req.checks
        if ref.check_id not in seen
        and (spec := CHECKS.get(ref.check_id)) is not None
        and spec.scope == "network"
    ]


def _requirement_result(
    req: Requirement,
    t: Tally,
    excluded: Mapping[str, str | Msg],
    ev: EvidenceSet | None,
    today: dt.date,
) -> RequirementResult:
    result = _requirement_status(req, t, excluded, ev, today)
    return replace(result, counts=dict(t.counts),
                   attention_checks=tuple(sorted(t.attention_checks)))


def _requirement_status(
    req: Requirement,
    t: Tally,
    excluded: Mapping[str, str | Msg],
    ev: EvidenceSet | None,
    today: dt.date,
) -> RequirementResult:
    findings = t.kept()
    if req.id in excluded:
        # The tailoring's own words, written once by the agency, are the same in both
        # languages; attt's own reasons are messages.
        why = excluded[req.id]
        return RequirementResult(req, Status.NOT_APPLICABLE, findings,
                                 render(why, "en"), reason_vi=render(why, "vi"))
    docs = tuple(evaluate(req, ev, today)) if req.evidence else ()
    auto = _checks_status(t) if req.checks else None
    unjudged = _network_checks_without_result(req, t)
    if req.checks and not t.total and not req.evidence and not unjudged:
        return RequirementResult(req, Status.NOT_APPLICABLE, (), NO_HOST.render("en"),
                                 reason_vi=NO_HOST.render("vi"))
    parts: list[Status] = [d.status for d in docs]
    if auto is not None and auto is not Status.NOT_APPLICABLE:
        parts.append(auto)
    messages: list[str | Msg] = [d.text for d in docs if d.status is not Status.PASS]
    if docs and not messages:
        # Every document attested: say by what, rather than leave the reason empty.
        messages = [d.text for d in docs]
    if unjudged:
        # A system that declared no zone plan (or was scanned without network checks) must
        # not pass, nor be "not applicable", by saying nothing.
        parts.append(Status.MANUAL)
        messages.insert(0, NO_ZONE_PLAN)
    reason, reason_vi = joined(messages)
    if not parts:
        en, vi = _why_not_applicable(t)
        return RequirementResult(req, Status.NOT_APPLICABLE, findings, en, docs, auto, vi)
    counted: list[Status] = [p for p in parts if p is not Status.WAIVED]
    status = worst(counted) if counted else Status.WAIVED
    return RequirementResult(req, status, findings, reason, docs, auto, reason_vi)


def _why_not_applicable(t: Tally) -> tuple[str, str]:
    """The distinct messages of not-applicable findings, (English, Vietnamese); a finding
    from before translated messages has only its English text."""

    pairs = sorted(t.na_messages)
    return (clip(_sentences(list(dict.fromkeys(en for en, _ in pairs))), WHY_NA_CHARS),
            clip(_sentences(list(dict.fromkeys(vi for _, vi in pairs))), WHY_NA_CHARS))


def _layer_detail(results: Sequence[RequirementResult], layer: int) -> LayerDetail:
    in_layer = [r for r in results if r.requirement.layer == layer]
    automated = score([
        RequirementResult(r.requirement, r.automated, r.findings)
        for r in in_layer
        if r.automated is not None and r.status is not Status.NOT_APPLICABLE
    ])
    counts = {"attested": 0, "failed": 0, "missing": 0}
    missing: list[tuple[str, str, str]] = []
    for r in in_layer:
        if r.status is Status.NOT_APPLICABLE:
            continue
        for d in r.documents:
            if d.status is Status.PASS:
                counts["attested"] += 1
            elif d.status is Status.FAIL:
                counts["failed"] += 1
            else:
                counts["missing"] += 1
                missing.append((r.requirement.id, d.spec.title_vi, d.spec.title_en))
    return LayerDetail(automated, counts, tuple(missing))


def grade_system(
    system: System,
    profile: Profile,
    findings: Iterable[Finding],
    evidence: EvidenceSet | None = None,
    today: dt.date | None = None,
) -> SystemReport:
    """Grade one system's findings against its profile and evidence."""

    tallies: dict[str, Tally] = {}
    for f in findings:
        tallies.setdefault(f.requirement_id, Tally()).add(f)
    return grade_tallies(system, profile, tallies, evidence, today)


def grade_tallies(
    system: System,
    profile: Profile,
    tallies: Mapping[str, Tally],
    evidence: EvidenceSet | None = None,
    today: dt.date | None = None,
) -> SystemReport:
    """Grade one system from the tallies of its requirements' findings."""

    day = today or today_vn()
    excluded = {e.requirement_id: e.reason for e in profile.exclusions}
    results = tuple(
        _requirement_result(req, tallies.get(req.id) or Tally(), excluded, evidence, day)
        for req in profile.requirements
    )
    layers = {
        layer: score([r for r in results if r.requirement.layer == layer]) for layer in (1, 2, 3, 4)
    }
    blocking = tuple(
        r.requirement.id
        for r in results
        if r.status in (Status.FAIL, Status.ERROR, Status.MANUAL) and not r.requirement.advisory
    )
    return SystemReport(
        system, profile, results, score(results), layers, not blocking, blocking,
        {layer: _layer_detail(results, layer) for layer in (1, 2, 3, 4)},
        evidence.source if evidence else "",
        evidence.approval_date.isoformat() if evidence and evidence.approval_date else "",
    )


def grade(
    pairs: Sequence[tuple[System, Profile]],
    findings: Iterable[Finding],
    waivers: Sequence[Waiver],
    host_errors: int = 0,
    today: dt.date | None = None,
    notes: Sequence[str | Msg] = (),
    evidence: Mapping[str, EvidenceSet] | None = None,
) -> Report:
    """Grade a run: waivers applied, then every system against its profile."""

    day = today or today_vn()
    expired = [w for w in waivers if not waiver_valid(w, day)]
    # One pass over the findings, however many: each is counted into its requirement's
    # tally and dropped (findings of systems not graded here are ignored, as before).
    tallies: dict[str, dict[str, Tally]] = {s.name: {} for s, _ in pairs}
    for f in waived(findings, waivers, day):
        per_system = tallies.get(f.system)
        if per_system is not None:
            per_system.setdefault(f.requirement_id, Tally()).add(f)
    systems = tuple(
        grade_tallies(sys_, prof, tallies[sys_.name], (evidence or {}).get(sys_.name), day)
        for sys_, prof in pairs
    )
    every = [r for s in systems for r in s.requirements]
    return Report(systems, tuple(expired), score(every), host_errors, tuple(notes))


def error_count(report: Report) -> int:
    """Error findings of applicable, non-advisory requirements plus hosts not scanned.

    The one count behind exit 3; ``attt.gates.error_count`` counts the same on the results
    document, so ``--max-errors N`` and its absence (N = 0) judge the same errors.
    """

    findings = sum(
        r.counts.get(Status.ERROR.value, 0)
        for s in report.systems
        for r in s.requirements
        if not r.requirement.advisory and r.status is not Status.NOT_APPLICABLE
    )
    return findings + report.host_errors


def exit_code(report: Report) -> int:
    """0 compliant, 1 a requirement failed, 3 incomplete (errors, nothing failed).

    Manual (document) requirements do not change the exit code: they block the level
    verdict in the report, but a CI job checking configurations cannot attest documents.
    """

    statuses = {
        r.status for s in report.systems for r in s.requirements if not r.requirement.advisory
    }
    if Status.FAIL in statuses:
        return 1
    return 3 if error_count(report) else 0
