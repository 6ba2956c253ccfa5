"""The WinRM transport with Kerberos, against a throwaway MIT KDC and the WS-Man STAND-IN.

Real here: an MIT KDC (``krb5kdc``) on 127.0.0.1 with its own realm ATTT.TEST, database and
keytab (tests/windows/kdc.py); tickets obtained by pyspnego/python-gssapi from a password or
by ``kinit`` into a credential cache; the stand-in server (tests/windows/wsman_server.py)
accepting the SPNEGO/Kerberos token with python-gssapi and the keytab, channel binding over
HTTPS, Kerberos message encryption over HTTP.  Not real: PowerShell (the stand-in answers
with a canned document) and Active Directory (an MIT realm stands in for the domain).

The client is given the name ``localhost`` (it resolves to 127.0.0.1 without touching
/etc/hosts): pypsrp connects to that address and asks the KDC for ``host/localhost``, the
SPN the fixture registers; no DNS or reverse lookup is made (the realm's krb5.conf says so).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pypsrp")
pytest.importorskip("spnego")
pytest.importorskip("gssapi", reason="pyspnego[kerberos] (python-gssapi, krb5) not installed")
pytest.importorskip("krb5", reason="pyspnego[kerberos] (python-gssapi, krb5) not installed")

from kdc import KDC, missing_tools
from test_winrm import DOCUMENT, SCRIPT, _inventory
from wsman_server import ServerCert, WSManStandIn, make_cert

from attt.errors import AuthError
from attt.model import Host
from attt.render.document import all_findings
from attt.transport import TransportSettings
from attt.transport.winrm import WinRMTransport

if missing_tools():
    pytest.skip(f"MIT Kerberos tools missing: {missing_tools()} (apt-get install krb5-kdc "
                "krb5-admin-server krb5-user)", allow_module_level=True)

KRB_USER = "auditor"
KRB_PRINCIPAL = "auditor@ATTT.TEST"
KRB_PASSWORD = "Kerb-S3cret_x1"
PASSWORD_ENV = "ATTT_TEST_WINRM_KRB_PASSWORD"
NTLM_USER = "LAB\\auditor"
NTLM_PASSWORD = "S3cret-pass_x1"
NTLM_PASSWORD_ENV = "ATTT_TEST_WINRM_PASSWORD"
SERVICE_HOST = "localhost"  # the inventory address: pypsrp connects to it, the SPN names it


@pytest.fixture(scope="module")
def kdc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KDC]:
    with KDC(tmp_path_factory.mktemp("kdc"), service_host=SERVICE_HOST,
             users={KRB_USER: KRB_PASSWORD}) as server:
        yield server


@pytest.fixture(autouse=True)
def realm_env(kdc: KDC, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The client (pypsrp -> pyspnego -> GSSAPI) and the acceptor (the stand-in) share this
    # process, so both read the test realm's krb5.conf and the keytab from here.
    for name, value in kdc.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{tmp_path / 'no-ticket'}")  # no ticket unless kinit
    monkeypatch.setenv(PASSWORD_ENV, KRB_PASSWORD)
    users = tmp_path / "ntlm-users"
    users.write_text(f"LAB:auditor:{NTLM_PASSWORD}\nATTT.TEST:auditor:{KRB_PASSWORD}\n")
    monkeypatch.setenv("NTLM_USER_FILE", str(users))
    monkeypatch.setenv(NTLM_PASSWORD_ENV, NTLM_PASSWORD)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://192.0.2.1:9")  # never used: attt connects directly


@pytest.fixture
def ticket(kdc: KDC, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A credential cache filled by the real ``kinit``, named by KRB5CCNAME."""

    ccache = tmp_path / "krb5cc"
    kdc.kinit(KRB_USER, KRB_PASSWORD, ccache)
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{ccache}")
    return ccache


@pytest.fixture
def cert(tmp_path: Path) -> ServerCert:
    return make_cert(tmp_path / "tls", SERVICE_HOST)


@pytest.fixture
def server(cert: ServerCert) -> Iterator[WSManStandIn]:
    with WSManStandIn(cert, DOCUMENT) as srv:
        yield srv


def _host(port: int, cert: ServerCert | None, **options: object) -> Host:
    opts: dict[str, object] = {
        "password_env": PASSWORD_ENV,
        "auth": "kerberos",
        "connect_timeout": 2,
        "command_timeout": 6,
        "operation_timeout": 2,
    }
    if cert is not None:
        opts["ca_file"] = str(cert.cert_file)
    opts.update(options)
    opts = {k: v for k, v in opts.items() if v is not None}
    return Host(name="pc-ketoan-01", system="s", transport="winrm", address=SERVICE_HOST,
                port=port, user=KRB_PRINCIPAL, roles=("workstation",),
                options=opts)  # type: ignore[arg-type]


def _run(host: Host) -> str:
    transport = WinRMTransport(host, TransportSettings())
    try:
        return transport.run_collector(SCRIPT)
    finally:
        transport.close()


def _service_tickets(kdc: KDC) -> int:
    """How many service tickets the KDC issued for the stand-in's SPN (its log)."""

    log = (kdc.folder / "kdc.log").read_text(errors="replace")
    return sum(1 for line in log.splitlines()
               if "TGS_REQ" in line and "ISSUE" in line and kdc.service_principal in line)


# -- the transport --------------------------------------------------------------------------------


def test_kerberos_password_from_env_stand_in_wsman_server_and_mit_kdc(
    kdc: KDC, server: WSManStandIn, cert: ServerCert
) -> None:
    before = _service_tickets(kdc)
    assert _run(_host(server.port, cert)) == DOCUMENT
    assert server.record.authenticated_users == [KRB_PRINCIPAL]
    assert server.record.negotiated_protocols == ["kerberos"]
    assert server.record.scripts == [SCRIPT]
    assert _service_tickets(kdc) == before + 1  # the ticket came from the KDC


def test_kerberos_from_kinit_credential_cache_stand_in_wsman_server_and_mit_kdc(
    kdc: KDC, server: WSManStandIn, cert: ServerCert, ticket: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV)  # nothing but the cache: no password anywhere
    before = _service_tickets(kdc)
    assert _run(_host(server.port, cert, password_env=None)) == DOCUMENT
    assert server.record.authenticated_users == [KRB_PRINCIPAL]
    assert server.record.negotiated_protocols == ["kerberos"]
    assert _service_tickets(kdc) == before + 1


def test_kerberos_without_ticket_or_password_is_an_auth_error_stand_in_wsman_server(
    server: WSManStandIn, cert: ServerCert
) -> None:
    with pytest.raises(AuthError) as info:
        _run(_host(server.port, cert, password_env=None))
    assert f"{KRB_PRINCIPAL}@{SERVICE_HOST}:{server.port}" in str(info.value)
    assert "xác thực (kerberos) bị từ chối" in info.value.render("vi")
    assert server.record.authenticated_users == []
    assert server.record.scripts == []


@pytest.mark.parametrize(
    ("user", "kdc_says", "log_says"),
    [
        (KRB_PRINCIPAL, f"PREAUTH_FAILED: {KRB_PRINCIPAL}", "Preauthentication failed"),
        ("nobody@ATTT.TEST", "CLIENT_NOT_FOUND: nobody@ATTT.TEST", "not found"),
    ],
    ids=["wrong-password", "unknown-account"],
)
def test_kerberos_refused_by_the_kdc_is_an_auth_error_stand_in_wsman_server_and_mit_kdc(
    kdc: KDC, server: WSManStandIn, cert: ServerCert, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, user: str, kdc_says: str, log_says: str
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    host = dataclasses.replace(_host(server.port, cert), user=user)
    with caplog.at_level(logging.WARNING, logger="attt.transport.winrm"), \
            pytest.raises(AuthError) as info:
        _run(host)
    text = str(info.value) + info.value.render("vi")
    assert "authentication (kerberos) was refused" in str(info.value)
    assert "xác thực (kerberos) bị từ chối" in info.value.render("vi")
    assert "not-the-password" not in text + caplog.text
    assert server.record.authenticated_users == []
    assert server.record.scripts == []
    # The KDC itself refused (pre-authentication / unknown client), nothing was faked, and
    # its reason reaches the log for the operator.
    assert kdc_says in (kdc.folder / "kdc.log").read_text()
    assert log_says in caplog.text


@pytest.mark.parametrize("with_password", [False, True], ids=["kinit-cache", "password"])
def test_negotiate_picks_kerberos_when_a_ticket_is_available_stand_in_wsman_server(
    server: WSManStandIn, cert: ServerCert, ticket: Path, with_password: bool
) -> None:
    # The stand-in would also accept NTLM for this account (NTLM_USER_FILE): Negotiate must
    # still choose Kerberos.
    host = _host(server.port, cert, auth="negotiate",
                 password_env=PASSWORD_ENV if with_password else None)
    assert _run(host) == DOCUMENT
    assert server.record.negotiated_protocols == ["kerberos"]
    assert server.record.authenticated_users == [KRB_PRINCIPAL]


@pytest.mark.parametrize("auth", ["kerberos", "negotiate"])
def test_http_5985_encrypts_every_message_with_kerberos_stand_in_wsman_server(
    cert: ServerCert, ticket: Path, auth: str
) -> None:
    # ssl: false: WinRM's HTTP listener, every envelope sealed with the Kerberos session key.
    with WSManStandIn(cert, DOCUMENT, tls=False) as srv:
        assert _run(_host(srv.port, None, ssl=False, auth=auth, password_env=None)) == DOCUMENT
    assert srv.record.negotiated_protocols == ["kerberos"]
    assert srv.record.clear_text_refused == 0
    assert srv.record.encrypted_messages == len(srv.record.actions) >= 5


# -- a whole scan -----------------------------------------------------------------------------


@pytest.fixture
def contract_server(cert: ServerCert) -> Iterator[WSManStandIn]:
    import docbuilder  # tests/windows/docbuilder.py: documents that keep the contract

    with WSManStandIn(cert, docbuilder.dumps(docbuilder.document("PC-KETOAN-01"))) as srv:
        yield srv


def _scan(tmp: Path, hosts: list[str]) -> dict[str, Any]:
    from click.testing import CliRunner

    from attt.cli import main

    tmp.mkdir(parents=True, exist_ok=True)
    inv = _inventory(tmp, "\n      - ".join(hosts))
    out = tmp / "out"
    result = CliRunner().invoke(main, ["scan", "-i", inv, "--no-network", "-o", str(out), "-q",
                                       "-f", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1, 3), result.output
    doc: dict[str, Any] = json.loads((out / "results.json").read_text())
    return doc


def _winrm_host(name: str, port: int, cert: ServerCert, user: str, auth: str,
                password_env: str | None) -> str:
    env = f"password_env: {password_env}, " if password_env else ""
    return (f"{{name: {name}, transport: winrm, address: {SERVICE_HOST}, port: {port}, "
            f"user: '{user}', roles: [workstation], options: {{{env}auth: {auth}, "
            f"ca_file: '{cert.cert_file}', command_timeout: 20, operation_timeout: 2}}}}")


def _graded(doc: dict[str, Any], host: str) -> list[tuple[str, str, str]]:
    return sorted((f["check"], f["status"], f["message"]) for f in all_findings(doc)
                  if f["host"] == host)


def _host_record(doc: dict[str, Any], name: str) -> dict[str, Any]:
    for system in doc["systems"]:
        for host in system["hosts"]:
            if host["name"] == name:
                return dict(host)
    raise AssertionError(f"no host {name} in results.json")


@pytest.mark.parametrize("route", ["password_env", "kinit"])
def test_scan_with_kerberos_grades_like_ntlm_stand_in_wsman_server_and_mit_kdc(
    contract_server: WSManStandIn, cert: ServerCert, tmp_path: Path, kdc: KDC, route: str
) -> None:
    ntlm = _scan(tmp_path / "ntlm", [_winrm_host("pc-ketoan-01", contract_server.port, cert,
                                                 NTLM_USER, "ntlm", NTLM_PASSWORD_ENV)])
    if route == "kinit":
        ccache = tmp_path / "krb5cc"
        kdc.kinit(KRB_USER, KRB_PASSWORD, ccache)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("KRB5CCNAME", f"FILE:{ccache}")
            mp.delenv(PASSWORD_ENV)
            krb = _scan(tmp_path / "krb", [_winrm_host("pc-ketoan-01", contract_server.port,
                                                       cert, KRB_PRINCIPAL, "kerberos", None)])
    else:
        krb = _scan(tmp_path / "krb", [_winrm_host("pc-ketoan-01", contract_server.port, cert,
                                                   KRB_PRINCIPAL, "kerberos", PASSWORD_ENV)])
    assert contract_server.record.negotiated_protocols == ["ntlm", "kerberos"]
    assert contract_server.record.authenticated_users == [NTLM_USER, KRB_PRINCIPAL]
    graded = _graded(krb, "pc-ketoan-01")
    assert any(check.startswith("win.") and status == "pass" for check, status, _ in graded)
    assert graded == _graded(ntlm, "pc-ketoan-01")
    assert _host_record(krb, "pc-ketoan-01")["state"] == "ok"


def test_scan_kerberos_wrong_password_is_auth_error_and_scan_goes_on_stand_in_wsman_server(
    contract_server: WSManStandIn, cert: ServerCert, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTT_TEST_WRONG_PW", "not-the-password")
    doc = _scan(tmp_path, [
        _winrm_host("pc-ketoan-01", contract_server.port, cert, KRB_PRINCIPAL, "kerberos",
                    "ATTT_TEST_WRONG_PW"),
        _winrm_host("pc-ketoan-02", contract_server.port, cert, KRB_PRINCIPAL, "kerberos",
                    PASSWORD_ENV),
    ])
    refused = _host_record(doc, "pc-ketoan-01")
    assert refused["state"] == "auth_error"
    assert "authentication (kerberos) was refused" in refused["message"]
    assert "xác thực (kerberos) bị từ chối" in refused["message_vi"]
    assert "not-the-password" not in json.dumps(doc, ensure_ascii=False)
    assert {f["status"] for f in all_findings(doc) if f["host"] == "pc-ketoan-01"} == {"error"}
    # The scan went on: the other host was reached and graded.
    assert _host_record(doc, "pc-ketoan-02")["state"] == "ok"
    assert any(f["status"] == "pass" for f in all_findings(doc) if f["host"] == "pc-ketoan-02")
    assert contract_server.record.authenticated_users == [KRB_PRINCIPAL]


def test_kerberos_checks_the_tls_channel_binding_stand_in_wsman_server_and_mit_kdc(
    cert: ServerCert
) -> None:
    # The acceptor expects the binding of ANOTHER certificate: a token bound to this TLS
    # channel must be refused (what stops a relay through a TLS-terminating middlebox).
    other = ServerCert(cert.cert_file, cert.key_file, der=b"another certificate")
    with WSManStandIn(other, DOCUMENT) as srv, pytest.raises(AuthError):
        _run(_host(srv.port, cert))
    assert srv.record.auth_failures >= 1
    assert srv.record.authenticated_users == []
