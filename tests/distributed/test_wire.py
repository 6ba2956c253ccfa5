"""The wire format and the inventory's zone workers, without a broker."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from attt.distributed.app import base_config, broker_from, split_password
from attt.distributed.wire import (
    Refused,
    host_from_json,
    host_to_json,
    open_result,
    profile_from_bindings,
    sign_result,
    system_from_json,
    system_to_json,
)
from attt.errors import InputError
from attt.inventory_loader import load_inventory
from attt.signing import generate_keys

PAYLOAD = {"v": 1, "run_id": "r1", "key": "lab/h1", "findings": [], "record": {}}


def test_a_signed_result_opens_only_with_the_zone_key_and_untouched() -> None:
    key = Ed25519PrivateKey.generate()
    message = sign_result(PAYLOAD, "w1", key)
    keys = {"lab/h1": {"w1": key.public_key()}}
    assert open_result(message, keys) == ("w1", PAYLOAD)
    tampered = {**message, "payload": {**PAYLOAD, "run_id": "r2"}}
    with pytest.raises(Refused, match="bad signature"):
        open_result(tampered, keys)
    renamed = {**message, "worker": "w2"}
    with pytest.raises(Refused, match="not listed"):
        open_result(renamed, keys)
    with pytest.raises(Refused, match="bad signature"):
        open_result({**message, "worker": "w1"}, {"lab/h1": {"w1": Ed25519PrivateKey
                                                             .generate().public_key()}})
    with pytest.raises(Refused, match="unsigned"):
        open_result({"worker": "w1", "payload": PAYLOAD}, keys)
    with pytest.raises(Refused, match="not in this run"):
        open_result(sign_result({**PAYLOAD, "key": "lab/h9"}, "w1", key), keys)


def inventory(tmp: Path, workers: str) -> Path:
    path = tmp / "inventory.yaml"
    path.write_text(f"""systems:
  - name: lab
    level: 2
    zones:
      - name: a
        role: internal_server
        networks: ["192.0.2.0/24"]
{workers}
    vantage_points: [{{zone: a}}]
    hosts:
      - {{name: h1, address: 192.0.2.10, zone: a, options: {{password_env: H1_PASSWORD}}}}
""")
    return path


def test_zone_workers_are_read_and_checked(tmp_path: Path) -> None:
    pair = generate_keys(str(tmp_path), None, name="w1")
    inv = load_inventory(str(inventory(tmp_path, """        workers:
          - {id: w1, public_key: w1.pub}""")))
    (w,) = inv.systems[0].zones[0].workers
    assert (w.id, w.public_key) == ("w1", pair.public_path)
    for workers, key, words in (
        ("        workers: [{id: w1, public_key: nope.pub}]", "zones[0].workers[0].public_key",
         "no such file"),
        ("        workers: [{id: w1, public_key: inventory.yaml}]",
         "zones[0].workers[0].public_key", "not an Ed25519 public key"),
        ("        workers: [{id: 'a b', public_key: w1.pub}]", "workers[0].id", "expected"),
        ("        workers: [{id: w1, public_key: w1.pub}, {id: w1, public_key: w1.pub}]",
         "workers[1].id", "duplicate worker"),
        ("        workers: [{id: w1, public_key: w1.pub, secret: x}]", "workers[0]", "secret"),
    ):
        with pytest.raises(InputError) as info:
            load_inventory(str(inventory(tmp_path, workers)))
        assert key in info.value.key and words in str(info.value), str(info.value)


def test_units_travel_as_data_without_secrets(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    generate_keys(str(tmp_path), None, name="w1")
    monkeypatch.setenv("H1_PASSWORD", "s3cret-never-sent")
    inv = load_inventory(str(inventory(tmp_path, "        workers: [{id: w1, public_key: "
                                                 "w1.pub}]")))
    system = inv.systems[0]
    host = system.hosts[0]
    data = host_to_json(host)
    assert data["options"] == {"password_env": "H1_PASSWORD"}
    assert host_from_json(data) == host
    wire = system_to_json(system)
    assert "s3cret-never-sent" not in repr(wire)
    back = system_from_json(wire)
    assert back.zones == system.zones and back.vantage_points == system.vantage_points
    assert back.hosts == system.hosts and back.particulars is None


def test_the_worker_profile_binds_exactly_the_coordinator_bindings() -> None:
    from attt.library import load_all
    from attt.runner import bind

    load_all()
    rows = [["R.1", "ssh.root_login_disabled", {"allow_prohibit_password": False}],
            ["R.2", "ssh.password_auth_disabled", {}],
            ["R.1", "ssh.password_auth_disabled", {}]]
    got = [[b.requirement.id, b.ref.check_id, dict(b.ref.params)]
           for b in bind(profile_from_bindings(rows), "host", ("server",))]
    assert sorted(map(repr, got)) == sorted(map(repr, rows))
    with pytest.raises(ValueError):
        profile_from_bindings([["R.1", "x"]])


def test_broker_settings_json_only_late_acks_no_remote_control_and_no_password_in_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PW_ENV", "p@ss/word")
    broker = broker_from("amqps://zone-a@broker.example:5671/attt", "PW_ENV")
    assert broker.url == "amqps://zone-a@broker.example:5671/attt"
    assert broker.full_url() == "amqps://zone-a:p%40ss%2Fword@broker.example:5671/attt"
    conf = base_config(broker, "a")
    assert conf["accept_content"] == ["json"] and conf["task_serializer"] == "json"
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1
    assert conf["worker_enable_remote_control"] is False
    assert conf["task_default_queue"] == conf["task_default_exchange"] == "zone.a"
    assert conf["broker_use_ssl"]["server_hostname"] == "broker.example"
    assert split_password("amqp://u:pw@[2001:db8::1]:5672/") == ("amqp://u@[2001:db8::1]:5672/",
                                                                 "pw")
    with pytest.raises(InputError):
        broker_from("redis://198.51.100.1/", "PW_ENV")


def test_the_sink_keeps_the_first_valid_result_and_refuses_malformed_ones(
    tmp_path: Path,
) -> None:
    from attt.distributed.coordinator import REFUSED_FILE, Collector, Unit
    from attt.distributed.wire import bindings_to_json, settings_to_json
    from attt.distributed.worker import WorkerIdentity, run_unit
    from attt.library import load_all
    from attt.model import Host
    from attt.runner import FindingsLog, bind
    from attt.transport import TransportSettings

    load_all()
    rows = [["R.1", "ssh.root_login_disabled", {"allow_prohibit_password": False}]]
    host = Host(name="h1", system="lab", transport="dir", address=str(tmp_path), zone="a")
    bindings = bind(profile_from_bindings(rows), "host", host.roles)
    body = {"v": 1, "run_id": "r1", "kind": "host", "key": host.key, "zone": "a",
            "host": host_to_json(host), "bindings": bindings_to_json(bindings),
            "settings": settings_to_json(TransportSettings()), "deadline": 4e9}
    key = Ed25519PrivateKey.generate()
    message = run_unit(body, WorkerIdentity("a", "w1", key))
    assert message is not None
    store = FindingsLog(str(tmp_path))
    done: list[str] = []
    sink = Collector("r1", [Unit(host.key, "a", host, bindings, body,
                                 {"w1": key.public_key()})], store,
                     lambda o: done.append(o.host.key))
    bad = dict(message["payload"])
    bad["record"] = {**bad["record"], "channels": "many"}
    assert sink.accept(sign_result(bad, "w1", key)) is None
    assert sink.accept(message) is not None
    assert sink.accept(message) is None  # at-least-once delivery: the copy is dropped
    assert (done, sink.duplicates, sink.refused) == ([host.key], 1, 1)
    records = store.read()
    assert list(records) == [host.key] and records[host.key]["worker"] == "w1"
    assert len(list(store.findings())) == 1
    refused = (tmp_path / REFUSED_FILE).read_text()
    assert "record.channels" in refused and '"worker": "w1"' in refused


def test_broker_with_an_ad_hoc_target_is_an_input_error(tmp_path: Path) -> None:
    from .conftest import attt

    r = attt("scan", "-t", "local", "--broker", "amqp://attt@127.0.0.1:9/", "--no-history",
             "-o", str(tmp_path / "run"))
    assert r.returncode == 2, r.stderr
    assert "--broker" in r.stderr and "not --target" in r.stderr
    assert not (tmp_path / "run").exists()
