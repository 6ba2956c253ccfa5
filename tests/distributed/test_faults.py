"""Faults on a real broker with real worker processes: a killed pool child, a killed worker,
a killed coordinator, a broker that is down.  Targets are the slow sshd hosts (each session
sleeps 3 s first), so a unit is reliably in flight when something is killed."""

from __future__ import annotations

import collections
import os
import re
import signal
from pathlib import Path

from .conftest import Fleet, WorkerKeys, Workers, admin_env, attt, write_inventory
from .rabbit import Rabbit, free_port, start_rabbit
from .test_routing import host_records, lines
from .test_security import start_scan, wait_for

SLOW = ["127.0.3.1", "127.0.3.2", "127.0.3.3", "127.0.3.4"]


def key(address: str) -> str:
    return f"lab/slow-{address.replace('.', '-')}"


def assert_exactly_once(run: Path, addresses: list[str]) -> None:
    records = host_records(run)
    assert sorted(r["key"] for r in records) == sorted(key(a) for a in addresses)
    assert all(r["state"] == "ok" for r in records), records
    per_host = collections.Counter(x["host"] for x in lines(run) if x["type"] == "finding")
    assert set(per_host.values()) == {2}, per_host  # two checks, once each


def started_pid(log: str, unit: str) -> int:
    found = re.findall(rf"unit started: {re.escape(unit)} pid=(\d+)", log)
    assert found, log[-3000:]
    return int(found[-1])


def test_sigkill_of_the_prefork_pool_child_mid_task_reruns_the_host_exactly_once(
    rabbit: Rabbit, fleet: Fleet, workers: Workers, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub = worker_keys.pair("ws")
    inv = write_inventory(tmp_path, fleet, {"slow": [str(pub)]}, {"slow": SLOW[:1]})
    w = workers.start("slow", "ws", pool="prefork", concurrency=1)
    proc = start_scan(inv, tmp_path, admin_env(rabbit), "--deadline", "60")
    try:
        log = w.wait_log(f"unit started: {key(SLOW[0])}", timeout=60)
        child = started_pid(log, key(SLOW[0]))
        assert child != w.proc.pid and child in w.children()
        os.kill(child, signal.SIGKILL)
        _, err = proc.communicate(timeout=150)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode in (0, 1), err
    log = w.log_text()
    assert "WorkerLostError" in log or "Process 'ForkPoolWorker" in log, log[-3000:]
    assert log.count(f"unit started: {key(SLOW[0])}") == 2
    assert_exactly_once(tmp_path / "run", SLOW[:1])
    assert host_records(tmp_path / "run")[0]["worker"] == "ws"


def test_sigkill_of_the_whole_worker_then_a_restart_redelivers_each_host_exactly_once(
    rabbit: Rabbit, fleet: Fleet, workers: Workers, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub = worker_keys.pair("ws")
    hosts = SLOW[:2]
    inv = write_inventory(tmp_path, fleet, {"slow": [str(pub)]}, {"slow": hosts})
    first = workers.start("slow", "ws", concurrency=2)
    proc = start_scan(inv, tmp_path, admin_env(rabbit), "--deadline", "60")
    try:
        for a in hosts:
            first.wait_log(f"unit started: {key(a)}", timeout=60)
        first.stop(signal.SIGKILL)
        assert "unit done" not in first.log_text()
        second = workers.start("slow", "ws", concurrency=2)
        _, err = proc.communicate(timeout=150)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode in (0, 1), err
    for a in hosts:
        assert f"unit done: {key(a)}" in second.log_text()
    assert_exactly_once(tmp_path / "run", hosts)


def test_a_coordinator_killed_mid_run_is_finished_by_resume_without_duplicates(
    rabbit: Rabbit, fleet: Fleet, workers: Workers, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub = worker_keys.pair("ws")
    inv = write_inventory(tmp_path, fleet, {"slow": [str(pub)]}, {"slow": SLOW})
    w = workers.start("slow", "ws", concurrency=1)
    proc = start_scan(inv, tmp_path, admin_env(rabbit), "--deadline", "60")
    try:
        wait_for(lambda: len(host_records(tmp_path / "run")) >= 1
                 if (tmp_path / "run" / "findings.jsonl").exists() else False, 60,
                 "a first host record")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    done_before = len(host_records(tmp_path / "run"))
    assert done_before < len(SLOW)
    # The worker goes on while no coordinator listens; its results wait in the run's queue.
    r = attt("scan", "--resume", str(tmp_path / "run"), "-q", env=admin_env(rabbit))
    assert r.returncode in (0, 1), r.stderr
    assert_exactly_once(tmp_path / "run", SLOW)
    assert (tmp_path / "run" / "results.json").exists()
    # Hosts already on disk were not published again.
    for rec in host_records(tmp_path / "run")[:done_before]:
        assert w.log_text().count(f"unit started: {rec['key']}") == 1


def test_broker_down_at_start_exits_3_with_a_clear_message_and_no_run_folder(
    fleet: Fleet, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub = worker_keys.pair("ws")
    inv = write_inventory(tmp_path, fleet, {"slow": [str(pub)]}, {"slow": SLOW[:1]})
    port = free_port()  # nothing listens there
    env = {"ATTT_BROKER_URL": f"amqp://attt@127.0.0.1:{port}/", "ATTT_BROKER_PASSWORD": "x"}
    for lang, words in (("en", "cannot use the broker"),
                        ("vi", "không dùng được máy chủ hàng đợi")):
        r = attt("scan", "-i", str(inv), "-p", str(tmp_path / "profile.yaml"), "--no-network",
                 "--no-history", "-q", "-o", str(tmp_path / "run"), env={**env,
                                                                         "ATTT_LANG": lang})
        assert r.returncode == 3, r.stderr
        assert words in r.stderr
        assert f"amqp://attt@127.0.0.1:{port}/" in r.stderr
        assert "Traceback" not in r.stderr
        assert not (tmp_path / "run").exists()
    # A worker, too.
    w = attt("worker", "--zone", "slow", "--key", str(worker_keys.folder / "ws.key"),
             env=env, timeout=60)
    assert w.returncode == 3, w.stderr
    assert "cannot use the broker" in w.stderr and "Traceback" not in w.stderr


def test_a_host_without_a_zone_is_an_input_error_naming_the_host_and_key(
    rabbit: Rabbit, fleet: Fleet, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub = worker_keys.pair("ws")
    extra = f"      - {{name: nozone, address: 127.0.1.1, port: {fleet.port}}}\n"
    inv = write_inventory(tmp_path, fleet, {"slow": [str(pub)]}, {"slow": SLOW[:1]}, extra)
    r = attt("scan", "-i", str(inv), "-p", str(tmp_path / "profile.yaml"), "--no-network",
             "--no-history", "-q", "-o", str(tmp_path / "run"), env=admin_env(rabbit))
    assert r.returncode == 2, r.stderr
    assert "systems[0].hosts[1].zone" in r.stderr and "lab/nozone" in r.stderr
    assert not (tmp_path / "run").exists()


def test_broker_lost_mid_run_keeps_the_received_hosts_and_the_run_resumes(
    fleet: Fleet, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    # A broker of its own: this test stops it.
    rb = start_rabbit(tmp_path / "broker")
    ws = Workers(rb, worker_keys, tmp_path)
    try:
        _, pub = worker_keys.pair("ws")
        inv = write_inventory(tmp_path, fleet, {"slow": [str(pub)]}, {"slow": SLOW})
        ws.start("slow", "ws", concurrency=1)
        proc = start_scan(inv, tmp_path, admin_env(rb), "--deadline", "60")
        try:
            wait_for(lambda: len(host_records(tmp_path / "run")) >= 1
                     if (tmp_path / "run" / "findings.jsonl").exists() else False, 60,
                     "a first host record")
            rb.stop()
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        assert proc.returncode == 3, err
        assert "lost the broker" in err and "--resume" in err and "Traceback" not in err
        kept = host_records(tmp_path / "run")
        assert 1 <= len(kept) < len(SLOW)
        assert all(r["state"] == "ok" for r in kept)  # none marked "not assessed"
        assert (tmp_path / "run" / "results.json").exists()
        # The broker comes back with its data; the run finishes from what is missing.
        users = dict(rb.users)
        rb = start_rabbit(tmp_path / "broker", ports=rb.ports)
        rb.users.update(users)
        ws.rabbit = rb
        ws.stop_all()
        ws.start("slow", "ws", concurrency=2)
        r = attt("scan", "--resume", str(tmp_path / "run"), "-q", env=admin_env(rb))
        assert r.returncode in (0, 1), r.stderr
        assert_exactly_once(tmp_path / "run", SLOW)
    finally:
        ws.stop_all()
        rb.stop()
