"""Probe parse errors in both languages (issue 10): every error path of a probe parser raises
``FactParseError`` with a message whose English is the text it always had and whose
Vietnamese is a full translation, so a Vietnamese finding never quotes an English parse error.

One row per error path, fed to the parsers directly (as tests/unit/test_parsers*.py do);
``test_every_parse_error_template_has_a_row`` keeps the table complete as parsers change.
"""

from __future__ import annotations

import ast
import shlex
from collections.abc import Callable, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from attt.library import load_all
from attt.messages import Msg, T, render, untranslated
from attt.probes import firewall, pam, sshd, sudo
from attt.probes.agents import ParamError
from attt.probes.audit import parse_rule
from attt.probes.text import split_error
from attt.registry import CHECKS, PROBES, FactParseError, Facts, MissingFact, Section

load_all()

PROBES_DIR = Path(__file__).resolve().parents[2] / "src" / "attt" / "probes"
B = "@@ATTT-0a1b2c@@"  # a run boundary as the live record probes print it


def text(probe: str, output: str) -> Callable[[], Any]:
    return lambda: PROBES[probe].parser(Section(probe, text=output, exit_code=0))


def files(probe: str, contents: Mapping[str, str]) -> Callable[[], Any]:
    return lambda: PROBES[probe].parser(Section(probe, files=dict(contents), exit_code=0))


def call(func: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    return lambda: func(*args)


def _pam_line(module: str, *args: str) -> pam.PamLine:
    return pam.PamLine("password", "requisite", module, args, "/etc/pam.d/common-password:3")


def _sudoers(kind: str, line: str) -> sudo.Sudoers:
    return sudo.Sudoers(True, (sudo.Entry(kind, line, "/etc/sudoers:7"),))


def _pam_chain(depth: int) -> dict[str, list[pam.PamLine]]:
    """PAM files each including the next, ``depth`` deep (no loop)."""

    return {f"/etc/pam.d/s{i}": [pam.PamLine("@include", "include", f"s{i + 1}", (),
                                             f"/etc/pam.d/s{i}:1")]
            for i in range(depth)} | {f"/etc/pam.d/s{depth}": []}


def _sudoers_nest(depth: int) -> dict[str, str]:
    names = ["/etc/sudoers"] + [f"/etc/sudoers.d/n{i}" for i in range(depth)]
    return {a: f"#include {b}\n" for a, b in pairwise(names)} | {
        names[-1]: "root ALL=(ALL) ALL\n"}


def _sshd_nest(depth: int) -> dict[str, str]:
    names = ["/etc/ssh/sshd_config"] + [f"/etc/ssh/sshd_config.d/n{i}.conf" for i in range(depth)]
    return {a: f"Include {b}\n" for a, b in pairwise(names)} | {
        names[-1]: "PermitRootLogin no\n"}


def _nft_loop() -> dict[str, str]:
    return {"/etc/nftables.conf": 'include "/etc/nftables.d/a.nft"\n',
            "/etc/nftables.d/a.nft": 'include "/etc/nftables.d/a.nft"\n'}


ROWS = [
    # accounts
    pytest.param(files("passwd_file", {"/etc/passwd": "root:x:0\n"}),
                 "/etc/passwd:1: not a passwd entry: 'root:x:0'", id="passwd-entry"),
    pytest.param(files("passwd_file", {"/etc/passwd": "root:x:zero:0::/root:/bin/sh\n"}),
                 "/etc/passwd:1: non-numeric UID/GID", id="passwd-uid"),
    pytest.param(files("passwd_file", {"/etc/passwd": "# only a comment\n"}),
                 "/etc/passwd has no entries", id="passwd-empty"),
    pytest.param(files("shadow_state", {"/etc/shadow": "root:*:x:0:99999:7:::\n"}),
                 "/etc/shadow:1: 'x' is not a number of days", id="shadow-days"),
    pytest.param(files("shadow_state", {"/etc/shadow": "root:*\n"}),
                 "/etc/shadow:1: not a shadow entry", id="shadow-entry"),
    pytest.param(files("shadow_state", {"/etc/shadow": "\n"}),
                 "/etc/shadow has no entries", id="shadow-empty"),
    pytest.param(text("shadow_state", "root:L\n"),
                 "shadow_state line 1: not a name:state:aging line: 'root:L'", id="shadow-live"),
    pytest.param(files("useradd_defaults", {"/etc/default/useradd": "inactive 30\n"}),
                 "/etc/default/useradd:1: not a KEY=value line: 'inactive 30'", id="useradd"),
    # audit
    pytest.param(call(parse_rule, "-a always,exit -F arch", "r:1"),
                 "r:1: not an audit field expression: 'arch'", id="audit-field"),
    pytest.param(call(parse_rule, "-w '/etc/passwd", "r:2"),
                 "r:2: No closing quotation", id="audit-quote"),
    pytest.param(call(parse_rule, "-w", "r:3"), "r:3: -w without a path", id="audit-watch"),
    pytest.param(call(parse_rule, "watch /etc/passwd", "r:4"),
                 "r:4: not an audit rule: 'watch /etc/passwd'", id="audit-rule"),
    pytest.param(call(parse_rule, "-a", "r:5"), "r:5: -a without list,action", id="audit-a"),
    pytest.param(call(parse_rule, "-a always,exit -X 1", "r:6"),
                 "r:6: unexpected token '-X' in audit rule", id="audit-token"),
    pytest.param(text("audit_rules", "-D\n"), "not an auditctl -l rule: '-D'",
                 id="auditctl-rule"),
    pytest.param(text("audit_status", "pid 12\n"), "auditctl -s did not report 'enabled'",
                 id="audit-status"),
    pytest.param(files("auditd_conf", {"/etc/audit/auditd.conf": "max_log_file 8\n"}),
                 "/etc/audit/auditd.conf:1: not a key = value line: 'max_log_file 8'",
                 id="auditd-conf"),
    # anti-malware
    pytest.param(text("av_signatures", "mdatp_minutes unknown\n"),
                 "unexpected mdatp health output: 'unknown'", id="av-mdatp"),
    pytest.param(text("av_signatures", "something else\n"),
                 "not a signature line: 'something else'", id="av-line"),
    pytest.param(text("av_management", "unknown line\n"),
                 "not a management status line: 'unknown line'", id="av-management"),
    # files
    pytest.param(text("sensitive_file_modes", "stat: cannot stat\n"),
                 "not a 'stat -c %n %a %U %G' line: 'stat: cannot stat'", id="stat-line"),
    pytest.param(text("sensitive_file_modes", "\n"), "stat printed nothing", id="stat-empty"),
    pytest.param(text("world_writable", "file /tmp/x\n"),
                 "world_writable output lacks its end marker", id="ww-end"),
    pytest.param(text("world_writable", "link /tmp/x\nend\n"),
                 "not a world_writable line: 'link /tmp/x'", id="ww-line"),
    # firewall
    pytest.param(call(firewall.parse_nft, 'table inet f { comment "open\n'),
                 "unterminated string in nftables text", id="nft-string"),
    pytest.param(call(firewall.parse_nft, "table inet f {\n chain c {\n  set s { \n"),
                 "unbalanced braces in nftables text", id="nft-braces"),
    pytest.param(call(firewall.parse_nft, "}\n"), "unbalanced '}' in nftables text",
                 id="nft-close"),
    pytest.param(call(firewall.parse_nft, "table inet f {\n"),
                 "unterminated block in nftables text", id="nft-block"),
    pytest.param(call(firewall.parse_nft, "table a b c {\n}\n"),
                 "bad table header: 'table a b c'", id="nft-table"),
    pytest.param(call(firewall.parse_nft, "bogus statement\n"),
                 "unexpected nftables statement: 'bogus statement'", id="nft-statement"),
    pytest.param(call(firewall.parse_iptables, "iptables: Permission denied\n"),
                 "not an iptables rule line: 'iptables: Permission denied'", id="iptables-line"),
    pytest.param(call(firewall.parse_iptables, "-A INPUT -j ACCEPT\n"),
                 "no INPUT chain policy in iptables output", id="iptables-policy"),
    pytest.param(text("ufw_status", "ERROR: need root\n"), "no 'Status:' line in ufw output",
                 id="ufw-status"),
    pytest.param(text("ufw_status", "Status: active\n"),
                 "no 'Default: ... (incoming)' line in ufw output", id="ufw-default"),
    pytest.param(text("firewalld_state", "maybe\n"),
                 "firewall-cmd --state printed neither 'running' nor 'not running'",
                 id="firewalld-state"),
    pytest.param(text("firewalld_state", "running\n"),
                 "firewalld is running but its default zone target is missing",
                 id="firewalld-zone"),
    pytest.param(files("nftables_conf", _nft_loop()), "nftables include loop", id="nft-loop"),
    pytest.param(files("firewalld_conf", {"/etc/firewalld/firewalld.conf": "DefaultZone=a\n",
                                          "/etc/firewalld/zones/a.xml": "junk\n"}),
                 "/etc/firewalld/zones/a.xml is not a firewalld zone file", id="firewalld-xml"),
    # ftp, inetd
    pytest.param(files("ftp_conf", {"/etc/vsftpd.conf": "ssl_enable YES\n"}),
                 "/etc/vsftpd.conf:1: not a vsftpd option: 'ssl_enable YES'", id="vsftpd"),
    pytest.param(files("inetd_services", {"/etc/xinetd.d/x": "telnet\n"}),
                 "/etc/xinetd.d/x:1: not xinetd syntax: 'telnet'", id="xinetd-syntax"),
    pytest.param(files("inetd_services", {"/etc/xinetd.d/x": "service telnet\n{\n<html>\n"}),
                 "/etc/xinetd.d/x:3: not an xinetd attribute: '<html>'", id="xinetd-attr"),
    pytest.param(files("inetd_services", {"/etc/xinetd.d/x": "service telnet\n{\n"}),
                 "/etc/xinetd.d/x: unterminated xinetd block", id="xinetd-block"),
    pytest.param(files("inetd_services", {"/etc/inetd.conf": "telnet stream tcp\n"}),
                 "/etc/inetd.conf:1: not an inetd.conf entry: 'telnet stream tcp'", id="inetd"),
    # login.defs, logs
    pytest.param(files("login_defs", {"/etc/login.defs": "pass_max_days 90\n"}),
                 "/etc/login.defs:1: not a setting: 'pass_max_days 90'", id="login-defs"),
    pytest.param(files("journald_conf", {"/etc/systemd/journald.conf": "[Journal]\nStorage\n"}),
                 "/etc/systemd/journald.conf:2: not a key=value line: 'Storage'", id="journald"),
    pytest.param(text("journal_dir", "maybe\n"), "unexpected journal_dir output: 'maybe'",
                 id="journal-dir"),
    pytest.param(files("logrotate_conf", {"/etc/logrotate.conf": "rotate many\n"}),
                 "/etc/logrotate.conf:1: rotate needs a number", id="logrotate-rotate"),
    pytest.param(files("logrotate_conf", {"/etc/logrotate.conf": "maxage old\n"}),
                 "/etc/logrotate.conf:1: maxage needs a number", id="logrotate-maxage"),
    pytest.param(files("logrotate_conf", {"/etc/logrotate.conf": "/var/log/x 'open {\n"}),
                 "/etc/logrotate.conf:1: No closing quotation", id="logrotate-quote"),
    pytest.param(files("logrotate_conf", {"/etc/logrotate.conf": "/var/log/x {\nrotate 4\n"}),
                 "/etc/logrotate.conf:1: unterminated logrotate block", id="logrotate-block"),
    # mac
    pytest.param(text("mac_status", "apparmor.enabled Y\n"),
                 "mac_status output lacks its end marker", id="mac-end"),
    pytest.param(text("mac_status", "apparmor.profile x (weird)\nend\n"),
                 "not an AppArmor profile line: 'x (weird)'", id="mac-profile"),
    pytest.param(text("mac_status", "selinux.enforce 2\nend\n"), "selinux enforce is '2'",
                 id="mac-enforce"),
    pytest.param(text("mac_status", "smack on\nend\n"), "not a mac_status line: 'smack on'",
                 id="mac-line"),
    pytest.param(files("selinux_config", {"/etc/selinux/config": "selinux enforcing\n"}),
                 "/etc/selinux/config:1: not a KEY=value line: 'selinux enforcing'",
                 id="selinux-config"),
    # local network
    pytest.param(text("ip6_global_addresses",
                      "2: eth0    inet6 2001:db8::zz/64 scope global \\       valid_lft\n"),
                 "not an IPv6 address: '2001:db8::zz'", id="ipv6-address"),
    pytest.param(text("ip6_default_route", "default via fe80::zz dev eth0\n"),
                 "not an IPv6 address: 'fe80::zz'", id="ipv6-gateway"),
    pytest.param(text("listening_sockets", "tool ss\ntcp LISTEN 0 128 0.0.0.0:ssh *:*\n"),
                 "not an address:port: '0.0.0.0:ssh'", id="ss-port"),
    pytest.param(text("listening_sockets", "tool ss\nGarbage\n"), "not an ss line: 'Garbage'",
                 id="ss-line"),
    pytest.param(text("listening_sockets", "tool netstat\nGarbage\n"),
                 "not a netstat line: 'Garbage'", id="netstat-line"),
    pytest.param(text("listening_sockets", "ss: not found\n"),
                 "socket listing without its 'tool' header", id="sockets-header"),
    pytest.param(text("ip6_global_addresses", 'Object "addr" is unknown\n'),
                 "not an 'ip -o addr' line: 'Object \"addr\" is unknown'", id="ip-addr"),
    pytest.param(text("ip6_default_route", "RTNETLINK answers: denied\n"),
                 "not an 'ip -6 route' default line: 'RTNETLINK answers: denied'",
                 id="ip-route"),
    pytest.param(text("resolvectl_dns", "Failed to get global data\n"),
                 "not a 'resolvectl dns' line: 'Failed to get global data'", id="resolvectl"),
    # packages
    pytest.param(files("packages", {"/var/lib/dpkg/status": "Package bash\n"}),
                 "not a dpkg status line: 'Package bash'", id="dpkg-line"),
    pytest.param(files("packages", {"/var/lib/dpkg/status": "Status: install ok installed\n"}),
                 "dpkg status stanza without a Package field", id="dpkg-package"),
    pytest.param(text("packages", "ii\tbash\t5.2\n"),
                 "package listing without its 'manager' header", id="packages-header"),
    pytest.param(text("packages", "manager pacman\n"), "unknown package manager 'pacman'",
                 id="packages-manager"),
    pytest.param(text("packages", "manager dpkg\nbash 5.2\n"), "not a package line: 'bash 5.2'",
                 id="packages-line"),
    # pam
    pytest.param(call(pam.parse_pam_file, "/etc/pam.d/p", "password [success=1 pam_unix.so\n"),
                 "unterminated [ in PAM line", id="pam-bracket"),
    pytest.param(call(pam.parse_pam_file, "/etc/pam.d/p", "@include\n"),
                 "/etc/pam.d/p:1: bad @include", id="pam-include"),
    pytest.param(call(pam.parse_pam_file, "/etc/pam.d/p", "password pam_unix.so\n"),
                 "/etc/pam.d/p:1: not a PAM rule: 'password pam_unix.so'", id="pam-rule"),
    pytest.param(call(pam.parse_pam_file, "/etc/pam.d/p", "login required pam_unix.so\n"),
                 "/etc/pam.d/p:1: unknown PAM type 'login'", id="pam-type"),
    pytest.param(call(pam.parse_kv_conf, "/etc/security/pwquality.conf", "min len = 8\n"),
                 "/etc/security/pwquality.conf:1: not a setting: 'min len = 8'", id="pam-kv"),
    pytest.param(call(pam.pam_int, "twelve", "/etc/pam.d/p:2"),
                 "/etc/pam.d/p:2: 'twelve' is not an integer", id="pam-int"),
    pytest.param(call(pam.required_classes, _pam_line("pam_passwdqc", "min=1,2"), {}),
                 "/etc/pam.d/common-password:3: pam_passwdqc min= needs five values",
                 id="pam-passwdqc"),
    pytest.param(call(pam.pam_stack, "/etc/pam.d/a",
                      {"/etc/pam.d/a": [pam.PamLine("@include", "include", "a", (),
                                                    "/etc/pam.d/a:1")]}, "password", []),
                 "PAM include loop: /etc/pam.d/a -> /etc/pam.d/a", id="pam-loop"),
    pytest.param(call(pam.pam_stack, "/etc/pam.d/s0", _pam_chain(20), "password", []),
                 "PAM includes nested deeper than 16 levels: " + " -> ".join(
                     f"/etc/pam.d/s{i}" for i in range(17)), id="pam-depth"),
    # processes, shell, snmp
    pytest.param(text("processes", "bash\x00 -c x\n"), "not a ps line: 'bash\\x00 -c x'",
                 id="ps-line"),
    pytest.param(text("processes", "\n"), "empty process list", id="ps-empty"),
    pytest.param(files("shell_profiles", {"/etc/profile": "\x00\x01"}),
                 "/etc/profile: binary content", id="shell-binary"),
    pytest.param(files("snmpd_conf", {"/etc/snmp/snmpd.conf": "rocommunity 'public\n"}),
                 "/etc/snmp/snmpd.conf:1: No closing quotation", id="snmp-quote"),
    pytest.param(files("snmpd_conf", {"/etc/snmp/snmpd.conf": "rocommunity\n"}),
                 "/etc/snmp/snmpd.conf:1: rocommunity without a community", id="snmp-community"),
    pytest.param(files("snmpd_conf", {"/etc/snmp/snmpd.conf": "com2sec ro default\n"}),
                 "/etc/snmp/snmpd.conf:1: com2sec needs NAME SOURCE COMMUNITY", id="snmp-com2sec"),
    # ssh
    pytest.param(text("ssh_banner_file", "garbage\n"), "not a banner probe output: 'garbage'",
                 id="banner-header"),
    pytest.param(text("ssh_banner_file", f"{B} BANNER-FILES\nstray\n"),
                 "banner probe output does not start with a record", id="banner-record"),
    pytest.param(text("sshd_effective", "Port 22\n"), "not an sshd -T line: 'Port 22'",
                 id="sshd-t-line"),
    pytest.param(text("sshd_effective", "port 22\n"),
                 "sshd -T output lacks permitrootlogin/passwordauthentication", id="sshd-t-keys"),
    pytest.param(files("sshd_config_files", {"/etc/ssh/sshd_config": 'Banner "open\n'}),
                 "unterminated quoted string", id="sshd-quote"),
    pytest.param(files("sshd_config_files", _sshd_nest(20)), "too many nested Include levels",
                 id="sshd-depth"),
    pytest.param(files("sshd_config_files", {"/etc/ssh/sshd_config": "<html>\n"}),
                 "/etc/ssh/sshd_config:1: not an sshd_config line: '<html>'", id="sshd-line"),
    pytest.param(files("sshd_config_files", {"/etc/ssh/sshd_config": "Include\n"}),
                 "/etc/ssh/sshd_config:1: Include without a file name", id="sshd-include"),
    pytest.param(call(sshd.sshd_seconds, "soon"), "not an sshd time value: 'soon'",
                 id="sshd-time"),
    # sudo
    pytest.param(text("sudo_installed", "Sudo version 1.9\n"),
                 "sudo_installed output lacks the sudoers line", id="sudo-installed"),
    pytest.param(text("sudo_installed", "sudoers readable\nsudo: broken\n"),
                 "not a sudo -V line: 'sudo: broken'", id="sudo-version"),
    pytest.param(files("sudoers_files", _sudoers_nest(12)),
                 "/etc/sudoers.d/n8: include nesting too deep", id="sudo-nesting"),
    pytest.param(files("sudoers_files", {"/etc/sudoers": "root ALL\n"}),
                 "/etc/sudoers:1: not a sudoers rule: 'root ALL'", id="sudo-rule"),
    pytest.param(call(sudo.sudo_aliases, _sudoers("alias", "User_Alias ADMINS")),
                 "/etc/sudoers:7: bad alias definition", id="sudo-alias"),
    pytest.param(call(sudo.sudo_grants, _sudoers("spec", "root ALL : ALL"), {}),
                 "/etc/sudoers:7: user specification without '='", id="sudo-spec"),
    # sysctl
    pytest.param(text("ipv6_sysctl", "sysctl: permission denied\n"),
                 "not a sysctl line: 'sysctl: permission denied'", id="ipv6-sysctl-line"),
    pytest.param(text("ipv6_sysctl", "net.ipv6.conf.all.disable_ipv6 = 0\n"),
                 "sysctl output lacks the disable_ipv6 keys", id="ipv6-sysctl-keys"),
    pytest.param(text("kernel_cmdline", "ro\nquiet\n"), "expected one line of kernel parameters",
                 id="cmdline"),
    pytest.param(text("sysctl_conf", "garbage\n"), "not a sysctl files probe output: 'garbage'",
                 id="sysctl-header"),
    pytest.param(text("sysctl_conf", f"{B} SYSCTL-FILES\nstray\n"),
                 "sysctl files probe output does not start with a record", id="sysctl-record"),
    pytest.param(files("sysctl_conf", {"/etc/sysctl.d/9.conf": "not sysctl\n"}),
                 "/etc/sysctl.d/9.conf:1: not a sysctl setting: 'not sysctl'", id="sysctl-conf"),
    pytest.param(files("boot_cmdline", {"/etc/default/grub": "GRUB_CMDLINE_LINUX=\"quiet\n"}),
                 "/etc/default/grub: No closing quotation", id="grub-quote"),
    pytest.param(text("kernel_sysctl", "kernel.x: denied\n"),
                 "not a sysctl line: 'kernel.x: denied'", id="kernel-sysctl-line"),
    pytest.param(text("kernel_sysctl", "kernel.unknown_key = 1\n"),
                 "sysctl printed none of the requested keys", id="kernel-sysctl-keys"),
    # time
    pytest.param(text("clock_now", "Mon Nov 30\n"), "not an epoch timestamp: 'Mon Nov 30'",
                 id="clock"),
    pytest.param(text("timedatectl_ntp", "Failed to connect\n"),
                 "unexpected timedatectl line: 'Failed to connect'", id="timedatectl-line"),
    pytest.param(text("timedatectl_ntp", "NTP=yes\n"),
                 "timedatectl did not report NTPSynchronized", id="timedatectl-sync"),
    pytest.param(text("chrony_tracking", "506 Cannot talk to daemon\n"),
                 "chronyc tracking output lacks Reference ID / Leap status", id="chrony-tracking"),
    pytest.param(text("ntpq_peers", "ntpq: read: Connection refused\n"),
                 "ntpq output before its header: 'ntpq: read: Connection refused'",
                 id="ntpq-line"),
    pytest.param(text("ntpq_peers", "\n"), "no ntpq peer table header", id="ntpq-header"),
    pytest.param(text("chrony_conf", "garbage\n"), "not a chrony probe output: 'garbage'",
                 id="chrony-header"),
    pytest.param(text("chrony_conf", f"{B} CHRONY-FILES\n{B} LIMIT\n"),
                 "chrony's directives name more than 64 files", id="chrony-limit"),
    pytest.param(text("chrony_conf", f"{B} CHRONY-FILES\nstray\n"),
                 "chrony probe output does not start with a record", id="chrony-record"),
    pytest.param(files("timesyncd_conf", {"/etc/systemd/timesyncd.conf": "[Time]\nNTP\n"}),
                 "/etc/systemd/timesyncd.conf: not a setting: 'NTP'", id="timesyncd"),
    # updates
    pytest.param(text("pending_updates", "manager apt\nE: Could not open lock\nstatus 0\n"),
                 "apt-get failed: 'E: Could not open lock'", id="apt-failed"),
    pytest.param(text("pending_updates", "manager dnf\nsomething odd\nstatus 0\n"),
                 "not an updateinfo line: 'something odd'", id="dnf-line"),
    pytest.param(text("pending_updates", "apt list\n"),
                 "update listing without its 'manager' header", id="updates-header"),
    pytest.param(text("pending_updates", "manager zypper\n"), "unknown package manager 'zypper'",
                 id="updates-manager"),
    pytest.param(text("pending_updates", "manager apt\n"),
                 "update listing without its exit status (cut short?)", id="updates-status"),
    pytest.param(text("pending_updates", "manager dnf\nError: no cache\nstatus 1\n"),
                 "dnf updateinfo exited 1: Error: no cache", id="dnf-exit"),
    pytest.param(text("package_history", "garbage\n"), "not a package history line: 'garbage'",
                 id="history-line"),
    pytest.param(text("package_history", "event /var/log/dpkg.log junk\n"),
                 "unrecognised package event in /var/log/dpkg.log: 'junk'", id="history-event"),
    # windows (issue 11): a collector section whose text is not JSON
    pytest.param(text("win_smb", "{nope"), "not JSON: Expecting property name enclosed in "
                 "double quotes: line 1 column 2 (char 1)", id="win-json"),
    # the coverage result given to a scan (attt.probes.coverage)
    pytest.param(text("coverage.result", '{"schema": "attt.results/1"}'),
                 "not a valid coverage result at schema: not an attt coverage result (attt "
                 "coverage --json or -o)", id="coverage-result"),
]


@pytest.mark.parametrize(("parse", "english"), ROWS)
def test_parse_error_in_both_languages(parse: Callable[[], Any], english: str) -> None:
    with pytest.raises(FactParseError) as info:
        parse()
    msg = info.value.msg
    assert str(info.value) == english  # the English text is the one it always was
    assert render(msg, "en") == english
    assert untranslated(msg) == []
    vietnamese = render(msg, "vi")
    assert vietnamese != english


def _raised_templates(path: Path) -> set[str]:
    """Templates ``T("...")`` given straight to a raised exception in ``path``."""

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            arg = node.exc.args[0]
            if (isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name)
                    and arg.func.id == "T" and isinstance(arg.args[0], ast.Constant)):
                found.add(arg.args[0].value)
    return found


def test_every_parse_error_template_has_a_row() -> None:
    """A parse error added to a probe without a row here (and a translation) fails."""

    # agents.py raises profile parameter errors (ParamError), not parse errors of output.
    wanted = set().union(*(_raised_templates(p) for p in sorted(PROBES_DIR.glob("*.py"))
                           if p.name != "agents.py"))
    covered: set[str] = set()
    for row in ROWS:
        try:
            row.values[0]()
        except FactParseError as exc:
            covered.add(exc.msg.id)
    assert wanted - covered == set()


def test_shlex_complaints_are_messages() -> None:
    """Both complaints of shlex.split, and any other it might add, as messages."""

    for words, english in (("'open", "f:1: No closing quotation"),
                           ("tail\\", "f:1: No escaped character")):
        with pytest.raises(ValueError) as info:
            shlex.split(words)
        msg = split_error(info.value, "f:1")
        assert render(msg, "en") == english and untranslated(msg) == []
    other = split_error(ValueError("something new"), "f:2")
    assert render(other, "en") == "f:2: cannot split the line into words (something new)"
    assert untranslated(other) == [] and "something new" in render(other, "vi")


def test_profile_and_stack_errors_share_the_type() -> None:
    """PamError, SudoersError and ParamError are FactParseErrors: one pattern for a message
    carried by an exception."""

    for cls in (pam.PamError, sudo.SudoersError, ParamError):
        assert issubclass(cls, FactParseError)
    err = ParamError(T("{param} must be a list", param="agents"))
    assert err.msg is err.message and str(err) == "agents must be a list"


def _unavailable_reason(probe: str, output: str) -> Any:
    facts = Facts({probe: Section(probe, text=output, exit_code=0)}, "live")
    with pytest.raises(MissingFact) as info:
        facts.get(probe)
    return info.value.reason


def test_fact_reason_is_the_probe_message() -> None:
    reason = _unavailable_reason("sshd_effective", "Port 22\n")
    assert isinstance(reason, Msg)
    assert render(reason, "en") == "unparsable output (not an sshd -T line: 'Port 22')"
    assert untranslated(reason) == []


def test_unparsable_section_gives_a_vietnamese_finding() -> None:
    """End to end: a real check on a Facts whose section is unparsable gives an error
    finding whose Vietnamese message quotes no English parse text."""

    spec = CHECKS["ssh.root_login_disabled"]
    facts = Facts({"sshd_effective": Section("sshd_effective", text="Port 22\n", exit_code=0),
                   "sshd_config_files": Section(
                       "sshd_config_files", exit_code=0,
                       files={"/etc/ssh/sshd_config": "<html>not a config</html>\n"})}, "live")
    result = spec.evaluate(facts, {})
    assert result.status.value == "error"
    assert untranslated(result.message) == []
    vietnamese = render(result.message, "vi")
    english = render(result.message, "en")
    assert "not an sshd" in english
    for fragment in ("not an sshd", "unparsable", "line:", "is unavailable"):
        assert fragment not in vietnamese
