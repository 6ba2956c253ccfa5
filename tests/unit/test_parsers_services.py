"""Parsers of the services, updates, anti-malware, logging, audit, monitoring and IPv6-network
probes against captured real outputs (tests/fixtures/outputs) and garbage.

The Debian 12 outputs were captured on a Debian 12 host: ss/netstat inside a throwaway network
namespace with vsftpd and a test listener, ``auditctl -l`` after loading the auditd package's
STIG example plus CIS-style rules (then deleted), configuration files as the Debian packages
(auditd, rsyslog, logrotate, snmpd, vsftpd) install them.  RHEL/dnf/yum lines follow the
documented formats.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from attt.library import load_all
from attt.model import Status
from attt.registry import CHECKS, PROBES, Facts, Section

load_all()

OUTPUTS = Path(__file__).parent.parent / "fixtures" / "outputs"


def fixture(name: str) -> str:
    return (OUTPUTS / name).read_text(encoding="utf-8")


def text(probe: str, body: str) -> Any:
    return PROBES[probe].parser(Section(probe, text=body, exit_code=0))


def files(probe: str, found: dict[str, str]) -> Any:
    return PROBES[probe].parser(Section(probe, files=found, exit_code=0))


def _listeners(v: Any) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(s.proto, s.port, s.programs) for s in v.sockets]


TEXT_CASES: list[tuple[str, str, str, Callable[[Any], Any], Any]] = [
    ("listening_sockets", "tool ss\n", "ss-H-tulpn.netns-telnet-ftp-tftp.debian12.txt",
     _listeners, [("udp", 69, ("python3",)), ("tcp", 23, ("python3",)), ("tcp", 21, ("vsftpd",))]),
    ("listening_sockets", "tool netstat\n",
     "netstat-tulpn.netns-telnet-ftp-tftp.debian12.txt", _listeners,
     [("tcp", 23, ("python3",)), ("tcp", 21, ("vsftpd",)), ("udp", 69, ("python3",))]),
    ("listening_sockets", "", "listening_sockets.host-loopback-23.debian12.txt",
     lambda v: (v.tool, len(v.sockets), [s.programs for s in v.sockets if s.port == 2024],
                [s.address for s in v.sockets if s.address == "::1"]),
     ("ss", 12, [()], ["::1"])),
    ("pending_updates", "", "pending_updates.apt.debian12.txt",
     lambda v: (v.manager, len(v.security), v.other, v.index_time, v.index_files,
                v.security[0]),
     ("apt", 80, 54, 1795439310, 3, "libgcrypt20-dev 1.10.1-3 -> 1.10.1-3+deb12u1 "
      "(Debian-Security:12/oldstable-security)")),
    ("audit_rules", "", "auditctl-l.stig-cis.debian12.txt",
     lambda v: (len(v.rules), v.rules[0].syscalls, v.rules[4].watch, v.rules[17].watch,
                v.rules[24].fields[1], v.rules[26].watch, v.rules[26].perms),
     (30, ("stime", "settimeofday", "adjtimex"), "/etc/localtime", "/run/faillock",
      ("uid", "!=", "euid"), "/usr/bin/sudo", "x")),
    ("audit_status", "", "auditctl-s.debian12.txt",
     lambda v: (v["enabled"], v["loginuid_immutable"]), ("0", "0 unlocked")),
    ("ip6_default_route", "", "ip-6-route-default.two.netns.debian12.txt",
     lambda v: [(r.gateway, r.device) for r in v],
     [("2001:db8:10::1", "v0"), ("2001:db8:10::3", "v0")]),
    ("ip6_default_route", "", "ip-6-route-default.host-ula.debian12.txt",
     lambda v: [(r.gateway, r.device) for r in v], [("fd00::1", "eth0")]),
]


@pytest.mark.parametrize(("probe", "header", "name", "extract", "expected"), TEXT_CASES,
                         ids=[f"{c[0]}:{c[2]}" for c in TEXT_CASES])
def test_command_output(probe: str, header: str, name: str, extract: Callable[[Any], Any],
                        expected: Any) -> None:
    assert extract(text(probe, header + fixture(name))) == expected


def test_snmpd_conf_debian12_default() -> None:
    conf = files("snmpd_conf",
                 {"/etc/snmp/snmpd.conf": fixture("snmpd.conf.debian12.txt")})
    assert [(d, c) for d, c, _ in conf.communities] == [("rocommunity", "public"),
                                                        ("rocommunity6", "public")]
    assert conf.v3_users == ("rouser authPrivUser (/etc/snmp/snmpd.conf:86)",)


def test_snmpd_com2sec_masks_custom_community() -> None:
    conf = files("snmpd_conf", {"/etc/snmp/snmpd.conf":
                                "com2sec -Cn ctx local localhost S3cret\nrocommunity -V v pub2\n"})
    assert [c for _, c, _ in conf.communities] == ["S3cret", "pub2"]
    assert all("S3cret" not in s and "pub2" not in s for s in conf.shown())


def test_vsftpd_debian12_default_is_plaintext() -> None:
    out = files("ftp_conf", {"/etc/vsftpd.conf": fixture("vsftpd.conf.debian12.txt")})
    assert out["vsftpd"].tls_required is False
    assert out["vsftpd"].anonymous is False


def test_inetd_and_xinetd() -> None:
    out = files("inetd_services", {
        "/etc/inetd.conf": (
            "#<off># telnet stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.telnetd\n"
            "shell stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.rshd\n"),
        "/etc/xinetd.conf": "defaults\n{\n disabled = tftp\n}\nincludedir /etc/xinetd.d\n",
        "/etc/xinetd.d/tftp": ("service tftp\n{\n socket_type = dgram\n"
                               " server = /usr/sbin/in.tftpd\n}\n"),
        "/etc/xinetd.d/rsync": "service rsync\n{\n disable = yes\n}\n",
    })
    assert dict(out.enabled) == {"shell": "/etc/inetd.conf:2"}
    assert out.disabled == ("rsync", "tftp")


def test_audit_rules_debian12_default_has_no_rules() -> None:
    out = files("audit_rules", {"/etc/audit/rules.d/audit.rules":
                                fixture("audit-rules.d-audit.rules.debian12.txt"),
                                "/etc/audit/audit.rules": "-w /etc/passwd -p wa\n"})
    assert out.rules == ()  # rules.d wins: augenrules regenerates audit.rules from it
    assert out.source == "/etc/audit/rules.d/audit.rules"


def test_audit_stig_example_rules() -> None:
    out = files("audit_rules", {"/etc/audit/rules.d/30-stig.rules":
                                fixture("audit-rules.d-30-stig.rules.debian12.txt")})
    watches = {r.watch for r in out.rules if r.watch}
    assert {"/etc/passwd", "/etc/shadow", "/etc/sudoers", "/etc/sudoers.d"} <= watches
    assert any("clock_settime" in r.syscalls for r in out.rules)


def test_auditd_conf_debian12() -> None:
    out = files("auditd_conf",
                {"/etc/audit/auditd.conf": fixture("auditd.conf.debian12.txt")})
    assert (out["max_log_file"], out["num_logs"], out["max_log_file_action"]) == (
        "8", "5", "ROTATE")
    assert files("auditd_conf", {}) is None


def test_logrotate_debian12() -> None:
    out = files("logrotate_conf", {
        "/etc/logrotate.conf": fixture("logrotate.conf.debian12.txt"),
        "/etc/logrotate.d/rsyslog": fixture("logrotate.d-rsyslog.debian12.txt"),
        "/etc/logrotate.d/btmp": "/var/log/btmp {\n    missingok\n    monthly\n    rotate 1\n}\n",
        "/etc/logrotate.d/x.dpkg-old": "/var/log/syslog {\n  rotate 99\n  yearly\n}\n",
    })
    auth = out.policy_for("/var/log/auth.log")
    assert (auth.period, auth.rotate, auth.where) == ("weekly", 4, "/etc/logrotate.d/rsyslog:1")
    assert round(auth.months, 2) == 0.93
    assert out.policy_for("/var/log/btmp").months == 1.0
    assert out.policy_for("/var/log/syslog").rotate == 4  # the .dpkg-old copy is skipped


def test_logrotate_rotate_minus_one_and_glob() -> None:
    out = files("logrotate_conf",
                {"/etc/logrotate.conf": "daily\nrotate -1\n/var/log/*.log {\n}\n"})
    assert out.policy_for("/var/log/auth.log").months == float("inf")


def test_journald_dropin_order() -> None:
    out = files("journald_conf", {
        "/etc/systemd/journald.conf": fixture("journald.conf.debian12.txt"),
        "/usr/lib/systemd/journald.conf.d/10-a.conf": "[Journal]\nStorage=volatile\n",
        "/etc/systemd/journald.conf.d/10-a.conf": "[Journal]\nStorage=persistent\n",
        "/run/systemd/journald.conf.d/20-b.conf": "[Journal]\nSystemMaxUse=1G\n",
    })
    assert out.storage == "persistent"  # /etc/.../10-a.conf hides /usr/lib/.../10-a.conf
    assert out.settings["SystemMaxUse"] == "1G"
    debian = files("journald_conf", {"/etc/systemd/journald.conf":
                                     fixture("journald.conf.debian12.txt")})
    assert debian.storage == "auto" and debian.present


def test_package_history_offline_dpkg_log() -> None:
    events = files("package_history", {"/var/log/dpkg.log":
                                       fixture("dpkg.log.excerpt.debian12.txt")})
    assert len(events) == 1
    assert events[0].text.startswith(("install ", "upgrade "))


def test_av_signatures_clamav_header_wins_over_mtime() -> None:
    out = text("av_signatures",
               "clamav_mtime 1795421991 /var/lib/clamav/daily.cld\n"
               "clamav_header /var/lib/clamav/daily.cld ClamAV-VDB:23 Nov 2026 04-25 +0000:"
               "27830:2071021:90:x:y:raynman:1795407900          \n")
    assert [(s.product, s.when) for s in out] == [("ClamAV", 1795407900)]


def test_resolver_conf_resolved_reset() -> None:
    out = files("resolver_conf", {
        "/etc/resolv.conf": "nameserver 127.0.0.53\n",
        "/etc/systemd/resolved.conf": "[Resolve]\nDNS=192.0.2.1\n",
        "/etc/systemd/resolved.conf.d/ipv6.conf": "[Resolve]\nDNS=\nDNS=2001:db8::53\n",
    })
    assert out.resolv_conf == ("127.0.0.53",)
    assert out.resolved_dns == ("2001:db8::53",)


def test_national_agent_undeclared_is_manual() -> None:
    spec = CHECKS["monitoring.national_agent"]
    facts = Facts({"processes": Section("processes", text="systemd         /sbin/init\n")}, "live")
    result = spec.evaluate(facts, {})
    assert result.status is Status.MANUAL
    assert "declare the national monitoring agent (NCSC/A05) in tailoring" in str(result.message)


GARBAGE: list[tuple[str, str]] = [
    ("listening_sockets", "tcp LISTEN 0 128 0.0.0.0:23 0.0.0.0:*\n"),  # no tool header
    ("listening_sockets", "tool ss\nState  Recv-Q garbage\n"),
    ("listening_sockets", "tool ss\ntcp LISTEN 0 128 0.0.0.0:http 0.0.0.0:*\n"),
    ("pending_updates", "Reading package lists...\n"),
    ("pending_updates", "manager apt\nInst foo [1] (2 Debian-Security:12/x [amd64])\n"),  # cut
    ("pending_updates", "manager dnf\nError: Cache-only enabled but no cache for 'baseos'\n"
                        "status 1\n"),
    ("pending_updates", "manager zypper\nstatus 0\n"),
    ("package_history", "event /var/log/dpkg.log not a date\n"),
    ("clock_now", "Mon Nov 23 10:00:00 UTC 2026\n"),
    ("av_signatures", "something unexpected\n"),
    ("av_signatures", "mdatp_minutes ATTENTION: No license found\n"),
    ("av_management", "random line\n"),
    ("audit_rules", "You must be root to run this program.\n"),
    ("audit_rules", "-a always,exit -F\n"),
    ("audit_status", "Error sending status request (Operation not permitted)\n"),
    ("journal_dir", "/var/log/journal\n"),
    ("ip6_default_route", "198.18.0.0/15 via 198.18.0.1 dev eth0\n"),
    ("ip6_default_route", "default via not-an-address dev eth0\n"),
    ("resolvectl_dns", "Failed to get global data: Unit dbus-org.freedesktop.resolve1.service "
                       "not found.\n"),
]


@pytest.mark.parametrize(("probe", "body"), GARBAGE, ids=[f"{g[0]}:{i}" for i, g in
                                                         enumerate(GARBAGE)])
def test_garbage_output_raises(probe: str, body: str) -> None:
    with pytest.raises(ValueError):
        text(probe, body)


GARBAGE_FILES: list[tuple[str, dict[str, str]]] = [
    ("inetd_services", {"/etc/xinetd.d/telnet": "service telnet\n{\n disable = no\n"}),
    ("inetd_services", {"/etc/inetd.conf": "telnet stream\n"}),
    ("ftp_conf", {"/etc/vsftpd.conf": "<html>\n"}),
    ("snmpd_conf", {"/etc/snmp/snmpd.conf": "rocommunity \"unterminated\n"}),
    ("snmpd_conf", {"/etc/snmp/snmpd.conf": "com2sec onlyname\n"}),
    ("audit_rules", {"/etc/audit/rules.d/x.rules": "watch /etc/passwd\n"}),
    ("auditd_conf", {"/etc/audit/auditd.conf": "max_log_file 8\n"}),
    ("logrotate_conf", {"/etc/logrotate.conf": "/var/log/x {\n rotate many\n}\n"}),
    ("journald_conf", {"/etc/systemd/journald.conf": "[Journal]\nStorage persistent\n"}),
]


@pytest.mark.parametrize(("probe", "found"), GARBAGE_FILES,
                         ids=[f"{g[0]}:{i}" for i, g in enumerate(GARBAGE_FILES)])
def test_garbage_files_raise(probe: str, found: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        files(probe, found)


def test_empty_file_probes_mean_absent() -> None:
    assert files("snmpd_conf", {}).present is False
    assert files("ftp_conf", {}) == {}
    assert files("inetd_services", {}).enabled == {}
    assert files("logrotate_conf", {}).present is False
    assert files("journald_conf", {}).present is False
    assert files("audit_rules", {}).rules == ()
    assert files("resolver_conf", {}).resolv_conf is None
