"""The local transport for real: sh -s, the command timeout keeps complete sections."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from attt.collect import boundary, new_token, parse_output
from attt.library import load_all
from attt.messages import render, untranslated
from attt.model import Host, Status
from attt.registry import CHECKS, PROBES, Facts, Probe
from attt.runner import HostOutcome, partial_message
from attt.transport import LocalTransport, TransportSettings


def _probe(name: str, command: str) -> Probe:
    return Probe(name, parser=lambda s: s.text, command=command)


def test_local_collect_runs_one_script() -> None:
    host = Host(name="l", system="s", transport="local")
    transport = LocalTransport(host, TransportSettings())
    collected = transport.collect([_probe("a", "echo one"), _probe("b", "id -u")])
    assert collected.complete and transport.channels_opened == 1
    assert collected.sections["a"].text == "one\n"
    assert collected.sections["b"].text.strip().isdigit()


def test_local_command_timeout_keeps_what_arrived() -> None:
    host = Host(name="l", system="s", transport="local")
    transport = LocalTransport(host, TransportSettings(command_timeout=1.5, section_timeout=30))
    collected = transport.collect([_probe("a_first", "echo early"),
                                   _probe("b_slow", "sleep 10; echo late")])
    assert not collected.complete
    assert collected.sections["a_first"].text == "early\n"
    assert collected.sections["b_slow"].state == "failed"


def test_local_timeout_kills_the_hung_probe_too() -> None:
    host = Host(name="l", system="s", transport="local")
    # A unique argument to find the process by: unique per test process too, so another
    # test run on the same machine (a concurrent CI job) is never mistaken for this one.
    marker = f"sleep 30.{os.getpid()}{time.monotonic_ns() % 1000:03d}"
    transport = LocalTransport(host, TransportSettings(command_timeout=1, section_timeout=60))
    collected = transport.collect([_probe("hung", marker)])
    assert not collected.complete  # the deadline really cut the run
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    assert marker not in ps.stdout


# ----------------------------------------------------------------- trial problem 12 (issue 10)

NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"]
SUDO_MISSING = """
import json
from attt.errors import TransportError
from attt.model import Host
from attt.registry import Probe
from attt.runner import HostOutcome, transport_message
from attt.transport import LocalTransport, TransportSettings

host = Host(name="l", system="s", transport="local")
probe = Probe("a", parser=lambda s: s.text, command="echo one")
try:
    LocalTransport(host, TransportSettings(sudo=True)).collect([probe])
except TransportError as exc:
    record = HostOutcome(host, [], "error", transport_message(exc)).record()
    print(json.dumps({k: record[k] for k in ("message", "message_vi")}))
"""


def _as_nobody(sudo: str | None) -> dict[str, str]:
    """Run SUDO_MISSING as uid 65534 with a PATH holding sh and, if given, a ``sudo``
    script; the host message it prints, in both languages."""

    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to run attt as another user")
    # Under /tmp itself: pytest's tmp_path sits in a folder only root may enter, and the
    # PATH must be one the other user can search.
    with tempfile.TemporaryDirectory(prefix="attt-nosudo-", dir="/tmp") as top:
        bin_dir = Path(top) / "bin"
        bin_dir.mkdir()
        (bin_dir / "sh").symlink_to("/bin/sh")
        if sudo is not None:
            (bin_dir / "sudo").write_text(sudo)
            (bin_dir / "sudo").chmod(0o755)
        os.chmod(top, 0o755)
        os.chmod(bin_dir, 0o755)
        env = {"PATH": str(bin_dir), "HOME": top, "LC_ALL": "C.UTF-8"}
        out = subprocess.run([setpriv, *NOBODY, sys.executable, "-c", SUDO_MISSING], env=env,
                             cwd="/", stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    got: dict[str, str] = json.loads(out.stdout)
    return got


def test_sudo_refusing_says_why_with_the_ways_out_in_both_languages() -> None:
    got = _as_nobody("#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n")
    assert got["message"].startswith("sudo could not run the collector (sudo: a password is "
                                     "required): run attt as root")
    assert got["message_vi"].startswith("sudo không chạy được bộ thu thập (sudo: a password is "
                                        "required): chạy attt với quyền root")


def test_sudo_missing_says_so_with_the_ways_out_in_both_languages() -> None:
    # A PATH with a shell and no sudo, as on a stock Debian without sudo.
    got = _as_nobody(None)
    assert got["message"].startswith("not root and sudo is not installed: run attt as root, "
                                     "install sudo")
    assert "--no-sudo" in got["message"]
    assert got["message_vi"].startswith("không chạy với quyền root và máy chưa cài đặt sudo: "
                                        "chạy attt với quyền root, cài đặt sudo")
    assert "--no-sudo" in got["message_vi"] and "cần quyền root" in got["message_vi"]


def test_a_root_only_fact_read_by_another_user_says_it_needs_root() -> None:
    """--no-sudo as a regular user: /etc/shadow unreadable, the probe exits 126; the error
    finding says that root is needed, in both languages, not only "command exited 126"."""

    load_all()
    b = boundary(new_token())
    raw = (f"{b} START uid=1000\n{b} BEGIN shadow_state\n\n{b} END shadow_state rc=126 "
           f"bytes=0\n{b} DONE\n").encode()
    collected = parse_output(raw, b.removeprefix("@@ATTT-").removesuffix("@@"),
                             [PROBES["shadow_state"]], 100_000)
    result = CHECKS["accounts.no_empty_passwords"].evaluate(Facts(collected.sections, "live"),
                                                           {})
    assert result.status is Status.ERROR
    assert untranslated(result.message) == []
    assert render(result.message, "en") == (
        "Fact 'shadow_state' is unavailable: needs root: the collector ran as uid 1000 "
        "(command exited 126).")
    assert render(result.message, "vi") == (
        "Không thu thập được dữ liệu 'shadow_state': cần quyền root: bộ thu thập đã chạy với "
        "uid 1000 (lệnh kết thúc với mã 126).")


def test_host_record_of_a_partial_collection_in_both_languages() -> None:
    host = Host(name="l", system="s", transport="local")
    transport = LocalTransport(host, TransportSettings(command_timeout=1.5, section_timeout=30))
    probes = [_probe("a_first", "echo early"), _probe("b_slow", "sleep 10; echo late")]
    collected = transport.collect(probes)
    assert not collected.complete
    record = HostOutcome(host, [], "partial", partial_message(collected, len(probes))).record()
    assert record["message"] == ("collection stopped before the end (1 of 2 probes returned); "
                                 "the rest are errors")
    assert record["message_vi"].startswith("quá trình thu thập dừng trước khi hoàn tất (1/2")
    # The unfinished probe's own reason is a message too.
    assert render(collected.sections["b_slow"].reason, "vi") == (
        "không có dữ liệu: quá trình thu thập đã dừng")
