"""Why a host could not be collected, in Vietnamese and English (issue 10): the transports
raise with messages, the runner keeps them as the host's message and its error findings."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from attt.errors import AuthError, ConnectError, TransportError
from attt.messages import Msg, render, untranslated
from attt.model import CheckRef, Host, Profile, Requirement, Result, Severity, Status
from attt.runner import HostOutcome, scan_host, transport_message
from attt.transport import TRANSPORTS, TransportSettings
from attt.transport.ssh import parse_jump, validate_address


def _both(exc: TransportError) -> tuple[str, str]:
    message = transport_message(exc)
    assert untranslated(message) == [], untranslated(message)
    en, vi = render(message, "en"), render(message, "vi")
    assert en == str(exc)  # the English text is the error's own
    assert vi != en
    return en, vi


def _closed_loopback_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ssh_connection_refused_in_both_languages() -> None:
    port = _closed_loopback_port()
    host = Host(name="h", system="s", transport="ssh", address="127.0.0.1", port=port,
                user="attt")
    transport = TRANSPORTS["ssh"](host, TransportSettings(connect_timeout=3))
    with pytest.raises(ConnectError) as caught:
        transport.collect([])
    transport.close()
    en, vi = _both(caught.value)
    assert en.startswith(f"cannot connect to attt@127.0.0.1:{port}: ")
    assert vi.startswith(f"không kết nối được tới attt@127.0.0.1:{port}: ")


def test_ssh_input_problems_in_both_languages() -> None:
    with pytest.raises(ConnectError) as bad_address:
        validate_address("bad host!")
    assert _both(bad_address.value) == (
        "invalid address 'bad host!': expected an IP address or host name.",
        "địa chỉ 'bad host!' không hợp lệ: cần một địa chỉ IP hoặc tên máy.")
    with pytest.raises(ConnectError) as bad_port:
        parse_jump("admin@[192.0.2.1]:x", "attt")
    assert _both(bad_port.value)[1] == ("máy chủ trung gian 'admin@[192.0.2.1]:x' không hợp lệ: "
                                        "cổng sai.")
    with pytest.raises(ConnectError) as port_range:
        parse_jump("admin@192.0.2.1:70000", "attt")
    assert _both(port_range.value)[1] == ("cổng 70000 của máy chủ trung gian "
                                          "'admin@192.0.2.1:70000' không hợp lệ: cần một số từ "
                                          "1 đến 65535.")
    host = Host(name="h", system="s", transport="ssh", address="192.0.2.1",
                options={"key_file": 5})
    with pytest.raises(ConnectError) as option:
        TRANSPORTS["ssh"](host, TransportSettings())
    assert _both(option.value)[1].startswith("tùy chọn 'key_file' của máy chủ phải là một chuỗi")


def test_ssh_password_variable_missing_in_both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATTT_TEST_NO_SUCH_PW", raising=False)
    host = Host(name="h", system="s", transport="ssh", address="127.0.0.1",
                port=_closed_loopback_port(), user="attt",
                options={"password_env": "ATTT_TEST_NO_SUCH_PW"})
    transport = TRANSPORTS["ssh"](host, TransportSettings(connect_timeout=3))
    with pytest.raises(AuthError) as caught:
        transport.collect([])
    transport.close()
    en, vi = _both(caught.value)
    assert "ATTT_TEST_NO_SUCH_PW (password_env) is not set" in en
    assert vi.endswith("chưa đặt biến môi trường ATTT_TEST_NO_SUCH_PW (password_env).")


def _profile() -> Profile:
    from attt.library import load_all

    load_all()
    req = Requirement("R", "R", "R", "server", 1, Severity.HIGH, {},
                      checks=(CheckRef("accounts.no_empty_passwords", {}),))
    return Profile("p", "nd85-tt12", 2, "vi", "en", (), (req,), ())


def test_a_missing_offline_tree_is_reported_in_both_languages(tmp_path: Path) -> None:
    host = Host(name="h", system="s", transport="dir", address=str(tmp_path / "nowhere"))
    outcome = scan_host(host, _profile(), TransportSettings())
    assert outcome.state == "unreachable"
    record = outcome.record()
    assert record["message"] == f"dir:{tmp_path / 'nowhere'} is not a directory"
    assert record["message_vi"] == f"dir:{tmp_path / 'nowhere'} không phải là thư mục"
    (finding,) = outcome.findings
    assert finding.status is Status.ERROR
    assert (finding.message, finding.message_vi) == (record["message"], record["message_vi"])


def test_a_plain_text_transport_error_is_still_said_in_vietnamese() -> None:
    """A library's own words (not a message of attt) are kept as data in a Vietnamese
    sentence rather than shown bare."""

    message = transport_message(TransportError("Broken pipe"))
    assert isinstance(message, Msg) and untranslated(message) == []
    assert render(message, "vi") == "không thu thập được dữ liệu từ máy chủ: Broken pipe"


def test_a_host_without_applicable_check_says_so_in_both_languages() -> None:
    host = Host(name="h", system="s", transport="local", roles=("web",))
    req = Requirement("R", "R", "R", "server", 1, Severity.HIGH, {}, roles=("db",),
                      checks=(CheckRef("accounts.no_empty_passwords", {}),))
    outcome = scan_host(host, Profile("p", "nd85-tt12", 2, "vi", "en", (), (req,), ()),
                        TransportSettings())
    assert isinstance(outcome, HostOutcome) and outcome.findings == []
    record = outcome.record()
    assert record["message"] == "no check applies to this host's roles"
    assert record["message_vi"] == "không có kiểm tra nào áp dụng cho vai trò của máy chủ này"


def test_a_crashing_check_is_an_error_finding_in_both_languages(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    from attt.registry import CHECKS, CheckSpec, Facts, ScopedFacts
    from attt.runner import Binding, evaluate_bindings

    def crash(facts: ScopedFacts, params: object) -> Result:
        raise KeyError("boom")

    spec = CheckSpec("test.crash", "vi", "en", Severity.LOW, (), {}, crash, "", "", "")
    monkeypatch.setitem(CHECKS, spec.id, spec)
    req = Requirement("R", "R", "R", "server", 1, Severity.LOW, {},
                      checks=(CheckRef(spec.id, {}),))
    (finding,) = evaluate_bindings([Binding(req, req.checks[0])], Facts({}, "live"), "s", "h",
                                   logger=logging.getLogger("test"), where="s/h")
    assert finding.status is Status.ERROR
    assert finding.message == "check crashed: KeyError: 'boom'."
    assert finding.message_vi == "kiểm tra bị lỗi khi thực hiện: KeyError: 'boom'."
