"""The OpenSSH route to Windows (``transport: ssh``, ``shell: powershell``), end to end
against a real sshd on 127.0.0.1 started here.

PowerShell cannot run on this machine: the account's ForceCommand is a POSIX stand-in that
records the command the client asked for and the script it sent on stdin, then replays a
collector document (or hangs, or prints garbage).  These tests cover the SSH side (command,
stdin framing, stdout read to EOF, exit status, timeouts, host keys) and the document checks;
they say nothing about the collector's PowerShell, which is never executed in CI.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docbuilder
import sshd as sshd_helper  # tests/sshd.py

import attt.probes.windows  # noqa: F401 - registers the win_* probes
from attt.cli import main
from attt.errors import ConnectError, HostKeyError
from attt.model import Host
from attt.registry import PROBES
from attt.transport import TransportSettings
from attt.transport import ssh as ssh_mod
from attt.transport.ssh import POWERSHELL_COMMAND, SSHTransport, powershell_stdin, windows_collector
from attt.windows.document import DocumentError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "windows"

STAND_IN = r"""#!/bin/sh
# Stand-in for powershell.exe (NOT PowerShell): record what arrived, then act per $D/mode.
D=__DIR__
printf '%s' "$SSH_ORIGINAL_COMMAND" > "$D/command"
cat > "$D/stdin"
case "$(cat "$D/mode")" in
  hang) sleep 20 ;;
  garbage) printf 'Get-CimInstance : Access denied\r\n'; exit 1 ;;
  *) cat "$D/reply" ;;
esac
exit 0
"""


@dataclass
class StandIn:
    dir: Path
    sshd: sshd_helper.SshdHandle
    key_file: str
    known_hosts: str

    def act(self, mode: str, reply: bytes = b"") -> None:
        (self.dir / "mode").write_text(mode)
        (self.dir / "reply").write_bytes(reply)

    def host(self, **options: Any) -> Host:
        return Host(name="PC-KETOAN-01", system="s", transport="ssh", address="127.0.0.1",
                    port=self.sshd.port, user=os.environ.get("USER", "root"),
                    roles=("workstation",),
                    options={"key_file": self.key_file, "shell": "powershell", **options})


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    if not sshd_helper.sshd_available():
        if os.environ.get("CI"):
            pytest.fail(f"{sshd_helper.SSHD} is not installed (required in CI)")
        pytest.skip(f"{sshd_helper.SSHD} is not installed")
    wd = tmp_path_factory.mktemp("ps-stand-in")
    script = wd / "powershell-stand-in.sh"
    script.write_text(STAND_IN.replace("__DIR__", str(wd)))
    script.chmod(0o755)
    key_file, pub = sshd_helper.make_client_key(wd)
    port = sshd_helper.free_port()
    handle = sshd_helper.start_sshd(wd / "sshd", [("127.0.0.1", port)], pub,
                                    f"ForceCommand {script}")
    known = wd / "known_hosts"
    known.write_text(handle.host_key_line("127.0.0.1", port))
    try:
        yield StandIn(wd, handle, key_file, str(known))
    finally:
        handle.stop()


@pytest.fixture(autouse=True)
def _no_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


# A script as big as a real collector (hundreds of KB, CRLF lines, non-ASCII in a comment):
# what matters here is that it arrives byte for byte.
SCRIPT = ("# attt collector (framing test)\r\n# Bộ thu thập\r\n"
          + "".join(f"$x{i} = {i}\r\n" for i in range(40_000))).encode()


@pytest.fixture(autouse=True)
def _script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ssh_mod, "windows_collector", lambda: SCRIPT)


def _settings(stand_in: StandIn, **kw: Any) -> TransportSettings:
    return TransportSettings(known_hosts=stand_in.known_hosts, connect_timeout=5,
                             command_timeout=kw.pop("command_timeout", 20), **kw)


def _collect(stand_in: StandIn, settings: TransportSettings, **options: Any) -> Any:
    transport = SSHTransport(stand_in.host(**options), settings)
    try:
        return transport.collect([PROBES["win_smb"], PROBES["win_firewall"],
                                  PROBES["win_bitlocker"]]), transport
    finally:
        transport.close()


def test_document_over_openssh_stand_in_for_powershell(stand_in: StandIn) -> None:
    # A committed fixture document, replayed as PowerShell 5.1 with a UTF-8 console would
    # print it: a BOM first, CRLF last.
    fixture = FIXTURES / "win10-kes-defender-off.json"
    stand_in.act("reply", b"\xef\xbb\xbf" + fixture.read_bytes().strip() + b"\r\n")
    body = json.loads(json.loads(fixture.read_text())["body"])
    got, transport = _collect(stand_in, _settings(stand_in))
    assert (stand_in.dir / "command").read_text() == POWERSHELL_COMMAND
    sent = (stand_in.dir / "stdin").read_bytes()
    assert sent == powershell_stdin(SCRIPT)
    # One line, then a blank line; the line carries the collector byte for byte.
    line, rest = sent.split(b"\r\n", 1)
    assert rest == b"\r\n" and b"\n" not in line
    encoded = re.search(rb"FromBase64String\('([A-Za-z0-9+/=]+)'\)", line)
    assert encoded is not None and base64.b64decode(encoded.group(1)) == SCRIPT
    assert transport.channels_opened == 1
    assert got.complete
    for name in ("smb", "firewall", "bitlocker"):
        section = got.sections[f"win_{name}"]
        assert section.state == ("ok" if body[name]["status"] == "ok" else "failed")
        if section.state == "ok":
            assert json.loads(section.text) == body[name]["data"]


def test_a_hung_collector_times_out_stand_in_for_powershell(stand_in: StandIn) -> None:
    stand_in.act("hang")
    started = time.monotonic()
    with pytest.raises(ConnectError, match=r"did not finish \(timed out after 2 s"):
        _collect(stand_in, _settings(stand_in, command_timeout=2))
    assert time.monotonic() - started < 10


def test_garbage_on_stdout_is_a_damaged_document_stand_in_for_powershell(
        stand_in: StandIn) -> None:
    stand_in.act("garbage")
    with pytest.raises(DocumentError) as err:
        _collect(stand_in, _settings(stand_in))
    said = str(err.value)
    assert f"ssh://{stand_in.host().user}@127.0.0.1:{stand_in.sshd.port} (exit status 1)" in said
    assert "is damaged: not valid JSON" in said


def test_a_tampered_document_is_refused_stand_in_for_powershell(stand_in: StandIn) -> None:
    doc = docbuilder.document()
    doc["body"] = doc["body"].replace('"smb1_enabled":false', '"smb1_enabled":true')
    stand_in.act("reply", docbuilder.dumps(doc).encode())
    with pytest.raises(DocumentError, match="SHA-256 of body is"):
        _collect(stand_in, _settings(stand_in))


def test_host_keys_unknown_and_changed_are_refused_stand_in_for_powershell(
        stand_in: StandIn, tmp_path: Path) -> None:
    stand_in.act("reply", docbuilder.dumps(docbuilder.document()).encode())
    (stand_in.dir / "stdin").unlink(missing_ok=True)
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(HostKeyError, match="unknown host key"):
        _collect(stand_in, TransportSettings(known_hosts=str(empty), connect_timeout=5))
    other = sshd_helper.make_key(tmp_path / "other")
    empty.write_text(sshd_helper.known_hosts_line("127.0.0.1", stand_in.sshd.port, other))
    with pytest.raises(HostKeyError, match="CHANGED"):
        _collect(stand_in, TransportSettings(known_hosts=str(empty), connect_timeout=5))
    assert not (stand_in.dir / "stdin").exists()  # refused before any command ran


def test_sudo_is_refused_with_powershell_stand_in_for_powershell(stand_in: StandIn) -> None:
    with pytest.raises(ConnectError, match="sudo does not apply"):
        _collect(stand_in, _settings(stand_in), sudo=True)


def test_scan_with_an_inventory_stand_in_for_powershell(stand_in: StandIn,
                                                        tmp_path: Path) -> None:
    stand_in.act("reply", docbuilder.dumps(docbuilder.document(age=timedelta(0))).encode())
    inv = tmp_path / "inventory.yaml"
    inv.write_text(
        f"known_hosts: {stand_in.known_hosts}\n"
        "systems:\n  - name: s\n    level: 3\n    hosts:\n"
        f"      - {{name: PC-KETOAN-01, address: 127.0.0.1, port: {stand_in.sshd.port},"
        f" user: {stand_in.host().user}, roles: [workstation], shell: powershell,"
        f" options: {{key_file: {stand_in.key_file}}}}}\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["scan", "-i", str(inv), "--no-network", "-o", str(out),
                                       "-q", "-f", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1, 3), result.output
    records = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines()]
    host = [r for r in records if r["type"] == "host"]
    assert [(h["name"], h["state"], h["channels"]) for h in host] == [("PC-KETOAN-01", "ok", 1)]
    assert (stand_in.dir / "command").read_text() == POWERSHELL_COMMAND


def test_the_shipped_collector_is_what_is_sent() -> None:
    shipped = Path(ssh_mod.__file__).resolve().parents[1] / "windows" / "collector.ps1"
    if not shipped.exists():
        pytest.skip("src/attt/windows/collector.ps1 not written yet")
    assert windows_collector() == shipped.read_bytes()
    encoded = re.search(rb"'([A-Za-z0-9+/=]+)'", powershell_stdin(shipped.read_bytes()))
    assert encoded is not None
    assert base64.b64decode(encoded.group(1)) == shipped.read_bytes().removeprefix(
        b"\xef\xbb\xbf")
