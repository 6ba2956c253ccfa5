"""Scan history in an embedded SQLite database: every run, its hosts, requirements, findings.

Default database: ``$ATTT_DB``, else ``$XDG_DATA_HOME/attt/history.sqlite3``, else
``~/.local/share/attt/history.sqlite3``.  ``--db PATH`` on scan, history and diff.

A finding is identified across runs by its *key*: system + host + requirement + check +
parameters (SHA-256 of the canonical JSON of the parameter values in force), so a check run
with a stricter parameter is a different item from the same check with the old one.  Its
evidence is compared by the SHA-256 of the canonical JSON of ``evidence``.

Diff categories between run A (older) and run B (newer), per key:

* new failures: ``fail`` in B, anything else (or absent) in A;
* fixed: ``fail`` or ``error`` in A, ``pass`` in B;
* newly applicable: absent or ``not_applicable`` in A, anything but ``not_applicable`` in B;
* no longer applicable: applicable in A, absent or ``not_applicable`` in B;
* other status changes: any other change of status (``pass`` -> ``error``, ``fail`` ->
  ``waived`` ...);
* changed evidence: same status in both, different evidence hash (what was observed moved
  without changing the verdict: a drift worth reading).

An item can be both a new failure and newly applicable (a check that applies for the first
time and fails): it is listed in both.

The database is a convenience: a scan never fails because of it (``scan.py`` logs a
warning and goes on), and every table can be rebuilt from the run folders' results.json.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import redact
from .artefacts import parse_json, read_run_meta
from .errors import AtttError, InputError

log = logging.getLogger(__name__)

DB_ENV = "ATTT_DB"
SCHEMA_VERSION = 1
APPLICABLE_NOT = "not_applicable"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id        TEXT NOT NULL UNIQUE,
    started       TEXT NOT NULL,
    finished      TEXT,
    inventory     TEXT NOT NULL,
    tool_version  TEXT,
    exit_code     INTEGER,
    verdict       TEXT,
    score         REAL,
    grade         TEXT,
    hosts_total   INTEGER,
    hosts_scanned INTEGER,
    interrupted   INTEGER NOT NULL DEFAULT 0,
    out_dir       TEXT,
    recorded      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run_systems (
    run        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    system     TEXT NOT NULL,
    profile    TEXT,
    level      INTEGER,
    score      REAL,
    grade      TEXT,
    verdict_ok INTEGER,
    PRIMARY KEY (run, system)
);
CREATE TABLE IF NOT EXISTS host_states (
    run     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    system  TEXT NOT NULL,
    host    TEXT NOT NULL,
    state   TEXT,
    message TEXT,
    PRIMARY KEY (run, system, host)
);
CREATE TABLE IF NOT EXISTS requirement_statuses (
    run         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    system      TEXT NOT NULL,
    requirement TEXT NOT NULL,
    status      TEXT NOT NULL,
    severity    TEXT,
    layer       INTEGER,
    PRIMARY KEY (run, system, requirement)
);
CREATE TABLE IF NOT EXISTS findings (
    run           INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    system        TEXT NOT NULL,
    host          TEXT NOT NULL,
    requirement   TEXT NOT NULL,
    check_id      TEXT NOT NULL,
    params_hash   TEXT NOT NULL,
    params        TEXT NOT NULL,
    status        TEXT NOT NULL,
    message       TEXT,
    evidence_hash TEXT NOT NULL,
    PRIMARY KEY (run, system, host, requirement, check_id, params_hash)
);
CREATE INDEX IF NOT EXISTS runs_inventory ON runs(inventory, started);
"""


class HistoryError(AtttError):
    """The database could not be opened or written (never fatal for a scan)."""


def default_path() -> str:
    env = os.environ.get(DB_ENV)
    if env:
        return os.path.abspath(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return os.path.join(base, "attt", "history.sqlite3")


def canonical_hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_path(path: str = "") -> str:
    """The database path, refused (exit 2) unless it is a regular file or a new name.

    SQLite opens a device or a FIFO without complaint, then writes its journal beside it
    (``/dev/null-journal``) or blocks on the FIFO; a dangling symlink would create the
    database wherever it points.  Checked before a scan starts, not after it.
    """

    db = path or default_path()
    try:
        st = os.stat(db)
    except FileNotFoundError:
        if os.path.islink(db):
            raise InputError(db, "", "a symlink to nothing: not a regular file") from None
        return db
    except OSError:
        return db  # unreachable folder: a database problem, logged, never fatal to a scan
    if not stat.S_ISREG(st.st_mode):
        raise InputError(db, "", "not a regular file (the history database must be a file)")
    return db


@contextlib.contextmanager
def connect(path: str = "", create: bool = True) -> Iterator[sqlite3.Connection]:
    """A connection with the schema in place; commits on success, rolls back on error."""

    db = check_path(path)
    if not create and not os.path.isfile(db):
        raise InputError(db, "", "no history database here (scan first, or --db)")
    try:
        if create:
            os.makedirs(os.path.dirname(os.path.abspath(db)), exist_ok=True)
        conn = sqlite3.connect(db, timeout=15)
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(f"{db}: {exc}") from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(f"{db}: written by a newer attt (schema {version})")
        conn.executescript(_SCHEMA)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        with conn:
            yield conn
    except sqlite3.Error as exc:
        raise HistoryError(f"{db}: {exc}") from exc
    finally:
        conn.close()


# --------------------------------------------------------------------------- items


@dataclass(frozen=True)
class Item:
    """One finding as history sees it."""

    system: str
    host: str
    requirement: str
    check: str
    params_hash: str
    status: str
    evidence_hash: str
    message: str = ""
    params: str = "{}"

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.system, self.host, self.requirement, self.check, self.params_hash)

    def to_json(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "host": self.host,
            "requirement": self.requirement,
            "check": self.check,
            "params": json.loads(self.params),
            "status": self.status,
            "message": self.message,
        }


def items_of(doc: Mapping[str, Any], system: str | None = None) -> dict[tuple[str, ...], Item]:
    out: dict[tuple[str, ...], Item] = {}
    for sys_ in doc.get("systems") or []:
        if system is not None and sys_.get("name") != system:
            continue
        for req in sys_.get("requirements") or []:
            for f in req.get("findings") or []:
                params = f.get("params") or {}
                item = Item(
                    system=str(f.get("system", sys_.get("name", ""))),
                    host=str(f.get("host", "")),
                    requirement=str(f.get("requirement", req.get("id", ""))),
                    check=str(f.get("check", "")),
                    params_hash=canonical_hash(params),
                    status=str(f.get("status", "")),
                    evidence_hash=canonical_hash(f.get("evidence")),
                    message=str(f.get("message", "")),
                    params=json.dumps(params, sort_keys=True, ensure_ascii=False, default=str),
                )
                out[item.key] = item
    return out


def _items_of_run(
    conn: sqlite3.Connection, run: int, system: str | None = None
) -> dict[tuple[str, ...], Item]:
    sql = "SELECT * FROM findings WHERE run = ?"
    args: list[Any] = [run]
    if system is not None:
        sql += " AND system = ?"
        args.append(system)
    out: dict[tuple[str, ...], Item] = {}
    for row in conn.execute(sql, args):
        _check_finding_row(conn, row)
        item = Item(row["system"], row["host"], row["requirement"], row["check_id"],
                    row["params_hash"], row["status"], row["evidence_hash"],
                    row["message"] or "", row["params"])
        out[item.key] = item
    return out


# --------------------------------------------------------------------------- record


def record(doc: Mapping[str, Any], out_dir: str = "", path: str = "") -> int:
    """Store one results document; a run recorded again (``--resume``) replaces the old
    rows.  Returns the run's database id."""

    run = doc.get("run") or {}
    summary = doc.get("summary") or {}
    score = summary.get("score") or {}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with connect(path) as conn:
        conn.execute("DELETE FROM runs WHERE run_id = ?", (str(run.get("id", "")),))
        cur = conn.execute(
            "INSERT INTO runs (run_id, started, finished, inventory, tool_version, exit_code,"
            " verdict, score, grade, hosts_total, hosts_scanned, interrupted, out_dir, recorded)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                str(run.get("id", "")),
                str(run.get("started", "")),
                run.get("finished"),
                str(run.get("inventory", "")),
                str((doc.get("tool") or {}).get("version", "")),
                summary.get("exit_code"),
                summary.get("verdict"),
                score.get("percent"),
                score.get("grade"),
                run.get("hosts_total"),
                run.get("hosts_scanned"),
                1 if run.get("interrupted") else 0,
                out_dir,
                now,
            ),
        )
        rid = int(cur.lastrowid or 0)
        for sys_ in doc.get("systems") or []:
            name = str(sys_.get("name", ""))
            sc = sys_.get("score") or {}
            conn.execute(
                "INSERT INTO run_systems VALUES (?,?,?,?,?,?,?)",
                (rid, name, (sys_.get("profile") or {}).get("id"), sys_.get("level"),
                 sc.get("percent"), sc.get("grade"),
                 1 if (sys_.get("verdict") or {}).get("ok") else 0),
            )
            conn.executemany(
                "INSERT OR REPLACE INTO host_states VALUES (?,?,?,?,?)",
                [(rid, name, str(h.get("name", "")), h.get("state"),
                  h.get("message") or h.get("error")) for h in sys_.get("hosts") or []],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO requirement_statuses VALUES (?,?,?,?,?,?)",
                [(rid, name, str(r.get("id", "")), str(r.get("status", "")),
                  r.get("severity"), r.get("layer")) for r in sys_.get("requirements") or []],
            )
        conn.executemany(
            "INSERT OR REPLACE INTO findings VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(rid, i.system, i.host, i.requirement, i.check, i.params_hash, i.params,
              i.status, i.message, i.evidence_hash) for i in items_of(doc).values()],
        )
    return rid


# --------------------------------------------------------------------------- query


@dataclass(frozen=True)
class RunRow:
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

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "run_id": self.run_id, "started": self.started,
            "finished": self.finished, "inventory": self.inventory,
            "tool_version": self.tool_version, "exit_code": self.exit_code,
            "verdict": self.verdict, "score": self.score, "grade": self.grade,
            "interrupted": self.interrupted, "out_dir": self.out_dir,
            "systems": list(self.systems),
        }


_ROW_TYPES: dict[str, tuple[type, ...]] = {
    "id": (int,), "run_id": (str,), "started": (str,), "finished": (str, type(None)),
    "inventory": (str,), "tool_version": (str, type(None)), "exit_code": (int, type(None)),
    "verdict": (str, type(None)), "score": (int, float, type(None)), "grade": (str, type(None)),
    "interrupted": (int,), "out_dir": (str, type(None)),
}


def _check_row(conn: sqlite3.Connection, row: sqlite3.Row) -> None:
    """SQLite keeps whatever type was written: an edited database must not crash a listing."""

    for name, kinds in _ROW_TYPES.items():
        value = row[name]
        if not isinstance(value, kinds) or (isinstance(value, float) and value != value):
            raise _row_error(conn, f"runs[id={row['id']!r}].{name}", value)


def _check_finding_row(conn: sqlite3.Connection, row: sqlite3.Row) -> None:
    where = f"findings[run={row['run']!r}]"
    for name in ("system", "host", "requirement", "check_id", "params_hash", "status",
                 "evidence_hash", "params"):
        if not isinstance(row[name], str):
            raise _row_error(conn, f"{where}.{name}", row[name])
    if not isinstance(row["message"], str | None):
        raise _row_error(conn, f"{where}.message", row["message"])
    try:
        params = parse_json(row["params"], "", "")
    except InputError:
        params = None
    if not isinstance(params, dict):
        raise _row_error(conn, f"{where}.params", row["params"])


def _row_error(conn: sqlite3.Connection, key: str, value: object) -> InputError:
    db = conn.execute("PRAGMA database_list").fetchone()[2]
    return InputError(db, key, f"unexpected value {str(value)[:40]!r} in the history database")


def _run_row(conn: sqlite3.Connection, row: sqlite3.Row) -> RunRow:
    _check_row(conn, row)
    systems = tuple(
        r[0] for r in conn.execute(
            "SELECT system FROM run_systems WHERE run = ? ORDER BY system", (row["id"],)
        )
    )
    return RunRow(
        int(row["id"]), row["run_id"], row["started"], row["finished"] or "", row["inventory"],
        row["tool_version"] or "", row["exit_code"], row["verdict"] or "", row["score"],
        row["grade"] or "", bool(row["interrupted"]), row["out_dir"] or "", systems,
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
            raise InputError("RUN", ref, "matches more than one run; give more of the id")
    if row is None:
        raise InputError("RUN", ref, "no such run in the history (see `attt history`)")
    return _run_row(conn, row)


@dataclass
class Change:
    item: Item  # the newer state (or the older one when the item is gone)
    before: str  # status in A ("" absent)
    after: str  # status in B ("" absent)

    def to_json(self) -> dict[str, Any]:
        return {**self.item.to_json(), "before": self.before or None,
                "after": self.after or None}


@dataclass
class Diff:
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
    with connect(path, create=False) as conn:
        a, b = resolve(conn, ref_a), resolve(conn, ref_b)
        result = compare(_items_of_run(conn, a.id), _items_of_run(conn, b.id))
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
            diff = compare(_items_of_run(conn, int(row["id"]), name), items_of(doc, name))
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
                "new_failures": len(diff.new_failures),
                "fixed": len(diff.fixed),
                "newly_applicable": len(diff.newly_applicable),
                "changed_evidence": len(diff.changed_evidence),
            }
    return out


def safe_trend(doc: dict[str, Any], path: str = "") -> None:
    """Put ``trend`` into the document; on any database problem, log and leave it out."""

    try:
        doc["trend"] = trend(doc, path)
    except (HistoryError, InputError, OSError, sqlite3.Error) as exc:
        log.warning("history: no trend for this report: %s", exc)


def safe_record(doc: Mapping[str, Any], out_dir: str, path: str = "") -> int | None:
    try:
        return record(redact.data(doc), out_dir, path)  # safety net, as for every writer
    except (HistoryError, InputError, OSError, sqlite3.Error) as exc:
        log.warning("history: run not recorded (the report is complete): %s", exc)
        return None


__all__ = [
    "DB_ENV",
    "Change",
    "Diff",
    "HistoryError",
    "Item",
    "RunRow",
    "compare",
    "default_path",
    "diff_runs",
    "items_of",
    "list_runs",
    "record",
    "safe_record",
    "safe_trend",
    "trend",
]
