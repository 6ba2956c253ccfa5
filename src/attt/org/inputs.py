"""What a unit declares for a year (``inputs-2026.yaml``): values of indicators attt cannot
compute, and per-system facts (approval, regulation, assessments), each with its source
document.  Validated like every input: errors name the file and the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from ..messages import T
from ..particulars import DocRef
from ..yamlio import Node, load_file

APPROVAL_STATUSES = ("drafting", "submitted", "appraised", "approved")
ASSESSMENT_KINDS = ("before_go_live", "periodic", "ad_hoc")
# "Other information" of the annual report (TT12 Art. 14.11, ND331 Art. 36.12): neither regime
# lists incidents, training or drills, but an authority may ask for them.
OTHER_KINDS = ("incident", "training", "drill", "other")
DOC_KEYS = ("title", "number", "date", "approver")
SYSTEM_KEYS = ("approval", "plan_full_expected", "regulation", "regulation_complied",
               "assessments", "ns_important")


@dataclass(frozen=True)
class IndicatorInput:
    """A declared value: yes/no, or a numerator over a denominator, with its source."""

    value: bool | None = None
    numerator: float | None = None
    denominator: float | None = None
    source: DocRef = field(default_factory=DocRef)
    count: float | None = None  # a counted indicator (incidents seen by national monitoring)


@dataclass(frozen=True)
class Approval:
    """Where the system's level dossier stands."""

    status: str
    decision: DocRef | None = None
    expected_date: dt.date | None = None


@dataclass(frozen=True)
class Assessment:
    """A security assessment of the system (TT12 Art. 11-12)."""

    kind: str
    date: dt.date
    assessor: str = ""
    report: str = ""


@dataclass(frozen=True)
class OtherInfo:
    """An incident, training, drill or other fact the unit reports for the year."""

    kind: str
    date: dt.date
    summary: str
    source: DocRef | None = None


@dataclass(frozen=True)
class SystemInputs:
    """What the unit declares about one system."""

    approval: Approval | None = None
    plan_full_expected: dt.date | None = None
    regulation: DocRef | None = None
    regulation_complied: bool | None = None
    regulation_complied_source: DocRef | None = None
    assessments: tuple[Assessment, ...] = ()
    ns_important: bool | None = None
    ns_grounds: str = ""


@dataclass(frozen=True)
class UnitInputs:
    """The unit's inputs file."""

    path: str
    year: int
    indicators: Mapping[str, IndicatorInput] = field(default_factory=dict)
    systems: Mapping[str, SystemInputs] = field(default_factory=dict)
    other: tuple[OtherInfo, ...] = ()


def _doc(node: Node, key: str) -> DocRef | None:
    if not node.has(key):
        return None
    d = node.mapping(key)
    d.allow(*DOC_KEYS)
    return DocRef(d.text("title", ""), d.text("number", ""), d.date("date"),
                  d.text("approver", ""))


def _number(node: Node, key: str) -> float | None:
    value = node.raw(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 \
            or value != value:
        raise node.error(key, T("expected a number >= 0, got {value}", value=repr(value)))
    return float(value)


def _optional_bool(node: Node, key: str) -> bool | None:
    return node.boolean(key, False) if node.has(key) else None


def _indicator(node: Node) -> IndicatorInput:
    node.allow("value", "numerator", "denominator", "count", "source")
    value = _optional_bool(node, "value")
    num, den = _number(node, "numerator"), _number(node, "denominator")
    count = _number(node, "count")
    if (num is None) != (den is None):
        raise node.error("denominator" if den is None else "numerator",
                         T("numerator and denominator go together"))
    if value is None and num is None and count is None:
        raise node.error("value", T("required (or numerator and denominator, or count)"))
    if num is not None and den is not None and (den == 0 or num > den):
        raise node.error("numerator", T("expected 0 <= numerator <= denominator, denominator "
                                        "> 0"))
    if not node.has("source"):
        raise node.error("source", T("required: the document the value comes from"))
    return IndicatorInput(value, num, den, _doc(node, "source") or DocRef(), count)


def _approval(node: Node) -> Approval:
    node.allow("status", "decision", "expected_date")
    status = node.text("status")
    if status not in APPROVAL_STATUSES:
        raise node.error("status", T("expected one of {choices}, got {value}",
                                     choices=APPROVAL_STATUSES, value=repr(status)))
    decision = _doc(node, "decision")
    if status == "approved" and decision is None:
        raise node.error("decision", T("required when the status is approved"))
    return Approval(status, decision, node.date("expected_date"))


def _assessment(node: Node) -> Assessment:
    node.allow("kind", "date", "assessor", "report")
    kind = node.text("kind")
    if kind not in ASSESSMENT_KINDS:
        raise node.error("kind", T("expected one of {choices}, got {value}",
                                   choices=ASSESSMENT_KINDS, value=repr(kind)))
    when = node.date("date")
    if when is None:
        raise node.error("date", T("required"))
    return Assessment(kind, when, node.text("assessor", ""), node.text("report", ""))


def _other(node: Node) -> OtherInfo:
    node.allow("kind", "date", "summary", "source")
    kind = node.text("kind")
    if kind not in OTHER_KINDS:
        raise node.error("kind", T("expected one of {choices}, got {value}",
                                   choices=OTHER_KINDS, value=repr(kind)))
    when = node.date("date")
    if when is None:
        raise node.error("date", T("required"))
    summary = node.text("summary")
    if not summary.strip():
        raise node.error("summary", T("required"))
    return OtherInfo(kind, when, summary, _doc(node, "source"))


def _system(node: Node) -> SystemInputs:
    node.allow(*SYSTEM_KEYS)
    approval = _approval(node.mapping("approval")) if node.has("approval") else None
    complied: bool | None = None
    complied_source: DocRef | None = None
    if node.has("regulation_complied"):
        rc = node.mapping("regulation_complied")
        rc.allow("value", "source")
        complied = rc.boolean("value", False) if rc.has("value") else None
        if complied is None:
            raise rc.error("value", T("required"))
        complied_source = _doc(rc, "source")
    ns_important: bool | None = None
    grounds = ""
    if node.has("ns_important"):
        ns = node.mapping("ns_important")
        ns.allow("value", "grounds")
        ns_important = _optional_bool(ns, "value")
        grounds = ns.text("grounds", "")
    return SystemInputs(
        approval=approval,
        plan_full_expected=node.date("plan_full_expected"),
        regulation=_doc(node, "regulation"),
        regulation_complied=complied,
        regulation_complied_source=complied_source,
        assessments=tuple(_assessment(a) for a in node.items("assessments")),
        ns_important=ns_important,
        ns_grounds=grounds,
    )


def load_inputs(path: str, systems: Collection[str] | None = None) -> UnitInputs:
    """Read and validate a unit's inputs file; with ``systems`` (the names in the unit's
    inventories), a system not among them is an error naming its key."""

    root = Node(load_file(path), path)
    root.allow("year", "indicators", "systems", "other")
    year = root.integer("year", lo=2000, hi=2100)
    ind = root.mapping("indicators")
    indicators = {str(k): _indicator(ind.mapping(str(k))) for k in ind.data}
    sysnode = root.mapping("systems")
    out: dict[str, SystemInputs] = {}
    for name in sysnode.data:
        if systems is not None and str(name) not in systems:
            raise sysnode.error(str(name), T("no system of this name in the unit's "
                                             "inventories (known: {known})",
                                             known=sorted(systems)))
        out[str(name)] = _system(sysnode.mapping(str(name)))
    other = tuple(_other(item) for item in root.items("other"))
    return UnitInputs(path, year, indicators, out, other)
