"""Parsers of the kernel-parameter and SSH-extras probes, against captured real outputs
(tests/fixtures/outputs/kernel_sysctl.*, sshd-T.*, ssh_banner_file.*) and garbage.

Captured on a Debian 12 host: ``sysctl -e <keys>`` inside throwaway ``unshare -n`` network
namespaces (defaults; after ``sysctl -w`` of the redirect/source-route keys; after enabling
forwarding and disabling SYN cookies), ``sshd -T -f <throwaway config>`` with a throwaway host
key, and the ``ssh_banner_file`` probe run in a throwaway mount namespace (``unshare -m``) with
the test config bind-mounted over /etc/ssh/sshd_config and test banners over /etc/issue.net.
The banner probe fixtures use a fixed boundary token instead of a random one.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from attt.collect import build_script, new_token, parse_output
from attt.library import load_all
from attt.probes.ssh_banner import BannerFiles
from attt.probes.sysctl import SYSCTL_KEYS, SysctlTree, normalize_key
from attt.registry import PROBES, Section

load_all()

OUTPUTS = Path(__file__).parent.parent / "fixtures" / "outputs"
TOKEN = "@@ATTT-3b9f0c1d2e4a5b6c7d8e9f0a1b2c3d4e@@"


def fixture(name: str) -> str:
    return (OUTPUTS / name).read_text(encoding="utf-8")


def parse_text(probe: str, text: str) -> Any:
    return PROBES[probe].parser(Section(probe, text=text, exit_code=0))


def parse_files(probe: str, files: dict[str, str]) -> Any:
    return PROBES[probe].parser(Section(probe, files=files, exit_code=0))


# ----------------------------------------------------------------- kernel_sysctl


@pytest.mark.parametrize(("name", "expect"), [
    ("kernel_sysctl.netns-defaults.debian12.txt",
     {"net.ipv4.ip_forward": "0", "net.ipv4.conf.all.accept_redirects": "1",
      "net.ipv4.conf.default.accept_source_route": "1", "kernel.dmesg_restrict": "1"}),
    ("kernel_sysctl.netns-hardened.debian12.txt",
     {"net.ipv4.conf.all.send_redirects": "0", "net.ipv6.conf.all.accept_source_route": "-1",
      "net.ipv4.tcp_syncookies": "1"}),
    # Enabling ip_forward makes the kernel reset all.accept_redirects to 0.
    ("kernel_sysctl.netns-router.debian12.txt",
     {"net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1",
      "net.ipv4.tcp_syncookies": "0", "net.ipv4.conf.all.accept_redirects": "0"}),
])
def test_kernel_sysctl_captures(name: str, expect: dict[str, str]) -> None:
    values = parse_text("kernel_sysctl", fixture(name))
    assert set(values) == set(SYSCTL_KEYS)
    for key, value in expect.items():
        assert values[key] == value


def test_kernel_sysctl_ipv6_absent_marker() -> None:
    text = "net.ipv6 = absent\nkernel.randomize_va_space = 2\n"
    assert parse_text("kernel_sysctl", text) == {"net.ipv6": "absent",
                                                 "kernel.randomize_va_space": "2"}


@pytest.mark.parametrize("text", [
    "",
    "sysctl: cannot stat /proc/sys/kernel/randomize_va_space: No such file or directory\n",
    "kernel.randomize_va_space: 2\n",
    "net.ipv6 = absent\n",  # nothing but the marker
])
def test_kernel_sysctl_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_text("kernel_sysctl", text)


# ----------------------------------------------------------------- sysctl.d


@pytest.mark.parametrize(("raw", "key"), [
    ("net.ipv4.ip_forward", "net.ipv4.ip_forward"),
    ("net/ipv4/ip_forward", "net.ipv4.ip_forward"),
    # sysctl.d(5): with '/' first, '.' inside a component (a VLAN interface) is kept as '/'.
    ("net/ipv4/conf/enp3s0.200/forwarding", "net.ipv4.conf.enp3s0/200.forwarding"),
    (" kernel.dmesg_restrict ", "kernel.dmesg_restrict"),
])
def test_normalize_key(raw: str, key: str) -> None:
    assert normalize_key(raw) == key


def test_sysctl_settings_precedence() -> None:
    files = {
        "/usr/lib/sysctl.d/50-coredump.conf": "fs.suid_dumpable=2\n",
        "/etc/sysctl.d/50-coredump.conf": "# masked\n",
        "/usr/lib/sysctl.d/10-a.conf": "kernel.dmesg_restrict = 0\n",
        "/etc/sysctl.d/20-b.conf": "kernel.dmesg_restrict = 1\n; comment\n",
        "/run/sysctl.d/30-c.conf": "-net.ipv4.tcp_syncookies = 0\n",
        "/etc/sysctl.d/90-glob.conf": "net.ipv4.conf.*.send_redirects = 0\n",
        "/etc/sysctl.d/10-explicit.conf": "net.ipv4.conf.default.send_redirects = 1\n",
        "/etc/sysctl.conf": "kernel.randomize_va_space=1\nthis line is no assignment\n",
        "/etc/sysctl.d/99-sysctl.conf": "kernel.randomize_va_space=1\nthis line is no assignment\n",
    }
    tree: SysctlTree = parse_files("sysctl_settings", files)
    assert tree.lookup("fs.suid_dumpable") is None  # /etc file of the same name masks it
    dmesg = tree.lookup("kernel.dmesg_restrict")
    assert dmesg is not None and (dmesg.value, dmesg.where) == ("1", "/etc/sysctl.d/20-b.conf:1")
    cookies = tree.lookup("net.ipv4.tcp_syncookies")
    assert cookies is not None and cookies.value == "0"
    # An explicit key wins over a glob, whatever the order.
    explicit = tree.lookup("net.ipv4.conf.default.send_redirects")
    assert explicit is not None and explicit.value == "1"
    glob = tree.lookup("net.ipv4.conf.all.send_redirects")
    assert glob is not None and glob.where == "/etc/sysctl.d/90-glob.conf:1"
    aslr = tree.lookup("kernel.randomize_va_space")
    assert aslr is not None and aslr.where == "/etc/sysctl.conf:1 via /etc/sysctl.d/99-sysctl.conf"
    assert tree.files_read[-1] == "/etc/sysctl.d/99-sysctl.conf"
    assert tree.ignored == (
        "/etc/sysctl.conf:2 via /etc/sysctl.d/99-sysctl.conf: this line is no assignment",)


def test_kernel_build_config() -> None:
    files = {
        "/boot/config-6.1.0-28-amd64": "# CONFIG_COMPAT_BRK is not set\n"
                                       "CONFIG_SECURITY_DMESG_RESTRICT=y\nCONFIG_SMP=y\n",
        "/boot/config-6.12.0-custom": "# CONFIG_SECURITY_DMESG_RESTRICT is not set\n",
    }
    assert parse_files("kernel_build_config", files) == {
        "/boot/config-6.1.0-28-amd64": {"CONFIG_COMPAT_BRK": False,
                                        "CONFIG_SECURITY_DMESG_RESTRICT": True},
        "/boot/config-6.12.0-custom": {"CONFIG_SECURITY_DMESG_RESTRICT": False},
    }


# ----------------------------------------------------------------- sshd -T


@pytest.mark.parametrize(("name", "expect"), [
    ("sshd-T.debian12.txt",
     {"x11forwarding": "yes", "logingracetime": "120", "banner": "none",
      "hostbasedauthentication": "no", "ignorerhosts": "yes"}),
    ("sshd-T.hardened-issue-net.debian12.txt",
     {"x11forwarding": "no", "logingracetime": "30", "banner": "/etc/issue.net"}),
    ("sshd-T.weak-grace0.debian12.txt",
     {"x11forwarding": "yes", "logingracetime": "0", "hostbasedauthentication": "yes",
      "ignorerhosts": "no"}),
    # sshd -T prints LoginGraceTime 2m in seconds.
    ("sshd-T.2m-banner.debian12.txt",
     {"logingracetime": "120", "banner": "/etc/ssh/banner.txt"}),
])
def test_sshd_effective_extras(name: str, expect: dict[str, str]) -> None:
    values = parse_text("sshd_effective", fixture(name))
    for keyword, value in expect.items():
        assert values[keyword] == [value]


# ----------------------------------------------------------------- banner


def test_banner_probe_vietnamese() -> None:
    got: BannerFiles = parse_text(
        "ssh_banner_file", fixture("ssh_banner_file.issue-net-vi.debian12.txt"))
    assert got.files["/etc/issue.net"].startswith("CẢNH BÁO: Hệ thống thông tin")
    assert got.files["/etc/issue.net"].endswith("ghi nhật ký.\n")
    assert got.files["/etc/issue"] == "Debian GNU/Linux 12 \\n \\l\n\n"
    assert not got.missing


@pytest.mark.parametrize(("name", "files", "missing"), [
    ("ssh_banner_file.issue-net-empty.debian12.txt",
     {"/etc/issue.net": "", "/etc/issue": "Debian GNU/Linux 12 \\n \\l\n\n"}, set()),
    ("ssh_banner_file.missing.debian12.txt",
     {"/etc/issue.net": "Debian GNU/Linux 12\n", "/etc/issue": "Debian GNU/Linux 12 \\n \\l\n\n"},
     {"/etc/ssh/sshd-banner"}),
    ("ssh_banner_file.stock.debian12.txt",
     {"/etc/issue.net": "Debian GNU/Linux 12\n", "/etc/issue": "Debian GNU/Linux 12 \\n \\l\n\n"},
     set()),
])
def test_banner_probe_captures(name: str, files: dict[str, str], missing: set[str]) -> None:
    got: BannerFiles = parse_text("ssh_banner_file", fixture(name))
    assert dict(got.files) == files
    assert set(got.missing) == missing


def test_banner_content_cannot_forge_records() -> None:
    # A banner line that looks like a record but with another token stays content.
    text = (f"{TOKEN} BANNER-FILES\n{TOKEN} FILE /etc/issue.net\n"
            "@@ATTT-00000000000000000000000000000000@@ FILE /etc/shadow\nroot::\n\n")
    got: BannerFiles = parse_text("ssh_banner_file", text)
    assert list(got.files) == ["/etc/issue.net"]
    assert "/etc/shadow" in got.files["/etc/issue.net"]


@pytest.mark.parametrize("text", [
    "Authorized users only\n",
    f"{TOKEN} BANNER-FILES\nstray text\n",
])
def test_banner_probe_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_text("ssh_banner_file", text)


def test_banner_probe_offline_files() -> None:
    got: BannerFiles = parse_files("ssh_banner_file", {"/etc/issue.net": "Authorised only\n"})
    assert got.files == {"/etc/issue.net": "Authorised only\n"} and not got.missing
    assert parse_files("ssh_banner_file", {}).files == {}


# ----------------------------------------------------------------- through the collector


def test_probes_through_the_real_collector() -> None:
    """kernel_sysctl and ssh_banner_file run by the collector script on this machine."""

    probes = [PROBES["kernel_sysctl"], PROBES["ssh_banner_file"]]
    token = new_token()
    script = build_script(probes, token)
    proc = subprocess.run(["sh", "-s"], input=script.encode(), capture_output=True, check=False,
                          timeout=60)
    collected = parse_output(proc.stdout, token, probes, 8_000_000)
    sysctl = collected.sections["kernel_sysctl"]
    assert sysctl.state == "ok"
    values = PROBES["kernel_sysctl"].parser(sysctl)
    assert values["kernel.randomize_va_space"] in ("0", "1", "2")
    banner = collected.sections["ssh_banner_file"]
    assert banner.state == "ok"
    parsed: BannerFiles = PROBES["ssh_banner_file"].parser(banner)
    for path in ("/etc/issue.net", "/etc/issue"):
        if Path(path).is_file():
            assert parsed.files[path] == Path(path).read_text(encoding="utf-8")
