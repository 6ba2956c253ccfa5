"""Hostile corpus, output paths (issue 8): where attt writes can fail in every way.

A bad ``--out`` given by the user is an input error found before scanning (exit 2); a write
that fails once the run is under way makes the run incomplete (exit 3).  Either way: one
clear line naming the path, no traceback, and what could be written is kept.  Read-only
folders and full disks are real: a read-only bind mount and a tiny tmpfs inside a private
mount namespace (root ignores permission bits, not a read-only mount), ``/dev/full`` behind a
symlink.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import DEFAULT_TIMEOUT, Run, assert_clean, run_attt


def make_rootfs(root: Path) -> Path:
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text("PermitRootLogin no\nPasswordAuthentication no\n")
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 90\nPASS_MIN_LEN 12\n")
    return root


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTT_")}
    env.update({"CI": "1", "PYTHONDONTWRITEBYTECODE": "1",
                "ATTT_DB": str(tmp / "history.sqlite3")})
    return env


def run_mounted(setup: str, args: list[str], cwd: Path, after: str = "") -> Run:
    """``attt ARGS`` in a private mount and network namespace after the shell ``setup``;
    ``after`` runs there once attt has ended (its output follows attt's)."""

    run_it = f'"$@"; rc=$?; {after}; exit $rc' if after else 'exec "$@"'
    script = f"mount --make-rprivate / && {setup} && ip link set lo up && {run_it}"
    cmd = ["unshare", "--mount", "--net", "sh", "-c", script, "sh",
           sys.executable, "-m", "attt", *args]
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=_env(cwd), capture_output=True,
                              timeout=DEFAULT_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"attt {' '.join(args)} hung")
    return Run(tuple(args), proc.returncode, proc.stdout.decode(errors="replace"),
               proc.stderr.decode(errors="replace"))


def scan_args(tmp: Path, out: Path, formats: str = "html,json,junit") -> list[str]:
    rootfs = tmp / "rootfs"
    if not rootfs.exists():
        make_rootfs(rootfs)
    return ["scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "-f", formats, "--no-history"]


def no_tmp_left(folder: Path) -> None:
    if folder.is_dir():
        assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


# ----------------------------------------------------------------- exit 2: before scanning


@pytest.mark.parametrize("case", ["file", "under_file", "symlink_to_dev_null",
                                  "symlink_to_file"])
def test_bad_out_is_an_input_error_before_scanning(tmp_path: Path, case: str) -> None:
    (tmp_path / "afile").write_text("not a folder")
    out = {
        "file": tmp_path / "afile",
        "under_file": tmp_path / "afile" / "run",
        "symlink_to_dev_null": tmp_path / "devnull-link",
        "symlink_to_file": tmp_path / "file-link",
    }[case]
    if case == "symlink_to_dev_null":
        out.symlink_to("/dev/null")
    if case == "symlink_to_file":
        out.symlink_to(tmp_path / "afile")
    run = run_attt(scan_args(tmp_path, out), cwd=tmp_path)
    assert_clean(run, codes={2})
    assert "--out" in run.output and str(out) in run.output
    assert (tmp_path / "afile").read_text() == "not a folder"


@pytest.mark.parametrize("where", ["out_itself", "parent"])
def test_read_only_out_is_an_input_error_before_scanning(tmp_path: Path, where: str) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    out = ro if where == "out_itself" else ro / "run"
    run = run_mounted(f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro}",
                      scan_args(tmp_path, out), tmp_path)
    assert_clean(run, codes={2})
    assert str(out) in run.output
    assert "Read-only file system" in run.output


def test_report_command_into_a_read_only_folder(tmp_path: Path) -> None:
    first = tmp_path / "first"
    assert_clean(run_attt(scan_args(tmp_path, first, "json"), cwd=tmp_path), codes={0, 1})
    ro = tmp_path / "ro"
    ro.mkdir()
    run = run_mounted(f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro}",
                      ["report", str(first / "results.json"), "-o", str(ro), "-f", "html"],
                      tmp_path)
    assert_clean(run, codes={2, 3})
    assert "Read-only file system" in run.output


# ----------------------------------------------------------------- exit 3: during the run


@pytest.mark.parametrize("planted", ["report.html.tmp", "results.json.tmp", "junit.xml.tmp",
                                     "run.json.tmp", "report.html", "run.json"])
def test_planted_symlink_is_never_written_through(tmp_path: Path, planted: str) -> None:
    """A symlink left in the run folder (to /dev/full, or to a file of someone else) is
    replaced, never written through."""

    out = tmp_path / "run"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    (out / planted).symlink_to(victim)
    (out / "full.tmp").symlink_to("/dev/full")
    run = run_attt(scan_args(tmp_path, out), cwd=tmp_path)
    assert_clean(run, codes={0, 1})
    assert victim.read_text() == "untouched"
    for name in ("report.html", "results.json", "junit.xml", "run.json"):
        assert (out / name).is_file() and not (out / name).is_symlink(), name
    assert not (out / planted).is_symlink()


def test_tmp_to_dev_full_is_replaced_not_written(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "report.html.tmp").symlink_to("/dev/full")
    run = run_attt(scan_args(tmp_path, out), cwd=tmp_path)
    assert_clean(run, codes={0, 1})
    assert (out / "report.html").is_file()
    no_tmp_left(out)


def _full(out: Path, options: str) -> str:
    return f"mount -t tmpfs -o {options} attt-full {out}"


def test_no_room_for_run_json_is_an_input_error_before_scanning(tmp_path: Path) -> None:
    out = tmp_path / "full"
    out.mkdir()
    # Two inodes: the root folder and nothing else.
    run = run_mounted(_full(out, "nr_inodes=2,size=1m"), scan_args(tmp_path, out), tmp_path)
    assert_clean(run, codes={2})
    assert "--out" in run.output and str(out) in run.output
    assert "No space left on device" in run.output


@pytest.mark.parametrize("size", ["8k", "48k"])
def test_disk_full_mid_run(tmp_path: Path, size: str) -> None:
    out = tmp_path / "full"
    out.mkdir()
    run = run_mounted(_full(out, f"size={size}"),
                      scan_args(tmp_path, out, "html,json,junit,sarif,csv"), tmp_path)
    assert_clean(run, codes={3})
    assert "No space left on device" in run.output and "the run is incomplete" in run.output
    assert str(out) in run.output


def test_out_folder_removed_mid_run(tmp_path: Path) -> None:
    hosts = "".join(f"      - {{name: h{i}, transport: local, roles: [server]}}\n"
                    for i in range(5))
    inv = tmp_path / "inv.yaml"
    inv.write_text(f"systems:\n  - name: s\n    regime: nd85-tt12\n    level: 2\n    hosts:\n"
                   f"{hosts}", encoding="utf-8")
    out = tmp_path / "run"
    args = ["scan", "-i", str(inv), "-o", str(out), "-w", "1", "--no-network", "-f", "json"]
    proc = subprocess.Popen(
        ["unshare", "--net", sys.executable, "-m", "attt", *args], cwd=tmp_path,
        env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    findings = out / "findings.jsonl"
    while time.monotonic() < deadline:
        if findings.exists() and '"type": "host"' in findings.read_text(errors="replace"):
            break
        time.sleep(0.02)
    else:
        proc.kill()
        pytest.fail("no host finished")
    shutil.rmtree(out)
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        pytest.fail("attt hung after its folder was removed")
    run = Run(tuple(args), proc.returncode, stdout.decode(errors="replace"),
              stderr.decode(errors="replace"))
    assert_clean(run, codes={3})
    assert str(out) in run.output


def test_dossier_into_a_full_disk(tmp_path: Path) -> None:
    out = tmp_path / "dossier"
    out.mkdir()
    run = run_mounted(_full(out, "size=4k"), ["dossier", "--system", "cong-dich-vu-cong",
                                                "-o", str(out)], tmp_path)
    assert_clean(run, codes={3})
    assert "No space left on device" in run.output and str(out) in run.output


def test_dossier_output_symlink_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "dossier"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    (out / "ho-so-cap-do-cong-dich-vu-cong.html").symlink_to(victim)
    run = run_attt(["dossier", "--system", "cong-dich-vu-cong", "-o", str(out), "-f", "html"],
                   cwd=tmp_path)
    assert_clean(run, codes={0})
    assert victim.read_text() == "untouched"


def test_report_command_into_a_full_disk(tmp_path: Path) -> None:
    first = tmp_path / "first"
    assert_clean(run_attt(scan_args(tmp_path, first, "json"), cwd=tmp_path), codes={0, 1})
    out = tmp_path / "full"
    out.mkdir()
    run = run_mounted(_full(out, "size=4k"), ["report", str(first / "results.json"), "-o",
                                             str(out), "-f", "html,junit,sarif"], tmp_path)
    assert_clean(run, codes={3})
    assert "No space left on device" in run.output
    no_tmp_left(out)


def test_run_stays_resumable_after_a_failed_render(tmp_path: Path) -> None:
    """The run folder keeps run.json and findings.jsonl after an output failure, and no
    half-written .tmp."""

    out = tmp_path / "full"
    out.mkdir()
    run = run_mounted(_full(out, "size=48k"), scan_args(tmp_path, out, "html,json,junit"),
                      tmp_path, after=f"echo LISTING; ls -1 {out}")
    assert_clean(run, codes={3})
    listing = run.stdout.split("LISTING", 1)[1].split()
    assert "run.json" in listing and "findings.jsonl" in listing
    assert not [n for n in listing if n.endswith(".tmp")]
    assert "cannot write" in run.output
