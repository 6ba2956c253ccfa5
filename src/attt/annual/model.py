"""The annual report as data: what attt knows per system (``SystemFacts``, gathered by
``attt.annual.collect``), the derived row of each system (``SystemRow``), and the whole
report (``AnnualReport``) that the document builders lay out and ``annual-report.json``
holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..org.inputs import OtherInfo, SystemInputs
from ..particulars import DocRef, Party, Solution


@dataclass(frozen=True)
class Requirement:
    """One requirement of the profile a run graded, with its status in that run."""

    id: str
    title: str  # Vietnamese title from the profile ("" when the profile is unknown)
    status: str  # the run's status: pass | fail | error | manual | waived | not_applicable


@dataclass(frozen=True)
class RunFacts:
    """The latest complete run of a system in the data period."""

    run_id: str
    date: dt.date  # Vietnam date of the run
    profile: str
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class SystemFacts:
    """Everything the report says about one system, from the unit's files and history."""

    unit: str  # unit id
    unit_name: str
    name: str  # system name as in the inventory
    title: str  # full name (particulars.title, else the name)
    owner: str
    operator: str
    level: int
    owner_party: Party = field(default_factory=Party)
    operator_party: Party = field(default_factory=Party)
    security_unit: Party = field(default_factory=Party)
    regulation: DocRef | None = None  # the inventory's regulation, when it names one
    solutions: Mapping[str, Solution] = field(default_factory=dict)
    inputs: SystemInputs | None = None
    inputs_file: str = ""  # base name of the unit's inputs file ("" when it has none)
    inputs_exists: bool = True  # False: the year's file (inputs-{year}.yaml) is not there yet
    inventory_file: str = ""  # base name of the inventory that declares the system
    run: RunFacts | None = None
    unit_other: tuple[OtherInfo, ...] = ()  # the unit's "other information" for the year


@dataclass(frozen=True)
class Gap:
    """A blank in the document: what attt cannot know and where the unit declares it."""

    unit: str
    system: str  # "" for the report as a whole
    field: str  # translated name of the field
    where: str  # file and key to fill (only in --check output)


@dataclass(frozen=True)
class AnnexRow:
    """One requirement of one system in the per-requirement annex."""

    requirement: str
    title: str
    met: bool
    action: str  # what remains to do, when not met
    deadline: str


@dataclass(frozen=True)
class SystemRow:
    """One system as the report prints it: codes, not wording (the builders translate)."""

    unit: str
    name: str
    title: str
    owner: str
    operator: str
    level: int
    approval: str  # APPROVAL_LABELS key or ""
    decision: DocRef | None
    regulation: DocRef | None
    expected_approval: dt.date | None
    plan: str  # PLAN_LABELS key or "" (no run in the period)
    plan_full_expected: dt.date | None
    assessment_kinds: tuple[str, ...]  # ASSESSMENT_LABELS keys, in the form's order
    assessments: tuple[tuple[str, dt.date, str], ...]  # (kind, date, assessor) in the period
    attt_runs: tuple[dt.date, ...]  # attt runs of the system in the period
    regulation_complied: bool | None
    ns_important: bool | None
    ns_grounds: str
    met: int  # requirements fully met in the latest run
    applicable: int  # requirements that apply in the latest run
    annex: tuple[AnnexRow, ...]


@dataclass(frozen=True)
class Check:
    """A Form 08 consistency rule that failed."""

    rule: str  # translated rule
    unit: str
    system: str


@dataclass(frozen=True)
class OwnerBlock:
    """Form 08 Part 2: an owner and its specialised security unit."""

    owner: Party
    security_unit: Party


@dataclass(frozen=True)
class AnnualReport:
    """The report of one unit, or the owner's roll-up of every unit."""

    year: int
    regime: str
    level: str  # unit | owner
    unit: str  # the reporting unit's id ("" for the owner)
    issuer: str  # who signs and sends it
    signer: str  # the issuer's representative ("" when unknown)
    signer_position: str
    parent: str  # the body above the issuer ("" for the owner)
    addressee: str
    start: dt.date
    end: dt.date
    deadline: dt.date
    deadline_state: str  # open | due | overdue
    today: dt.date
    owners: tuple[OwnerBlock, ...]
    operators: tuple[Party, ...]
    rows: tuple[SystemRow, ...]
    totals: Mapping[str, int]
    all_approved_by: dt.date | None
    all_approved: bool
    gaps: tuple[Gap, ...]
    checks: tuple[Check, ...]
    # Other information (incidents, training, drills) as (unit name, fact); ``other_known``
    # false when a unit has no inputs file for the year, so "none" cannot be said.
    other: tuple[tuple[str, OtherInfo], ...] = ()
    other_known: bool = True
