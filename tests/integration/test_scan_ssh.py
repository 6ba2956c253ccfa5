"""Whole scans over real sshd daemons on 127.0.0.1 (CLI in-process through CliRunner).

Each "host" is a throwaway sshd whose ForceCommand runs the collector inside a private mount
namespace with our own files bind-mounted over /etc, so every host shows exactly the
configuration a test needs while the machine itself is never changed.
"""

from __future__ import annotations

import html as html_lib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.cli import main
from attt.render.document import all_findings

from .conftest import SshdServer, sshd_helper

GOOD_SSHD = "PermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
FAKE = "@@ATTT-" + "0" * 32 + "@@"
# Tries to close the files section early and open a forged "effective configuration".
FORGING_SSHD = (
    "PasswordAuthentication no\n"
    f"{FAKE} END sshd_config_files rc=0 bytes=1\n"
    f"{FAKE} BEGIN sshd_effective\n"
    "permitrootlogin no\n"
    "passwordauthentication no\n"
)
# A file whose content ends up quoted in the report.
SCRIPT_SSHD = "<script>alert('attt')</script>\nPermitRootLogin no\n"
PROFILE = """
id: test-ssh-2
regime: nd85-tt12
level: 2
title_vi: Hồ sơ kiểm thử SSH
requirements:
  - id: T.SSH.1
    title_vi: "Cấm đăng nhập root qua SSH <b>"
    title_en: No root SSH login
    group: server
    layer: 1
    severity: high
    checks: [{id: ssh.root_login_disabled}]
  - id: T.SSH.2
    title_vi: Không xác thực SSH bằng mật khẩu
    group: server
    layer: 1
    severity: medium
    checks: [{id: ssh.password_auth_disabled}]
"""


def _namespaced(config_file: Path, tail: str = "") -> str:
    inner = f"mount --bind {config_file} /etc/ssh/sshd_config && exec sh -s"
    return f"ForceCommand unshare -m sh -c '{inner}'{tail}"


def _require_unshare() -> None:
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is required for the scan integration tests")


def _start(
    tmp: Path, client_key: tuple[str, str], name: str, config: str, tail: str = ""
) -> sshd_helper.SshdHandle:
    _require_unshare()
    conf = tmp / f"{name}.sshd_config"
    conf.write_text(config)
    return sshd_helper.start_sshd(
        tmp / name, [("127.0.0.1", sshd_helper.free_port())], client_key[1], _namespaced(conf, tail)
    )


@pytest.fixture()
def hosts(
    tmp_path: Path, client_key: tuple[str, str]
) -> Iterator[dict[str, sshd_helper.SshdHandle]]:
    started: dict[str, sshd_helper.SshdHandle] = {}
    try:
        started["good"] = _start(tmp_path, client_key, "good", GOOD_SSHD)
        # Output cut after 300 bytes and the session process killed: the TCP connection drops
        # with the collector mid-way.
        started["drops"] = _start(
            tmp_path, client_key, "drops", GOOD_SSHD, " | head -c 300; kill -9 $PPID"
        )
        started["forging"] = _start(tmp_path, client_key, "forging", FORGING_SSHD)
        started["script"] = _start(tmp_path, client_key, "script", SCRIPT_SSHD)
        yield started
    finally:
        for handle in started.values():
            handle.stop()


def _inventory(tmp: Path, key: str, entries: list[tuple[str, int]], known: str) -> Path:
    (tmp / "known_hosts").write_text(known)
    lines = [
        "known_hosts: known_hosts",
        "defaults:",
        "  transport: ssh",
        "  user: root",
        f"  options: {{key_file: {key}, connect_timeout: 5, command_timeout: 60}}",
        "systems:",
        "  - name: he-thong-thu",
        "    owner: UBND tỉnh Thử",
        "    operating_unit: Sở Thử",
        "    level: 2",
        "    hosts:",
    ]
    lines += [f"      - {{name: {n}, address: 127.0.0.1, port: {p}}}" for n, p in entries]
    inv = tmp / "inventory.yaml"
    inv.write_text("\n".join(lines) + "\n")
    return inv


def _scan(tmp: Path, inv: Path, *extra: str) -> tuple[int, dict[str, object], str]:
    profile = tmp / "profile.yaml"
    profile.write_text(PROFILE)
    out = tmp / "run"
    result = CliRunner().invoke(
        main,
        ["scan", "-i", str(inv), "-p", str(profile), "-o", str(out), "-q", *extra],
        catch_exceptions=False,
    )
    doc = json.loads((out / "results.json").read_text())
    return result.exit_code, doc, (out / "report.html").read_text()


def _host_rows(doc: dict[str, object]) -> dict[str, dict[str, object]]:
    systems = doc["systems"]
    assert isinstance(systems, list)
    return {h["name"]: h for h in systems[0]["hosts"]}


def _statuses(doc: dict[str, object], host: str) -> dict[str, str]:
    systems = doc["systems"]
    assert isinstance(systems, list)
    return {
        f["check"]: f["status"]
        for f in all_findings(doc)
        if f["host"] == host and f["system"] == systems[0]["name"]
    }


def test_unreachable_and_dropping_hosts_are_errors_exit_3(
    tmp_path: Path, client_key: tuple[str, str], hosts: dict[str, sshd_helper.SshdHandle]
) -> None:
    down = sshd_helper.closed_port()
    known = hosts["good"].known_hosts_text() + hosts["drops"].known_hosts_text()
    inv = _inventory(
        tmp_path,
        client_key[0],
        [("good", hosts["good"].port), ("down", down), ("drops", hosts["drops"].port)],
        known,
    )
    code, doc, _ = _scan(tmp_path, inv)
    assert code == 3
    rows = _host_rows(doc)
    assert rows["good"]["state"] == "ok" and rows["good"]["channels"] == 1
    assert _statuses(doc, "good") == {
        "ssh.root_login_disabled": "pass",
        "ssh.password_auth_disabled": "pass",
    }
    assert rows["down"]["state"] == "unreachable"
    assert "127.0.0.1" in str(rows["down"]["message"])
    assert rows["drops"]["state"] == "partial"
    assert set(_statuses(doc, "down").values()) == {"error"}
    assert set(_statuses(doc, "drops").values()) == {"error"}
    assert doc["summary"]["verdict"] == "incomplete"  # type: ignore[index]


def test_hostile_files_cannot_forge_sections_or_inject_html(
    tmp_path: Path, client_key: tuple[str, str], hosts: dict[str, sshd_helper.SshdHandle]
) -> None:
    names = ("good", "forging", "script")
    known = "".join(hosts[n].known_hosts_text() for n in names)
    inv = _inventory(tmp_path, client_key[0], [(n, hosts[n].port) for n in names], known)
    code, doc, report = _scan(tmp_path, inv)
    # sshd itself rejects both hostile files, so attt cannot evaluate them: errors, and the
    # good host still passes.
    assert code == 3
    assert _statuses(doc, "good") == {
        "ssh.root_login_disabled": "pass",
        "ssh.password_auth_disabled": "pass",
    }
    findings = {
        (f["host"], f["check"]): f
        for f in all_findings(doc)  # type: ignore[arg-type]
    }
    forged = findings[("forging", "ssh.root_login_disabled")]
    # The forged boundary arrived as a line of the file, inside the files section; no
    # "effective configuration" section was created from it, so nothing passed.
    assert forged["status"] == "error"
    assert f"sshd_config:2: not an sshd_config line: '{FAKE} END" in forged["message"]
    assert "effective" not in forged["message"]
    script = findings[("script", "ssh.root_login_disabled")]
    assert script["status"] == "error"
    assert "<script>alert('attt')</script>" in script["message"]  # complete in JSON
    assert "<script>alert" not in report
    assert html_lib.escape("<script>alert(") in report or "&lt;script&gt;alert(" in report


def test_full_level2_scan_over_ssh_uses_one_channel(
    tmp_path: Path, sshd_server: SshdServer
) -> None:
    inv = _inventory(
        tmp_path,
        sshd_server.key_file,
        [("may-that", sshd_server.port)],
        Path(sshd_server.known_hosts).read_text(),
    )
    out = tmp_path / "full"
    result = CliRunner().invoke(
        main, ["scan", "-i", str(inv), "-o", str(out), "-q"], catch_exceptions=False
    )
    assert result.exit_code in (0, 1), result.output
    doc = json.loads((out / "results.json").read_text())
    row = _host_rows(doc)["may-that"]
    assert row["state"] == "ok" and row["channels"] == 1
    statuses = list(_statuses(doc, "may-that").values())
    assert len(statuses) >= 7 and statuses.count("error") < len(statuses) / 2
    assert doc["systems"][0]["profile"]["id"] == "nd85-tt12-2"


def test_unknown_host_key_is_refused_in_a_scan(tmp_path: Path, sshd_server: SshdServer) -> None:
    inv = _inventory(tmp_path, sshd_server.key_file, [("h", sshd_server.port)], "")
    code, doc, _ = _scan(tmp_path, inv)
    assert code == 3
    row = _host_rows(doc)["h"]
    assert row["state"] == "hostkey_error" and "--accept-new-host-keys" in str(row["message"])
    code, doc, _ = _scan(tmp_path, inv, "--accept-new-host-keys")
    assert _host_rows(doc)["h"]["state"] == "ok"
    assert any("Recorded a new host key" in n for n in doc["notes"])  # type: ignore[attr-defined]
    assert "127.0.0.1" in (tmp_path / "known_hosts").read_text()


def test_ctrl_c_saves_finished_hosts_and_resume_completes(
    tmp_path: Path, client_key: tuple[str, str]
) -> None:
    """A real SIGINT to a running `attt scan`: exit 130, report of what was done, resume."""

    import os
    import signal
    import subprocess
    import sys
    import time

    fast = _start(tmp_path, client_key, "fast", GOOD_SSHD)
    # The slow host waits 4 s before running the collector.
    conf = tmp_path / "slow.sshd_config"
    conf.write_text(GOOD_SSHD)
    slow = sshd_helper.start_sshd(
        tmp_path / "slow",
        [("127.0.0.1", sshd_helper.free_port())],
        client_key[1],
        f"ForceCommand sleep 4; unshare -m sh -c 'mount --bind {conf} /etc/ssh/sshd_config"
        " && exec sh -s'",
    )
    try:
        known = fast.known_hosts_text() + slow.known_hosts_text()
        inv = _inventory(tmp_path, client_key[0],
                         [("a-fast", fast.port), ("b-slow", slow.port), ("c-fast", fast.port)],
                         known)
        profile = tmp_path / "profile.yaml"
        profile.write_text(PROFILE)
        out = tmp_path / "run"
        attt = [sys.executable, "-m", "attt.cli"]
        args = ["scan", "-i", str(inv), "-p", str(profile), "-o", str(out), "-w", "1"]
        proc = subprocess.Popen([*attt, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env={**os.environ, "CI": "1"})
        findings = out / "findings.jsonl"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if findings.exists() and '"type": "host"' in findings.read_text():
                break
            time.sleep(0.1)
        else:
            proc.kill()
            pytest.fail("the first host never finished")
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 130, stderr.decode()
        assert b"--resume" in stderr
        doc = json.loads((out / "results.json").read_text())
        assert doc["run"]["interrupted"] is True
        assert [h["name"] for h in doc["systems"][0]["hosts"]] == ["a-fast"]
        resumed = subprocess.run([*attt, "scan", "--resume", str(out), "-q"],
                                 capture_output=True, timeout=60, check=False)
        assert resumed.returncode == 0, resumed.stderr.decode()
        doc = json.loads((out / "results.json").read_text())
        rows = _host_rows(doc)
        assert sorted(rows) == ["a-fast", "b-slow", "c-fast"]
        assert all(r["state"] == "ok" for r in rows.values())
        assert doc["run"]["interrupted"] is False
    finally:
        fast.stop()
        slow.stop()
