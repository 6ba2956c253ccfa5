"""Shared paths of the coverage sample exports (tests/fixtures/coverage, see PROVENANCE.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attt.coverage.match import Params

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "coverage"
AS_OF = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
ASSETS = ("ad-so-khdt.csv", "ad-vp-ubnd.csv", "dhcp-so-khdt.csv", "dhcpd.leases",
          "nmap-discovery.xml")
CONSOLES = ("ksc-hosts.csv", "mde-avhealth.json", "apex-agents.csv", "bkav-endpoint.csv")


def sample(name: str) -> str:
    return str(SAMPLES / name)


@pytest.fixture
def params() -> Params:
    return Params(AS_OF)


def full_args() -> list[str]:
    args = ["coverage", "-i", sample("inventory.yaml"), "--as-of", "2026-11-30T02:00:00Z",
            "--mapping", sample("bkav-mapping.yaml")]
    for name in ASSETS:
        args += ["--assets", sample(name)]
    for name in CONSOLES:
        args += ["--console", sample(name)]
    return args
