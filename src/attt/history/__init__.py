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

from .query import Change, Diff, RunRow, compare, diff_runs, list_runs, resolve, safe_trend, trend
from .store import (
    DB_ENV,
    SCHEMA_VERSION,
    HistoryError,
    Item,
    canonical_hash,
    check_path,
    connect,
    default_path,
    items_of,
    record,
    safe_record,
)

__all__ = [
    "DB_ENV",
    "SCHEMA_VERSION",
    "Change",
    "Diff",
    "HistoryError",
    "Item",
    "RunRow",
    "canonical_hash",
    "check_path",
    "compare",
    "connect",
    "default_path",
    "diff_runs",
    "items_of",
    "list_runs",
    "record",
    "resolve",
    "safe_record",
    "safe_trend",
    "trend",
]
