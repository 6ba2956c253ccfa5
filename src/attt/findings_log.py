"""``findings.jsonl``: the run's journal, one line per finished host, read back as a stream.

Format 2 (issue 12): each line is one host (or network unit) record with its ``results``:
one entry per check evaluation, naming every requirement that shares it, instead of one line
per (requirement, check) repeating the same message and evidence.  A line is written whole
and synced as the host ends, so an interrupted run loses nothing and ``--resume`` skips the
hosts already on disk.  Readers never hold the whole file: ``records()`` keeps one small row
per host, ``findings()`` yields findings one host at a time.  Format 1 files (a ``finding``
line per finding, then the ``host`` line) are still read.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO, Protocol

from . import redact, safe_io
from .artefacts import MAX_FINDINGS_BYTES, check_record, parse_json
from .errors import InputError, OutputError
from .messages import T
from .model import Finding, JSONValue, Status

FINDINGS_FILE = "findings.jsonl"
LINE_FORMAT = 2
# One line is one host: a host with thousands of findings is still far below this.
MAX_LINE_BYTES = 64 * 1024 * 1024
# Appended lines reach the disk (fsync) at most this long after they are written.
SYNC_SECONDS = 1.0


def _result_key(f: Finding) -> str:
    """What makes two findings of one host the same evaluation (all but the requirement)."""

    return json.dumps([f.check_id, f.params, f.status.value, f.message, f.message_vi,
                       f.evidence, f.waiver], sort_keys=True, ensure_ascii=False, default=str)


def group_results(findings: Iterable[Finding]) -> list[dict[str, JSONValue]]:
    """Findings of one host as compact results: one per evaluation, with the requirements
    it answers (in first-seen order); empty params, evidence and waiver are left out."""

    out: dict[str, dict[str, JSONValue]] = {}
    for f in findings:
        key = _result_key(f)
        entry = out.get(key)
        if entry is None:
            entry = {"check": f.check_id, "requirements": [], "status": f.status.value,
                     "message": f.message, "message_vi": f.message_vi or f.message}
            if f.params:
                entry["params"] = dict(f.params)
            if f.evidence:
                entry["evidence"] = dict(f.evidence)
            if f.waiver:
                entry["waiver"] = dict(f.waiver)
            out[key] = entry
        reqs = entry["requirements"]
        assert isinstance(reqs, list)
        if f.requirement_id not in reqs:
            reqs.append(f.requirement_id)
    return list(out.values())


def expand(record: Mapping[str, Any]) -> Iterator[Finding]:
    """The findings of one host record (format 2), one per requirement of each result."""

    system, host = str(record.get("system") or ""), str(record.get("name") or "")
    for r in record.get("results") or ():
        for req in r.get("requirements") or ():
            yield Finding(
                system=system, host=host, requirement_id=str(req), check_id=str(r["check"]),
                params=dict(r.get("params") or {}), status=Status(r["status"]),
                message=str(r.get("message") or ""), evidence=dict(r.get("evidence") or {}),
                waiver=r.get("waiver"), message_vi=str(r.get("message_vi") or ""))


def entries_of(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Findings held in memory (tests, small callers) as entries, one per host in first-seen
    order, as ``FindingsLog.entries`` yields them."""

    per_host: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        per_host.setdefault((f.system, f.host), []).append(f)
    return [{"system": s, "name": h, "results": group_results(fs)}
            for (s, h), fs in per_host.items()]


def host_line(record: Mapping[str, Any], findings: Iterable[Finding]) -> str:
    """The line of one finished host: its record and its grouped results, secrets masked."""

    data = {**record, "format": LINE_FORMAT, "results": group_results(findings)}
    return json.dumps(redact.data(data), ensure_ascii=False)


def _v1_record(rec: dict[str, Any], pending: list[dict[str, Any]]) -> dict[str, Any]:
    """A format-1 host line and the finding lines before it, as one format-2 record."""

    findings = [Finding.from_json(f) for f in pending]
    return {**rec, "format": LINE_FORMAT, "results": group_results(findings)}


class Finished(Protocol):
    """A finished host as the runner hands it over (``runner.HostOutcome``)."""

    @property
    def findings(self) -> list[Finding]: ...

    def record(self) -> dict[str, Any]: ...


class FindingsLog:
    """Append-only, crash-safe ``findings.jsonl`` of one run folder."""

    def __init__(self, folder: str) -> None:
        self.path = os.path.join(folder, FINDINGS_FILE)
        self._lock = threading.Lock()
        # (size, mtime) of the file when every line in it was last known checked (by ``read``,
        # or written by this process since): later passes over the same, unchanged file
        # only parse (checking costs more than all else together).
        self._checked: tuple[int, int] | None = None
        self._fh: BinaryIO | None = None
        self._synced = 0.0  # monotonic time of the last fsync
        self._unsynced = False

    def append(self, outcome: Finished) -> None:
        """Append a finished host's line (record and results)."""

        self.append_line(host_line(outcome.record(), outcome.findings))

    def append_line(self, line: str) -> None:
        """Append one host line (callers build it with ``host_line``).

        The line is handed to the kernel whole at once, so a killed attt never loses a
        finished host; it is synced to the disk at most ``SYNC_SECONDS`` later and by
        ``close`` (one fsync per host cost 20 ms each on a busy disk: 20 s per 1,000
        hosts).  A power cut can cost the hosts of that last moment, which ``--resume``
        scans again."""

        data = (line + "\n").encode()
        with self._lock:
            try:
                if self._fh is None:
                    self._fh = open(self.path, "ab")  # noqa: SIM115 - kept open until close()
                    self._synced = time.monotonic()
                fh = self._fh
                fh.write(data)
                fh.flush()
                self._unsynced = True
                if time.monotonic() - self._synced >= SYNC_SECONDS:
                    self._sync(fh)
                # Written by this process from its own records: as good as checked, if
                # nothing but this line was added since the file was last known checked
                # (or it was empty).
                stamp = _stamp_of(fh)
                before = stamp[0] - len(data)
                known = before == 0 or (self._checked is not None
                                        and self._checked[0] == before)
                self._checked = stamp if known else None
            except OSError as exc:
                # Disk full, folder removed: this host's findings are lost, the run is
                # incomplete; the caller stops scanning and saves what is on disk.
                raise OutputError(self.path, exc) from None

    def _sync(self, fh: BinaryIO) -> None:
        os.fsync(fh.fileno())
        self._synced = time.monotonic()
        self._unsynced = False

    def close(self) -> None:
        """Sync what was appended and close the file (appending again reopens it)."""

        with self._lock:
            fh, self._fh = self._fh, None
            if fh is None:
                return
            try:
                if self._unsynced:
                    self._sync(fh)
            except OSError as exc:
                raise OutputError(self.path, exc) from None
            finally:
                fh.close()

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        # A regular file within the size limit, never blocking on a FIFO (safe_io's rules).
        with safe_io.open_regular(self.path, MAX_FINDINGS_BYTES, FINDINGS_FILE) as fh:
            for number, raw in enumerate(fh, 1):
                if len(raw) > MAX_LINE_BYTES:
                    raise InputError(self.path, f"line {number}", T(
                        "larger than {limit} MB", limit=MAX_LINE_BYTES // (1024 * 1024)))
                yield number, raw

    def _stamp(self) -> tuple[int, int]:
        st = os.lstat(self.path)
        return st.st_size, st.st_mtime_ns

    def _parse(self, number: int, raw: bytes, trusted: bool = False) -> dict[str, Any]:
        if trusted:
            data: dict[str, Any] = json.loads(raw)
            return data
        # A complete line was written by attt whole: anything wrong in it is an edit.
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(self.path, f"line {number}", safe_io.not_utf8(exc)) from None
        return check_record(parse_json(line, self.path, f"line {number}"), self.path, number)

    def _records(self, trusted: bool = False) -> Iterator[tuple[dict[str, Any], bool]]:
        """(host record with its results, whether the file needs a repair) per finished
        host; a torn last line and finding lines without their host line are skipped."""

        pending: list[dict[str, Any]] = []
        for number, raw in self._lines():
            if not raw.endswith(b"\n"):
                yield {}, True  # torn by a crash mid-write: that host is scanned again
                continue
            rec = self._parse(number, raw, trusted)
            if rec["type"] == "finding":
                pending.append(rec)
                continue
            key = f"{rec.get('system')}/{rec.get('name')}"
            mine = [p for p in pending if f"{p['system']}/{p['host']}" == key]
            stray = len(mine) != len(pending)
            pending = []
            yield (rec if "results" in rec else _v1_record(rec, mine)), stray
        if pending:
            yield {}, True

    def read(self) -> dict[str, dict[str, Any]]:
        """The record of every finished host (whatever its state), without its results.

        A torn last line (a crash mid-write) and findings of a host without its closing
        record are dropped, and the file is rewritten without them, so that host is scanned
        again on resume."""

        self.close()
        if not os.path.lexists(self.path):
            return {}
        hosts: dict[str, dict[str, Any]] = {}
        dirty = False
        for rec, bad in self._records(trusted=self._checked == self._stamp()):
            dirty = dirty or bad
            if rec:
                hosts[str(rec["key"])] = _lean({k: v for k, v in rec.items()
                                                if k != "results"})
        if dirty:
            self._repair()
        self._checked = self._stamp()
        return hosts

    def _repair(self) -> None:
        """Rewrite the file with its whole host lines only, atomically, so the next append
        starts on a clean line."""

        tmp = self.path + ".tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                for rec, _ in self._records():
                    if rec:
                        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            os.replace(tmp, self.path)
        except OSError as exc:
            remove_quietly(tmp)
            raise OutputError(self.path, exc) from None

    def entries(self) -> Iterator[dict[str, Any]]:
        """Each finished host's record with its results, one at a time, in file order."""

        if not os.path.lexists(self.path):
            return
        for rec, _ in self._records(trusted=self._checked == self._stamp()):
            if rec:
                yield rec

    def findings(self) -> Iterator[Finding]:
        """Every finding of the finished hosts, one host at a time."""

        for rec in self.entries():
            yield from expand(rec)


def _lean(value: Any) -> Any:
    """A host record as kept for the whole run, its keys and short texts shared: each JSON
    line decodes its own copy of every key and value (2.4 KiB a host; 24 MiB at 10,000
    hosts), though all hosts repeat the same keys, transports, zones and states."""

    if isinstance(value, dict):
        return {sys.intern(k): _lean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lean(v) for v in value]
    if isinstance(value, str) and len(value) <= 64:
        return sys.intern(value)
    return value


def _stamp_of(fh: BinaryIO) -> tuple[int, int]:
    st = os.fstat(fh.fileno())
    return st.st_size, st.st_mtime_ns


def remove_quietly(path: str) -> None:
    """Remove a half-written temporary file (or the symlink standing in its place)."""

    with contextlib.suppress(OSError):
        os.unlink(path)


__all__ = ["FINDINGS_FILE", "FindingsLog", "entries_of", "expand", "group_results", "host_line",
           "remove_quietly"]
