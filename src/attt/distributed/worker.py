"""``attt worker``: a Celery worker inside one zone, consuming only that zone's queue.

It runs each unit it is given (a host, or the network checks from its vantage zone) with the
same engine as a local scan (``runner.scan_host``, ``network.run.run_job``), signs the unit's
findings and host record with its Ed25519 key and publishes them on the run's results queue.
Secrets come from this machine only: key files named by path, passwords by variable name.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .. import redact
from ..errors import AtttError
from ..messages import T
from ..model import Host
from ..runner import HostOutcome, scan_host
from .app import Broker, make_app
from .wire import (
    PROTOCOL,
    TASK_NAME,
    bindings_key,
    host_from_json,
    profile_from_bindings,
    queue_of,
    results_queue,
    settings_from_json,
    sign_result,
    system_from_json,
)

log = logging.getLogger("attt.worker")


@dataclass(frozen=True)
class WorkerIdentity:
    """Who this worker is: its zone, its id (as listed in the inventory) and signing key."""

    zone: str
    worker_id: str
    key: Ed25519PrivateKey


def _network_outcome(body: Mapping[str, Any], zone: str) -> HostOutcome:
    from ..network.run import NetworkJob, check_vantage, local_addresses, run_job

    system = system_from_json(body["system"])
    job = NetworkJob(system, profile_from_bindings(body["bindings"]), zone)
    try:
        check_vantage(system, zone, local_addresses())
    except AtttError as exc:
        from ..model import Finding, Status

        msg = exc.message
        findings = [Finding(system=system.name, host=job.name, requirement_id=r, check_id=c,
                            params=dict(p), status=Status.ERROR, message=redact.text(str(msg)),
                            evidence={}, message_vi=redact.text(exc.render("vi")))
                    for r, c, p in body["bindings"]]
        return HostOutcome(job.host(), findings, "error", msg)
    return run_job(job)


def run_unit(body: Any, me: WorkerIdentity) -> dict[str, Any] | None:
    """Run one unit from a task body; the signed result message, or None when the task is
    not for this worker (wrong zone, unknown protocol) or its deadline has passed."""

    if not isinstance(body, dict) or body.get("v") != PROTOCOL:
        log.error("refused a task: not an attt task of protocol %s", PROTOCOL)
        return None
    key = str(body.get("key", ""))
    if body.get("zone") != me.zone:
        log.error("refused task %s: for zone %r, this worker serves %r", key,
                  body.get("zone"), me.zone)
        return None
    deadline = body.get("deadline")
    if isinstance(deadline, (int, float)) and time.time() > deadline:
        log.warning("skipped %s: the run's deadline has passed", key)
        return None
    log.info("unit started: %s pid=%s", key, os.getpid())
    if body.get("kind") == "network":
        outcome = _network_outcome(body, me.zone)
    else:
        host: Host = host_from_json(body["host"])
        # What a host echoes of this worker's secrets is masked, as in a local scan.
        redact.register_env(redact.secrets_of_hosts([host.options]))
        outcome = scan_host(host, profile_from_bindings(body["bindings"]),
                            settings_from_json(body.get("settings", {})))
    outcome.worker = me.worker_id
    findings = [redact.data({"type": "finding", **f.to_json()}) for f in outcome.findings]
    got = bindings_key([[f["requirement"], f["check"], f.get("params") or {}]
                        for f in findings])
    if findings and got != bindings_key(body["bindings"]):
        log.error("%s: findings do not match the task's bindings", key)
    payload = {"v": PROTOCOL, "run_id": body["run_id"], "key": key,
               "findings": findings, "record": redact.data(outcome.record())}
    log.info("unit done: %s state=%s pid=%s", key, outcome.state, os.getpid())
    return sign_result(payload, me.worker_id, me.key)


def build_worker_app(broker: Broker, me: WorkerIdentity) -> Any:
    """The Celery app of a zone worker with its one task registered."""

    from ..library import load_all

    load_all()  # the check registry: bindings name checks by id
    app = make_app(broker, me.zone, name=f"attt-worker-{me.zone}")

    def unit(body: Any) -> None:
        message = run_unit(body, me)
        if message is None:
            return
        with app.producer_pool.acquire(block=True, timeout=30) as producer:
            producer.publish(message, exchange="", routing_key=results_queue(
                str(body["run_id"])), serializer="json", delivery_mode=2, retry=True,
                retry_policy={"max_retries": 5, "interval_start": 0.5,
                              "interval_step": 1, "interval_max": 5})

    app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)(unit)
    return app


def start(broker: Broker, me: WorkerIdentity, concurrency: int, pool: str,
          loglevel: str = "INFO") -> None:
    """Run the worker until it is stopped (SIGTERM: warm shutdown)."""

    app = build_worker_app(broker, me)
    queue = queue_of(me.zone)
    log.info("%s", T("worker {id} of zone {zone}: queue {queue}, {count} {pool} workers",
                     id=me.worker_id, zone=me.zone, queue=queue, count=concurrency,
                     pool=pool))
    argv = ["worker", "-Q", queue, "-c", str(concurrency), "-P", pool,
            "-n", f"{me.worker_id}@{me.zone}", "--without-gossip", "--without-mingle",
            "--without-heartbeat", f"--loglevel={loglevel}"]
    app.worker_main(argv=argv)
