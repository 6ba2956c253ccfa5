"""The host's clock: the ``clock_now`` probe, so that checks comparing ages stay
pure, and :func:`iso` to show an epoch in evidence.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from attt.registry import Section, probe

DAY = 86400


@probe("clock_now", command="date -u +%s", description="the host's clock (UTC epoch seconds)")
def parse_clock_now(section: Section) -> int:
    text = section.text.strip()
    if not re.fullmatch(r"\d{9,11}", text):
        raise ValueError(f"not an epoch timestamp: {text[:40]!r}")
    return int(text)


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
