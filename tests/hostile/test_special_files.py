"""Special files where attt expects a file (issue 8: special files).

A FIFO made ``open()`` block forever and ``/dev/zero`` grew memory until MemoryError; a huge
file was read whole.  Every file kind attt reads, through every command that reads it, must
refuse a FIFO, a device and an oversized file with exit 2 naming the file, in bounded time.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ._runs import copy_run, inventory_text, make_rootfs, remove_specials, scanned_run
from .conftest import assert_clean, assert_input_error, run_attt

REFUSALS = ("not a regular file", "larger than")


@pytest.fixture(autouse=True)
def _cleanup(tmp_path: Path) -> Iterator[None]:
    yield
    remove_specials(tmp_path)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = scanned_run(tmp_path_factory.mktemp("special"))
    from attt.signing import generate_keys, sign_folder

    pair = generate_keys(str(run.parent / "keys"), None, name="k")
    sign_folder(str(run), pair.private_path)
    return run


def make_special(path: Path, kind: str, size: int) -> None:
    if path.exists() or path.is_symlink():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "devzero":
        path.symlink_to("/dev/zero")
    elif kind == "devtty":
        path.symlink_to("/dev/null")  # a character device that never blocks either
    elif kind == "huge":
        with open(path, "wb") as fh:
            fh.truncate(size + 1)  # sparse: costs nothing on disk
    else:
        raise AssertionError(kind)


MB = 1024 * 1024
# kind -> (file name, size bound, command builder(tmp, base, file) -> args)
Builder = Callable[[Path, Path, Path], list[str]]
KINDS: dict[str, tuple[str, int, Builder]] = {
    "inventory-validate": ("inv.yaml", 8 * MB, lambda t, b, f: ["validate", str(f)]),
    "inventory-scan": ("inv.yaml", 8 * MB,
                       lambda t, b, f: ["scan", "-i", str(f), "--no-network", "--dry-run"]),
    "profile": ("p.yaml", 8 * MB, lambda t, b, f: ["validate", "--kind", "profile", str(f)]),
    "profile-scan": ("p.yaml", 8 * MB,
                     lambda t, b, f: ["scan", "-t", "local", "-p", str(f), "--no-network",
                                      "--dry-run"]),
    "tailoring": ("t.yaml", 8 * MB,
                  lambda t, b, f: ["validate", "--kind", "tailoring", str(f)]),
    "waivers": ("w.yaml", 8 * MB, lambda t, b, f: ["validate", "--kind", "waivers", str(f)]),
    "evidence": ("e.yaml", 8 * MB, lambda t, b, f: ["validate", "--kind", "evidence", str(f)]),
    "level-answers": ("a.yaml", 8 * MB,
                      lambda t, b, f: ["level", "suggest", "--answers", str(f)]),
    "results-report": ("results.json", 256 * MB,
                       lambda t, b, f: ["report", str(f), "-o", str(t / "out")]),
    "results-dossier": ("results.json", 256 * MB,
                        lambda t, b, f: ["dossier", "-i", str(b.parent / "inv.yaml"),
                                         "--results", str(f), "--check"]),
    "run-json-resume": ("run/run.json", MB,
                        lambda t, b, f: ["scan", "--resume", str(f.parent), "-q"]),
    "findings-resume": ("run/findings.jsonl", 1024 * MB,
                        lambda t, b, f: ["scan", "--resume", str(f.parent), "-q",
                                         "--no-history"]),
    "manifest-verify": ("run/manifest.json", 64 * MB,
                        lambda t, b, f: ["verify", str(f.parent)]),
    "signature-verify": ("run/manifest.sig", 64 * MB,
                         lambda t, b, f: ["verify", str(f.parent)]),
    "public-key-verify": ("k.pub", 64 * 1024,
                          lambda t, b, f: ["verify", "-k", str(f), str(t / "run")]),
    "private-key-sign": ("k.key", 64 * 1024,
                         lambda t, b, f: ["scan", "-t", f"dir:{t / 'root'}", "--sign", str(f),
                                          "-o", str(t / "o"), "-q", "--no-network",
                                          "--no-history"]),
    "diff-run-json": ("run/run.json", MB,
                      lambda t, b, f: ["diff", str(f.parent), "latest"]),
}
SPECIALS = ["fifo", "devzero", "huge"]


@pytest.mark.parametrize("special", SPECIALS)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_special_file_is_refused(tmp_path: Path, base: Path, kind: str, special: str) -> None:
    name, limit, build = KINDS[kind]
    copy_run(base, tmp_path / "run")
    make_rootfs(tmp_path / "root")
    if kind == "diff-run-json":
        # diff reads run.json only when the history knows runs: record one first.
        root = tmp_path / "hroot"
        make_rootfs(root)
        (tmp_path / "hinv.yaml").write_text(inventory_text(root))
        first = run_attt(["scan", "-i", str(tmp_path / "hinv.yaml"), "-o", str(tmp_path / "h"),
                          "-q", "--no-network", "-f", "json"], cwd=tmp_path)
        assert first.returncode in (0, 1), first.output
    target = tmp_path / name
    make_special(target, special, limit)
    run = run_attt(build(tmp_path, base, target), cwd=tmp_path, timeout=60)
    assert_input_error(run, str(target.name))
    assert any(r in run.output for r in REFUSALS), run.output[-1500:]


@pytest.mark.parametrize("special", ["fifo", "devzero", "huge"])
@pytest.mark.parametrize("option", ["known_hosts", "key_file"])
def test_ssh_files_are_checked_before_paramiko_reads_them(tmp_path: Path, option: str,
                                                          special: str) -> None:
    target = tmp_path / "special"
    make_special(target, special, 64 * MB if option == "known_hosts" else MB)
    known = f"known_hosts: {target}\n" if option == "known_hosts" else ""
    key = f", options: {{key_file: {target}}}" if option == "key_file" else ""
    # Port 1 on loopback inside the case's own namespace: nothing listens, nothing leaves.
    (tmp_path / "inv.yaml").write_text(
        known + "systems:\n  - name: s\n    owner: UBND\n    level: 1\n    hosts:\n"
        f"      - {{name: h, address: 127.0.0.1, port: 1, user: root{key}}}\n"
    )
    run = run_attt(["scan", "-i", str(tmp_path / "inv.yaml"), "-o", str(tmp_path / "o"),
                    "--no-network", "--no-history", "--connect-timeout", "5"],
                   cwd=tmp_path, timeout=60)
    assert_clean(run, codes={3})
    assert "special" in run.output and any(r in run.output for r in REFUSALS), run.output
