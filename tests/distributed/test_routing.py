"""Zone workers on a real broker: routing, equivalence with a local scan, the worker record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from attt.findings_log import expand

from .conftest import Fleet, WorkerKeys, Workers, admin_env, attt, write_inventory
from .rabbit import Rabbit

A = ["127.0.1.1", "127.0.1.2", "127.0.1.3"]
B = ["127.0.2.1", "127.0.2.2", "127.0.2.3"]


def lines(run: Path) -> list[dict[str, Any]]:
    """findings.jsonl as one record per finding then its host's record (a host line's
    results expanded, as format 1 wrote them)."""

    out: list[dict[str, Any]] = []
    for text in (run / "findings.jsonl").read_text().splitlines():
        rec = json.loads(text)
        if rec.get("type") == "host" and "results" in rec:
            out += [{"type": "finding", **f.to_json()} for f in expand(rec)]
            rec = {k: v for k, v in rec.items() if k not in ("results", "format")}
        out.append(rec)
    return out


def host_records(run: Path) -> list[dict[str, Any]]:
    return [r for r in lines(run) if r["type"] == "host"]


def comparable(run: Path) -> list[tuple[Any, ...]]:
    """findings.jsonl without what differs between two scans of the same hosts (timing,
    which worker)."""

    out = []
    for r in lines(run):
        r = {k: v for k, v in r.items() if k not in ("duration", "worker", "channels")}
        out.append(tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in r.items())))
    return sorted(out)


def test_each_zone_worker_runs_only_its_own_zone_and_the_run_equals_a_local_scan(
    rabbit: Rabbit, fleet: Fleet, workers: Workers, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub_a = worker_keys.pair("wa")
    _, pub_b = worker_keys.pair("wb")
    inv = write_inventory(tmp_path, fleet, {"a": [str(pub_a)], "b": [str(pub_b)]},
                          {"a": A, "b": B})
    wa = workers.start("a", "wa")
    wb = workers.start("b", "wb")
    common = ["-i", str(inv), "-p", str(tmp_path / "profile.yaml"), "--no-network",
              "--no-history", "-q"]
    r = attt("scan", *common, "-o", str(tmp_path / "dist"), "--deadline", "60",
             env=admin_env(rabbit))
    assert r.returncode in (0, 1), r.stderr
    records = host_records(tmp_path / "dist")
    assert sorted(x["key"] for x in records) == sorted(
        [f"lab/a-{a.replace('.', '-')}" for a in A] + [f"lab/b-{b.replace('.', '-')}" for b in B])
    for rec in records:
        assert rec["state"] == "ok", rec
        assert rec["worker"] == {"a": "wa", "b": "wb"}[rec["zone"]]
    log_a, log_b = wa.log_text(), wb.log_text()
    assert all(f"unit started: lab/a-{a.replace('.', '-')}" in log_a for a in A)
    assert "unit started: lab/b-" not in log_a
    assert all(f"unit started: lab/b-{b.replace('.', '-')}" in log_b for b in B)
    assert "unit started: lab/a-" not in log_b
    # The report is the one a local scan gives: same findings, same host records.
    local = attt("scan", *common, "-o", str(tmp_path / "local"))
    assert local.returncode == r.returncode, local.stderr
    assert comparable(tmp_path / "dist") == comparable(tmp_path / "local")
    doc = json.loads((tmp_path / "dist" / "results.json").read_text())
    assert doc["summary"] == json.loads((tmp_path / "local" / "results.json").read_text()
                                        )["summary"]
    # The broker URL is saved for --resume, never its password.
    saved = (tmp_path / "dist" / "run.json").read_text()
    user, password = rabbit.coordinator_user()
    assert password not in saved
    assert json.loads(saved)["options"]["broker"] == rabbit.url(user)


def test_a_settled_run_removes_its_results_queue(
    rabbit: Rabbit, fleet: Fleet, workers: Workers, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub_a = worker_keys.pair("wa")
    inv = write_inventory(tmp_path, fleet, {"a": [str(pub_a)]}, {"a": A[:1]})
    workers.start("a", "wa")
    r = attt("scan", "-i", str(inv), "-p", str(tmp_path / "profile.yaml"), "--no-network",
             "--no-history", "-q", "-o", str(tmp_path / "run"), "--deadline", "60",
             env=admin_env(rabbit))
    assert r.returncode in (0, 1), r.stderr
    run_id = json.loads((tmp_path / "run" / "run.json").read_text())["id"]
    queues = rabbit.ctl("list_queues", "name")
    assert "zone.a" in queues
    assert f"results.{run_id}" not in queues


def test_a_password_given_in_the_broker_url_never_reaches_run_json_or_the_output(
    rabbit: Rabbit, fleet: Fleet, workers: Workers, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub_a = worker_keys.pair("wa")
    inv = write_inventory(tmp_path, fleet, {"a": [str(pub_a)]}, {"a": A[:1]})
    workers.start("a", "wa")
    user, password = rabbit.coordinator_user()
    url = f"amqp://{user}:{password}@127.0.0.1:{rabbit.port}/"
    r = attt("scan", "-i", str(inv), "-p", str(tmp_path / "profile.yaml"), "--no-network",
             "--no-history", "-o", str(tmp_path / "run"), "--deadline", "60", "--broker", url,
             env={"ATTT_BROKER_URL": "", "ATTT_BROKER_PASSWORD": ""})
    assert r.returncode in (0, 1), r.stderr
    assert host_records(tmp_path / "run")[0]["worker"] == "wa"
    saved = json.loads((tmp_path / "run" / "run.json").read_text())["options"]["broker"]
    assert saved == f"amqp://{user}@127.0.0.1:{rabbit.port}/"
    for path in (tmp_path / "run").iterdir():
        assert password not in path.read_text(errors="replace"), path
    assert password not in r.stdout + r.stderr
