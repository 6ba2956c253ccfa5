"""Every message path of the net.* checks and network units, in Vietnamese and English
(issue 10): the scenarios cover one message per verdict; these cover the phrases that vary
(lists cut with "+N more", each insecure protocol, each TLS problem, each IPv6 criterion,
the reasons a network is not scanned)."""

from __future__ import annotations

from typing import Any

import pytest

from attt.library import load_all
from attt.messages import Msg, render, untranslated
from attt.model import CheckRef, Profile, Requirement, Result, Severity, Status, System, Zone
from attt.network import facts as F
from attt.network.ipv6 import detail_message
from attt.network.run import NetworkJob, prepare, run_job
from attt.registry import CHECKS, Facts


@pytest.fixture(autouse=True, scope="module")
def _checks() -> None:
    load_all()


def _run(check_id: str, fact: str, value: Any, params: dict[str, Any] | None = None) -> Result:
    return CHECKS[check_id].evaluate(Facts({}, "live", values={fact: value}), params or {})


def _texts(result: Result) -> tuple[str, str]:
    """(English, Vietnamese) of a result whose every part is a catalogued template."""

    assert isinstance(result.message, Msg)
    assert untranslated(result.message) == [], untranslated(result.message)
    en, vi = render(result.message, "en"), render(result.message, "vi")
    assert en.endswith(".") and vi.endswith(".")
    assert en != vi
    return en, vi


def _scan(open_: list[dict[str, Any]], closed: list[dict[str, Any]] | None = None,
          vantage: str = "users", udp: bool = True) -> dict[str, Any]:
    return {"vantage": vantage, "vantage_role": "internal",
            "zones": {"users": "internal", "servers": "internal_server", "db": "db_server"},
            "rules": [], "default": "deny", "udp": udp, "targets": 9, "open": open_,
            "closed": closed or []}


def _port(address: str, zone: str, port: int, service: str = "", proto: str = "tcp",
          **extra: Any) -> dict[str, Any]:
    return {"address": address, "zone": zone, "name": "", "host": "", "port": port,
            "proto": proto, "state": "open", "service": service, "product": "",
            "version": "", "tunnel": "", "banner": "", "scripts": {}, **extra}


def test_many_forbidden_flows_are_cut_with_how_many_more() -> None:
    open_ = [_port(f"198.18.2.{i}", "servers", 8000 + i, "http") for i in range(6)]
    closed = [{**_port("198.18.3.10", "db", p, "x"), "state": "closed"}
              for p in (1, 2, 3, 4, 5, 6)]
    en, vi = _texts(_run("net.rules_internal", F.SCAN, _scan(open_, closed)))
    # 12 flows: 6 open ones one by one and one host's 6 closed ports grouped, 5 shown.
    assert "12 flow(s)" in en and "(6 open, 6 reachable but closed)" in en
    assert en.endswith("(+2 more).")
    assert "(6 cổng mở, 6 cổng truy cập được nhưng đóng)" in vi
    assert "Từ vùng users, có 12 luồng kết nối" in vi and vi.endswith("(và 2 mục khác).")
    assert "198.18.2.0 tcp/8000 đang mở (http)" in vi


def test_closed_ports_beyond_four_are_counted() -> None:
    closed = [{**_port("198.18.3.10", "db", p, "x"), "state": "closed"}
              for p in (1, 2, 3, 4, 5, 6)]
    en, vi = _texts(_run("net.rules_internal", F.SCAN, _scan([], closed)))
    assert "tcp/1, tcp/2, tcp/3, tcp/4 (+2 ports) reachable (closed)" in en
    assert "tcp/1, tcp/2, tcp/3, tcp/4 (và 2 cổng khác) truy cập được (cổng đóng)" in vi


def test_each_insecure_protocol_is_named_in_both_languages() -> None:
    snmp = "| admin - Valid credentials\n"
    open_ = [
        _port("198.18.2.1", "servers", 513, "login"),
        _port("198.18.3.1", "db", 5432, "postgresql"),
        _port("198.18.2.2", "servers", 3389, "ms-wbt-server"),
        _port("198.18.2.3", "servers", 161, "snmp", "udp", scripts={"snmp-brute": snmp}),
        _port("198.18.2.4", "servers", 21, "ftp"),
        _port("198.18.2.5", "servers", 69, "tftp", "udp"),
    ]
    en, vi = _texts(_run("net.insecure_services", F.SCAN, _scan(open_, udp=False)))
    for words in ("rsh/rlogin/rexec", "database port tcp/5432 reachable from user zone users",
                  "management port tcp/3389 reachable from user zone users",
                  "SNMP v1/v2c with default community admin", "(+1 more)",
                  "(UDP not scanned: TFTP and SNMP not verified)."):
        assert words in en, words
    for words in ("dịch vụ rsh/rlogin/rexec",
                  "cổng cơ sở dữ liệu tcp/5432 truy cập được từ vùng người dùng users",
                  "cổng quản trị tcp/3389 truy cập được từ vùng người dùng users",
                  "SNMP v1/v2c dùng community mặc định admin", "(và 1 mục khác)",
                  "(chưa quét UDP: chưa kiểm tra TFTP và SNMP)."):
        assert words in vi, words
    clean_en, clean_vi = _texts(_run("net.insecure_services", F.SCAN, _scan([], udp=False)))
    assert clean_en.endswith("among 0 open services (UDP not scanned: TFTP and SNMP not "
                             "verified).")
    assert clean_vi.startswith("Từ vùng users, không truy cập được giao thức không an toàn")


def _tls(address: str, **cert: Any) -> dict[str, Any]:
    base = {"not_after": "2026-01-01T00:00:00+00:00", "days_left": 90, "valid_now": True,
            "key_type": "RSA", "key_bits": 2048, "signature": "sha256-with-RSA",
            "signature_hash": "sha256", "names": ["a.test"], "expected_name": "a.test",
            "name_match": True}
    return {"address": address, "port": 443, "name": "", "host": "", "zone": "servers",
            "cert": {**base, **cert}, "protocols": ["TLSv1.2"], "weak_ciphers": [],
            "chain": "complete", "chain_detail": ""}


def test_each_tls_problem_is_said_in_both_languages() -> None:
    services = [
        {**_tls("198.18.2.1"), "cert": None, "cert_error": None},
        _tls("198.18.2.2", valid_now=False, key_bits=1024, signature="sha1-with-RSA",
             signature_hash="sha1", name_match=False, names=[]),
        {**_tls("198.18.2.3"), "chain": "incomplete",
         "chain_detail": "incomplete: unable to verify the first certificate",
         "weak_ciphers": ["TLS_RSA_WITH_RC4_128_SHA"], "protocols": ["TLSv1.0", "TLSv1.2"]},
        _tls("198.18.2.4", days_left=3),
    ]
    en, vi = _texts(_run("net.tls_healthy", F.TLS, {"services": services},
                         {"min_days_left": 30, "min_rsa_bits": 2048, "min_ec_bits": 256}))
    assert en.startswith("4 of 4 TLS service(s) have problems:") and "(+1 more)" in en
    for words in ("certificate not read (no ssl-cert output)",
                  "certificate not valid now (not after 2026-01-01T00:00:00+00:00)",
                  "weak key RSA-1024", "weak signature sha1-with-RSA",
                  "name a.test not in the certificate (no names)",
                  "chain incomplete: incomplete: unable to verify the first certificate",
                  "weak ciphers: TLS_RSA_WITH_RC4_128_SHA", "old protocols offered: TLSv1.0"):
        assert words in en, words
    for words in ("không đọc được chứng thư (ssl-cert không trả về kết quả)",
                  "chứng thư hiện không còn hiệu lực", "khóa yếu RSA-1024",
                  "chữ ký yếu sha1-with-RSA", "tên a.test không có trong chứng thư (không có tên)",
                  "chuỗi chứng thư incomplete: chưa đầy đủ: không xác minh được chứng thư đầu tiên",
                  "bộ mã yếu: TLS_RSA_WITH_RC4_128_SHA", "còn hỗ trợ giao thức cũ: TLSv1.0",
                  "(và 1 mục khác)"):
        assert words in vi, words
    ok_en, ok_vi = _texts(_run("net.tls_healthy", F.TLS, {"services": [_tls("198.18.2.9")]},
                               {"min_days_left": 30, "min_rsa_bits": 2048,
                                "min_ec_bits": 256}))
    assert (ok_en, ok_vi) == ("All 1 TLS service(s) are healthy.",
                              "Toàn bộ 1 dịch vụ TLS đều an toàn.")


def test_each_ipv6_criterion_is_said_in_both_languages() -> None:
    fact = {
        "services": [
            {"name": "portal", "dns": False, "aaaa": [], "v4_open": [443], "v6_open": [],
             "https_v6": {"ok": False, "detail": "no TLS service answered over IPv6 on 443"},
             "domain": "example.gov.vn", "ns": [], "mx": [{"aaaa": [], "reachable": None}]},
        ],
        "zones": [
            {"name": "users", "ipv6_declared": True, "observed": False,
             "detail": "this machine has no address in 2001:db8::/64"},
            {"name": "db", "ipv6_declared": False, "observed": False,
             "detail": "no IPv6 network declared"},
            {"name": "dmz", "ipv6_declared": True, "observed": None,
             "detail": "AAAA lookup failed (SERVFAIL)"},
        ],
    }
    en, vi = _texts(_run("net.ipv6_readiness", F.IPV6, fact))
    # Met: only zone dmz (declared, not observed from here); 6 missing, 4 shown.
    assert en.startswith("IPv6 readiness score 14% (1/7 criteria); missing: portal: IPv6 "
                         "address; portal: same ports over IPv6 as IPv4 (v4 [443], v6 [])")
    assert en.endswith("(+2 more).")
    assert vi.startswith("Mức sẵn sàng IPv6 đạt 14% (1/7 tiêu chí); còn thiếu: portal: địa chỉ "
                         "IPv6; portal: mở cùng các cổng qua IPv6 như IPv4")
    assert "HTTPS qua IPv6 với chứng thư hợp lệ (không có dịch vụ TLS nào phản hồi qua IPv6 " \
           "trên cổng 443)" in vi
    assert "portal: máy chủ thư (MX) của example.gov.vn truy cập được qua IPv6" in vi
    assert vi.endswith("(và 2 mục khác).")


def _system(**extra: Any) -> System:
    zones = (Zone("users", "internal", ("192.0.2.0/24",)),)
    return System("lab", "owner", "unit", "nd85-tt12", 3, zones, (), **extra)


def _profile() -> Profile:
    req = Requirement("R", "R", "R", "network", 2, Severity.HIGH, {},
                      checks=(CheckRef("net.rules_internal", {}),))
    return Profile("p", "nd85-tt12", 3, "vi", "en", (), (req,), ())


def test_a_network_not_scanned_says_why_in_both_languages() -> None:
    (job,) = prepare([(_system(), _profile())], "", check_local=False)
    outcome = run_job(job)
    (finding,) = outcome.findings
    assert finding.status is Status.ERROR
    assert finding.message == "Not scanned: the system declares no vantage_points."
    assert finding.message_vi == ("Chưa quét mạng: hệ thống chưa khai báo vị trí quét "
                                  "(vantage_points).")
    record = outcome.record()
    assert record["message"] == "not scanned: the system declares no vantage_points"
    assert record["message_vi"] == ("chưa quét mạng: hệ thống chưa khai báo vị trí quét "
                                    "(vantage_points)")


def test_a_job_without_reason_still_says_not_scanned() -> None:
    outcome = run_job(NetworkJob(_system(), _profile(), ""))
    (finding,) = outcome.findings
    assert finding.message == "Not scanned: no scan ran."
    assert finding.message_vi == "Chưa quét mạng: chưa thực hiện lần quét nào."


@pytest.mark.parametrize("detail", [
    "no IPv6 address declared", "no AAAA record", "valid certificate",
    "no IPv6 network declared", "declared; no IPv6 target of the zone was scanned",
    "hosts answer over IPv6", "nothing answered over IPv6", "AAAA lookup failed (NXDOMAIN)",
    "no TLS service answered over IPv6 on 443, 8443",
    "this machine has an address in 2001:db8::/64",
    "this machine has no address in 2001:db8::/64", "no IPv6 by decision: legacy",
    "declared; the LAN rules deny every scanned port from users, so IPv6 answers cannot be "
    "observed from there",
])
def test_ipv6_fact_details_become_translated_messages(detail: str) -> None:
    message = detail_message(detail)
    assert isinstance(message, Msg) and untranslated(message) == []
    assert render(message, "en") == detail and render(message, "vi") != detail


def test_an_unknown_detail_stays_data() -> None:
    assert detail_message("certificate: valid_now=False") == "certificate: valid_now=False"
