"""The path resolver of offline trees remembers resolved directories; the answers are the
same as a fresh resolver's for every path, in any order (symlinks absolute and relative,
``..``, links to files used as directories, missing parts, loops)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from attt.paths import Resolver, TreeError

PATHS = ["/etc/ssh/sshd_config", "/etc/ssh/../passwd", "/lnk/sshd_config", "/rel/sshd_config",
         "/bin/sh", "/usr/bin/sh", "/etc/passwd/x", "/etc/nothing/x", "/up/passwd",
         "/lnk/../passwd", "/lnk", "/", "/loop/x", "/etc/ssh/sshd_config.d/a.conf",
         "/etc/ssh/sshd_config.d/../sshd_config"]


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    (tmp_path / "etc/ssh/sshd_config.d").mkdir(parents=True)
    (tmp_path / "etc/ssh/sshd_config").write_text("x\n")
    (tmp_path / "etc/ssh/sshd_config.d/a.conf").write_text("y\n")
    (tmp_path / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    (tmp_path / "usr/bin").mkdir(parents=True)
    (tmp_path / "usr/bin/sh").write_text("")
    os.symlink("usr/bin", tmp_path / "bin")
    os.symlink("/etc/ssh", tmp_path / "lnk")
    os.symlink("etc/ssh", tmp_path / "rel")
    os.symlink("/etc/ssh/..", tmp_path / "up")
    os.symlink("loop", tmp_path / "loop")
    return tmp_path


def answer(resolver: Resolver, path: str, follow: bool) -> str | None:
    try:
        return resolver.resolve(path, follow)
    except TreeError as exc:
        return f"error: {exc.reason}"


def test_a_shared_resolver_answers_like_a_fresh_one(root: Path) -> None:
    fresh = {(p, f): answer(Resolver(str(root)), p, f)
             for p in PATHS for f in (True, False)}
    assert fresh["/lnk/sshd_config", True] == str(root / "etc/ssh/sshd_config")
    assert fresh["/up/passwd", True] == str(root / "etc/passwd")
    assert fresh["/etc/passwd/x", True] is None
    assert fresh["/lnk", False] == str(root / "lnk")
    assert str(fresh["/loop/x", True]).startswith("error")
    rng = random.Random(7)
    for _ in range(8):
        order = PATHS[:]
        rng.shuffle(order)
        shared = Resolver(str(root))
        for path in order:
            for follow in (False, True):
                assert answer(shared, path, follow) == fresh[path, follow], (order, path)
