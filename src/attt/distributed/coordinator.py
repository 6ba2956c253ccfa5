"""``attt scan --broker``: publish one task per unit to its zone's queue and collect the
signed results into the run folder through ``FindingsLog``, exactly as a local scan would.

Delivery is at least once (late acks): the same unit may come back twice.  The sink is
idempotent on (run, unit key): the first result whose signature verifies with a key listed
for the unit's zone wins, later ones are dropped.  A unit without a result by the deadline
becomes ``error`` "not assessed", never a pass.  If the broker goes away mid-run, what came
back is on disk and ``attt scan --resume DIR`` publishes only the units still missing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .. import redact
from ..errors import AtttError, InputError
from ..messages import Msg, T
from ..model import Finding, Host, Inventory, Profile, Status, System, Zone
from ..run_folder import REFUSED_FILE
from ..runner import Binding, FindingsLog, HostOutcome, bind, scan_host
from ..transport import TransportSettings
from .app import Broker, BrokerError, make_app
from .wire import (
    PROTOCOL,
    TASK_NAME,
    Refused,
    Rendered,
    bindings_key,
    bindings_to_json,
    host_to_json,
    open_result,
    queue_of,
    results_queue,
    settings_to_json,
    system_to_json,
)

log = logging.getLogger(__name__)

HOST_STATES = ("ok", "partial", "unreachable", "auth_error", "hostkey_error", "error")
NOT_ASSESSED = T("not assessed: no result from the zone worker before the deadline")


@dataclass
class Unit:
    """One task of the run: a host, or a system's network checks from a vantage zone."""

    key: str
    zone: str
    host: Host
    bindings: list[Binding]
    body: dict[str, Any]
    keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)


def _zone(system: System, name: str) -> Zone | None:
    return next((z for z in system.zones if z.name == name), None)


def _systems_index(inv: Inventory) -> dict[str, tuple[int, System]]:
    return {s.name: (i, s) for i, s in enumerate(inv.systems)}


def check_routes(inv: Inventory, hosts: Sequence[Host], zones: Sequence[tuple[System, str]],
                 ) -> None:
    """Every host has a zone of its system, and every zone a task goes to lists at least one
    worker key (``zones[].workers``); errors name the inventory key (exit 2)."""

    index = _systems_index(inv)
    for host in hosts:
        i, system = index[host.system]
        j = next(k for k, h in enumerate(system.hosts) if h.name == host.name)
        if not host.zone:
            raise InputError(inv.source, f"systems[{i}].hosts[{j}].zone", T(
                "host {host} has no zone; with --broker every host needs the zone whose "
                "worker scans it", host=host.key))
        _check_workers(inv, i, system, host.zone)
    for system, zone in zones:
        _check_workers(inv, index[system.name][0], system, zone)


def _check_workers(inv: Inventory, i: int, system: System, zone: str) -> None:
    z = _zone(system, zone)
    if z is None:
        raise InputError(inv.source, f"systems[{i}].zones", T(
            "no zone {zone} in system {system}", zone=repr(zone), system=system.name))
    if not z.workers:
        k = next(n for n, x in enumerate(system.zones) if x.name == zone)
        raise InputError(inv.source, f"systems[{i}].zones[{k}].workers", T(
            "zone {zone} lists no worker key; with --broker its results could not be "
            "accepted", zone=repr(zone)))


def _public_keys(zone: Zone | None) -> dict[str, Ed25519PublicKey]:
    from ..signing import load_public_key

    return {w.id: load_public_key(w.public_key) for w in (zone.workers if zone else ())}


def network_jobs(pairs: Sequence[tuple[System, Profile]], from_zone: str) -> list[Any]:
    """The network units of a distributed run: one per system and vantage zone (only
    ``from_zone`` if given), each run by that zone's worker; a system without a vantage
    point keeps its plan-only unit, judged on the coordinator."""

    from ..network.plan import vantage_for
    from ..network.run import NetworkJob, bindings

    if from_zone and not any(from_zone in {z.name for z in s.zones} for s, _ in pairs):
        raise InputError("--from-zone", from_zone, T("no system in scope has this zone"))
    jobs: list[NetworkJob] = []
    for system, profile in pairs:
        if not bindings(profile):
            continue
        zones = [v.zone for v in system.vantage_points if not from_zone or v.zone == from_zone]
        if zones:
            for zone in zones:
                vantage_for(system, zone)  # an undeclared vantage zone is an input error
                jobs.append(NetworkJob(system, profile, zone))
        elif system.zones or system.public_services or system.vantage_points:
            why = (T("zone '{zone}' is not a zone of this system", zone=from_zone) if from_zone
                   else T("the system declares no vantage_points"))
            jobs.append(NetworkJob(system, profile, "", why))
    return jobs


def plan_units(
    inv: Inventory,
    hosts: Sequence[Host],
    network: Sequence[Any],
    profiles: Mapping[str, Profile],
    settings: TransportSettings,
    run_id: str,
    deadline: float,
) -> list[Unit]:
    """The tasks of the run: bindings computed here, so workers need no profile file."""

    systems = {s.name: s for s in inv.systems}
    units: list[Unit] = []
    wire_settings = settings_to_json(settings)
    for host in hosts:
        bindings = bind(profiles[host.system], "host", host.roles)
        body = {"v": PROTOCOL, "run_id": run_id, "kind": "host", "key": host.key,
                "zone": host.zone, "host": host_to_json(host),
                "bindings": bindings_to_json(bindings), "settings": wire_settings,
                "deadline": deadline}
        units.append(Unit(host.key, host.zone, host, bindings, body,
                          _public_keys(_zone(systems[host.system], host.zone))))
    for job in network:
        from ..network.run import bindings as network_bindings

        bindings = network_bindings(job.profile)
        pseudo = job.host()
        body = {"v": PROTOCOL, "run_id": run_id, "kind": "network", "key": pseudo.key,
                "zone": job.zone, "system": system_to_json(job.system),
                "bindings": bindings_to_json(bindings), "deadline": deadline}
        units.append(Unit(pseudo.key, job.zone, pseudo, bindings, body,
                          _public_keys(_zone(job.system, job.zone))))
    return units


def _error_findings(unit: Unit, message: Msg) -> list[Finding]:
    return [Finding(system=unit.host.system, host=unit.host.name, requirement_id=b.requirement.id,
                    check_id=b.ref.check_id, params=dict(b.ref.params), status=Status.ERROR,
                    message=message.render("en"), evidence={}, message_vi=message.render("vi"))
            for b in unit.bindings]


Kinds = type | tuple[type, ...]
_FINDING_FIELDS: dict[str, Kinds] = {
    "system": str, "host": str, "requirement": str, "check": str, "params": dict,
    "status": str, "message": str, "evidence": dict}
_RECORD_FIELDS: dict[str, Kinds] = {
    "key": str, "state": str, "message": str, "message_vi": str, "channels": int,
    "duration": (int, float)}


def _malformed(rows: list[Any], rec: dict[str, Any]) -> str:
    """What is wrong with a result's findings and host record ("" if nothing): the wire
    form is ``Finding.to_json()`` with ``type: finding`` and ``HostOutcome.record()``."""

    statuses = {s.value for s in Status}
    for n, row in enumerate(rows):
        if not isinstance(row, dict) or row.get("type") != "finding":
            return f"findings[{n}]: not a finding"
        for name, kind in _FINDING_FIELDS.items():
            if not isinstance(row.get(name), kind):
                return f"findings[{n}].{name}: missing or of the wrong type"
        if row["status"] not in statuses:
            return f"findings[{n}].status: unknown status"
        if not isinstance(row.get("message_vi", ""), str):
            return f"findings[{n}].message_vi: not text"
    if rec.get("type") != "host":
        return "record: not a host record"
    for name, kind in _RECORD_FIELDS.items():
        value = rec.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"record.{name}: missing or of the wrong type"
    if rec["channels"] < 0 or rec["duration"] < 0:
        return "record: negative channels or duration"
    if not isinstance(rec.get("recorded_key"), str | None):
        return "record.recorded_key: not text"
    return ""


def outcome_from(unit: Unit, worker: str, payload: Mapping[str, Any]) -> HostOutcome:
    """The unit's outcome from a verified payload; Refused if its data is not the unit's."""

    rows = payload.get("findings")
    rec = payload.get("record")
    if not isinstance(rows, list) or not isinstance(rec, dict):
        raise Refused("payload without findings and record", worker, unit.key)
    problem = _malformed(rows, rec)
    if problem:
        raise Refused(f"malformed: {problem}", worker, unit.key)
    checked: list[dict[str, Any]] = rows
    if rec["key"] != unit.key or any(
            (r["system"], r["host"]) != (unit.host.system, unit.host.name) for r in checked):
        raise Refused("findings of another host", worker, unit.key)
    got = bindings_key([[r["requirement"], r["check"], r.get("params") or {}] for r in checked])
    want = bindings_key(unit.body["bindings"])
    if got != want:
        missing = sorted(set(want) - set(got))[:3]
        extra = sorted(set(got) - set(want))[:3]
        raise Refused(f"findings do not match the task's checks (missing {missing}, "
                      f"unexpected {extra})", worker, unit.key)
    state = rec["state"]
    if state not in HOST_STATES:
        raise Refused(f"unknown host state {state!r}", worker, unit.key)
    return HostOutcome(
        unit.host,
        [Finding.from_json(r) for r in checked],
        state,
        Rendered(rec["message"], rec["message_vi"]),
        rec["channels"],
        float(rec["duration"]),
        rec.get("recorded_key"),
        worker=worker,
    )


class Collector:
    """The sink of one run: verifies, de-duplicates and appends results."""

    def __init__(self, run_id: str, units: Sequence[Unit], store: FindingsLog,
                 on_done: Callable[[HostOutcome], None]) -> None:
        self.run_id = run_id
        self.pending = {u.key: u for u in units}
        self.done: set[str] = set()
        self.store = store
        self.on_done = on_done
        self.duplicates = 0
        self.refused = 0
        self._keys = {u.key: u.keys for u in units}
        self._lock = threading.Lock()
        self.refused_path = os.path.join(os.path.dirname(store.path), REFUSED_FILE)

    def _refuse(self, exc: Refused) -> None:
        self.refused += 1
        log.warning("refused a result (worker %r, unit %r): %s", exc.worker, exc.key,
                    exc.reason)
        line = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "run": self.run_id, "worker": exc.worker[:200], "key": exc.key[:400],
                "reason": exc.reason[:500]}
        with open(self.refused_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(redact.data(line), ensure_ascii=False) + "\n")

    def accept(self, body: Any) -> HostOutcome | None:
        """Handle one result message; the outcome appended, or None (dropped/refused)."""

        with self._lock:
            try:
                worker, payload = open_result(body, self._keys)
                if payload.get("run_id") != self.run_id or payload.get("v") != PROTOCOL:
                    raise Refused("result of another run", worker, str(payload.get("key")))
                key = str(payload["key"])
                if key in self.done:
                    self.duplicates += 1
                    log.info("dropped a duplicate result for %s from %s", key, worker)
                    return None
                outcome = outcome_from(self.pending[key], worker, payload)
            except Refused as exc:
                self._refuse(exc)
                return None
            self.store.append(outcome)
            self.done.add(key)
            del self.pending[key]
        self.on_done(outcome)
        return outcome

    def refuse_undecodable(self, why: str) -> None:
        """A message that is not JSON (pickle, garbage): refused, never decoded."""

        with self._lock:
            self._refuse(Refused(why))


def connect(broker: Broker) -> tuple[Any, Any]:
    """(Celery app, open kombu connection); BrokerError (exit 3) if the broker is down."""

    app = make_app(broker, name="attt-coordinator")
    conn = app.connection_for_write()
    try:
        conn.ensure_connection(max_retries=1, interval_start=0.2, interval_step=0.5,
                               timeout=10)
    except Exception as exc:  # socket, TLS, AMQP auth: all mean "cannot use the broker"
        conn.release()
        raise BrokerError(T("cannot use the broker {url}: {problem}", url=broker.url,
                            problem=redact.text(str(exc) or type(exc).__name__))) from None
    return app, conn


def run(
    broker: Broker,
    run_id: str,
    units: Sequence[Unit],
    local_hosts: Sequence[tuple[Host, Profile]],
    settings: TransportSettings,
    store: FindingsLog,
    on_done: Callable[[HostOutcome], None],
    deadline_seconds: float,
) -> Collector:
    """Publish the units, collect their results until all are in or the deadline passes.

    Hosts with no check to run (``local_hosts``) are settled here without a task.  Raises
    BrokerError if the broker cannot be reached at the start or is lost mid-run (what came
    back is on disk; the run is resumable)."""

    kombu: Any = importlib.import_module("kombu")
    app, conn = connect(broker)
    collector = Collector(run_id, units, store, on_done)
    try:
        for host, profile in local_hosts:
            outcome = scan_host(host, profile, settings)
            store.append(outcome)
            on_done(outcome)
        queue = kombu.Queue(results_queue(run_id), exchange=kombu.Exchange(""),
                            routing_key=results_queue(run_id), durable=True,
                            auto_delete=False)
        channel = conn.channel()
        queue(channel).declare()

        def on_message(body: Any, message: Any) -> None:
            # Acknowledged once on disk (or refused): a result that could not be saved
            # (OutputError) stays in the queue for --resume.
            collector.accept(body)
            message.ack()

        def on_decode_error(message: Any, exc: Exception) -> None:
            collector.refuse_undecodable(
                f"not JSON ({message.content_type}): {type(exc).__name__}")
            message.ack()

        consumer = conn.Consumer(queue, channel=channel, callbacks=[on_message],
                                 accept=["json"], on_decode_error=on_decode_error,
                                 prefetch_count=16)
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=deadline_seconds)
        with consumer:
            with app.producer_or_acquire() as producer:
                for unit in units:
                    if unit.key not in collector.pending:
                        continue
                    app.send_task(TASK_NAME, args=[unit.body], queue=queue_of(unit.zone),
                                  producer=producer, expires=expires,
                                  retries=0)
            end = time.monotonic() + deadline_seconds
            # One event per result: bounded by the deadline, whatever arrives.
            while collector.pending and time.monotonic() < end:
                try:
                    conn.drain_events(timeout=max(0.05, min(1.0, end - time.monotonic())))
                except TimeoutError:
                    continue
        # The run is settled (every unit in, or the deadline passed): its results queue goes;
        # a late duplicate then has nowhere to land.
        queue(channel).delete()
    except AtttError:
        raise
    except Exception as exc:
        if not _connection_error(conn, exc):
            raise
        raise BrokerError(T(
            "lost the broker {url} mid-run ({problem}); {done} result(s) are saved; run "
            "`attt scan --resume DIR` to finish", url=broker.url,
            problem=redact.text(str(exc) or type(exc).__name__),
            done=len(collector.done))) from None
    finally:
        try:
            conn.release()
        except Exception:
            log.debug("closing the broker connection failed", exc_info=True)
    for unit in list(collector.pending.values()):
        outcome = HostOutcome(unit.host, _error_findings(unit, NOT_ASSESSED), "error",
                              NOT_ASSESSED)
        store.append(outcome)
        on_done(outcome)
    return collector


def _connection_error(conn: Any, exc: Exception) -> bool:
    errors = tuple(conn.connection_errors) + tuple(conn.channel_errors) + (OSError,)
    return isinstance(exc, errors)

