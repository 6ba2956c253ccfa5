"""Mutual TLS to the broker: a RabbitMQ whose TLS listener requires a client certificate
signed by its CA (``ssl_options.fail_if_no_peer_cert = true``), as the README shows for a
deployment that wants it.  The worker and the coordinator present theirs with
``--broker-cert`` / ``--broker-key``; without one, or with one from another CA, the broker
ends the handshake and attt exits 3 before any run folder is made."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Fleet, WorkerKeys, Workers, _require, admin_env, attt, write_inventory
from .rabbit import Rabbit, make_ca, make_client_cert, rabbit_available, start_rabbit
from .test_routing import host_records


@pytest.fixture(scope="module")
def mtls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rabbit]:
    _require(rabbit_available(), "rabbitmq-server")
    broker = start_rabbit(tmp_path_factory.mktemp("rabbit-mtls"), client_certs=True)
    try:
        yield broker
    finally:
        broker.stop()


def test_client_certificates_required_by_the_broker(
    mtls: Rabbit, fleet: Fleet, worker_keys: WorkerKeys, tmp_path: Path,
) -> None:
    assert mtls.ca_key is not None and mtls.ca_cert is not None
    worker_cert, worker_key = make_client_cert(tmp_path / "certs", mtls.ca_key, mtls.ca_cert,
                                               "zone-a-worker")
    coord_cert, coord_key = make_client_cert(tmp_path / "certs", mtls.ca_key, mtls.ca_cert,
                                             "coordinator")
    _, other_key, other_cert = make_ca(tmp_path, "some other CA")
    stray_cert, stray_key = make_client_cert(tmp_path / "other-ca", other_key, other_cert,
                                             "coordinator")
    workers = Workers(mtls, worker_keys, tmp_path)
    try:
        _, pub_a = worker_keys.pair("wa")
        inv = write_inventory(tmp_path, fleet, {"a": [str(pub_a)]}, {"a": ["127.0.1.2"]})
        user, _ = workers.user("a")
        ca = ("--broker-ca", str(mtls.ca_file))
        wa = workers.start("a", "wa", url=mtls.url(user, tls=True), extra=(
            *ca, "--broker-cert", str(worker_cert), "--broker-key", str(worker_key)))
        env = admin_env(mtls, tls=True)
        common = ["-i", str(inv), "-p", str(tmp_path / "profile.yaml"), "--no-network",
                  "--no-history", "-q", "--deadline", "60", *ca]
        ok = attt("scan", *common, "-o", str(tmp_path / "run"), "--broker-cert",
                  str(coord_cert), "--broker-key", str(coord_key), env=env)
        assert ok.returncode in (0, 1), ok.stderr
        assert host_records(tmp_path / "run")[0]["worker"] == "wa"
        assert "unit started: lab/a-127-0-1-2" in wa.log_text()
        # No client certificate, or one from another CA: the broker ends the handshake.
        for name, reason, extra in (
                ("none", "CERTIFICATE_REQUIRED", []),
                ("stray", "UNKNOWN_CA", ["--broker-cert", str(stray_cert),
                                         "--broker-key", str(stray_key)])):
            bad = attt("scan", *common, "-o", str(tmp_path / name), *extra, env=env)
            assert bad.returncode == 3, (name, bad.stderr)
            assert reason in bad.stderr, bad.stderr  # the broker's own TLS alert
            assert "Traceback" not in bad.stderr
            assert "broker" in bad.stderr.lower(), bad.stderr
            assert not (tmp_path / name).exists()
        # A worker without its certificate does not start either.
        refused = workers.start("a", "wa", url=mtls.url(user, tls=True), extra=ca, wait=False)
        assert refused.proc.wait(timeout=60) == 3
        assert "Traceback" not in refused.log_text()
    finally:
        workers.stop_all()
