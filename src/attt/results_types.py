"""The results document (``results.json``, schema ``attt.results/2``) as TypedDicts.

``schemas/attt.results-2.schema.json`` is the published contract; these types say the same
thing to mypy.  ``tests/test_results_types.py`` keeps them in step: each TypedDict listed in
``SCHEMA_OBJECTS`` has the properties of its schema object, the same required keys, and the
same enums as ``Literal``s.  Objects the schema leaves open (a finding's evidence, a host
row, the layer detail) stay ``dict[str, Any]``.
"""

# No ``from __future__ import annotations``: TypedDict reads NotRequired at run time.
from typing import Any, Literal, NotRequired, TypedDict

Status = Literal["pass", "fail", "error", "not_applicable", "manual", "waived"]
Severity = Literal["low", "medium", "high", "critical"]
Lang = Literal["vi", "en"]
Verdict = Literal["compliant", "non_compliant", "incomplete"]
ExitCode = Literal[0, 1, 3, 130]
GateExitCode = Literal[0, 1, 3]
Kind = Literal["automated", "evidence", "mixed"]


class Tool(TypedDict):
    """``tool``: the program that wrote the document."""

    name: Literal["attt"]
    version: str


class Run(TypedDict):
    """``run``: when and how the scan ran."""

    id: str
    started: str
    finished: NotRequired[str]
    inventory: NotRequired[str]
    profile: NotRequired[str]
    level: NotRequired[int | None]
    tailoring: NotRequired[str]
    waivers: NotRequired[str]
    evidence: NotRequired[dict[str, str]]
    interrupted: NotRequired[bool]
    hosts_total: NotRequired[int]
    hosts_scanned: NotRequired[int]
    lang: NotRequired[Lang]
    unit: NotRequired[str]  # organisation unit (attt scan --unit, attt org scan)


class GradeBand(TypedDict):
    """One letter grade and its lowest percentage."""

    grade: str
    min_percent: float


class Grading(TypedDict):
    """``grading``: the published formula the scores follow."""

    weights: dict[str, int]
    grade_bands: list[GradeBand]
    grade_caps: dict[str, str]
    order: list[Status]


# "pass" is a Python keyword: the functional form.
Score = TypedDict("Score", {
    "percent": float | None,
    "grade": str,
    "pass": int,
    "fail": int,
    "error": int,
    "not_applicable": int,
    "manual": int,
    "waived": int,
    "weighted": dict[str, int],
})


class Gates(TypedDict):
    """``summary.gates``: the CI gates set and the exit code they gave."""

    fail_under: NotRequired[float | None]
    fail_on: NotRequired[Severity | None]
    max_errors: NotRequired[int | None]
    exit_code: GateExitCode
    reasons: list[str]
    errors: int
    failed: list[str]
    grading_exit_code: NotRequired[ExitCode]


class Summary(TypedDict):
    """``summary``: verdict, exit code and overall score."""

    verdict: Verdict
    exit_code: ExitCode
    score: Score
    requirements: dict[str, int]
    host_errors: int
    hosts: int
    gates: NotRequired[Gates]


class ExpiredWaiver(TypedDict):
    """A waiver ignored because it expired."""

    target: str
    hosts: str
    reason: str
    approver: str
    expires: str
    source: NotRequired[str]


class FindingWaiver(TypedDict, total=False):
    """The waiver that turned a finding into ``waived``."""

    reason: str
    approver: str
    expires: str
    source: str


class CheckInfo(TypedDict):
    """``checks``: one check's texts, written once for the whole document."""

    title_vi: str
    title_en: str
    severity: Severity | Literal[""]
    remediation_vi: str
    remediation_en: str
    rationale: str


class Result(TypedDict):
    """One check evaluation on one host, for every requirement it answers."""

    check: str
    params: NotRequired[dict[str, Any]]
    requirements: list[str]
    status: Status
    text: int | list[str]  # index into ``texts``, or [English, Vietnamese] inline
    evidence: NotRequired[int | dict[str, Any]]  # index into ``evidence_values``, or inline
    waiver: NotRequired[FindingWaiver | None]


class Entry(TypedDict):
    """``findings``: one host's (or network unit's) results."""

    system: str
    host: str
    results: list[Result]


class DocumentResult(TypedDict):
    """The verdict on one document a requirement needs."""

    key: str
    title_vi: NotRequired[str]
    title_en: NotRequired[str]
    max_age_months: NotRequired[int | None]
    before_approval: NotRequired[bool]
    status: Status
    message: NotRequired[str]
    message_vi: NotRequired[str]  # absent in documents written before translated messages
    document: NotRequired[dict[str, Any] | None]  # the document held, any JSON


class Requirement(TypedDict):
    """One requirement's status on a system, with its findings."""

    id: str
    title_vi: str
    title_en: str
    group: str
    layer: int
    severity: Severity
    clauses: dict[str, str]
    kind: Kind
    advisory: NotRequired[bool]
    evidence: NotRequired[list[dict[str, Any]]]
    status: Status
    automated_status: NotRequired[Status | None]
    documents: NotRequired[list[DocumentResult]]
    reason: NotRequired[str]
    reason_vi: NotRequired[str]  # absent in documents written before translated messages
    counts: dict[str, int]  # findings per status, over every host
    attention_checks: NotRequired[list[str]]


class ProfileInfo(TypedDict):
    """The profile a system was graded against."""

    id: str
    regime: str
    level: int
    title_vi: NotRequired[str]
    title_en: NotRequired[str]
    instruments: NotRequired[list[str]]
    caveat: NotRequired[str]
    caveat_vi: NotRequired[str]
    sources: NotRequired[list[str]]


class SystemVerdict(TypedDict):
    """A system's level verdict and what blocks it."""

    ok: bool
    level: int
    blocking: list[str]


class Param(TypedDict):
    """A parameter value in force and where it came from."""

    requirement: str
    check: str
    name: str
    value: NotRequired[Any]  # any JSON value: the schema leaves it open
    source: str
    weakened: bool


class Exclusion(TypedDict):
    """A requirement the tailoring excluded, with the reason."""

    requirement: str
    reason: str
    reason_vi: NotRequired[str]


class CoverageLine(TypedDict):
    """The coverage figure in both languages."""

    en: str
    vi: str


class CoverageSummary(TypedDict):
    """The counts of an attt coverage result."""

    total: int
    healthy: int
    stale: int
    unprotected: int
    in_console_only: int
    percent: float
    line: CoverageLine


class CoverageProblems(TypedDict):
    """Why a protected machine is stale, per language."""

    en: list[str]
    vi: list[str]


class CoverageMachine(TypedDict):
    """An unprotected or stale machine."""

    name: str
    ips: list[str]
    macs: list[str]
    problems: CoverageProblems


class CoverageOrphan(TypedDict):
    """A console entry no asset source knows."""

    names: list[str]
    console: str
    file: str


class CoverageFile(TypedDict):
    """An export file of the coverage result, as attt.coverage-1 lists it."""

    file: str
    kind: str
    entries: NotRequired[int]
    left_out: NotRequired[int]
    sha256: str | None
    size: NotRequired[int | None]
    mtime: NotRequired[str | None]


class Coverage(TypedDict):
    """``systems[].coverage``: the attt coverage result given to the scan."""

    source: str
    as_of: str
    summary: CoverageSummary
    unprotected: list[CoverageMachine]
    stale: list[CoverageMachine]
    in_console_only: list[CoverageOrphan]
    evidence: list[CoverageFile]


class ConnectionSetting(TypedDict):
    """A connection setting of an ssh host row (``connection``): the value used and where it
    came from; ``applied`` false for a setting read but not applied."""

    value: Any
    source: str
    applied: NotRequired[bool]


class System(TypedDict):
    """One system's graded result."""

    name: str
    owner: NotRequired[str]
    operating_unit: NotRequired[str]
    regime: str
    level: int
    description: NotRequired[str]
    profile: ProfileInfo
    verdict: SystemVerdict
    score: Score
    layers: dict[str, Score]
    layer_detail: NotRequired[dict[str, Any]]
    evidence: NotRequired[dict[str, Any]]
    # The attt coverage result given to the scan (attt.coverage.scan.section); absent if none.
    coverage: NotRequired[Coverage]
    params: NotRequired[list[Param]]
    exclusions: NotRequired[list[Exclusion]]
    hosts: list[dict[str, Any]]  # one row per host or network unit (HostOutcome.record())
    requirements: list[Requirement]


class TrendPrevious(TypedDict):
    """The previous recorded run of the system."""

    id: int
    run_id: str
    started: str
    score: float | None
    grade: NotRequired[str | None]


class Trend(TypedDict):
    """How the system changed since its previous run."""

    previous: TrendPrevious | None
    score: NotRequired[float | None]
    delta: NotRequired[float | None]
    new_failures: NotRequired[int]
    fixed: NotRequired[int]
    newly_applicable: NotRequired[int]
    changed_evidence: NotRequired[int]


class ResultsDocument(TypedDict):
    """results.json: the document every format renders from."""

    schema: Literal["attt.results/2"]
    tool: Tool
    run: Run
    grading: Grading
    summary: Summary
    expired_waivers: list[ExpiredWaiver]
    notes: list[str]
    notes_vi: NotRequired[list[str]]
    checks: dict[str, CheckInfo]
    systems: list[System]
    trend: NotRequired[dict[str, Trend]]  # per system name
    texts: list[list[str]]  # written by the JSON renderer, not held in memory
    evidence_values: list[dict[str, Any]]
    findings: list[Entry]


# Each TypedDict and the JSON pointer of its object in the schema.
SCHEMA_OBJECTS: dict[Any, str] = {
    ResultsDocument: "",
    Tool: "/properties/tool",
    ConnectionSetting: "/$defs/system/properties/hosts/items/properties/connection/"
                       "additionalProperties",
    Coverage: "/$defs/system/properties/coverage",
    CoverageSummary: "/$defs/system/properties/coverage/properties/summary",
    CoverageLine: "/$defs/system/properties/coverage/properties/summary/properties/line",
    CoverageMachine: "/$defs/coverage_machine",
    CoverageProblems: "/$defs/coverage_machine/properties/problems",
    CoverageOrphan: "/$defs/system/properties/coverage/properties/in_console_only/items",
    CoverageFile: "/$defs/system/properties/coverage/properties/evidence/items",
    Run: "/properties/run",
    Grading: "/properties/grading",
    GradeBand: "/properties/grading/properties/grade_bands/items",
    Summary: "/properties/summary",
    Gates: "/properties/summary/properties/gates",
    ExpiredWaiver: "/properties/expired_waivers/items",
    Score: "/$defs/score",
    CheckInfo: "/$defs/check",
    Result: "/$defs/result",
    Entry: "/$defs/entry",
    FindingWaiver: "/$defs/result/properties/waiver",
    Requirement: "/$defs/requirement",
    DocumentResult: "/$defs/requirement/properties/documents/items",
    System: "/$defs/system",
    ProfileInfo: "/$defs/system/properties/profile",
    SystemVerdict: "/$defs/system/properties/verdict",
    Param: "/$defs/system/properties/params/items",
    Exclusion: "/$defs/system/properties/exclusions/items",
    Trend: "/$defs/trend",
    TrendPrevious: "/$defs/trend/properties/previous",
}
