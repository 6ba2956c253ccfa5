"""Order in which configuration files take effect: sysctl.d (systemd-sysctl), the shell
start-up files (/etc/profile and its profile.d loop) and chrony's confdir/sourcedir/include."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from attt.collect import DEFAULT_SECTION_CAP, build_script, new_token, parse_output, plan
from attt.library import load_all
from attt.model import Host, Status
from attt.probes.shell import Segment, effective_tmout, startup_order
from attt.probes.sysctl import sysctl_files, sysctl_order
from attt.probes.time import ChronyConfig, chrony_config
from attt.registry import CHECKS, PROBES, Facts, Section
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
    assert "99-zz-router.conf:1" in str(result.message)


@pytest.mark.skipif(os.readlink("/etc/sysctl.d/99-sysctl.conf") != "../sysctl.conf"
                    if os.path.islink("/etc/sysctl.d/99-sysctl.conf") else True,
                    reason="this host has no Debian-style 99-sysctl.conf link")
def test_sysctl_link_on_live_host() -> None:
    """The live collector follows the link too: same presentation as a dir: tree."""

    host = Host(name="l", system="s", transport="local")
    collected = LocalTransport(host, TransportSettings()).collect([PROBES["sysctl_settings"]])
    files = sysctl_files(collected.sections["sysctl_settings"])
    assert files["/etc/sysctl.d/99-sysctl.conf"] == files["/etc/sysctl.conf"]
    assert "/etc/sysctl.conf" not in sysctl_order(files)


def test_sysctl_live_records() -> None:
    b = "@@ATTT-0123456789abcdef0123456789abcdef@@"
    forged = "@@ATTT-ffffffffffffffffffffffffffffffff@@ MASKED /usr/lib/sysctl.d/50-x.conf"
    text = (f"{b} SYSCTL-FILES\n{b} MASKED /etc/sysctl.d/50-x.conf\n"
            f"{b} FILE /etc/sysctl.d/60-y.conf\nkernel.dmesg_restrict = 1\n{forged}\n\n"
            f"{b} FILE /usr/lib/sysctl.d/50-x.conf\nkernel.dmesg_restrict = 0\n\n")
    files = sysctl_files(Section("sysctl_settings", text=text, exit_code=0))
    assert files == {"/etc/sysctl.d/50-x.conf": "",
                     "/etc/sysctl.d/60-y.conf": f"kernel.dmesg_restrict = 1\n{forged}\n",
                     "/usr/lib/sysctl.d/50-x.conf": "kernel.dmesg_restrict = 0\n"}
    assert sysctl_order(files) == ["/etc/sysctl.d/50-x.conf", "/etc/sysctl.d/60-y.conf"]
    for garbage in ("kernel.dmesg_restrict = 1\n", f"{b} SYSCTL-FILES\nstray line\n"):
        with pytest.raises(ValueError):
            sysctl_files(Section("sysctl_settings", text=garbage, exit_code=0))


_SYSCTL_NS = """set -e
mount -t overlay overlay -o lowerdir=/etc,upperdir={d}/u,workdir={d}/w /etc
mount -t tmpfs tmpfs /run
mkdir -p /run/sysctl.d
echo 'kernel.dmesg_restrict = 0' >/run/sysctl.d/60-vendor.conf
echo 'fs.suid_dumpable = 2' >/run/sysctl.d/70-empty-mask.conf
ln -sf /dev/null /etc/sysctl.d/60-vendor.conf
: >/etc/sysctl.d/70-empty-mask.conf
echo 'net.ipv4.ip_forward = 0' >/etc/sysctl.conf
ln -sf ../sysctl.conf /etc/sysctl.d/99-sysctl.conf
echo 'net.ipv4.ip_forward = 1' >/run/sysctl.d/99-zz-router.conf
exec sh {d}/collector.sh
"""


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                    reason="needs root and unshare for a private mount namespace")
def test_sysctl_masks_on_live_host(tmp_path: Path) -> None:
    """Live, for real in a private mount namespace (/etc an overlay, /run a tmpfs): a link
    to /dev/null and an empty file in /etc/sysctl.d mask the same names in /run/sysctl.d;
    sysctl.conf arrives through the 99-sysctl.conf link, in its place."""

    for sub in ("u", "w"):
        (tmp_path / sub).mkdir()
    token = new_token()
    probes = [PROBES["sysctl_settings"], PROBES["sysctl_conf"]]
    (tmp_path / "collector.sh").write_text(build_script(probes, token))
    (tmp_path / "setup.sh").write_text(_SYSCTL_NS.format(d=tmp_path))
    run = subprocess.run(["unshare", "-m", "--propagation", "private", "sh",
                          str(tmp_path / "setup.sh")], capture_output=True, timeout=60,
                         check=False, stdin=subprocess.DEVNULL)
    if run.returncode != 0 and b"mount" in run.stderr:
        pytest.skip(f"mount namespace unavailable: {run.stderr.decode()[:200]}")
    collected = parse_output(run.stdout, token, probes, DEFAULT_SECTION_CAP)
    assert collected.complete, run.stderr.decode()[:500]
    tree = PROBES["sysctl_settings"].parser(collected.sections["sysctl_settings"])
    assert tree.lookup("kernel.dmesg_restrict") is None
    assert tree.lookup("fs.suid_dumpable") is None
    forward = tree.lookup("net.ipv4.ip_forward")
    assert (forward.value, forward.where) == ("1", "/run/sysctl.d/99-zz-router.conf:1")
    assert "/etc/sysctl.d/60-vendor.conf" in tree.files_read
    conf = PROBES["sysctl_conf"].parser(collected.sections["sysctl_conf"])
    assert "kernel.dmesg_restrict" not in conf and "fs.suid_dumpable" not in conf
    assert conf["net.ipv4.ip_forward"].where == "/run/sysctl.d/99-zz-router.conf:1"


# ----------------------------------------------------------------- shell start-up files

FIXTURES = Path(__file__).parent.parent / "fixtures" / "outputs"
DEBIAN_PROFILE = (FIXTURES / "profile.debian12.txt").read_text(encoding="utf-8")
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


# ----------------------------------------------------------------- chrony


def _sources(cfg: ChronyConfig | None) -> list[str]:
    assert cfg is not None
    return [s.split(" (")[0] for s in cfg.sources]


def test_chrony_confdir_first_directory_wins() -> None:
    """chrony.conf(5): with several confdir directories, a name in an earlier one hides the
    same name in later ones; files are read in name order."""

    files = {"/etc/chrony.conf": "confdir /etc/chrony.d /run/chrony.d /usr/lib/chrony.d\n",
             "/etc/chrony.d/10-vendor.conf": "# replaced: no public pool\n",
             "/usr/lib/chrony.d/10-vendor.conf": "pool 2.vendor.pool.ntp.org iburst\n",
             "/usr/lib/chrony.d/20-agency.conf": "server ntp.agency.gov.vn iburst\n",
             "/run/chrony.d/05-early.conf": "server 192.0.2.5\n",
             "/etc/chrony.d/agency.sources": "server not-a-conf-file\n"}
    cfg = chrony_config(files)
    assert _sources(cfg) == ["server 192.0.2.5", "server ntp.agency.gov.vn"]
    assert cfg is not None and cfg.unused == ("/etc/chrony.d/agency.sources",
                                              "/usr/lib/chrony.d/10-vendor.conf")


def test_chrony_sourcedir_include_and_comments() -> None:
    files = {
        "/etc/chrony/chrony.conf": (
            "include /etc/chrony/conf.d/*.conf\n"
            "  # server commented.example\n"
            "%server percent-comment.example\n"
            "server ntp1.agency.gov.vn iburst # trailing text is not a comment in chrony\n"
            "#sourcedir /etc/chrony/old.d\n"),
        "/etc/chrony/conf.d/10-dirs.conf": "SourceDir /etc/chrony/sources.d\n",
        "/etc/chrony/conf.d/20-self.conf": "include /etc/chrony/conf.d/*.conf\n",
        "/etc/chrony/sources.d/b.sources": "server ntp3.agency.gov.vn\nrefclock PHC /dev/ptp0\n",
        "/etc/chrony/sources.d/a.sources": "pool ntp2.agency.gov.vn\n",
        "/etc/chrony/old.d/x.sources": "server old.example\n",
    }
    cfg = chrony_config(files)
    # Main-file sources, then sourcedir files (read after the configuration) in name order;
    # a sources file holds only server/pool/peer lines.
    assert _sources(cfg) == ["server ntp1.agency.gov.vn", "pool ntp2.agency.gov.vn",
                             "server ntp3.agency.gov.vn"]
    assert cfg is not None and cfg.unused == ("/etc/chrony/old.d/x.sources",)


def test_chrony_absent_and_not_collected() -> None:
    assert chrony_config({"/etc/chrony/sources.d/a.sources": "server x\n"}) is None
    files = {"/etc/chrony/chrony.conf": "sourcedir /srv/ntp\ninclude /etc/chrony/site.conf\n"
                                        "confdir /etc/chrony/conf.d\n"}
    cfg = parse_files("chrony_conf", files)
    assert cfg.not_collected == ("include /etc/chrony/site.conf", "sourcedir /srv/ntp")


def test_chrony_live_records() -> None:
    b = "@@ATTT-0123456789abcdef0123456789abcdef@@"
    forged = "@@ATTT-ffffffffffffffffffffffffffffffff@@ FILE /etc/chrony/chrony.conf"
    text = (f"{b} CHRONY-FILES\n{b} FILE /etc/chrony/chrony.conf\n"
            f"sourcedir /etc/chrony/sources.d\n{forged}\nserver forged.example\n\n"
            f"{b} FILE /etc/chrony/sources.d/a.sources\nserver ntp.agency.gov.vn\n\n")
    cfg = PROBES["chrony_conf"].parser(Section("chrony_conf", text=text, exit_code=0))
    # A marker with another token is file content, not a record.
    assert cfg.files_read == ("/etc/chrony/chrony.conf", "/etc/chrony/sources.d/a.sources")
    assert cfg.sources == ("server forged.example (/etc/chrony/chrony.conf:3)",
                           "server ntp.agency.gov.vn (/etc/chrony/sources.d/a.sources:1)")
    with pytest.raises(ValueError):
        PROBES["chrony_conf"].parser(Section("chrony_conf", text=f"{b} CHRONY-FILES\n{b} LIMIT\n"))
    with pytest.raises(ValueError):
        PROBES["chrony_conf"].parser(Section("chrony_conf", text="server x\n"))


def test_chrony_dir_tree_reads_dhcp_sources(tmp_path: Path) -> None:
    """A snapshot of a running Debian 12 host: the DHCP-provided server in /run/chrony-dhcp
    is a source; a sources.d file whose sourcedir is commented out is not."""

    (tmp_path / "etc/chrony/sources.d").mkdir(parents=True)
    (tmp_path / "run/chrony-dhcp").mkdir(parents=True)
    (tmp_path / "etc/chrony/chrony.conf").write_text(
        "sourcedir /run/chrony-dhcp\n#sourcedir /etc/chrony/sources.d\n")
    (tmp_path / "etc/chrony/sources.d/old.sources").write_text("server old.example\n")
    (tmp_path / "run/chrony-dhcp/ens3.sources").write_text("server 192.0.2.1 iburst\n")
    host = Host(name="img", system="s", transport="dir", address=str(tmp_path))
    section = DirectoryTransport(host, TransportSettings()).collect(
        [PROBES["chrony_conf"]]).sections["chrony_conf"]
    cfg = PROBES["chrony_conf"].parser(section)
    assert _sources(cfg) == ["server 192.0.2.1"]
    assert cfg.unused == ("/etc/chrony/sources.d/old.sources",)


_NS_SETUP = """set -e
mount -t overlay overlay -o lowerdir=/etc,upperdir={d}/u,workdir={d}/w /etc
mount -t tmpfs tmpfs /run
mkdir -p /etc/chrony/conf.d /etc/chrony/sources.d /etc/chrony/site /etc/chrony/old.d \
  /run/chrony-dhcp
cat >/etc/chrony/chrony.conf <<'X'
confdir /etc/chrony/conf.d
#pool 2.debian.pool.ntp.org iburst
sourcedir /run/chrony-dhcp
sourcedir /etc/chrony/sources.d
# sourcedir /etc/chrony/old.d
X
echo 'include /etc/chrony/site/*.conf' >'/etc/chrony/conf.d/agency site.conf'
echo 'server site.agency.gov.vn' >/etc/chrony/site/ntp.conf
echo 'server ntp.agency.gov.vn iburst' >/etc/chrony/sources.d/agency.sources
echo 'server old.example' >/etc/chrony/old.d/old.sources
echo 'server 192.0.2.1 iburst' >/run/chrony-dhcp/ens3.sources
{extra}
exec sh {d}/collector.sh
"""


def _run_in_namespace(tmp_path: Path, extra: str = "") -> Section:
    for sub in ("u", "w"):
        (tmp_path / sub).mkdir()
    token = new_token()
    probe = PROBES["chrony_conf"]
    (tmp_path / "collector.sh").write_text(build_script([probe], token))
    (tmp_path / "setup.sh").write_text(_NS_SETUP.format(d=tmp_path, extra=extra))
    run = subprocess.run(["unshare", "-m", "--propagation", "private", "sh",
                          str(tmp_path / "setup.sh")], capture_output=True, timeout=60,
                         check=False, stdin=subprocess.DEVNULL)
    if run.returncode != 0 and b"mount" in run.stderr:
        pytest.skip(f"mount namespace unavailable: {run.stderr.decode()[:200]}")
    collected = parse_output(run.stdout, token, [probe], DEFAULT_SECTION_CAP)
    assert collected.complete, run.stderr.decode()[:500]
    return collected.sections["chrony_conf"]


_NEEDS_NS = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                               reason="needs root and unshare for a private mount namespace")


@_NEEDS_NS
def test_chrony_live_script_follows_directives(tmp_path: Path) -> None:
    """The live script, run for real in a private mount namespace where /etc is an overlay
    and /run a tmpfs: it collects what the directives name (a custom include, /run/chrony-
    dhcp, a file name with a space) and nothing a commented-out directive names."""

    section = _run_in_namespace(tmp_path)
    assert section.state == "ok", section.reason
    cfg = PROBES["chrony_conf"].parser(section)
    assert _sources(cfg) == ["server site.agency.gov.vn", "server 192.0.2.1",
                             "server ntp.agency.gov.vn"]
    assert "/etc/chrony/conf.d/agency site.conf" in cfg.files_read
    assert cfg.unused == () and cfg.not_collected == ()


@_NEEDS_NS
def test_chrony_live_script_is_bounded(tmp_path: Path) -> None:
    extra = ("i=0; while [ $i -lt 80 ]; do echo \"server s$i\" >/etc/chrony/conf.d/f$i.conf; "
             "i=$((i+1)); done")
    section = _run_in_namespace(tmp_path, extra)
    assert section.text.count(" FILE ") == 64
    assert section.text.rstrip().endswith("LIMIT")
    with pytest.raises(ValueError, match="more than 64"):
        PROBES["chrony_conf"].parser(section)
