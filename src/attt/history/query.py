"""Reading the history database: runs listed and resolved, two runs compared, the trend of
a report (attt.history)."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..artefacts import read_run_meta
from ..errors import InputError
from ..messages import T
from .store import (
    APPLICABLE_NOT,
    HistoryError,
    Item,
    check_row,
    connect,
    default_path,
    items_of_run,
    iter_items,
)

log = logging.getLogger("attt.history")


# --------------------------------------------------------------------------- query


@dataclass(frozen=True)
class RunRow:
    """One recorded run as the ``runs`` table holds it."""

    id: int
    run_id: str
    started: str
    finished: str
    inventory: str
    tool_version: str
    exit_code: int | None
    verdict: str
    score: float | None
    grade: str
    interrupted: bool
    out_dir: str
    systems: tuple[str, ...]
    unit: str = ""  # organisation unit (attt scan --unit); "" for runs recorded without one

    def to_json(self) -> dict[str, Any]:
        """The run as ``attt history --json`` prints it."""

        return {
            "id": self.id, "run_id": self.run_id, "started": self.started,
            "finished": self.finished, "inventory": self.inventory,
            "tool_version": self.tool_version, "exit_code": self.exit_code,
            "verdict": self.verdict, "score": self.score, "grade": self.grade,
            "interrupted": self.interrupted, "out_dir": self.out_dir,
            "systems": list(self.systems), "unit": self.unit,
        }



def _run_row(conn: sqlite3.Connection, row: sqlite3.Row) -> RunRow:
    check_row(conn, row)
    systems = tuple(
        r[0] for r in conn.execute(
            "SELECT system FROM run_systems WHERE run = ? ORDER BY system", (row["id"],)
        )
    )
    return RunRow(
        int(row["id"]), row["run_id"], row["started"], row["finished"] or "", row["inventory"],
        row["tool_version"] or "", row["exit_code"], row["verdict"] or "", row["score"],
        row["grade"] or "", bool(row["interrupted"]), row["out_dir"] or "", systems,
        row["unit"] or "",
    )


def list_runs(
    path: str = "", system: str = "", inventory: str = "", limit: int = 20
) -> list[RunRow]:
    """Newest first."""

    sql = "SELECT * FROM runs r"
    where: list[str] = []
    args: list[Any] = []
    if system:
        where.append("EXISTS (SELECT 1 FROM run_systems s WHERE s.run = r.id AND s.system = ?)")
        args.append(system)
    if inventory:
        where.append("r.inventory = ?")
        args.append(inventory)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY r.started DESC, r.id DESC LIMIT ?"
    args.append(max(1, limit))
    with connect(path, create=False) as conn:
        return [_run_row(conn, row) for row in conn.execute(sql, args)]


def resolve(conn: sqlite3.Connection, ref: str) -> RunRow:
    """A run by database id, run id (or a unique prefix of it), ``latest`` / ``previous``,
    or the path of a run folder."""

    row: sqlite3.Row | None = None
    if ref in ("latest", "last", "previous", "prev"):
        offset = 0 if ref in ("latest", "last") else 1
        row = conn.execute(
            "SELECT * FROM runs ORDER BY started DESC, id DESC LIMIT 1 OFFSET ?", (offset,)
        ).fetchone()
    elif ref.isdigit():
        row = conn.execute("SELECT * FROM runs WHERE id = ?", (int(ref),)).fetchone()
    if row is None and os.path.lexists(os.path.join(ref, "run.json")):
        # A folder named as a run: its run.json must be attt's (a FIFO here used to hang).
        ref = read_run_meta(os.path.join(ref, "run.json"))["id"]
    if row is None:
        row = conn.execute("SELECT * FROM runs WHERE run_id = ?", (ref,)).fetchone()
    if row is None and ref:
        rows = conn.execute(
            "SELECT * FROM runs WHERE run_id LIKE ? ESCAPE '\\' LIMIT 2",
            (ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",),
        ).fetchall()
        if len(rows) == 1:
            row = rows[0]
        elif rows:
            raise InputError("RUN", ref, T("matches more than one run; give more of the id"))
    if row is None:
        raise InputError("RUN", ref, T("no such run in the history (see `attt history`)"))
    return _run_row(conn, row)


@dataclass
class Change:
    """One item whose status differs between two runs."""

    item: Item  # the newer state (or the older one when the item is gone)
    before: str  # status in A ("" absent)
    after: str  # status in B ("" absent)

    def to_json(self) -> dict[str, Any]:
        """The change as ``attt diff --json`` prints it."""

        return {**self.item.to_json(), "before": self.before or None,
                "after": self.after or None}


@dataclass
class Diff:
    """What changed between two runs, by category, with the scores of both."""

    a: RunRow | None
    b: RunRow | None
    new_failures: list[Change] = field(default_factory=list)
    fixed: list[Change] = field(default_factory=list)
    newly_applicable: list[Change] = field(default_factory=list)
    no_longer_applicable: list[Change] = field(default_factory=list)
    status_changes: list[Change] = field(default_factory=list)
    changed_evidence: list[Change] = field(default_factory=list)
    scores: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    CATEGORIES = ("new_failures", "fixed", "newly_applicable", "no_longer_applicable",
                  "status_changes", "changed_evidence")

    def to_json(self) -> dict[str, Any]:
        """The diff as ``attt diff --json`` prints it."""

        return {
            "a": self.a.to_json() if self.a else None,
            "b": self.b.to_json() if self.b else None,
            "scores": {k: {"a": v[0], "b": v[1]} for k, v in sorted(self.scores.items())},
            **{c: [x.to_json() for x in getattr(self, c)] for c in self.CATEGORIES},
        }


def compare(
    old: Mapping[tuple[str, ...], Item], new: Mapping[tuple[str, ...], Item]
) -> Diff:
    """The categories of the module docstring, each sorted by key."""

    diff = Diff(None, None)
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        before, after = (a.status if a else ""), (b.status if b else "")
        item = b or a
        assert item is not None
        change = Change(item, before, after)
        was_applicable = before not in ("", APPLICABLE_NOT)
        is_applicable = after not in ("", APPLICABLE_NOT)
        new_failure = after == "fail" and before != "fail"
        fixed = before in ("fail", "error") and after == "pass"
        if new_failure:
            diff.new_failures.append(change)
        if fixed:
            diff.fixed.append(change)
        if is_applicable and not was_applicable:
            diff.newly_applicable.append(change)
        if was_applicable and not is_applicable:
            diff.no_longer_applicable.append(change)
        if before != after and was_applicable and is_applicable and not (new_failure or fixed):
            diff.status_changes.append(change)
        if a and b and before == after and a.evidence_hash != b.evidence_hash:
            diff.changed_evidence.append(change)
    return diff


def diff_runs(ref_a: str, ref_b: str, path: str = "") -> Diff:
    """Compare two recorded runs (ids, run ids or relative references)."""

    with connect(path, create=False) as conn:
        a, b = resolve(conn, ref_a), resolve(conn, ref_b)
        result = compare(items_of_run(conn, a.id), items_of_run(conn, b.id))
        scores: dict[str, list[float | None]] = {}
        for idx, run in enumerate((a, b)):
            for row in conn.execute(
                "SELECT system, score FROM run_systems WHERE run = ?", (run.id,)
            ):
                scores.setdefault(row["system"], [None, None])[idx] = row["score"]
    result.a, result.b = a, b
    result.scores = {k: (v[0], v[1]) for k, v in scores.items()}
    return result


def trend(doc: Mapping[str, Any], path: str = "") -> dict[str, dict[str, Any]]:
    """Per system of ``doc``, against the newest earlier complete run of the same inventory
    that scanned that system: previous run, score, delta, new failures and fixed items.
    A system seen for the first time gets ``{"previous": None}``."""

    run = doc.get("run") or {}
    out: dict[str, dict[str, Any]] = {}
    db = path or default_path()
    if not os.path.isfile(db):
        return {str(s.get("name", "")): {"previous": None} for s in doc.get("systems") or []}
    with connect(db) as conn:
        for sys_ in doc.get("systems") or []:
            name = str(sys_.get("name", ""))
            row = conn.execute(
                "SELECT r.*, s.score AS sys_score, s.grade AS sys_grade FROM runs r"
                " JOIN run_systems s ON s.run = r.id AND s.system = ?"
                " WHERE r.inventory = ? AND r.run_id != ? AND r.interrupted = 0"
                " AND r.started <= ?"
                " ORDER BY r.started DESC, r.id DESC LIMIT 1",
                (name, str(run.get("inventory", "")), str(run.get("id", "")),
                 str(run.get("started", "")) or "9999"),
            ).fetchone()
            if row is None:
                out[name] = {"previous": None}
                continue
            counts = _trend_counts(conn, int(row["id"]), doc, name)
            now = (sys_.get("score") or {}).get("percent")
            before = row["sys_score"]
            out[name] = {
                "previous": {
                    "id": int(row["id"]),
                    "run_id": row["run_id"],
                    "started": row["started"],
                    "score": before,
                    "grade": row["sys_grade"],
                },
                "score": now,
                "delta": None if now is None or before is None else round(now - before, 1),
                **counts,
            }
    return out


# The categories of ``compare`` that the trend counts, as SQL over the previous run's rows
# (``o``) left-joined to this run's items (``n``, a temporary table): the comparison runs in
# SQLite, so a 10,000-host run is never held in memory twice (issue 12).
_TREND_SQL = {
    "new_failures": "n.status = 'fail' AND (o.status IS NULL OR o.status != 'fail')",
    "fixed": "o.status IN ('fail', 'error') AND n.status = 'pass'",
    "newly_applicable": "n.status != 'not_applicable' AND (o.status IS NULL"
                        " OR o.status = 'not_applicable')",
    "changed_evidence": "o.status = n.status AND o.evidence_hash != n.evidence_hash",
}


def _trend_counts(conn: sqlite3.Connection, previous: int, doc: Mapping[str, Any],
                  system: str) -> dict[str, int]:
    """New failures, fixed, newly applicable and changed-evidence counts of ``system``
    between the run ``previous`` and ``doc`` (whose findings stream into a temporary
    table); the same rules as ``compare``."""

    conn.execute("DROP TABLE IF EXISTS temp.trend_now")
    conn.execute("CREATE TEMP TABLE trend_now (host TEXT, requirement TEXT, check_id TEXT,"
                 " params_hash TEXT, status TEXT, evidence_hash TEXT,"
                 " PRIMARY KEY (host, requirement, check_id, params_hash))")
    try:
        conn.executemany(
            "INSERT OR REPLACE INTO trend_now VALUES (?,?,?,?,?,?)",
            ((i.host, i.requirement, i.check, i.params_hash, i.status, i.evidence_hash)
             for i in iter_items(doc, system)))
        out = {}
        for name, condition in _TREND_SQL.items():
            (count,) = conn.execute(
                "SELECT COUNT(*) FROM trend_now n LEFT JOIN findings o ON o.run = ?"
                " AND o.system = ? AND o.host = n.host AND o.requirement = n.requirement"
                " AND o.check_id = n.check_id AND o.params_hash = n.params_hash"
                f" WHERE {condition}", (previous, system)).fetchone()
            out[name] = int(count)
        return out
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.trend_now")


def safe_trend(doc: dict[str, Any], path: str = "") -> None:
    """Put ``trend`` into the document; on any database problem, log and leave it out."""

    try:
        doc["trend"] = trend(doc, path)
    except (HistoryError, InputError, OSError, sqlite3.Error) as exc:
        log.warning("history: no trend for this report: %s", exc)
