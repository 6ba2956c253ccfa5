"""The local transport for real: sh -s, the command timeout keeps complete sections."""

from __future__ import annotations

from attt.model import Host
from attt.registry import Probe
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
    import subprocess

    host = Host(name="l", system="s", transport="local")
    marker = "sleep 30.7123"  # a unique argument to find the process by
    transport = LocalTransport(host, TransportSettings(command_timeout=1, section_timeout=60))
    collected = transport.collect([_probe("hung", marker)])
    assert not collected.complete  # the deadline really cut the run
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    assert marker not in ps.stdout
