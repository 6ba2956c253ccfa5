"""Offline hosts scanned in worker processes (attt.host_processes): same findings as one
thread, real spawned processes, a killed process costs nothing, secrets masked there too.

Every scan is a real ``run_scan`` of ``dir:`` hosts on tiny trees made here; the processes
are real ``spawn`` children of the test process.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import yaml

from attt import redact
from attt.host_processes import MIN_HOSTS, HostProcesses, WorkerLost, process_count
from attt.model import Host, Profile
from attt.runner import HostOutcome, scan_host
from attt.scan import ScanOptions, load_scope, run_scan
from attt.transport import TransportSettings

HOSTS = MIN_HOSTS + 4
SECRET = "bi-mat-9f3e1c7a"  # lower case: sshd option values are read lowered


def _tree(root: Path, root_login: str) -> Path:
    (root / "etc" / "ssh").mkdir(parents=True)
    (root / "etc" / "ssh" / "sshd_config").write_text(
        f"PermitRootLogin {root_login}\nPasswordAuthentication no\n")
    (root / "etc" / "login.defs").write_text("PASS_MAX_DAYS 90\nPASS_MIN_LEN 12\n")
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    return root


@pytest.fixture()
def inventory(tmp_path: Path) -> Path:
    """HOSTS dir: hosts, alternately hardened and not; one tree names a secret."""

    good = _tree(tmp_path / "good", "no")
    bad = _tree(tmp_path / "bad", SECRET)
    hosts = [{"name": f"may-{i:02d}", "transport": "dir", "path": str(good if i % 2 else bad)}
             for i in range(HOSTS)]
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({"systems": [
        {"name": "he-thong", "level": 3, "hosts": hosts}]}))
    return path


def _scan(inv: Path, out: Path, workers: int,
          on_done: Any = lambda o: None) -> dict[str, dict[str, Any]]:
    result = run_scan(ScanOptions(inventory=str(inv), out=str(out), workers=workers,
                                  formats=("json",), history=False, network=False),
                      on_host_done=on_done)
    assert result.out_dir == str(out)
    lines: dict[str, dict[str, Any]] = {}
    for text in (out / "findings.jsonl").read_text("utf-8").splitlines():
        line = json.loads(text)
        assert line["key"] not in lines, f"{line['key']} appears twice"
        line.pop("duration")
        lines[line["key"]] = line
    return lines


def test_how_many_processes() -> None:
    cores = len(os.sched_getaffinity(0))
    assert process_count(8, MIN_HOSTS - 1) == 0  # a small run stays on threads
    assert process_count(1, 1000) == 0  # -w 1: one at a time, in this process
    assert process_count(8, 1000) == (min(8, cores) if cores > 1 else 0)
    assert process_count(64, MIN_HOSTS) == (min(MIN_HOSTS, cores) if cores > 1 else 0)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no worker process")
def test_processes_give_the_findings_one_thread_gives(inventory: Path, tmp_path: Path) -> None:
    children: list[int] = []

    def seen(outcome: HostOutcome) -> None:
        children.append(len(multiprocessing.active_children()))

    threaded = _scan(inventory, tmp_path / "one-thread", 1)
    spread = _scan(inventory, tmp_path / "processes", 4, seen)
    assert len(spread) == HOSTS
    assert spread == threaded
    # The hosts really were scanned by spawned worker processes, and findings differ
    # between the two trees (the comparison above is not between empty results).
    assert max(children) >= 2
    assert {line["counts"].get("fail", 0) for line in spread.values()} != {0}
    assert len({json.dumps(line["results"], sort_keys=True) for line in spread.values()}) == 2
    assert not multiprocessing.active_children()  # the pool is gone with the scan


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no worker process")
def test_a_killed_worker_process_loses_no_host(inventory: Path, tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    killed: list[int] = []

    def kill_once(outcome: HostOutcome) -> None:
        if not killed:
            for child in multiprocessing.active_children():
                if child.pid is not None:
                    os.kill(child.pid, signal.SIGKILL)
                    killed.append(child.pid)

    expected = _scan(inventory, tmp_path / "one-thread", 1)
    got = _scan(inventory, tmp_path / "killed", 4, kill_once)
    assert killed
    assert got == expected  # every host exactly once, same findings
    assert "worker process ended abruptly" in caplog.text


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no worker process")
def test_secrets_are_masked_in_the_worker_processes(inventory: Path, tmp_path: Path) -> None:
    threaded = _scan(inventory, tmp_path / "clear", 1)
    assert SECRET in json.dumps(threaded)  # the check quotes the value it saw
    redact.register(SECRET, "test")
    try:
        spread = _scan(inventory, tmp_path / "masked", 4)
    finally:
        redact.clear()
    text = (tmp_path / "masked" / "findings.jsonl").read_text("utf-8")
    assert SECRET not in text
    assert redact.MARK.lower() in text  # masked as collected, then read lowered like the rest
    assert len(spread) == HOSTS


def test_a_snapshot_of_the_secrets_is_restored() -> None:
    redact.register(SECRET, "test")
    try:
        forms = redact.snapshot()
        redact.clear()
        assert redact.text(SECRET) == SECRET
        redact.restore(forms)
        assert redact.text(f"x {SECRET} y") == f"x {redact.MARK} y"
    finally:
        redact.clear()


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no worker process")
def test_an_interrupted_scan_stops_its_processes_and_keeps_what_finished(
        inventory: Path, tmp_path: Path) -> None:
    done: list[str] = []

    def interrupt(outcome: HostOutcome) -> None:
        done.append(outcome.host.key)
        if len(done) == 3:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C: the scan's guard stops it here

    out = tmp_path / "interrupted"
    result = run_scan(ScanOptions(inventory=str(inventory), out=str(out), workers=4,
                                  formats=("json",), history=False, network=False),
                      on_host_done=interrupt)
    assert result.interrupted and result.exit_code == 130
    keys = [json.loads(text)["key"]
            for text in (out / "findings.jsonl").read_text("utf-8").splitlines()]
    assert len(keys) == len(set(keys)) == 3 == len(done)
    assert not multiprocessing.active_children()
    assert (out / "results.json").is_file()  # the report of what finished is written


def unsendable_scan(host: Host, profile: Profile, settings: TransportSettings) -> Any:
    """scan_host, except that host may-01's outcome cannot be pickled back to the parent."""

    if host.name == "may-01":
        return lambda: None
    return scan_host(host, profile, settings)


def test_an_outcome_a_worker_cannot_send_is_retried_and_the_pool_goes_on(
        inventory: Path, capfd: pytest.CaptureFixture[str]) -> None:
    _, pairs, hosts = load_scope(ScanOptions(inventory=str(inventory)))
    profile = pairs[0][1]
    pool = HostProcesses(2, [profile], TransportSettings(), unsendable_scan)
    try:
        futures = {h.name: pool.submit(h, profile) for h in hosts[:3]}
        lost = futures["may-01"]
        assert lost is not None
        with pytest.raises(WorkerLost):
            lost.result(timeout=120)
        for name in ("may-00", "may-02"):
            fut = futures[name]
            assert fut is not None
            assert fut.result(timeout=120).state == "ok"
        # One host's outcome failed, no process died: the pool still takes hosts.
        assert not pool.broken
        again = pool.submit(hosts[0], profile)
        assert again is not None and again.result(timeout=120).host.key == hosts[0].key
    finally:
        pool.shutdown(wait=True)
    assert not multiprocessing.active_children()
    err = capfd.readouterr().err  # the worker process's own log line, no traceback
    assert "he-thong/may-01: the worker process could not return the outcome" in err
    assert "Traceback" not in err


def test_a_failing_dispatcher_hands_every_host_back(
        inventory: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    _, pairs, hosts = load_scope(ScanOptions(inventory=str(inventory)))
    profile = pairs[0][1]

    hand_out = HostProcesses._hand_out

    def broken(self: HostProcesses[HostOutcome]) -> None:
        if self._queue:  # once a host is queued: in the dispatcher's hands
            raise RuntimeError("a bug in the dispatcher")
        hand_out(self)

    # The dispatcher runs in this process, so the patch reaches it.
    monkeypatch.setattr(HostProcesses, "_hand_out", broken)
    pool = HostProcesses(2, [profile], TransportSettings(), scan_host)
    try:
        fut = pool.submit(hosts[0], profile)
        assert fut is not None
        with pytest.raises(WorkerLost):  # handed back, never left waiting
            fut.result(timeout=60)
        assert pool.broken
        assert pool.submit(hosts[1], profile) is None  # threads take the rest
    finally:
        pool.shutdown(wait=True)
    assert not multiprocessing.active_children()
    assert "dispatcher failed" in caplog.text
