"""Probe parsers against captured real outputs (tests/fixtures/outputs) and garbage.

Fixture names: <command>.<variant>.<distro>.txt.  The Debian 12 outputs were captured on a
Debian 12 host (nft/iptables/ip/sysctl inside a throwaway network namespace); the RHEL ones
follow the documented formats.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from attt.library import load_all
from attt.registry import PROBES, Section

load_all()

OUTPUTS = Path(__file__).parent.parent / "fixtures" / "outputs"


def fixture(name: str) -> str:
    return (OUTPUTS / name).read_text(encoding="utf-8")


def text_section(probe: str, text: str, exit_code: int = 0) -> Section:
    return Section(probe, text=text, exit_code=exit_code)


def files_section(probe: str, files: dict[str, str]) -> Section:
    return Section(probe, files=files, exit_code=0)


def parse(section: Section) -> Any:
    return PROBES[section.name].parser(section)


def _nft_summary(rs: Any) -> dict[str, tuple[str | None, str, int]]:
    return {f"{c.family} {c.table} {c.name}": (c.hook, c.policy, len(c.rules))
            for c in rs.chains.values()}


# (probe, fixture, how to build the section, what to extract, expected)
CASES: list[tuple[str, str, Callable[[Any], Any], Any]] = [
    ("sshd_effective", "sshd-T.debian12.txt",
     lambda v: (v["permitrootlogin"], v["passwordauthentication"], v["usepam"], len(v["hostkey"])),
     (["prohibit-password"], ["yes"], ["yes"], 3)),
    ("nft_ruleset", "nft-list-ruleset.drop.debian12.txt", _nft_summary,
     {"inet filter input": ("input", "drop", 6), "inet filter forward": ("forward", "drop", 0),
      "inet filter output": ("output", "accept", 0)}),
    ("nft_ruleset", "nft-list-ruleset.accept.debian12.txt", _nft_summary,
     {"ip filter INPUT": ("input", "accept", 1)}),
    ("nft_ruleset", "nft-list-ruleset.empty.debian12.txt", _nft_summary, {}),
    ("nft_ruleset", "nft-list-ruleset.firewalld-style.txt",
     lambda rs: rs.chains[("inet", "firewalld", "filter_INPUT")].rules[-1],
     "reject with icmpx admin-prohibited"),
    ("nft_ruleset", "nft-list-ruleset.iptables-nft.debian12.txt", _nft_summary,
     {"ip filter INPUT": ("input", "drop", 3), "ip6 filter INPUT": ("input", "accept", 2)}),
    ("iptables_rules", "iptables-S.accept.debian12.txt", lambda v: v, ("ACCEPT", [])),
    ("iptables_rules", "iptables-S.drop.debian12.txt", lambda v: (v[0], len(v[1])), ("DROP", 3)),
    ("ip6tables_rules", "ip6tables-S.reject-last.debian12.txt", lambda v: v[1][-1],
     "-j REJECT --reject-with icmp6-port-unreachable"),
    ("iptables_rules", "iptables-save.drop.debian12.txt", lambda v: (v[0], len(v[1])),
     ("DROP", 3)),
    ("ip6_global_addresses", "ip-6-o-addr-global.debian12.txt",
     lambda v: [(a.interface, a.address, "tentative" in a.flags, "deprecated" in a.flags)
                for a in v],
     [("v1", "2402:800:6310::20", True, False), ("v0", "2402:800:6310::99", False, True),
      ("v0", "fd12:3456::10", False, False), ("v0", "2402:800:6310::10", False, False)]),
    ("ipv6_sysctl", "sysctl-disable_ipv6.debian12.txt",
     lambda v: v["net.ipv6.conf.all.disable_ipv6"], "0"),
    ("ipv6_sysctl", "sysctl-disable_ipv6.disabled.debian12.txt",
     lambda v: v["net.ipv6.conf.default.disable_ipv6"], "1"),
    ("processes", "ps-eo-comm-args.debian12-clamav-rsyslog.txt",
     lambda t: (t.running("clamd"), t.running("rsyslogd"), t.running("systemd-journal-upload"),
                t.running("systemd-journald"), t.running("sshd"), t.running("kthreadd")),
     (True, True, True, True, True, True)),
    ("processes", "ps-eo-comm-args.debian12-base.txt",
     lambda t: (t.running("systemd-journal-upload"), t.running("clamd"), t.running("bash")),
     (False, False, True)),
]


@pytest.mark.parametrize(("probe", "name", "extract", "expected"), CASES,
                         ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_command_output(probe: str, name: str, extract: Callable[[Any], Any],
                        expected: Any) -> None:
    assert extract(parse(text_section(probe, fixture(name)))) == expected


def test_dpkg_query_listing() -> None:
    pkgs = parse(text_section("packages", fixture("packages.dpkg-query-W.debian12.txt")))
    assert pkgs.manager == "dpkg"
    assert pkgs.version("adduser") == "3.134"
    assert len(pkgs.installed) == 40


def test_dpkg_status_file() -> None:
    text = fixture("dpkg-status.excerpt.debian12.txt")
    removed = ("\nPackage: clamav-daemon\nStatus: deinstall ok config-files\n"
               "Version: 1.4.3+dfsg-1~deb12u2\n")
    pkgs = parse(files_section("packages", {"/var/lib/dpkg/status": text + removed}))
    assert pkgs.version("nftables") == "1.0.6-2+deb12u2"
    assert pkgs.version("iptables") == "1.8.9-2"
    assert pkgs.version("clamav-daemon") is None


def test_packages_offline_without_dpkg() -> None:
    pkgs = parse(files_section("packages", {}))
    assert pkgs.manager == "none"
    assert "not read offline" in pkgs.source


def test_sshd_config_debian12_defaults() -> None:
    cfg = parse(files_section("sshd_config_files",
                              {"/etc/ssh/sshd_config": fixture("sshd_config.debian12.txt")}))
    assert cfg.present
    assert "permitrootlogin" not in cfg.settings
    assert cfg.settings["kbdinteractiveauthentication"].value == "no"
    assert cfg.settings["usepam"].where == "/etc/ssh/sshd_config:85"
    assert cfg.unread_includes == ()


def test_sshd_config_include_order_and_match() -> None:
    files = {
        "/etc/ssh/sshd_config": "Include sshd_config.d/*.conf\nPermitRootLogin yes\n"
                                "Match User x\n  PasswordAuthentication yes\n",
        "/etc/ssh/sshd_config.d/b.conf": "PasswordAuthentication no\n",
        "/etc/ssh/sshd_config.d/a.conf": "Match Address 198.18.0.0/15\nPermitRootLogin no\n",
    }
    cfg = parse(files_section("sshd_config_files", files))
    assert cfg.settings["permitrootlogin"].value == "yes"  # a.conf's value is inside Match
    assert cfg.settings["passwordauthentication"].where == "/etc/ssh/sshd_config.d/b.conf:1"


def test_nftables_conf_debian12_stock() -> None:
    out = parse(files_section("nftables_conf",
                              {"/etc/nftables.conf": fixture("nftables.conf.debian12.txt")}))
    chains = out["/etc/nftables.conf"].chains
    assert chains[("inet", "filter", "input")].hook == "input"
    assert chains[("inet", "filter", "input")].policy == "accept"


def test_pam_common_password_debian12() -> None:
    stacks = parse(files_section("pam_password", {
        "/etc/pam.d/common-password": fixture("pam.d-common-password.debian12.txt")}))
    lines = stacks["/etc/pam.d/common-password"]
    assert [(ln.control, ln.module) for ln in lines] == [
        ("success=1 default=ignore", "pam_unix"), ("requisite", "pam_deny"),
        ("required", "pam_permit")]
    assert lines[0].args == ("obscure", "yescrypt")


def test_timesyncd_debian12_all_commented() -> None:
    out = parse(files_section("timesyncd_conf", {
        "/etc/systemd/timesyncd.conf": fixture("timesyncd.conf.debian12.txt")}))
    assert out == {}


def test_login_defs_debian12() -> None:
    defs = fixture("login.defs.debian12.txt")
    out = parse(files_section("login_defs", {"/etc/login.defs": defs}))
    assert out["PASS_MAX_DAYS"] == "99999"
    assert "PASS_MIN_LEN" not in out


GARBAGE: list[tuple[str, str]] = [
    ("sshd_effective", "<html><body>502 Bad Gateway</body></html>\n"),
    ("sshd_effective", "port 22\naddressfamily any\n"),  # cut short: no permitrootlogin
    ("nft_ruleset", "table inet filter {\n\tchain input {\n"),
    ("nft_ruleset", "Error: syntax error, unexpected junk\n"),
    ("nft_ruleset", "}\n"),
    ("iptables_rules", "iptables v1.8.9 (nf_tables): unknown option \"--bogus\"\n"),
    ("iptables_rules", ""),
    ("ip6_global_addresses", "Object \"addr\" is unknown, try \"ip help\".\n"),
    ("ip6_global_addresses", "2: eth0    inet6 not-an-address/64 scope global\n"),
    ("ipv6_sysctl", "sysctl: cannot stat /proc/sys/net/ipv6/conf/all/disable_ipv6\n"),
    ("kernel_cmdline", ""),
    ("processes", ""),
    ("processes", "\x00\x00\x00\n"),
    ("packages", "adduser 3.134\n"),
    ("packages", "manager apk\n"),
    ("packages", "manager dpkg\nii adduser 3.134\n"),
    ("ufw_status", "ERROR: You need to be root to run this script\n"),
    ("ufw_status", "Status: active\n"),
    ("firewalld_state", "FirewallD is not running\n"),
    ("firewalld_state", "running\n"),
    ("timedatectl_ntp", "Failed to connect to bus: Host is down\n"),
    ("chrony_tracking", "506 Cannot talk to daemon\n"),
    ("ntpq_peers", "localhost: timed out, nothing received\n"),
]


@pytest.mark.parametrize(("probe", "text"), GARBAGE, ids=[f"{g[0]}:{i}" for i, g in
                                                          enumerate(GARBAGE)])
def test_garbage_output_raises(probe: str, text: str) -> None:
    with pytest.raises(ValueError):
        parse(text_section(probe, text))


GARBAGE_FILES: list[tuple[str, dict[str, str]]] = [
    ("sshd_config_files", {"/etc/ssh/sshd_config": "\x7fELF\x02\x01\x01 binary\n"}),
    ("sshd_config_files", {"/etc/ssh/sshd_config": "Banner \"unterminated\n"}),
    ("pam_password", {"/etc/pam.d/common-password": "this is not a pam rule\n"}),
    ("pam_password", {"/etc/pam.d/system-auth": "password [success=1 pam_unix.so\n"}),
    ("pwquality_conf", {"/etc/security/pwquality.conf": "min len = 8\n"}),
    ("login_defs", {"/etc/login.defs": "<?xml version='1.0'?>\n"}),
    ("sysctl_conf", {"/etc/sysctl.d/99-x.conf": "this is not sysctl\n"}),
    ("nftables_conf", {"/etc/nftables.conf": "table inet filter {\n"}),
    ("iptables_saved", {"/etc/iptables/rules.v4": "*filter\nCOMMIT\n"}),
    ("firewalld_conf", {"/etc/firewalld/firewalld.conf": "DefaultZone=public\n",
                        "/etc/firewalld/zones/public.xml": "not xml at all\n"}),
]


@pytest.mark.parametrize(("probe", "files"), GARBAGE_FILES, ids=[g[0] for g in GARBAGE_FILES])
def test_garbage_files_raise(probe: str, files: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        parse(files_section(probe, files))


def test_dpkg_status_garbage_raises() -> None:
    with pytest.raises(ValueError):
        parse(files_section("packages", {"/var/lib/dpkg/status": "Status install ok\n"}))


def test_empty_file_probes_mean_absent() -> None:
    """A files probe with nothing collected is 'absent', never a passing configuration."""

    assert parse(files_section("sshd_config_files", {})).present is False
    assert parse(files_section("rsyslog_conf", {})).targets == ()
    assert parse(files_section("chrony_conf", {})) is None
    assert parse(files_section("systemd_enabled", {})).systemd is False
