"""What the history database says about a unit in a data period.

The data period of a year's report (TT12 Art. 13): 15 December of the year before to 14
December of the year, Vietnam time.  For each system of a unit, the run that counts is the
latest complete (not interrupted) run in the period that scanned the system, recorded with
the unit (``attt scan --unit`` / ``attt org scan``).

Everything here is SQL over the history schema (attt.history.store): a league table of 200
units reads aggregates, never one finding at a time in Python.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from ..i18n import VN_TZ


@dataclass(frozen=True)
class Period:
    """A data period, both ends included, as aware datetimes in Vietnam time."""

    year: int
    start: dt.datetime
    end: dt.datetime

    @property
    def bounds(self) -> tuple[float, float]:
        """Start and the instant after the last day, as SQLite julian days (UTC), for
        ``julianday(started) >= ? AND julianday(started) < ?`` (half-open: a julian day
        cannot tell 23:59:59.999999 from midnight)."""

        after = dt.datetime.combine(self.end.date() + dt.timedelta(days=1), dt.time(),
                                    self.end.tzinfo)
        return _julian(self.start), _julian(after)

    def contains(self, day: dt.date) -> bool:
        """Whether a calendar date (Vietnam time) lies in the period."""

        return self.start.date() <= day <= self.end.date()


def _julian(when: dt.datetime) -> float:
    utc = when.astimezone(dt.UTC).replace(tzinfo=None)
    return (utc - dt.datetime(2000, 1, 1, 12)).total_seconds() / 86400 + 2451545.0


def report_period(year: int) -> Period:
    """TT12 Art. 13: 15 Dec of ``year - 1`` 00:00 to 14 Dec of ``year`` 23:59:59 (Vietnam)."""

    return Period(
        year,
        dt.datetime(year - 1, 12, 15, tzinfo=VN_TZ),
        dt.datetime(year, 12, 14, 23, 59, 59, tzinfo=VN_TZ),
    )


@dataclass(frozen=True)
class SystemRun:
    """The run that counts for one system of a unit in a period."""

    unit: str
    system: str
    run: int  # database id (runs.id)
    run_id: str
    started: str
    out_dir: str
    inventory: str
    profile: str
    level: int | None
    score: float | None
    grade: str
    verdict_ok: bool


# The latest complete run per (unit, system) in the period; parameters: start, end (julian
# days).  A window function: one pass over the period's runs, whatever their number.
LATEST_SQL = """
SELECT unit, system, run, run_id, started, out_dir, inventory, profile, level, score, grade,
       verdict_ok
FROM (
    SELECT r.unit AS unit, s.system AS system, r.id AS run, r.run_id AS run_id,
           r.started AS started, r.out_dir AS out_dir, r.inventory AS inventory,
           s.profile AS profile, s.level AS level, s.score AS score, s.grade AS grade,
           s.verdict_ok AS verdict_ok,
           ROW_NUMBER() OVER (PARTITION BY r.unit, s.system
                              ORDER BY julianday(r.started) DESC, r.id DESC) AS nth
    FROM runs r JOIN run_systems s ON s.run = r.id
    WHERE r.unit IS NOT NULL AND r.interrupted = 0
      AND julianday(r.started) >= ? AND julianday(r.started) < ?
)
WHERE nth = 1
"""


def materialise_latest(conn: sqlite3.Connection, period: Period, table: str = "latest") -> str:
    """Fill a TEMP table ``table`` (unit, system, run, ...) with the runs that count, indexed
    by unit and by (run, system), for the aggregate queries of the indicators."""

    conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    conn.execute(f"CREATE TEMP TABLE {table} AS {LATEST_SQL}", period.bounds)
    conn.execute(f"CREATE INDEX temp.{table}_unit ON {table}(unit)")
    conn.execute(f"CREATE INDEX temp.{table}_run ON {table}(run, system)")
    return table


def system_run(row: sqlite3.Row) -> SystemRun:
    """A row of ``LATEST_SQL`` (or of the materialised table) as a SystemRun."""

    return SystemRun(
        str(row["unit"]), str(row["system"]), int(row["run"]), str(row["run_id"]),
        str(row["started"]), row["out_dir"] or "", str(row["inventory"]),
        row["profile"] or "", row["level"], row["score"], row["grade"] or "",
        bool(row["verdict_ok"]),
    )


def read_latest(conn: sqlite3.Connection, table: str = "latest") -> dict[tuple[str, str],
                                                                         SystemRun]:
    """The materialised table as SystemRun values keyed by (unit, system)."""

    return {(sr.unit, sr.system): sr
            for sr in map(system_run, conn.execute(f"SELECT * FROM {table}"))}


def latest_runs(
    conn: sqlite3.Connection, period: Period, units: Iterable[str] | None = None
) -> dict[tuple[str, str], SystemRun]:
    """The run that counts per (unit, system) in the period (all units when None)."""

    wanted = None if units is None else set(units)
    out: dict[tuple[str, str], SystemRun] = {}
    for row in conn.execute(LATEST_SQL, period.bounds):
        if wanted is None or row["unit"] in wanted:
            sr = system_run(row)
            out[sr.unit, sr.system] = sr
    return out


def unit_runs(conn: sqlite3.Connection, unit: str, period: Period) -> dict[str, SystemRun]:
    """The run that counts per system of one unit, keyed by system name."""

    return {system: sr for (_, system), sr in latest_runs(conn, period, (unit,)).items()}


@dataclass(frozen=True)
class RequirementStatus:
    """A requirement's status for a system in a run (requirement_statuses table)."""

    requirement: str
    status: str
    severity: str
    layer: int | None


def requirement_statuses(conn: sqlite3.Connection, run: int,
                         system: str) -> tuple[RequirementStatus, ...]:
    """The requirements of a system in a run, in requirement order."""

    rows = conn.execute(
        "SELECT requirement, status, severity, layer FROM requirement_statuses"
        " WHERE run = ? AND system = ? ORDER BY requirement", (run, system))
    return tuple(RequirementStatus(str(r[0]), str(r[1]), r[2] or "", r[3]) for r in rows)


@dataclass(frozen=True)
class HostState:
    """A host of a system in a run: ok, unreachable, error..."""

    host: str
    state: str
    message: str


def host_states(conn: sqlite3.Connection, run: int, system: str) -> tuple[HostState, ...]:
    """The hosts of a system in a run, by name."""

    rows = conn.execute(
        "SELECT host, state, message FROM host_states WHERE run = ? AND system = ?"
        " ORDER BY host", (run, system))
    return tuple(HostState(str(r[0]), r[1] or "", r[2] or "") for r in rows)
