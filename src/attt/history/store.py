"""The history database: schema, connection, items, and recording a run (attt.history)."""

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
from dataclasses import dataclass
from typing import Any

from .. import redact
from ..artefacts import parse_json
from ..errors import AtttError, InputError
from ..messages import Msg, T
from ..render.document import Document, iter_findings

log = logging.getLogger("attt.history")

DB_ENV = "ATTT_DB"
SCHEMA_VERSION = 3
# Columns added since schema 1, added in place to an older database (its rows keep NULL).
# Each step adds (table, column, type); a column already there (a database rebuilt by hand
# from a newer schema) is left as it is.
_MIGRATIONS = {
    2: (("findings", "message_vi", "TEXT"),),
    # The organisation unit a run was made for (``attt scan --unit``, ``attt org scan``).
    3: (("runs", "unit", "TEXT"),),
}
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
    recorded      TEXT NOT NULL,
    unit          TEXT
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
    message_vi    TEXT,
    PRIMARY KEY (run, system, host, requirement, check_id, params_hash)
);
CREATE INDEX IF NOT EXISTS runs_inventory ON runs(inventory, started);
"""
# After the migrations: an older database has the column only once they ran.  findings_check
# serves the organisation's indicators (attt.org.indicators: the anti-malware and monitoring
# checks of a run's hosts) without reading every finding of the run; it covers the columns
# they read.
_INDEXES = """
CREATE INDEX IF NOT EXISTS runs_unit ON runs(unit, started);
CREATE INDEX IF NOT EXISTS findings_check ON findings(check_id, run, system, status, host);
"""


class HistoryError(AtttError):
    """The database could not be opened or written (never fatal for a scan)."""


# SQLite's own wording ("file is not a database") is English: the common causes are said in
# the report language; any other error keeps SQLite's text as data.
_SQLITE_PROBLEMS = {
    sqlite3.SQLITE_NOTADB: T("the file is not an SQLite database"),
    sqlite3.SQLITE_CORRUPT: T("the database file is damaged"),
    sqlite3.SQLITE_CANTOPEN: T("the file cannot be opened"),
    sqlite3.SQLITE_READONLY: T("the database is read-only"),
    sqlite3.SQLITE_BUSY: T("the database is locked by another process"),
    sqlite3.SQLITE_LOCKED: T("the database is locked by another process"),
    sqlite3.SQLITE_FULL: T("the disk is full"),
}


def _db_error(db: str, exc: OSError | sqlite3.Error) -> HistoryError:
    problem: str | Msg
    if isinstance(exc, OSError):
        problem = exc.strerror or str(exc)
    else:
        code = getattr(exc, "sqlite_errorcode", None)
        problem = _SQLITE_PROBLEMS.get((code or 0) & 0xFF) or str(exc)
    return HistoryError(T("{path}: the history database cannot be used: {problem}", path=db,
                          problem=problem))


def default_path() -> str:
    """The history database path: $ATTT_DB, else under $XDG_DATA_HOME or ~/.local/share."""

    env = os.environ.get(DB_ENV)
    if env:
        return os.path.abspath(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return os.path.join(base, "attt", "history.sqlite3")


def canonical_hash(value: Any) -> str:
    """SHA-256 of a value's canonical JSON (sorted keys), for comparing parameters."""

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
            raise InputError(db, "", T("a symlink to nothing: not a regular file")) from None
        return db
    except OSError:
        return db  # unreachable folder: a database problem, logged, never fatal to a scan
    if not stat.S_ISREG(st.st_mode):
        raise InputError(db, "", T("not a regular file (the history database must be a "
                                   "file)"))
    return db


@contextlib.contextmanager
def connect(path: str = "", create: bool = True) -> Iterator[sqlite3.Connection]:
    """A connection with the schema in place; commits on success, rolls back on error."""

    db = check_path(path)
    if not create and not os.path.isfile(db):
        raise InputError(db, "", T("no history database here (scan first, or --db)"))
    try:
        if create:
            os.makedirs(os.path.dirname(os.path.abspath(db)), exist_ok=True)
        conn = sqlite3.connect(db, timeout=15)
    except (OSError, sqlite3.Error) as exc:
        raise _db_error(db, exc) from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(T("{path}: written by a newer attt (schema {version})",
                                 path=db, version=version))
        conn.executescript(_SCHEMA)
        for step in range(max(version, 1) + 1, SCHEMA_VERSION + 1) if version else ():
            for table, column, kind in _MIGRATIONS[step]:
                have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
                if column not in have:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        conn.executescript(_INDEXES)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        with conn:
            yield conn
    except sqlite3.Error as exc:
        raise _db_error(db, exc) from exc
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
    message_vi: str = ""  # empty for findings recorded before schema 2

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What identifies the item across runs: system, host, requirement, check, parameters."""

        return (self.system, self.host, self.requirement, self.check, self.params_hash)

    def to_json(self) -> dict[str, Any]:
        """The item as ``attt diff --json`` prints it."""

        return {
            "system": self.system,
            "host": self.host,
            "requirement": self.requirement,
            "check": self.check,
            "params": json.loads(self.params),
            "status": self.status,
            "message": self.message,
            "message_vi": self.message_vi,
        }


def iter_items(doc: Mapping[str, Any], system: str | None = None) -> Iterator[Item]:
    """The finding items of a results document, one at a time (streamed from disk)."""

    for f in iter_findings(doc):
        if system is not None and f.get("system") != system:
            continue
        params = f.get("params") or {}
        item = Item(
            system=str(f.get("system", "")),
            host=str(f.get("host", "")),
            requirement=str(f.get("requirement", "")),
            check=str(f.get("check", "")),
            params_hash=canonical_hash(params),
            status=str(f.get("status", "")),
            evidence_hash=canonical_hash(f.get("evidence")),
            message=str(f.get("message", "")),
            params=json.dumps(params, sort_keys=True, ensure_ascii=False, default=str),
            message_vi=str(f.get("message_vi") or ""),
        )
        yield item


def items_of(doc: Mapping[str, Any], system: str | None = None) -> dict[tuple[str, ...], Item]:
    """The finding items of a results document, keyed for comparison."""

    return {item.key: item for item in iter_items(doc, system)}


def items_of_run(
    conn: sqlite3.Connection, run: int, system: str | None = None
) -> dict[tuple[str, ...], Item]:
    """The finding items of a recorded run, keyed for comparison."""

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
                    row["message"] or "", row["params"], row["message_vi"] or "")
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
            " verdict, score, grade, hosts_total, hosts_scanned, interrupted, out_dir, recorded,"
            " unit) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                run.get("unit") or None,
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
            "INSERT OR REPLACE INTO findings (run, system, host, requirement, check_id, "
            "params_hash, params, status, message, evidence_hash, message_vi) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            ((rid, i.system, i.host, i.requirement, i.check, i.params_hash, i.params,
              i.status, i.message, i.evidence_hash, i.message_vi)
             for i in iter_items(doc)),
        )
    return rid


_ROW_TYPES: dict[str, tuple[type, ...]] = {
    "id": (int,), "run_id": (str,), "started": (str,), "finished": (str, type(None)),
    "inventory": (str,), "tool_version": (str, type(None)), "exit_code": (int, type(None)),
    "verdict": (str, type(None)), "score": (int, float, type(None)), "grade": (str, type(None)),
    "interrupted": (int,), "out_dir": (str, type(None)), "unit": (str, type(None)),
}


def check_row(conn: sqlite3.Connection, row: sqlite3.Row) -> None:
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
    for name in ("message", "message_vi"):
        if not isinstance(row[name], str | None):
            raise _row_error(conn, f"{where}.{name}", row[name])
    try:
        params = parse_json(row["params"], "", "")
    except InputError:
        params = None
    if not isinstance(params, dict):
        raise _row_error(conn, f"{where}.params", row["params"])


def _row_error(conn: sqlite3.Connection, key: str, value: object) -> InputError:
    db = conn.execute("PRAGMA database_list").fetchone()[2]
    return InputError(db, key, T("unexpected value {value} in the history database",
                                 value=repr(str(value)[:40])))


def safe_record(doc: Mapping[str, Any], out_dir: str, path: str = "") -> int | None:
    """Record a run, logging instead of failing: history never spoils a report."""

    try:
        # Safety net, as for every writer; a streamed document keeps its findings stream.
        masked = doc.redacted() if isinstance(doc, Document) else redact.data(doc)
        return record(masked, out_dir, path)
    except (HistoryError, InputError, OSError, sqlite3.Error) as exc:
        log.warning("history: run not recorded (the report is complete): %s", exc)
        return None
