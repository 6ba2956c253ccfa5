"""The malloc arena cap: applied on glibc, never over the user's own MALLOC_ARENA_MAX."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from attt.memory import limit_malloc_arenas

PROBE = ("import sys, threading; from attt.memory import limit_malloc_arenas; "
         "print(limit_malloc_arenas())")


def test_the_cap_is_applied_on_glibc() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout.strip()
    assert out == "True"


def test_the_users_setting_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False
