"""The offline ``dir:`` transport on real trees: metadata, followed paths, unreadable files.

Each test builds a small root filesystem under tmp_path, collects the probes the checks need
through DirectoryTransport and evaluates the real checks on what it returned.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from attt.collect import plan
from attt.library import load_all
from attt.messages import render
from attt.model import Host, Result, Status
from attt.registry import CHECKS, PROBES, Facts, MissingFact, Probe, Section
from attt.transport import DirectoryTransport, TransportSettings

load_all()

PASSWD = ("root:x:0:0:root:/root:/bin/bash\n"
          "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
          "alice:x:4242:4242:Alice:/home/alice:/bin/bash\n")
GROUP = "root:x:0:\nshadow:x:42:\nalice:x:4242:\n"


def _write(root: Path, path: str, text: str = "", mode: int = 0o644,
           owner: tuple[int, int] = (0, 0)) -> Path:
    p = root / path.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    os.chmod(p, mode)
    os.chown(p, *owner)
    return p


def _tree(root: Path) -> Path:
    _write(root, "/etc/passwd", PASSWD)
    _write(root, "/etc/group", GROUP)
    _write(root, "/etc/shadow", "root:*:19000:0:99999:7:::\n", 0o640, (0, 42))
    _write(root, "/etc/gshadow", "root:*::\n", 0o640, (0, 42))
    _write(root, "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n", 0o644)
    _write(root, "/etc/sudoers", "root ALL=(ALL) ALL\n", 0o440)
    return root


def _transport(root: Path, **settings: int) -> DirectoryTransport:
    host = Host(name="img", system="s", transport="dir", address=str(root))
    return DirectoryTransport(host, TransportSettings(**settings))  # type: ignore[arg-type]


def _sections(root: Path, probes: list[Probe], **settings: int) -> dict[str, Section]:
    return dict(_transport(root, **settings).collect(probes).sections)


def _evaluate(root: Path, check_id: str) -> Result:
    probes = plan([check_id])
    facts = Facts(_sections(root, probes), "offline")
    result = CHECKS[check_id].evaluate(facts, {})
    # The English text, whether the check returns a message (T) or a plain string.
    return dataclasses.replace(result, message=render(result.message, "en"))


# --------------------------------------------------------------------------- item 1: modes


def test_sensitive_file_modes_are_read_from_the_tree(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    res = _evaluate(root, "files.sensitive_permissions")
    assert res.status is Status.PASS, res.message
    assert "/etc/shadow 640 root:shadow" in res.message  # gid 42 named by the tree's group

    os.chmod(root / "etc/passwd", 0o666)
    os.chown(root / "etc/sudoers", 4242, 4242)
    res = _evaluate(root, "files.sensitive_permissions")
    assert res.status is Status.FAIL, res.message
    assert "/etc/passwd (mode 666)" in res.message
    # uid 4242 exists only in the tree's /etc/passwd: the name comes from there.
    assert "/etc/sudoers (owner alice, group alice)" in res.message


def test_sensitive_file_modes_unnamed_ids_are_shown_as_numbers(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    os.chown(root / "etc/group", 777, 0)
    res = _evaluate(root, "files.sensitive_permissions")
    assert res.status is Status.FAIL
    assert "/etc/group (owner 777)" in res.message


def test_sensitive_file_modes_of_a_link_are_the_links_own_like_stat(tmp_path: Path) -> None:
    # stat -c without -L reports a symlink itself; the offline output must say the same.
    root = _tree(tmp_path / "root")
    (root / "etc/sudoers").unlink()
    _write(root, "/usr/share/sudoers.real", "x\n", 0o440)
    (root / "etc/sudoers").symlink_to("/usr/share/sudoers.real")
    text = _sections(root, [PROBES["sensitive_file_modes"]])["sensitive_file_modes"].text
    assert "/etc/sudoers 777 root root" in text.splitlines()


def test_world_writable_walk_of_the_tree(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    _write(root, "/usr/bin/tool", "#!/bin/sh\n", 0o755)
    (root / "bin").symlink_to("usr/bin")  # merged /usr: find -H follows the start point
    (root / "etc/spool").mkdir()
    os.chmod(root / "etc/spool", 0o1777)  # sticky: fine
    res = _evaluate(root, "files.world_writable_none")
    assert res.status is Status.PASS, res.message

    os.chmod(root / "usr/bin/tool", 0o777)
    (root / "etc/open").mkdir()
    os.chmod(root / "etc/open", 0o777)
    # A world-writable symlink is not a world-writable file (find -type f does not follow).
    (root / "etc/link").symlink_to("/etc/passwd")
    res = _evaluate(root, "files.world_writable_none")
    assert res.status is Status.FAIL, res.message
    assert res.observed is not None
    found = res.observed["world_writable"]
    assert "/usr/bin/tool" in found and "/bin/tool" in found and "/etc/open/" in found
    assert "/etc/link" not in found and "/etc/spool/" not in found


def test_world_writable_walk_is_bounded(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    many = root / "etc/many"
    many.mkdir()
    for i in range(250):
        p = many / f"f{i}"
        p.write_text("")
        os.chmod(p, 0o666)
    res = _evaluate(root, "files.world_writable_none")
    assert res.status is Status.FAIL
    assert res.message.startswith("More than 200 world-writable")


# --------------------------------------------------------------------------- item 2: banner


def _ssh_tree(root: Path, dropin: str) -> Path:
    _tree(root)
    _write(root, "/etc/ssh/sshd_config.d/50-banner.conf", dropin)
    return root


def test_banner_path_named_by_the_config_is_read_under_the_root(tmp_path: Path) -> None:
    root = _ssh_tree(tmp_path / "root", "Banner /usr/share/agency/ssh-warning.txt\n")
    _write(root, "/usr/share/agency/ssh-warning.txt",
           "Hệ thống thông tin của cơ quan nhà nước.\nMọi truy cập đều được ghi nhật ký.\n")
    res = _evaluate(root, "ssh.warning_banner_set")
    assert res.status is Status.PASS, res.message
    assert "Hệ thống thông tin" in res.message


def test_banner_path_absent_from_the_tree_fails(tmp_path: Path) -> None:
    root = _ssh_tree(tmp_path / "root", "Banner /usr/share/agency/ssh-warning.txt\n")
    res = _evaluate(root, "ssh.warning_banner_set")
    assert res.status is Status.FAIL, res.message
    assert "does not exist in the tree" in res.message


def test_banner_path_through_a_link_stays_inside_the_root(tmp_path: Path) -> None:
    root = _ssh_tree(tmp_path / "root", "Banner /etc/legal/banner\n")
    (root / "etc/legal").mkdir()
    # An absolute link names a path of the imaged host: read under the root, never ours.
    (root / "etc/legal/banner").symlink_to("/etc/hostname")
    outside = Path("/etc/hostname")
    if outside.exists():
        assert outside.read_text().strip()  # the scanner's own file is not empty...
    res = _evaluate(root, "ssh.warning_banner_set")
    assert res.status is Status.FAIL, res.message  # ...but the tree has no etc/hostname


def test_banner_path_that_is_empty_fails(tmp_path: Path) -> None:
    root = _ssh_tree(tmp_path / "root", "Banner /srv/banner\n")
    _write(root, "/srv/banner", "\n  \n")
    res = _evaluate(root, "ssh.warning_banner_set")
    assert res.status is Status.FAIL
    assert "empty" in res.message


def test_banner_reader_follows_includes_outside_the_dropin_directory(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    _write(root, "/etc/ssh/sshd_config", "Include local/*.conf\nBanner /etc/issue.net\n")
    _write(root, "/etc/ssh/local/10-site.conf", "Include /srv/ssh/more.conf\n")
    _write(root, "/srv/ssh/more.conf", "Banner /srv/ssh/warning\n")  # read first: it wins
    _write(root, "/srv/ssh/warning", "Authorised users only.\n")
    text = _sections(root, [PROBES["ssh_banner_file"]])["ssh_banner_file"].text
    banner = PROBES["ssh_banner_file"].parser(Section("ssh_banner_file", text=text))
    assert banner.files["/srv/ssh/warning"] == "Authorised users only.\n"
    assert "/etc/issue.net" not in banner.files and not banner.missing


@pytest.mark.timeout(20)
def test_banner_reader_survives_an_include_loop(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    _write(root, "/etc/ssh/sshd_config", "Include /etc/ssh/loop.conf\n")
    _write(root, "/etc/ssh/loop.conf", "Include /etc/ssh/loop.conf\n")
    _write(root, "/etc/issue.net", "Authorised users only.\n")
    sec = _sections(root, [PROBES["ssh_banner_file"]])["ssh_banner_file"]
    assert sec.state == "ok"
    banner = PROBES["ssh_banner_file"].parser(sec)
    assert list(banner.files) == ["/etc/issue.net"]


# --------------------------------------------------------------------------- item 3: journal


def _journald_tree(root: Path) -> Path:
    _tree(root)
    _write(root, "/etc/systemd/journald.conf", "[Journal]\n#Storage=auto\n")
    _write(root, "/etc/systemd/system.conf", "[Manager]\n")
    return root


def test_journald_storage_auto_offline_follows_var_log_journal(tmp_path: Path) -> None:
    root = _journald_tree(tmp_path / "root")
    res = _evaluate(root, "logging.journald_persistent")
    assert res.status is Status.FAIL, res.message
    assert "/var/log/journal does not exist" in res.message
    (root / "var/log/journal").mkdir(parents=True)
    res = _evaluate(root, "logging.journald_persistent")
    assert res.status is Status.PASS, res.message


def test_journald_var_log_journal_as_a_file_is_not_a_directory(tmp_path: Path) -> None:
    root = _journald_tree(tmp_path / "root")
    _write(root, "/var/log/journal", "")
    assert _evaluate(root, "logging.journald_persistent").status is Status.FAIL


# --------------------------------------------------------------------------- item 4: reading


@pytest.mark.timeout(20)
def test_fifo_where_a_config_file_should_be_is_an_error_not_a_hang(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    (root / "etc/login.defs").parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / "etc/login.defs")
    sections = _sections(root, [PROBES["login_defs"], PROBES["passwd_file"]])
    sec = sections["login_defs"]
    assert sec.state == "failed"
    assert "/etc/login.defs" in str(sec.reason) and "FIFO" in str(sec.reason)
    assert sections["passwd_file"].state == "ok"  # other probes still work


def test_device_and_socket_are_not_opened(tmp_path: Path) -> None:
    import socket

    root = _tree(tmp_path / "root")
    (root / "dev").mkdir()
    os.mknod(root / "dev/zero", 0o666 | stat.S_IFCHR, os.makedev(1, 5))
    (root / "etc/login.defs").symlink_to("/dev/zero")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(root / "etc/sudoers.d"))
    except OSError:
        pytest.skip("cannot bind a unix socket here")
    try:
        sections = _sections(root, [PROBES["login_defs"], PROBES["sudoers_files"]])
    finally:
        sock.close()
    assert sections["login_defs"].state == "failed"
    assert "character device" in str(sections["login_defs"].reason)
    # A non-directory where a drop-in directory should be: nothing matches, nothing opened.
    assert sections["sudoers_files"].state == "ok"


def test_symlink_loop_is_the_probes_error(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    (root / "etc/login.defs").symlink_to("login.defs.2")
    (root / "etc/login.defs.2").symlink_to("/etc/login.defs")
    sec = _sections(root, [PROBES["login_defs"]])["login_defs"]
    assert sec.state == "failed"
    assert "/etc/login.defs" in str(sec.reason) and "symbolic link" in str(sec.reason)


def test_section_cap_bounds_the_sum_of_a_probes_files(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    _write(root, "/etc/pam.d/common-password", "x" * 600 + "\n")
    _write(root, "/etc/pam.d/system-auth", "y" * 600 + "\n")
    sec = _sections(root, [PROBES["pam_password"]], section_cap=1000)["pam_password"]
    assert sec.truncated
    assert sum(len(t) for t in sec.files.values()) <= 1000


def test_huge_sparse_file_is_cut_at_the_cap(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    with open(root / "etc/login.defs", "wb") as fh:
        fh.truncate(1 << 40)  # 1 TiB, sparse
    sec = _sections(root, [PROBES["login_defs"]], section_cap=4096)["login_defs"]
    assert sec.truncated


_AS_NOBODY = textwrap.dedent("""
    import json, sys
    from attt.model import Host
    from attt.registry import PROBES
    from attt.library import load_all
    from attt.transport import DirectoryTransport, TransportSettings
    load_all()
    t = DirectoryTransport(Host(name="n", system="s", transport="dir", address=sys.argv[1]),
                           TransportSettings())
    got = t.collect([PROBES[n] for n in sys.argv[2:]])
    print(json.dumps({k: [s.state, str(s.reason), sorted(s.files)]
                      for k, s in got.sections.items()}))
""")


@pytest.fixture()
def public_tree() -> Iterator[Path]:
    # tmp_path is private to root; the unprivileged reader needs to reach the tree.
    base = Path(tempfile.mkdtemp(prefix="attt-dirtree-"))
    os.chmod(base, 0o755)
    try:
        yield base
    finally:
        for dirpath, dirs, _files in os.walk(base):
            for d in dirs:
                os.chmod(os.path.join(dirpath, d), 0o755)
        subprocess.run(["rm", "-rf", str(base)], check=False)


def _collect_as_nobody(root: Path, *probes: str) -> dict[str, list[object]]:
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to nobody")
    proc = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         sys.executable, "-c", _AS_NOBODY, str(root), *probes],
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out: dict[str, list[object]] = json.loads(proc.stdout)
    return out


def test_unreadable_file_is_that_probes_error_for_a_non_root_scanner(public_tree: Path) -> None:
    root = _tree(public_tree / "root")
    os.chmod(root / "etc/shadow", 0o000)
    got = _collect_as_nobody(root, "shadow_state", "passwd_file")
    state, reason, _files = got["shadow_state"]
    assert state == "failed"
    assert "/etc/shadow" in str(reason) and "permission denied" in str(reason)
    assert got["passwd_file"][0] == "ok"


def test_directory_without_search_permission_is_an_error_not_absent(public_tree: Path) -> None:
    root = _tree(public_tree / "root")
    _write(root, "/etc/ssh/sshd_config.d/50-x.conf", "PermitRootLogin no\n")
    os.chmod(root / "etc/ssh", 0o700)  # nobody can neither list nor enter it
    got = _collect_as_nobody(root, "sshd_config_files", "login_defs")
    state, reason, _files = got["sshd_config_files"]
    assert state == "failed"
    assert "/etc/ssh" in str(reason) and "permission denied" in str(reason)
    assert got["login_defs"][0] == "ok"


def test_unlistable_dropin_directory_is_an_error(public_tree: Path) -> None:
    root = _tree(public_tree / "root")
    _write(root, "/etc/ssh/sshd_config.d/50-x.conf", "PermitRootLogin yes\n")
    os.chmod(root / "etc/ssh/sshd_config.d", 0o711)  # enterable, not listable
    got = _collect_as_nobody(root, "sshd_config_files")
    state, reason, _files = got["sshd_config_files"]
    assert state == "failed"
    assert "/etc/ssh/sshd_config.d" in str(reason) and "permission denied" in str(reason)


# --------------------------------------------------------------------------- item 5: parsers


def test_any_parser_exception_is_that_facts_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(section: Section) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setitem(PROBES, "broken_probe", Probe("broken_probe", broken, files=("/x",)))
    facts = Facts({"broken_probe": Section("broken_probe", files={"/x": "y"})}, "offline")
    assert not facts.has("broken_probe")
    with pytest.raises(MissingFact, match=r"unparsable output \(RecursionError: maximum"):
        facts.get("broken_probe")


def test_pam_include_loop_offline_is_an_error_naming_the_files(tmp_path: Path) -> None:
    root = _tree(tmp_path / "root")
    _write(root, "/etc/pam.d/system-auth", "password include password-auth\n")
    _write(root, "/etc/pam.d/password-auth", "password include system-auth\n")
    for check_id in ("password.min_length", "password.complexity_classes",
                     "password.history_remembered"):
        res = _evaluate(root, check_id)
        assert res.status is Status.ERROR, (check_id, res.message)
        assert "PAM include loop" in res.message, res.message
        assert "/etc/pam.d/system-auth -> /etc/pam.d/password-auth -> /etc/pam.d/system-auth" \
            in res.message, res.message


# --------------------------------------------------------------------------- masks


@pytest.mark.parametrize("device_node", [True, False])
def test_link_to_dev_null_masks_like_an_empty_file(tmp_path: Path, device_node: bool) -> None:
    """systemd masks a sysctl.d file with a link to /dev/null: the masked file is read as
    empty (hiding the same name in later directories), with or without a /dev/null node in
    the tree, and the rest of the probe's files are still read."""

    root = _tree(tmp_path / "root")
    if device_node:
        (root / "dev").mkdir()
        os.mknod(root / "dev/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    _write(root, "/usr/lib/sysctl.d/50-forward.conf", "net.ipv4.ip_forward = 1\n")
    (root / "etc/sysctl.d").mkdir(parents=True)
    (root / "etc/sysctl.d/50-forward.conf").symlink_to("/dev/null")
    _write(root, "/etc/sysctl.d/60-other.conf", "kernel.randomize_va_space = 2\n")
    result = _evaluate(root, "kernel.ip_forwarding_disabled")
    assert result.status is Status.PASS, result.message
