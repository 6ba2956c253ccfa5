"""Order in which configuration files take effect: sysctl.d (systemd-sysctl), the shell
start-up files (/etc/profile and its profile.d loop) and chrony's confdir/sourcedir/include."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from attt.checks.ipv6 import sysctl_order
from attt.checks.shell_session import Segment, effective_tmout, startup_order

from attt.collect import plan
from attt.model import Host, Status
from attt.registry import CHECKS, PROBES, Facts, Section, load_all
from attt.transport import DirectoryTransport, LocalTransport, TransportSettings

load_all()


def parse_files(probe: str, files: dict[str, str]) -> Any:
    return PROBES[probe].parser(Section(probe, files=files, exit_code=0))


# ----------------------------------------------------------------- sysctl (systemd-sysctl)


@pytest.mark.parametrize(("files", "order"), [
    # /etc/sysctl.conf is never read by systemd-sysctl itself, only through the
    # 99-sysctl.conf link, in that name's lexical place.
    ({"/etc/sysctl.conf": "", "/etc/sysctl.d/99-sysctl.conf": "",
      "/etc/sysctl.d/99-zz-router.conf": "", "/usr/lib/sysctl.d/50-pid-max.conf": ""},
     ["/usr/lib/sysctl.d/50-pid-max.conf", "/etc/sysctl.d/99-sysctl.conf",
      "/etc/sysctl.d/99-zz-router.conf"]),
    ({"/etc/sysctl.conf": "", "/etc/sysctl.d/30-docker.conf": ""},
     ["/etc/sysctl.d/30-docker.conf"]),
    # Same name: /etc masks /run masks /usr/local/lib masks /usr/lib masks /lib.
    ({"/usr/lib/sysctl.d/50-x.conf": "", "/usr/local/lib/sysctl.d/50-x.conf": "",
      "/run/sysctl.d/50-x.conf": "", "/lib/sysctl.d/50-x.conf": ""},
     ["/run/sysctl.d/50-x.conf"]),
    ({"/usr/lib/sysctl.d/50-x.conf": "", "/usr/local/lib/sysctl.d/50-x.conf": "",
      "/lib/sysctl.d/50-x.conf": ""},
     ["/usr/local/lib/sysctl.d/50-x.conf"]),
    # Sorted by file name across directories, not by directory.
    ({"/etc/sysctl.d/90-b.conf": "", "/usr/lib/sysctl.d/10-a.conf": "",
      "/run/sysctl.d/50-m.conf": "", "/usr/local/lib/sysctl.d/95-z.conf": ""},
     ["/usr/lib/sysctl.d/10-a.conf", "/run/sysctl.d/50-m.conf", "/etc/sysctl.d/90-b.conf",
      "/usr/local/lib/sysctl.d/95-z.conf"]),
    # Byte order of names (strcmp): upper case before lower case, '-' before digits.
    ({"/etc/sysctl.d/a.conf": "", "/etc/sysctl.d/B.conf": "", "/etc/sysctl.d/10-x.conf": "",
      "/etc/sysctl.d/1-y.conf": ""},
     ["/etc/sysctl.d/1-y.conf", "/etc/sysctl.d/10-x.conf", "/etc/sysctl.d/B.conf",
      "/etc/sysctl.d/a.conf"]),
    # Only *.conf; other directories are not sysctl.d directories.
    ({"/etc/sysctl.d/README": "", "/etc/sysctl.d/x.conf.dpkg-old": "",
      "/etc/sysctl.d/sub/10-x.conf": "", "/etc/sysctl.d/10-y.conf": ""},
     ["/etc/sysctl.d/10-y.conf"]),
])
def test_sysctl_order(files: dict[str, str], order: list[str]) -> None:
    assert sysctl_order(files) == order


def test_sysctl_conf_alone_is_not_applied() -> None:
    """Without the 99-sysctl.conf link, systemd-sysctl never reads /etc/sysctl.conf."""

    files = {"/etc/sysctl.conf": "net.ipv4.ip_forward = 0\nkernel.randomize_va_space = 0\n",
             "/etc/sysctl.d/30-docker.conf": "net.ipv4.ip_forward = 1\n"}
    tree = parse_files("sysctl_settings", files)
    forward = tree.lookup("net.ipv4.ip_forward")
    assert (forward.value, forward.where) == ("1", "/etc/sysctl.d/30-docker.conf:1")
    assert tree.lookup("kernel.randomize_va_space") is None
    assert tree.files_read == ("/etc/sysctl.d/30-docker.conf",)
    conf = parse_files("sysctl_conf", {
        "/etc/sysctl.conf": "net.ipv6.conf.all.disable_ipv6 = 1\n"})
    assert conf == {}


def test_sysctl_conf_through_link_in_lexical_place() -> None:
    """Both transports follow the 99-sysctl.conf -> ../sysctl.conf link and present the
    content under the link's name; evidence names /etc/sysctl.conf, which is what to edit."""

    text = "net.ipv4.ip_forward = 0\n"
    files = {"/etc/sysctl.conf": text, "/etc/sysctl.d/99-sysctl.conf": text,
             "/etc/sysctl.d/99-zz-router.conf": "net.ipv4.ip_forward = 1\n",
             "/etc/sysctl.d/50-early.conf": "kernel.dmesg_restrict = 0\n",
             "/usr/lib/sysctl.d/99-protect-links.conf": "kernel.dmesg_restrict = 1\n"}
    tree = parse_files("sysctl_settings", files)
    forward = tree.lookup("net.ipv4.ip_forward")
    assert (forward.value, forward.where) == ("1", "/etc/sysctl.d/99-zz-router.conf:1")
    dmesg = tree.lookup("kernel.dmesg_restrict")
    assert (dmesg.value, dmesg.where) == ("1", "/usr/lib/sysctl.d/99-protect-links.conf:1")
    tree = parse_files("sysctl_settings", {
        "/etc/sysctl.conf": text, "/etc/sysctl.d/99-sysctl.conf": text,
        "/etc/sysctl.d/30-docker.conf": "net.ipv4.ip_forward = 1\n"})
    forward = tree.lookup("net.ipv4.ip_forward")
    assert forward.value == "0"
    assert forward.where == "/etc/sysctl.conf:1 via /etc/sysctl.d/99-sysctl.conf"


def test_sysctl_99_sysctl_conf_not_a_link() -> None:
    """A 99-sysctl.conf that is a file of its own is read; /etc/sysctl.conf is not."""

    files = {"/etc/sysctl.conf": "net.ipv4.ip_forward = 1\n",
             "/etc/sysctl.d/99-sysctl.conf": "net.ipv4.ip_forward = 0\n"}
    tree = parse_files("sysctl_settings", files)
    forward = tree.lookup("net.ipv4.ip_forward")
    assert (forward.value, forward.where) == ("0", "/etc/sysctl.d/99-sysctl.conf:1")


def test_sysctl_empty_file_masks() -> None:
    files = {"/etc/sysctl.d/50-coredump.conf": "",
             "/usr/lib/sysctl.d/50-coredump.conf": "fs.suid_dumpable = 2\n"}
    assert parse_files("sysctl_settings", files).lookup("fs.suid_dumpable") is None
    conf = parse_files("sysctl_conf", {
        "/run/sysctl.d/90-ipv6.conf": "",
        "/usr/lib/sysctl.d/90-ipv6.conf": "net.ipv6.conf.all.disable_ipv6 = 1\n"})
    assert conf == {}


def test_sysctl_link_in_dir_tree(tmp_path: Path) -> None:
    """dir: trees present the Debian 12 link as a file holding sysctl.conf's text."""

    (tmp_path / "etc/sysctl.d").mkdir(parents=True)
    (tmp_path / "usr/lib/sysctl.d").mkdir(parents=True)
    (tmp_path / "etc/sysctl.conf").write_text("net.ipv4.ip_forward = 0\n")
    (tmp_path / "etc/sysctl.d/99-sysctl.conf").symlink_to("../sysctl.conf")
    (tmp_path / "etc/sysctl.d/99-zz-router.conf").write_text("net.ipv4.ip_forward = 1\n")
    (tmp_path / "usr/lib/sysctl.d/50-pid-max.conf").write_text("kernel.pid_max = 4194304\n")
    host = Host(name="img", system="s", transport="dir", address=str(tmp_path))
    sections = DirectoryTransport(host, TransportSettings()).collect(plan(
        ["kernel.ip_forwarding_disabled"])).sections
    files = sections["sysctl_settings"].files
    assert files["/etc/sysctl.d/99-sysctl.conf"] == files["/etc/sysctl.conf"]
    result = CHECKS["kernel.ip_forwarding_disabled"].evaluate(Facts(sections, "offline"), {})
    assert result.status is Status.FAIL, result.message
    assert "99-zz-router.conf:1" in result.message


@pytest.mark.skipif(os.readlink("/etc/sysctl.d/99-sysctl.conf") != "../sysctl.conf"
                    if os.path.islink("/etc/sysctl.d/99-sysctl.conf") else True,
                    reason="this host has no Debian-style 99-sysctl.conf link")
def test_sysctl_link_on_live_host() -> None:
    """The live collector follows the link too: same presentation as a dir: tree."""

    host = Host(name="l", system="s", transport="local")
    collected = LocalTransport(host, TransportSettings()).collect([PROBES["sysctl_settings"]])
    files = collected.sections["sysctl_settings"].files
    assert files["/etc/sysctl.d/99-sysctl.conf"] == files["/etc/sysctl.conf"]
    assert "/etc/sysctl.conf" not in sysctl_order(files)


# ----------------------------------------------------------------- shell start-up files

FIXTURES = Path(__file__).parent.parent / "fixtures" / "outputs"
DEBIAN_PROFILE = (FIXTURES / "shell_session-profile.debian12.txt").read_text(encoding="utf-8")
RHEL_LOOP = ('for i in /etc/profile.d/*.sh /etc/profile.d/sh.local ; do\n'
             '    if [ -r "$i" ]; then . "$i"; fi\ndone\n')


def test_startup_order_debian12() -> None:
    """Debian 12's /etc/profile sources bash.bashrc at line 16 and runs the profile.d loop at
    line 28; the rest of /etc/profile runs after every profile.d script."""

    files = {"/etc/profile": DEBIAN_PROFILE, "/etc/bash.bashrc": "",
             "/etc/profile.d/b.sh": "", "/etc/profile.d/A.sh": "", "/etc/profile.d/a.sh": "",
             "/etc/profile.d/x.csh": ""}
    order, unsourced = startup_order(files)
    assert order == [Segment("/etc/profile", 1, 16), Segment("/etc/bash.bashrc"),
                     Segment("/etc/profile", 17, 28), Segment("/etc/profile.d/A.sh"),
                     Segment("/etc/profile.d/a.sh"), Segment("/etc/profile.d/b.sh"),
                     Segment("/etc/profile", 29, None)]
    assert unsourced == []


@pytest.mark.parametrize(("profile", "order", "unsourced"), [
    # RHEL: the loop also names sh.local; /etc/bashrc (from ~/.bashrc) runs last.
    ("# /etc/profile\nexport PATH\n" + RHEL_LOOP + "unset i\n",
     [Segment("/etc/profile", 1, 3), Segment("/etc/profile.d/z.sh"),
      Segment("/etc/profile", 4, None), Segment("/etc/bashrc")], []),
    # No loop (a commented-out one does not count): profile.d scripts never run.
    ("PATH=/usr/bin:/bin\n# for i in /etc/profile.d/*.sh; do . $i; done\n",
     [Segment("/etc/profile", 1, None), Segment("/etc/bashrc")], ["/etc/profile.d/z.sh"]),
    # Loop inside $(ls ...) on one line with its body.
    ("for f in $(ls /etc/profile.d/*.sh); do . \"$f\"; done\nTMOUT=1\n",
     [Segment("/etc/profile", 1, 1), Segment("/etc/profile.d/z.sh"),
      Segment("/etc/profile", 2, None), Segment("/etc/bashrc")], []),
])
def test_startup_order_variants(profile: str, order: list[Segment],
                                unsourced: list[str]) -> None:
    files = {"/etc/profile": profile, "/etc/bashrc": "", "/etc/profile.d/z.sh": ""}
    assert startup_order(files) == (order, unsourced)


def test_startup_order_without_etc_profile() -> None:
    files = {"/etc/profile.d/99-tmout.sh": "", "/etc/bash.bashrc": ""}
    assert startup_order(files) == ([Segment("/etc/profile.d/99-tmout.sh"),
                                     Segment("/etc/bash.bashrc")], [])


@pytest.mark.parametrize(("files", "expected"), [
    # Appended to /etc/profile after the loop: runs after profile.d, whose readonly wins.
    ({"/etc/profile": DEBIAN_PROFILE + "readonly TMOUT=900\n",
      "/etc/profile.d/app.sh": "readonly TMOUT=7200\n"},
     ("7200", True, "/etc/profile.d/app.sh:1")),
    # Before the loop: /etc/profile's readonly wins.
    ({"/etc/profile": "readonly TMOUT=900\n" + DEBIAN_PROFILE,
      "/etc/profile.d/app.sh": "readonly TMOUT=7200\n"},
     ("900", True, "/etc/profile:1")),
    # A bare 'readonly TMOUT' in profile.d freezes TMOUT unset; the later assignment fails.
    ({"/etc/profile": DEBIAN_PROFILE + "TMOUT=900\n",
      "/etc/profile.d/ro.sh": "readonly TMOUT\n"},
     (None, True, "/etc/profile.d/ro.sh:1")),
    # bash.bashrc runs where /etc/profile sources it, before profile.d.
    ({"/etc/profile": DEBIAN_PROFILE, "/etc/bash.bashrc": "readonly TMOUT=300\n",
      "/etc/profile.d/app.sh": "readonly TMOUT=7200\n"},
     ("300", True, "/etc/bash.bashrc:1")),
])
def test_effective_tmout_in_run_order(files: dict[str, str],
                                      expected: tuple[str | None, bool, str]) -> None:
    assert effective_tmout(parse_files("shell_profiles", files)) == expected


def test_unsourced_profile_d_does_not_count() -> None:
    events = parse_files("shell_profiles", {"/etc/profile": "PATH=/bin\n",
                                            "/etc/profile.d/t.sh": "readonly TMOUT=900\n"})
    assert [e.sourced for e in events] == [False]
    assert effective_tmout(events) == (None, False, "")
