"""Gather the facts of the annual report: each unit's inventories (systems and their
particulars), its inputs file, and the history database (the latest complete run of each
system in the data period, with its requirement statuses)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Sequence

from ..errors import InputError
from ..history.store import connect
from ..i18n import VN_TZ
from ..inventory_loader import load_inventory
from ..messages import T
from ..model import Profile, System
from ..org.facts import SystemRun, report_period, requirement_statuses, unit_runs
from ..org.inputs import UnitInputs, load_inputs
from ..org.organisation import YEAR, Organisation, Unit
from ..particulars import Party
from ..profile_loader import load_profile
from .model import Requirement, RunFacts, SystemFacts


def unit_party(unit: Unit) -> Party:
    """The unit as an operating unit: its name and contact."""

    c = unit.contact
    return Party(name=unit.name, mandate=c.get("mandate", ""),
                 representative=c.get("representative", ""),
                 position=c.get("position", ""), address=c.get("address", ""),
                 phone=c.get("phone", ""), email=c.get("email", ""))


def _profile(profile_id: str) -> Profile | None:
    try:
        return load_profile(profile_id)
    except InputError:
        return None  # a profile of another attt version: ids only, no titles


def _run_facts(conn: sqlite3.Connection, sr: SystemRun) -> RunFacts:
    profile = _profile(sr.profile)
    known = {r.id: r for r in profile.requirements} if profile else {}
    reqs = []
    for rs in requirement_statuses(conn, sr.run, sr.system):
        req = known.get(rs.requirement)
        if req is not None and req.advisory:
            continue  # not an item of the regime: never part of the plan's status
        reqs.append(Requirement(rs.requirement, req.title_vi if req else "", rs.status))
    if known:  # catalogue order, as the dossier's plan lists them
        order = {rid: i for i, rid in enumerate(known)}
        reqs.sort(key=lambda r: (order.get(r.id, len(order)), r.id))
    started = dt.datetime.fromisoformat(sr.started)
    if started.tzinfo is None:
        started = started.replace(tzinfo=dt.UTC)
    return RunFacts(sr.run_id, started.astimezone(VN_TZ).date(), sr.profile, tuple(reqs))


def _system_facts(unit: Unit, system: System, inventory: str, inputs: UnitInputs | None,
                  inputs_path: str, run: RunFacts | None, org: Organisation) -> SystemFacts:
    p = system.particulars
    regulation = p.regulation if p is not None and p.regulation.number else None
    operator = unit_party(unit)
    if p is not None and p.operator.name:
        operator = p.operator
    return SystemFacts(
        unit=unit.id, unit_name=unit.name, name=system.name,
        title=(p.title if p is not None and p.title else system.name),
        owner=system.owner or org.owner.name, operator=system.operating_unit or unit.name,
        level=system.level,
        owner_party=p.owner if p is not None and p.owner.name else org.owner,
        operator_party=operator,
        security_unit=(p.security_unit if p is not None and p.security_unit.name
                       else org.security_unit),
        regulation=regulation, solutions=dict(p.solutions) if p is not None else {},
        inputs=inputs.systems.get(system.name) if inputs else None,
        inputs_file=os.path.basename(inputs_path), inputs_exists=inputs is not None,
        inventory_file=os.path.basename(inventory), run=run,
        unit_other=inputs.other if inputs else ())


def unit_facts(org: Organisation, unit: Unit, year: int,
               conn: sqlite3.Connection | None) -> list[SystemFacts]:
    """The facts of every system of ``unit`` (its inventories, in order)."""

    systems = [(path, s) for path in unit.inventories for s in load_inventory(path).systems]
    inputs = None
    # "inputs-{year}.yaml": one file per year; the year's file may not exist yet.
    inputs_path = unit.inputs.replace(YEAR, str(year)) if unit.inputs else ""
    if inputs_path and os.path.isfile(inputs_path):
        inputs = load_inputs(inputs_path, {s.name for _, s in systems})
        if inputs.year != year:
            raise InputError(inputs_path, "year", T(
                "the inputs are for {found}, the report for {year}", found=inputs.year,
                year=year))
    runs = unit_runs(conn, unit.id, report_period(year)) if conn is not None else {}
    out = []
    for path, system in systems:
        sr = runs.get(system.name)
        run = _run_facts(conn, sr) if conn is not None and sr is not None else None
        out.append(_system_facts(unit, system, path, inputs, inputs_path, run, org))
    return out


def collect(org: Organisation, units: Sequence[Unit], year: int,
            db: str) -> list[SystemFacts]:
    """The facts of the systems of ``units``; without a history database, every system is
    listed with its implementation unknown."""

    if not os.path.isfile(db):
        return [f for u in units for f in unit_facts(org, u, year, None)]
    with connect(db, create=False) as conn:
        return [f for u in units for f in unit_facts(org, u, year, conn)]
