"""The distributed path's security on a real broker: forged results, pickle, cross-zone
permissions, TLS with certificate validation, the deadline."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from attt.distributed.wire import PROTOCOL, sign_result

from .conftest import Fleet, WorkerKeys, Workers, admin_env, attt, write_inventory
from .rabbit import Rabbit, make_ca
from .test_routing import host_records, lines


def kombu_connection(url: str, password: str, **kw: Any) -> Any:
    import kombu

    from attt.distributed.app import Broker

    return kombu.Connection(Broker(url, password).full_url(), connect_timeout=10, **kw)


def start_scan(inv: Path, tmp: Path, env: dict[str, str], *extra: str,
               ) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "attt", "scan", "-i", str(inv), "-p", str(tmp / "profile.yaml"),
         "--no-network", "--no-history", "-q", "-o", str(tmp / "run"), *extra],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "ATTT_LANG": "en", **env}, start_new_session=True)


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {timeout} s")
        time.sleep(0.1)


def run_id(tmp: Path) -> str:
    wait_for(lambda: (tmp / "run" / "run.json").exists(), 60, "run.json")
    return str(json.loads((tmp / "run" / "run.json").read_text())["id"])


def test_forged_unsigned_and_wrongly_signed_results_are_refused_and_recorded_and_the_host_is_not_assessed(  # noqa: E501
    rabbit: Rabbit, fleet: Fleet, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub_a = worker_keys.pair("wa")
    _, pub_b = worker_keys.pair("wb")
    # Zone a's listed worker never runs: only forgeries come back.
    inv = write_inventory(tmp_path, fleet, {"a": [str(pub_a)], "b": [str(pub_b)]},
                          {"a": ["127.0.1.1"]})
    proc = start_scan(inv, tmp_path, admin_env(rabbit), "--deadline", "8", "--lang", "vi")
    try:
        rid = run_id(tmp_path)
        key = "lab/a-127-0-1-1"
        record = {"type": "host", "key": key, "system": "lab", "name": "a-127-0-1-1",
                  "state": "ok", "message": "", "counts": {"pass": 2}}
        findings = [{"type": "finding", "system": "lab", "host": "a-127-0-1-1",
                     "requirement": r, "check": c, "params": p, "status": "pass",
                     "message": "forged", "evidence": {}}
                    for r, c, p in (("T.SSH.1", "ssh.root_login_disabled",
                                     {"allow_prohibit_password": False}),
                                    ("T.SSH.2", "ssh.password_auth_disabled", {}))]
        payload = {"v": PROTOCOL, "run_id": rid, "key": key, "findings": findings,
                   "record": record}
        stranger = Ed25519PrivateKey.generate()
        wb_key = worker_keys.folder / "wb.key"
        from attt.signing import load_private_key

        forged = [
            {"worker": "wa", "payload": payload},  # unsigned
            sign_result(payload, "wa", stranger),  # a key not listed for zone a
            sign_result(payload, "wb", load_private_key(str(wb_key), None)),  # zone b's
            {**sign_result(payload, "wa", stranger), "signature": "AAAA"},  # garbage
        ]
        with kombu_connection(rabbit.url(), rabbit.admin_password) as conn:
            producer = conn.Producer(serializer="json")
            for message in forged:
                producer.publish(message, exchange="", routing_key=f"results.{rid}")
            producer.publish(pickle.dumps(payload), exchange="",
                             routing_key=f"results.{rid}",
                             content_type="application/x-python-serialize",
                             content_encoding="binary")
        _out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 3, err
    refused = [json.loads(x) for x in
               (tmp_path / "run" / "refused-results.jsonl").read_text().splitlines()]
    reasons = sorted(r["reason"] for r in refused)
    assert len(refused) == 5, refused
    assert reasons.count("unsigned") == 1
    assert reasons.count("bad signature") == 2
    assert reasons.count("worker not listed for this unit's zone") == 1
    assert any(r.startswith("not JSON (application/x-python-serialize)") for r in reasons)
    # Nothing forged reached the findings: the host is "not assessed", never a pass.
    (rec,) = host_records(tmp_path / "run")
    assert rec["state"] == "error" and "worker" not in rec
    assert "chưa đánh giá" in rec["message_vi"]
    assert "not assessed" in rec["message"]
    statuses = {x["status"] for x in lines(tmp_path / "run") if x["type"] == "finding"}
    assert statuses == {"error"}
    # The report itself tells the officer, in both languages, that results were refused.
    doc = json.loads((tmp_path / "run" / "results.json").read_text())
    assert any(n.startswith("5 result(s) from zone workers were refused") and
               "refused-results.jsonl" in n for n in doc["notes"]), doc["notes"]
    assert any(n.startswith("Đã từ chối 5 kết quả") and "refused-results.jsonl" in n
               for n in doc["notes_vi"]), doc["notes_vi"]


class Boom:
    """Unpickling this creates a file: proof that a pickle was (or was not) loaded."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


def test_a_worker_refuses_a_pickle_task_and_keeps_serving(
    rabbit: Rabbit, fleet: Fleet, workers: Workers, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub_a = worker_keys.pair("wa")
    inv = write_inventory(tmp_path, fleet, {"a": [str(pub_a)]}, {"a": ["127.0.1.1"]})
    wa = workers.start("a", "wa", pool="prefork", concurrency=1)
    marker = tmp_path / "unpickled"
    body = pickle.dumps(((Boom(str(marker)),), {}, {}))
    with kombu_connection(rabbit.url(), rabbit.admin_password) as conn:
        conn.Producer().publish(
            body, exchange="zone.a", routing_key="zone.a",
            content_type="application/x-python-serialize", content_encoding="binary",
            headers={"lang": "py", "task": "attt.unit", "id": "pickle-1",
                     "argsrepr": "", "kwargsrepr": ""})
    log = wa.wait_log("Refusing to deserialize untrusted content of type pickle", timeout=30)
    assert "The message has been ignored and discarded" in log
    assert not marker.exists()
    # Still serving: a real run goes through.
    r = attt("scan", "-i", str(inv), "-p", str(tmp_path / "profile.yaml"), "--no-network",
             "--no-history", "-q", "-o", str(tmp_path / "run"), "--deadline", "60",
             env=admin_env(rabbit))
    assert r.returncode in (0, 1), r.stderr
    assert host_records(tmp_path / "run")[0]["worker"] == "wa"
    assert not marker.exists()


def test_zone_a_broker_user_cannot_consume_zone_b_queue(rabbit: Rabbit, workers: Workers,
                                                        ) -> None:
    import amqp.exceptions
    import kombu

    workers.user("b")
    with kombu_connection(rabbit.url(), rabbit.admin_password) as admin:
        kombu.Queue("zone.b", kombu.Exchange("zone.b"), "zone.b", durable=True)(
            admin.default_channel).declare()
    user, password = workers.user("a")
    with kombu_connection(rabbit.url(user), password) as conn:
        channel = conn.channel()
        with pytest.raises(amqp.exceptions.AccessRefused) as info:
            channel.basic_consume("zone.b", callback=lambda m: None)
        assert info.value.code == 403
        assert "ACCESS_REFUSED" in str(info.value)
    with kombu_connection(rabbit.url(user), password) as conn:
        # Its own queue it may read.
        conn.channel().basic_consume("zone.a", callback=lambda m: None)


def test_tls_with_certificate_validation(
    rabbit: Rabbit, fleet: Fleet, workers: Workers, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    _, pub_a = worker_keys.pair("wa")
    inv = write_inventory(tmp_path, fleet, {"a": [str(pub_a)]}, {"a": ["127.0.1.2"]})
    user, _ = workers.user("a")
    wa = workers.start("a", "wa", url=rabbit.url(user, tls=True),
                       extra=("--broker-ca", str(rabbit.ca_file)))
    env = {**admin_env(rabbit, tls=True)}
    common = ["-i", str(inv), "-p", str(tmp_path / "profile.yaml"), "--no-network",
              "--no-history", "-q", "--deadline", "60"]
    r = attt("scan", *common, "-o", str(tmp_path / "run"), "--broker-ca", str(rabbit.ca_file),
             env=env)
    assert r.returncode in (0, 1), r.stderr
    assert host_records(tmp_path / "run")[0]["worker"] == "wa"
    assert "unit started: lab/a-127-0-1-2" in wa.log_text()
    # Another CA, or none (the system store): the broker's certificate is refused, exit 3.
    other, _, _ = make_ca(tmp_path, "some other CA")
    for extra in (["--broker-ca", str(other)], []):
        bad = attt("scan", *common, "-o", str(tmp_path / "bad"), *extra, env=env)
        assert bad.returncode == 3, bad.stderr
        assert "CERTIFICATE_VERIFY_FAILED" in bad.stderr or "certificate verify failed" in \
            bad.stderr, bad.stderr
        assert "Traceback" not in bad.stderr
        assert not (tmp_path / "bad").exists()
    # A worker that cannot validate the broker does not start.
    refused = workers.start("a", "wa", url=rabbit.url(user, tls=True),
                            extra=("--broker-ca", str(other)), wait=False)
    assert refused.proc.wait(timeout=60) == 3
    assert "Traceback" not in refused.log_text()
