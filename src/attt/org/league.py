"""The league table of an organisation's units for a year: every indicator of the criteria
computed for every unit (attt.org.indicators), points, totals, ranks that share ties
(1, 2, 2, 4), the change since the previous year's period, and the evidence of each number.

Missing data stays visible: a cell is "chưa có số liệu" / "cần nhập số liệu", never zero or
full marks; the total adds the scored cells and says how many are missing; a unit without
any run in the period is flagged.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..coverage.scan import CoverageResult, load_result
from ..inventory_loader import load_inventory
from ..messages import Msg, T
from .criteria import Criteria, Indicator, share_of_points
from .facts import Period, materialise_latest, read_latest, report_period
from .indicators import MISSING, OK, Context, UnitData, Value, compute
from .inputs import UnitInputs, load_inputs
from .organisation import YEAR, Organisation, Unit


@dataclass(frozen=True)
class Cell:
    """One indicator of one unit."""

    indicator: Indicator
    value: Value
    score: float | None  # points; None when missing or the indicator is not scored


@dataclass
class Row:
    """One unit of the table."""

    unit: Unit
    cells: dict[str, Cell]
    has_run: bool
    notes: list[Msg] = field(default_factory=list)
    rank: int | None = None
    previous_total: float | None = None

    @property
    def scored(self) -> list[Cell]:
        """The cells that earned points (value known, indicator scored)."""

        return [c for c in self.cells.values() if c.score is not None]

    @property
    def missing(self) -> int:
        """Cells without a value (missing data or to be declared)."""

        return sum(1 for c in self.cells.values() if c.value.status != OK)

    @property
    def total(self) -> float | None:
        """Sum of the points earned; None when no cell was scored."""

        scored = self.scored
        return sum(c.score for c in scored if c.score is not None) if scored else None

    @property
    def change(self) -> float | None:
        """Total minus last year's total (None when either is unknown)."""

        if self.total is None or self.previous_total is None:
            return None
        return self.total - self.previous_total


@dataclass
class League:
    """The whole table."""

    organisation: Organisation
    criteria: Criteria
    year: int
    period: Period
    rows: list[Row]
    db: str
    generated: str = ""

    @property
    def estimated(self) -> bool:
        """Whether any score rests on unconfirmed criteria (then "ước tính" everywhere)."""

        return self.criteria.estimated

    @property
    def max_total(self) -> float:
        """The points of all scored indicators."""

        return sum(i.points_max or 0.0 for i in self.criteria.indicators)


# --------------------------------------------------------------------------- data of a period


class _Cache:
    """Inventories and coverage results read once for both periods."""

    def __init__(self) -> None:
        self.systems: dict[str, tuple[str, ...]] = {}
        self.coverage: dict[str, CoverageResult] = {}

    def inventory_systems(self, path: str) -> tuple[str, ...]:
        if path not in self.systems:
            self.systems[path] = tuple(s.name for s in load_inventory(path).systems)
        return self.systems[path]

    def coverage_result(self, path: str) -> CoverageResult:
        if path not in self.coverage:
            self.coverage[path] = load_result(path)
        return self.coverage[path]


def _inputs(unit: Unit, year: int, systems: tuple[str, ...],
            notes: list[Msg]) -> UnitInputs | None:
    if unit.inputs is None:
        return None
    path = unit.inputs.replace(YEAR, str(year))
    if not os.path.isfile(path):
        notes.append(T("inputs file not found: {path}", path=path))
        return None
    inputs = load_inputs(path, set(systems))
    if inputs.year != year:
        notes.append(T("the inputs file {path} is for {given}, not {year}: not used",
                       path=path, given=inputs.year, year=year))
        return None
    return inputs


def _context(conn: sqlite3.Connection, org: Organisation, period: Period,
             cache: _Cache) -> Context:
    materialise_latest(conn, period)
    history = read_latest(conn)
    units: dict[str, UnitData] = {}
    pairs: list[tuple[str, str]] = []
    for unit in org.units:
        notes: list[Msg] = []
        names: list[str] = []
        for inv in unit.inventories:
            names += [s for s in cache.inventory_systems(inv) if s not in names]
        if not unit.inventories:
            # No inventory given: the unit's systems are those its runs scanned.
            names = sorted(s for (u, s) in history if u == unit.id)
        systems = tuple(names)
        pairs += [(unit.id, s) for s in systems]
        runs = {s: history[unit.id, s] for s in systems if (unit.id, s) in history}
        units[unit.id] = UnitData(
            unit, systems, _inputs(unit, period.year, systems, notes),
            tuple(cache.coverage_result(c) for c in unit.coverage), runs, notes)
    # The runs that count are those of the unit's own systems (a renamed or removed system
    # of an old run is not the unit's any more).
    conn.execute("DROP TABLE IF EXISTS temp.unit_systems")
    conn.execute("CREATE TEMP TABLE unit_systems (unit TEXT, system TEXT,"
                 " PRIMARY KEY (unit, system))")
    conn.executemany("INSERT OR IGNORE INTO unit_systems VALUES (?, ?)", pairs)
    conn.execute("DELETE FROM latest WHERE NOT EXISTS (SELECT 1 FROM unit_systems u"
                 " WHERE u.unit = latest.unit AND u.system = latest.system)")
    return Context(conn, period, units)


def _score(ind: Indicator, value: Value) -> float | None:
    if value.status != OK or value.value is None or ind.points_max is None:
        return None
    return ind.points_max * share_of_points(ind, value.value)


def _rows(ctx: Context, criteria: Criteria) -> list[Row]:
    values = {ind.id: compute(ctx, ind) for ind in criteria.indicators}
    rows = []
    for uid, data in ctx.units.items():
        cells = {ind.id: Cell(ind, values[ind.id].get(uid, Value(MISSING)),
                              _score(ind, values[ind.id].get(uid, Value(MISSING))))
                 for ind in criteria.indicators}
        rows.append(Row(data.unit, cells, bool(data.runs), list(data.notes)))
    return rows


def rank(rows: Iterable[Row]) -> None:
    """Competition ranking on the total: equal totals share a rank (1, 2, 2, 4); a unit
    without any scored cell has no rank."""

    ranked = [r for r in rows if r.total is not None]
    # Rounded: totals that differ only by float noise are a tie, as printed.
    keys = {id(r): round(r.total or 0.0, 6) for r in ranked}
    for r in ranked:
        r.rank = 1 + sum(1 for o in ranked if keys[id(o)] > keys[id(r)])


def build_league(conn: sqlite3.Connection, org: Organisation, criteria: Criteria, year: int,
                 db: str = "", today: dt.datetime | None = None) -> League:
    """The league table of ``year`` with the change since ``year - 1``."""

    cache = _Cache()
    period = report_period(year)
    rows = _rows(_context(conn, org, period, cache), criteria)
    rank(rows)
    before = {r.unit.id: r for r in _rows(_context(conn, org, report_period(year - 1), cache),
                                          criteria)}
    for r in rows:
        prev = before.get(r.unit.id)
        if prev is not None and (prev.has_run or prev.missing < len(prev.cells)):
            r.previous_total = prev.total
    order = {u.id: i for i, u in enumerate(org.units)}  # ties: in the file's order
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, order[r.unit.id]))
    stamp = (today or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    return League(org, criteria, year, period, rows, db, stamp)

