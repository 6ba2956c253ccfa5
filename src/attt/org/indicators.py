"""The formula registry: how each indicator is computed from attt's own data for every unit
at once (SQL aggregates over the history's runs that count, the units' inputs files and
coverage results).

A formula returns one ``Value`` per unit.  Data attt does not have is never guessed: the
value is ``missing`` (chưa có số liệu) or, for a declared indicator, ``input_needed`` (cần
nhập số liệu), and its evidence says where it would come from.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..coverage.scan import CoverageResult
from ..messages import Msg, T
from ..particulars import DocRef
from ..yamlio import Node
from .criteria import Indicator
from .facts import Period, SystemRun
from .inputs import UnitInputs
from .organisation import Unit

OK, MISSING, INPUT_NEEDED = "ok", "missing", "input_needed"
# Default check ids of the formulas (a criteria file may name others in ``params``).
AV_CHECKS = ("antivirus.running", "antimalware.signatures_fresh",
             "antimalware.centrally_managed", "win.av_present", "win.av_realtime",
             "win.av_signatures_fresh", "win.av_managed")
AV_MANAGED = ("antimalware.centrally_managed", "win.av_managed")
MONITORING_CHECKS = ("monitoring.national_agent",)


@dataclass(frozen=True)
class Evidence:
    """One thing a number rests on: a run folder, an inputs file and its source document, a
    coverage result."""

    kind: str  # run | inputs | coverage
    label: str  # run id, or the file's name
    path: str  # run folder or file
    detail: str = ""  # data: the system, the source document, the coverage line
    key: str = ""  # inputs: the key path in the file (JSON only: documents never print it)

    def to_json(self) -> dict[str, str]:
        """As the league table's JSON writes it."""

        return {"kind": self.kind, "label": self.label, "path": self.path,
                "detail": self.detail, "key": self.key}


@dataclass(frozen=True)
class Value:
    """An indicator's value for a unit."""

    status: str  # ok | missing | input_needed
    value: float | bool | None = None  # ratio 0..1, yes/no, or a count
    numerator: float | None = None
    denominator: float | None = None
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[Msg, ...] = ()


@dataclass
class UnitData:
    """What the league table knows of one unit for a period."""

    unit: Unit
    systems: tuple[str, ...]  # the unit's systems (inventories; else those in history)
    inputs: UnitInputs | None = None
    coverage: tuple[CoverageResult, ...] = ()
    runs: dict[str, SystemRun] = field(default_factory=dict)  # system -> the run that counts
    notes: list[Msg] = field(default_factory=list)


@dataclass
class Context:
    """A period's data: the connection (with ``latest`` restricted to the units' systems)
    and each unit's data, in the organisation's order."""

    conn: sqlite3.Connection
    period: Period
    units: dict[str, UnitData]


Formula = Callable[[Context, Indicator], dict[str, Value]]


def doc_text(doc: DocRef | None) -> str:
    """A source document as the evidence shows it: number, date, title, approver (data)."""

    if doc is None:
        return ""
    parts = [doc.number, doc.date.strftime("%d/%m/%Y") if doc.date else "", doc.title,
             doc.approver]
    return ", ".join(p for p in parts if p)


def _run_evidence(data: UnitData, systems: tuple[str, ...] | None = None) -> tuple[Evidence,
                                                                                  ...]:
    names = sorted(data.runs) if systems is None else [s for s in systems if s in data.runs]
    return tuple(Evidence("run", data.runs[s].run_id, data.runs[s].out_dir,
                          f"{s}: {_when(data.runs[s].started)}") for s in names)


def _when(started: str) -> str:
    """A run's start as the documents write a time (dd/mm/yyyy hh:mm, its own offset)."""

    try:
        return dt.datetime.fromisoformat(started).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return started  # an edited database: shown as it is


def _inputs_evidence(data: UnitData, key: str, doc: DocRef | None,
                     system: str = "") -> Evidence:
    assert data.inputs is not None
    detail = ": ".join(p for p in (system, doc_text(doc)) if p)
    return Evidence("inputs", os.path.basename(data.inputs.path), data.inputs.path, detail, key)


def _ratio(num: float, den: float, evidence: tuple[Evidence, ...],
           notes: tuple[Msg, ...] = ()) -> Value:
    return Value(OK, num / den, num, den, evidence, notes)


def _no_run(data: UnitData) -> Value:
    return Value(MISSING, notes=(T("no complete run of this unit in the period"),))


# --------------------------------------------------------------------------- formulas


def approved_share(ctx: Context, ind: Indicator) -> dict[str, Value]:
    """C01: systems whose level dossier is approved (inputs) over the unit's systems."""

    out: dict[str, Value] = {}
    for uid, d in ctx.units.items():
        declared = {s: d.inputs.systems[s] for s in d.systems
                    if d.inputs is not None and s in d.inputs.systems
                    and d.inputs.systems[s].approval is not None}
        if not d.systems or not declared:
            out[uid] = Value(INPUT_NEEDED, notes=(
                T("approval status of the systems not declared in the unit's inputs"),))
            continue
        approved = [s for s, si in declared.items()
                    if si.approval is not None and si.approval.status == "approved"]
        ev = tuple(_inputs_evidence(d, f"systems.{s}.approval",
                                    declared[s].approval.decision,  # type: ignore[union-attr]
                                    s) for s in approved)
        undeclared = [s for s in d.systems if s not in declared]
        notes = (T("systems without a declared approval status (counted as not approved): "
                   "{systems}", systems=", ".join(undeclared)),) if undeclared else ()
        out[uid] = _ratio(len(approved), len(d.systems), ev, notes)
    return out


def _requirement_counts(ctx: Context, by_layer: bool) -> dict[tuple[str, ...], tuple[int, int]]:
    layer = ", q.layer" if by_layer else ""
    sql = (f"SELECT l.unit, l.system{layer}, SUM(q.status != 'not_applicable'),"
           " SUM(q.status = 'pass') FROM latest l CROSS JOIN requirement_statuses q"
           " ON q.run = l.run AND q.system = l.system"
           f" GROUP BY l.unit, l.system{layer}")
    return {tuple(str(x) for x in r[:-2]): (int(r[-2] or 0), int(r[-1] or 0))
            for r in ctx.conn.execute(sql)}


def plan_full_share(ctx: Context, ind: Indicator) -> dict[str, Value]:
    """C02: systems whose latest run in the period meets every applicable requirement, over
    the unit's systems (partial and not started are counted and named in the notes)."""

    counts = _requirement_counts(ctx, False)
    out: dict[str, Value] = {}
    for uid, d in ctx.units.items():
        if not d.runs:
            out[uid] = _no_run(d)
            continue
        full: list[str] = []
        partial: list[str] = []
        none: list[str] = []
        for s in d.systems:
            applicable, met = counts.get((uid, s), (0, 0))
            if s not in d.runs:
                continue
            (full if applicable and met == applicable else partial if met else none).append(s)
        unscanned = [s for s in d.systems if s not in d.runs]
        notes = [T("full: {full}; partial: {partial}; not started: {none}",
                   full=len(full), partial=len(partial), none=len(none))]
        if unscanned:
            notes.append(T("systems without a run in the period (not counted as full): "
                           "{systems}", systems=", ".join(unscanned)))
        out[uid] = _ratio(len(full), len(d.systems), _run_evidence(d), tuple(notes))
    return out


def four_layer_share(ctx: Context, ind: Indicator) -> dict[str, Value]:
    """C03: systems whose requirements of every layer (1-4) are met in the latest run."""

    layers = tuple(int(x) for x in ind.params.get("layers", (1, 2, 3, 4)))
    counts = _requirement_counts(ctx, True)
    out: dict[str, Value] = {}
    for uid, d in ctx.units.items():
        if not d.runs:
            out[uid] = _no_run(d)
            continue
        ok = []
        for s in d.runs:
            per = [counts.get((uid, s, str(layer)), (0, 0)) for layer in layers]
            if all(applicable and met == applicable for applicable, met in per):
                ok.append(s)
        out[uid] = _ratio(len(ok), len(d.systems), _run_evidence(d))
    return out


def _in_list(values: list[str]) -> str:
    return ",".join("?" * len(values))


def antimalware_share(ctx: Context, ind: Indicator) -> dict[str, Value]:
    """C04: computers with centrally managed, healthy anti-malware: the unit's coverage
    results (``attt coverage``, dated in the period) when given, else the anti-malware
    checks of the hosts in its latest runs."""

    checks = [str(c) for c in ind.params.get("checks", AV_CHECKS)]
    managed = [str(c) for c in ind.params.get("managed", AV_MANAGED)]
    sql = (
        "WITH h AS (SELECT l.unit AS unit, f.system, f.host,"
        " SUM(f.status IN ('fail', 'error')) AS bad,"
        f" SUM(f.check_id IN ({_in_list(managed)}) AND f.status = 'pass') AS managed,"
        f" SUM(f.check_id IN ({_in_list(managed)})) AS managed_checked"
        # latest first, then the covering index on the check (attt.history.store): only the
        # findings of these checks in the runs that count are read
        " FROM latest l CROSS JOIN findings f INDEXED BY findings_check"
        " ON f.run = l.run AND f.system = l.system"
        f" WHERE f.check_id IN ({_in_list(checks)}) AND f.status != 'not_applicable'"
        " GROUP BY l.unit, f.system, f.host)"
        " SELECT unit, COUNT(*), SUM(bad = 0 AND managed > 0), SUM(managed_checked > 0)"
        " FROM h GROUP BY unit")
    # A host whose central management was not checked (not in its level's profile) is
    # not known to be managed: with no such check at all the value is missing, not zero.
    hosts = {str(r[0]): (int(r[1]), int(r[2] or 0))
             for r in ctx.conn.execute(sql, [*managed, *managed, *checks]) if r[3]}
    out: dict[str, Value] = {}
    for uid, d in ctx.units.items():
        dated = [c for c in d.coverage if ctx.period.contains(_as_of(c))]
        if dated:
            total = sum(int(c.document["summary"]["total"]) for c in dated)
            healthy = sum(int(c.document["summary"]["healthy"]) for c in dated)
            ev = tuple(Evidence("coverage", os.path.basename(c.path), c.path,
                                str(c.document["summary"]["line"]["vi"])) for c in dated)
            out[uid] = _ratio(healthy, total, ev, (T("from the unit's coverage results "
                                                     "(attt coverage)"),))
        elif uid in hosts and hosts[uid][0]:
            total, healthy = hosts[uid]
            out[uid] = _ratio(healthy, total, _run_evidence(d), (
                T("from the anti-malware checks of {hosts} scanned hosts (no coverage result "
                  "dated in the period)", hosts=total),))
        else:
            out[uid] = Value(MISSING, notes=(T("no coverage result and no check of centrally "
                                               "managed anti-malware in the period"),))
    return out


def _as_of(c: CoverageResult) -> dt.date:
    return dt.datetime.fromisoformat(str(c.document["as_of"])).date()


def monitoring_connected(ctx: Context, ind: Indicator) -> dict[str, Value]:
    """C05: a passing national-monitoring check on a host of the latest runs; else what the
    unit declares; a failing check with nothing declared is no."""

    checks = [str(c) for c in ind.params.get("checks", MONITORING_CHECKS)]
    sql = ("SELECT l.unit, SUM(f.status = 'pass'), SUM(f.status IN ('fail', 'error'))"
           " FROM latest l CROSS JOIN findings f INDEXED BY findings_check"
           " ON f.run = l.run AND f.system = l.system"
           f" WHERE f.check_id IN ({_in_list(checks)}) GROUP BY l.unit")
    seen = {str(r[0]): (int(r[1] or 0), int(r[2] or 0)) for r in ctx.conn.execute(sql, checks)}
    declared = declared_values(ctx, ind)
    out: dict[str, Value] = {}
    for uid, d in ctx.units.items():
        passed, failed = seen.get(uid, (0, 0))
        if passed:
            out[uid] = Value(OK, True, evidence=_run_evidence(d), notes=(
                T("{count} host checks show the national monitoring agent", count=passed),))
        elif declared[uid].status == OK:
            out[uid] = declared[uid]
        elif failed:
            out[uid] = Value(OK, False, evidence=_run_evidence(d), notes=(
                T("no host shows the national monitoring agent ({count} checks failed)",
                  count=failed),))
        else:
            out[uid] = declared[uid]
    return out


def assessed_share(ctx: Context, ind: Indicator) -> dict[str, Value]:
    """C07: systems with a run, or a declared assessment, dated in the period."""

    out: dict[str, Value] = {}
    for uid, d in ctx.units.items():
        if not d.systems or (not d.runs and d.inputs is None):
            out[uid] = _no_run(d)  # nothing known either way: not "none assessed"
            continue
        declared = {s for s in d.systems if d.inputs is not None and s in d.inputs.systems
                    and any(ctx.period.contains(a.date)
                            for a in d.inputs.systems[s].assessments)}
        assessed = [s for s in d.systems if s in d.runs or s in declared]
        ev = _run_evidence(d) + tuple(
            _inputs_evidence(d, f"systems.{s}.assessments", None, s + ": " + ", ".join(
                a.date.strftime("%d/%m/%Y") for a in d.inputs.systems[s].assessments
                if ctx.period.contains(a.date)))
            for s in sorted(declared) if d.inputs is not None)
        out[uid] = _ratio(len(assessed), len(d.systems), ev)
    return out


def open_critical(ctx: Context, ind: Indicator) -> dict[str, Value]:
    """Failed findings of requirements of the given severities in the latest runs."""

    severities = [str(s) for s in ind.params.get("severities", ("critical",))]
    # From the failed requirements of those severities to their failed findings (CROSS JOIN
    # fixes that order: the other way round SQLite reads every finding in the database).
    # A waived requirement's findings are not open.
    sql = ("SELECT l.unit, COUNT(*) FROM latest l CROSS JOIN requirement_statuses q"
           " ON q.run = l.run AND q.system = l.system CROSS JOIN findings f"
           " ON f.run = q.run AND f.system = q.system AND f.requirement = q.requirement"
           f" WHERE q.status = 'fail' AND q.severity IN ({_in_list(severities)})"
           " AND f.status = 'fail' GROUP BY l.unit")
    counts = {str(r[0]): int(r[1]) for r in ctx.conn.execute(sql, severities)}
    return {uid: (Value(OK, float(counts.get(uid, 0)), evidence=_run_evidence(d))
                  if d.runs else _no_run(d)) for uid, d in ctx.units.items()}


def declared_values(ctx: Context, ind: Indicator) -> dict[str, Value]:
    """The unit's declared value for this indicator id, with its source document; "cần nhập
    số liệu" when the unit has not declared it."""

    out: dict[str, Value] = {}
    for uid, d in ctx.units.items():
        given = d.inputs.indicators.get(ind.id) if d.inputs is not None else None
        if given is None:
            out[uid] = Value(INPUT_NEEDED, notes=(T("to be declared by the unit (inputs "
                                                    "file, with its source document)"),))
            continue
        ev = (_inputs_evidence(d, f"indicators.{ind.id}", given.source),)
        if ind.measure == "boolean" and given.value is not None:
            out[uid] = Value(OK, given.value, evidence=ev)
        elif ind.measure == "ratio" and given.denominator:
            out[uid] = _ratio(given.numerator or 0.0, given.denominator, ev)
        elif ind.measure == "count" and given.count is not None:
            out[uid] = Value(OK, given.count, evidence=ev)
        else:
            out[uid] = Value(INPUT_NEEDED, evidence=ev, notes=(
                T("the declared value does not fit the indicator's measure (yes/no, ratio "
                  "or count)"),))
    return out


@dataclass(frozen=True)
class FormulaSpec:
    """A formula, the measures it gives and the parameters it takes (with their kinds)."""

    fn: Formula
    measures: tuple[str, ...]
    params: Mapping[str, str] = field(default_factory=dict)  # name -> "texts" | "ints"


# One entry per formula the criteria file may name.
FORMULAS: dict[str, FormulaSpec] = {
    "approved_share": FormulaSpec(approved_share, ("ratio",)),
    "plan_full_share": FormulaSpec(plan_full_share, ("ratio",)),
    "four_layer_share": FormulaSpec(four_layer_share, ("ratio",), {"layers": "ints"}),
    "antimalware_share": FormulaSpec(antimalware_share, ("ratio",),
                                     {"checks": "texts", "managed": "texts"}),
    "monitoring_connected": FormulaSpec(monitoring_connected, ("boolean",),
                                        {"checks": "texts"}),
    "assessed_share": FormulaSpec(assessed_share, ("ratio",)),
    "open_critical": FormulaSpec(open_critical, ("count",), {"severities": "texts"}),
    "input": FormulaSpec(declared_values, ("ratio", "boolean", "count")),
}
FORMULA_MEASURES = {name: spec.measures for name, spec in FORMULAS.items()}


def check_params(ind: Indicator, node: Node) -> None:
    """An indicator's ``params`` against what its formula takes (errors name the key)."""

    spec = FORMULAS[ind.formula]
    node.allow(*spec.params)
    for name, kind in spec.params.items():
        raw = node.raw(name)
        if raw is None:
            continue
        if kind == "ints":
            if not isinstance(raw, list) or not all(
                    isinstance(x, int) and not isinstance(x, bool) for x in raw):
                raise node.error(name, T("expected a list of integers"))
        else:
            node.texts(name)


def compute(ctx: Context, ind: Indicator) -> dict[str, Value]:
    """One indicator for every unit of the context."""

    return FORMULAS[ind.formula].fn(ctx, ind)
