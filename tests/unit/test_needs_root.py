"""Probes that need root say so when the collector ran as another user (issue 8).

The collector runs for real under /bin/sh, as root and as ``nobody`` (setpriv), so the uid
the script reports is the one the parser judges."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from attt.collect import build_script, new_token, parse_output
from attt.library import load_all
from attt.registry import PROBES, Probe, Section

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _probe(name: str, command: str, needs_root: bool = True) -> Probe:
    return Probe(name, parser=lambda s: s.text, command=command, needs_root=needs_root)


def _collect(probes: list[Probe], as_nobody: bool) -> tuple[int | None, dict[str, Section]]:
    if as_nobody and shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to run the collector as another user")
    token = new_token()
    script = build_script(probes, token, cap=100_000, section_timeout=20)
    argv = [*(NOBODY if as_nobody else []), "sh", "-s"]
    out = subprocess.run(argv, input=script.encode(), capture_output=True, timeout=60,
                         check=False, cwd="/")
    collected = parse_output(out.stdout, token, probes, 100_000)
    return collected.uid, dict(collected.sections)


PROBES_UNDER_TEST = [
    _probe("shadow", "[ -r /etc/shadow ] || exit 126; cut -d: -f1 /etc/shadow"),
    _probe("denied", "echo 'Operation not permitted' >&2; exit 1"),
    _probe("silent", "exit 0"),
    _probe("absent", "command -v no-such-tool-attt >/dev/null || exit 127; no-such-tool-attt"),
    _probe("plain", "exit 1", needs_root=False),
]


def test_as_another_user_root_probes_fail_saying_they_need_root() -> None:
    uid, sections = _collect(PROBES_UNDER_TEST, as_nobody=True)
    assert uid == 65534
    for name in ("shadow", "denied", "silent"):
        assert sections[name].state == "failed", name
        assert str(sections[name].reason).startswith("needs root: the collector ran as uid 65534")
    # A tool that is not installed is not a matter of root; nor is a probe that needs none.
    assert "needs root" not in str(sections["absent"].reason)
    assert "needs root" not in str(sections["plain"].reason)


def test_as_root_nothing_is_said_about_root() -> None:
    uid, sections = _collect(PROBES_UNDER_TEST, as_nobody=False)
    if uid != 0:
        pytest.skip("runs as root (as CI does)")
    assert sections["shadow"].state == "ok" and sections["shadow"].text
    assert all("needs root" not in str(s.reason) for s in sections.values())


@pytest.mark.parametrize(
    "name",
    ["sshd_effective", "shadow_state", "nft_ruleset", "iptables_rules", "audit_rules"],
)
def test_the_probes_that_need_root_declare_it(name: str) -> None:
    load_all()
    assert PROBES[name].needs_root, name
