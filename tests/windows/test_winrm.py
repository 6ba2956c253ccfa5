"""The WinRM/PSRP transport against a loopback WS-Man STAND-IN (tests/windows/wsman_server.py).

Real here: HTTPS with a certificate made by the test and validated by the client, NTLM and
SPNEGO authentication checked by pyspnego on the server side (channel binding included),
pypsrp's WS-Man and PSRP client code end to end.  Not real: PowerShell — the stand-in answers
with a canned document instead of running the script.  Tests that use it say so in their names.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pypsrp")
pytest.importorskip("spnego")

from wsman_server import ServerCert, WSManStandIn, make_cert

from attt.errors import AuthError, ConnectError, TransportError
from attt.model import Host
from attt.render.document import all_findings
from attt.transport import TransportSettings
from attt.transport.winrm import WinRMTransport, winrm_options

USER = "LAB\\auditor"
PASSWORD = "S3cret-pass_x1"
PASSWORD_ENV = "ATTT_TEST_WINRM_PASSWORD"
SCRIPT = "# stand-in collector\r\n$ErrorActionPreference = 'Stop'\r\nWrite-Output '{}'\r\n"


def _document() -> str:
    body = json.dumps({"smb": {"status": "ok", "data": {"smb1_enabled": False}}})
    envelope = {
        "schema": "attt.windows-collector/1",
        "collector_version": "1",
        "host": {"name": "PC-KETOAN-01", "domain": "lab.example", "os_build": "10.0.19045",
                 "product_type": 1, "ui_language": "vi-VN"},
        "collected_at": "2026-11-30T09:15:02.1234567+07:00",
        "elevated": True,
        "body": body,
        "sha256": hashlib.sha256(body.encode()).hexdigest(),
    }
    # Strings with characters CLIXML must escape (_x, CR, <, &) travel unchanged.
    envelope["note"] = "Tiếng Việt _x000D_ <a&b>\r\n"
    return json.dumps(envelope, ensure_ascii=False, indent=2) + "\r\n"


DOCUMENT = _document()


@pytest.fixture
def cert(tmp_path: Path) -> ServerCert:
    return make_cert(tmp_path / "tls")


@pytest.fixture(autouse=True)
def ntlm_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "ntlm-users"
    users.write_text(f"LAB:auditor:{PASSWORD}\n")
    monkeypatch.setenv("NTLM_USER_FILE", str(users))
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    # With pyspnego[kerberos] installed, Negotiate first tries Kerberos: an empty realm-less
    # krb5.conf keeps these NTLM tests independent of the machine's /etc/krb5.conf.
    empty = tmp_path / "krb5-no-realm.conf"
    empty.write_text("")
    monkeypatch.setenv("KRB5_CONFIG", str(empty))
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{tmp_path / 'no-ticket'}")
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://192.0.2.1:9")  # never used: attt connects directly


def _host(port: int, cert: ServerCert | None, **options: object) -> Host:
    opts: dict[str, object] = {
        "password_env": PASSWORD_ENV,
        "auth": "ntlm",
        "connect_timeout": 2,
        "command_timeout": 4,
        "operation_timeout": 1,
    }
    if cert is not None:
        opts["ca_file"] = str(cert.cert_file)
    opts.update(options)
    return Host(name="pc-ketoan-01", system="s", transport="winrm", address="127.0.0.1",
                port=port, user=USER, roles=("workstation",), options=opts)  # type: ignore[arg-type]


@pytest.fixture
def server(cert: ServerCert, request: pytest.FixtureRequest) -> Iterator[WSManStandIn]:
    behaviour = getattr(request, "param", "ok")
    with WSManStandIn(cert, DOCUMENT, behaviour=behaviour) as srv:
        yield srv


def _run(host: Host, script: str = SCRIPT) -> str:
    transport = WinRMTransport(host, TransportSettings())
    try:
        return transport.run_collector(script)
    finally:
        transport.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- success ---------------------------------------------------------------------------------------


def test_ntlm_returns_the_document_stand_in_wsman_server(
    server: WSManStandIn, cert: ServerCert
) -> None:
    text = _run(_host(server.port, cert))
    assert text == DOCUMENT
    assert server.record.scripts == [SCRIPT]
    assert server.record.authenticated_users == [USER]
    assert server.record.actions[:4] == ["Create", "Receive", "Command", "Receive"]
    assert server.record.actions[-1] == "Delete"  # the runspace pool was closed


def test_negotiate_returns_the_document_stand_in_wsman_server(
    server: WSManStandIn, cert: ServerCert
) -> None:
    assert _run(_host(server.port, cert, auth="negotiate")) == DOCUMENT
    assert server.record.authenticated_users == [USER]
    assert server.record.negotiated_protocols == ["ntlm"]  # no Kerberos realm here


@pytest.mark.parametrize("auth", ["ntlm", "negotiate"])
def test_http_5985_encrypts_every_message_stand_in_wsman_server(
    cert: ServerCert, auth: str
) -> None:
    # ssl: false: WinRM's HTTP listener, every envelope sealed with the NTLM session keys.
    with WSManStandIn(cert, DOCUMENT, tls=False) as srv:
        assert _run(_host(srv.port, None, ssl=False, auth=auth)) == DOCUMENT
    assert srv.record.scripts == [SCRIPT]
    assert srv.record.clear_text_refused == 0
    assert srv.record.encrypted_messages == len(srv.record.actions) >= 5


def test_cert_validation_false_warns_and_connects_stand_in_wsman_server(
    server: WSManStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="attt.transport.winrm"):
        assert _run(_host(server.port, None, cert_validation=False)) == DOCUMENT
    assert any("certificate" in r.getMessage() and "NOT" in r.getMessage()
               for r in caplog.records)


@pytest.fixture
def contract_server(cert: ServerCert, request: pytest.FixtureRequest) -> Iterator[WSManStandIn]:
    import docbuilder  # tests/windows/docbuilder.py: documents that keep the contract

    doc = docbuilder.document("PC-KETOAN-01")
    if getattr(request, "param", "") == "damaged":
        doc["sha256"] = "0" * 64
    with WSManStandIn(cert, docbuilder.dumps(doc)) as srv:
        yield srv


def test_collect_runs_the_shipped_collector_and_fills_sections_stand_in_wsman_server(
    contract_server: WSManStandIn, cert: ServerCert
) -> None:
    import attt.probes  # noqa: F401 - registers the win_* probes
    from attt.registry import PROBES
    from attt.windows import collector_bytes

    probes = [PROBES["win_host"], PROBES["win_smb"], PROBES["win_bitlocker"]]
    transport = WinRMTransport(_host(contract_server.port, cert), TransportSettings())
    collected = transport.collect(probes)
    assert contract_server.record.scripts == [collector_bytes().decode("utf-8-sig")]
    assert collected.complete
    assert collected.sections["win_smb"].state == "ok"
    assert json.loads(collected.sections["win_smb"].text) == {"smb1_enabled": False}
    assert json.loads(collected.sections["win_host"].text)["name"] == "PC-KETOAN-01"
    assert collected.sections["win_bitlocker"].state == "unavailable"  # not in this document


@pytest.mark.parametrize("contract_server", ["damaged"], indirect=True)
def test_collect_refuses_a_damaged_document_stand_in_wsman_server(
    contract_server: WSManStandIn, cert: ServerCert
) -> None:
    import attt.probes  # noqa: F401
    from attt.registry import PROBES

    transport = WinRMTransport(_host(contract_server.port, cert), TransportSettings())
    with pytest.raises(TransportError) as info:
        transport.collect([PROBES["win_smb"]])
    assert "SHA-256" in str(info.value) or "sha256" in str(info.value)
    assert "winrm:LAB\\auditor@127.0.0.1" in str(info.value)


# -- refusals and errors ---------------------------------------------------------------------------


def test_wrong_password_is_an_auth_error_stand_in_wsman_server(
    server: WSManStandIn, cert: ServerCert, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    with pytest.raises(AuthError) as info:
        _run(_host(server.port, cert))
    assert "LAB\\auditor@127.0.0.1:" in str(info.value)
    assert "xác thực (ntlm) bị từ chối" in info.value.render("vi")
    assert server.record.auth_failures >= 1
    assert "not-the-password" not in str(info.value) + info.value.render("vi")
    assert server.record.authenticated_users == []
    assert server.record.scripts == []


def test_untrusted_certificate_is_refused_stand_in_wsman_server(server: WSManStandIn) -> None:
    # No ca_file and validation on (the default): the self-signed certificate is not trusted.
    with pytest.raises(ConnectError) as info:
        _run(_host(server.port, None))
    assert "certificate" in str(info.value)
    assert server.record.authenticated_users == []


@pytest.mark.parametrize("server", ["fail"], indirect=True)
def test_failed_pipeline_is_a_transport_error_stand_in_wsman_server(
    server: WSManStandIn, cert: ServerCert
) -> None:
    with pytest.raises(TransportError) as info:
        _run(_host(server.port, cert))
    assert not isinstance(info.value, ConnectError | AuthError)
    assert "Access is denied" in str(info.value)


def test_missing_password_env_is_an_auth_error_without_contact(
    server: WSManStandIn, cert: ServerCert, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(AuthError) as info:
        _run(_host(server.port, cert))
    assert PASSWORD_ENV in str(info.value)
    assert server.record.connections == 0


def test_refused_port_is_a_connect_error() -> None:
    port = _free_port()  # closed again: nothing listens there
    start = time.monotonic()
    with pytest.raises(ConnectError) as info:
        _run(_host(port, None))
    assert time.monotonic() - start < 5
    assert f"127.0.0.1:{port}" in str(info.value)


# -- timeouts --------------------------------------------------------------------------------------


@pytest.mark.timeout(30)
@pytest.mark.parametrize("server", ["hang"], indirect=True)
def test_server_that_never_answers_times_out_stand_in_wsman_server(
    server: WSManStandIn, cert: ServerCert
) -> None:
    start = time.monotonic()
    with pytest.raises(TransportError) as info:
        _run(_host(server.port, cert))
    elapsed = time.monotonic() - start
    assert not isinstance(info.value, AuthError)
    assert "did not answer" in str(info.value)
    assert "không trả lời trong 3 giây" in info.value.render("vi")
    assert elapsed < 8  # operation_timeout 1 s + the 2 s HTTP margin, well under HANG_MAX_S


@pytest.mark.timeout(30)
@pytest.mark.parametrize("server", ["busy"], indirect=True)
def test_script_that_never_finishes_hits_command_timeout_stand_in_wsman_server(
    server: WSManStandIn, cert: ServerCert
) -> None:
    start = time.monotonic()
    with pytest.raises(TransportError) as info:
        _run(_host(server.port, cert, command_timeout=1.5))
    elapsed = time.monotonic() - start
    assert "1.5" in str(info.value)
    assert 1.5 <= elapsed < 6
    assert server.record.actions.count("Receive") >= 3  # it polled, the host said "still running"
    assert "Signal" in server.record.actions  # and the pipeline was stopped


def test_without_the_extra_is_a_transport_error(
    cert: ServerCert, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pypsrp.powershell", None)  # as if not installed
    with pytest.raises(TransportError) as info:
        _run(_host(_free_port(), cert))
    assert "pip install pypsrp pyspnego" in str(info.value)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("server", ["never_opens"], indirect=True)
def test_pool_that_never_opens_hits_command_timeout_stand_in_wsman_server(
    server: WSManStandIn, cert: ServerCert
) -> None:
    start = time.monotonic()
    with pytest.raises(TransportError) as info:
        _run(_host(server.port, cert, command_timeout=1.5))
    assert "command_timeout" in str(info.value)
    assert time.monotonic() - start < 6
    assert "Command" not in server.record.actions  # the script was never sent


# -- options ---------------------------------------------------------------------------------------


def test_options_defaults_are_https_negotiate_and_validation() -> None:
    host = Host(name="h", system="s", transport="winrm", address="192.0.2.10", port=5986,
                user="LAB\\auditor", options={"password_env": PASSWORD_ENV})
    opts = winrm_options(host, TransportSettings())
    assert (opts.auth, opts.ssl, opts.cert_validation, opts.port) == (
        "negotiate", True, True, 5986)


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"auth": "basic"}, "auth"),
        ({"auth": "credssp"}, "auth"),
        ({"cert_validation": "no"}, "cert_validation"),
        ({"ssl": "yes"}, "ssl"),
        ({"operation_timeout": 0}, "operation_timeout"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], needle: str) -> None:
    host = Host(name="h", system="s", transport="winrm", address="192.0.2.10", port=5986,
                user="LAB\\auditor", options=options)  # type: ignore[arg-type]
    with pytest.raises(ConnectError) as info:
        winrm_options(host, TransportSettings())
    assert needle in str(info.value)


# -- inventory (transport: winrm) --------------------------------------------------------------


def _inventory(tmp: Path, host: str) -> str:
    path = tmp / "inventory.yaml"
    path.write_text(
        "systems:\n"
        "  - name: van-phong\n"
        "    owner: \"Sở Ví Dụ\"\n"
        "    operating_unit: \"Văn phòng\"\n"
        "    regime: nd85-tt12\n"
        "    level: 2\n"
        "    hosts:\n"
        f"      - {host}\n"
    )
    return str(path)


def test_inventory_winrm_host_defaults_to_https_5986(tmp_path: Path) -> None:
    from attt.inventory_loader import load_inventory

    inv = load_inventory(_inventory(tmp_path, (
        "{name: pc-ketoan-01, transport: winrm, address: 192.0.2.21, user: 'LAB\\auditor', "
        "roles: [workstation], options: {password_env: ATTT_WINRM_PW, auth: ntlm, "
        "ca_file: ca/lab-ca.pem, operation_timeout: 30}}")))
    host = inv.systems[0].hosts[0]
    assert (host.transport, host.port, host.user) == ("winrm", 5986, "LAB\\auditor")
    assert host.options["ca_file"] == str(tmp_path / "ca" / "lab-ca.pem")
    opts = winrm_options(host, TransportSettings())
    assert (opts.auth, opts.ssl, opts.cert_validation, opts.operation_timeout) == (
        "ntlm", True, True, 30)


def test_inventory_winrm_over_http_defaults_to_5985(tmp_path: Path) -> None:
    from attt.inventory_loader import load_inventory

    inv = load_inventory(_inventory(tmp_path, (
        "{name: srv-01, transport: winrm, address: 192.0.2.22, options: {ssl: false}}")))
    assert inv.systems[0].hosts[0].port == 5985


@pytest.mark.parametrize(
    ("host", "needle"),
    [
        ("{name: a, transport: winrm, address: 192.0.2.23, options: {auth: basic}}", "auth"),
        ("{name: a, transport: winrm, address: 192.0.2.23, options: {cert_validation: 'no'}}",
         "cert_validation"),
        ("{name: a, transport: winrm, options: {auth: ntlm}}", "address"),
        ("{name: a, transport: winrm, address: 192.0.2.23, options: {operation_timeout: -1}}",
         "operation_timeout"),
    ],
)
def test_inventory_winrm_host_errors_name_the_key(tmp_path: Path, host: str, needle: str) -> None:
    from attt.errors import InputError
    from attt.inventory_loader import load_inventory

    with pytest.raises(InputError) as info:
        load_inventory(_inventory(tmp_path, host))
    assert needle in str(info.value)


def test_winrm_is_a_registered_transport() -> None:
    from attt.transport import TRANSPORTS

    assert TRANSPORTS["winrm"] is WinRMTransport


# -- a whole scan --------------------------------------------------------------------------------


def _scan_winrm(tmp: Path, port: int, cert: ServerCert) -> dict[str, Any]:
    from click.testing import CliRunner

    from attt.cli import main

    inv = _inventory(tmp, (
        f"{{name: pc-ketoan-01, transport: winrm, address: 127.0.0.1, port: {port}, "
        "user: 'LAB\\auditor', roles: [workstation], options: {password_env: "
        f"{PASSWORD_ENV}, auth: ntlm, ca_file: '{cert.cert_file}', command_timeout: 20, "
        "operation_timeout: 2}}"))
    out = tmp / "out"
    result = CliRunner().invoke(main, ["scan", "-i", inv, "--no-network", "-o", str(out), "-q",
                                       "-f", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1, 3), result.output
    doc: dict[str, Any] = json.loads((out / "results.json").read_text())
    return doc


def _findings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(all_findings(doc))


def test_scan_grades_a_winrm_workstation_stand_in_wsman_server(
    contract_server: WSManStandIn, cert: ServerCert, tmp_path: Path
) -> None:
    findings = _findings(_scan_winrm(tmp_path, contract_server.port, cert))
    win = [f for f in findings if f["check"].startswith("win.")]
    assert win, "no win.* finding for a Windows workstation"
    assert {f["host"] for f in win} == {"pc-ketoan-01"}
    assert any(f["status"] == "pass" for f in win)  # sections of the document were graded
    assert contract_server.record.authenticated_users == [USER]


def test_scan_wrong_password_makes_the_host_an_error_stand_in_wsman_server(
    contract_server: WSManStandIn, cert: ServerCert, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    findings = [f for f in _findings(_scan_winrm(tmp_path, contract_server.port, cert))
                if f["host"] == "pc-ketoan-01"]
    assert findings
    assert {f["status"] for f in findings} == {"error"}
    assert all("authentication (ntlm) was refused" in f["message"] for f in findings)


def test_dry_run_names_the_winrm_port(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from attt.cli import main

    inv = _inventory(tmp_path, "{name: pc-01, transport: winrm, address: 192.0.2.21, "
                               "roles: [workstation]}")
    result = CliRunner(env={"ATTT_LANG": "en"}).invoke(
        main, ["scan", "-i", inv, "--dry-run", "--no-network"], catch_exceptions=False)
    assert "via winrm port 5986" in result.output, result.output
