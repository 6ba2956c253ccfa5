"""ssh.access_restricted on access-list lines, judged against the real ``sshd -t``.

Each configuration is given to the check as an offline tree and to this host's sshd (OpenSSH
9.2 on Debian 12) with ``sshd -t``: the check reports a configuration error exactly when sshd
refuses the file, and counts the list as a restriction only when sshd would enforce one.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from attt.library import load_all
from attt.model import Status
from attt.registry import CHECKS, Facts, Section

load_all()

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
KEYGEN = shutil.which("ssh-keygen")

CASES = [
    # (access lines, sshd refuses, counts as a restriction)
    ("AllowUsers\n", True, False),
    ("AllowUsers=\n", True, False),
    ("AllowGroups\n", True, False),
    ("DenyUsers\n", True, False),
    ('AllowUsers ""\n', True, False),
    ("AllowUsers admin1\nAllowGroups\n", True, False),
    ("Match Address 198.18.0.0/15\n    AllowUsers\n", True, False),
    ("AllowUsers # admin1\n", False, False),  # accepted, with an empty list
    ("AllowUsers admin1 admin2@198.18.10.0/24\n", False, True),
    ("AllowGroups sshusers\n", False, True),
    ("Match Address 198.18.0.0/15\n    AllowUsers admin1\n", False, True),
]


def _evaluate(config: str) -> tuple[Status, str]:
    files = {"/etc/ssh/sshd_config": config}
    sections = {
        "sshd_effective": Section("sshd_effective", state="unavailable", reason="offline"),
        "sshd_config_files": Section("sshd_config_files", files=files, exit_code=0),
    }
    result = CHECKS["ssh.access_restricted"].evaluate(Facts(sections, "offline"), {})
    return result.status, str(result.message)


@pytest.mark.parametrize(("lines", "refused", "restricts"), CASES)
def test_access_lists_as_the_check_reads_them(lines: str, refused: bool,
                                              restricts: bool) -> None:
    status, message = _evaluate("UsePAM yes\n" + lines)
    assert status is (Status.PASS if restricts else Status.FAIL), message
    assert ("configuration is invalid" in message) is refused, message


@pytest.mark.skipif(SSHD is None or KEYGEN is None, reason="no OpenSSH server here")
@pytest.mark.parametrize(("lines", "refused", "restricts"), CASES)
def test_sshd_agrees(tmp_path: Path, lines: str, refused: bool, restricts: bool) -> None:
    assert SSHD is not None and KEYGEN is not None
    key = tmp_path / "host_key"
    subprocess.run([KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True,
                   timeout=30)
    config = tmp_path / "sshd_config"
    config.write_text(f"HostKey {key}\nUsePAM yes\n{lines}", encoding="utf-8")
    done = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True,
                          timeout=30, check=False)
    if "privilege separation directory" in done.stderr:
        pytest.skip("sshd -t needs /run/sshd here")
    assert (done.returncode != 0) is refused, done.stderr
