"""Waiver files: approved, time-limited exceptions to a failing requirement or check.

An expired waiver is not an error in the file: it is ignored at grading time, so the finding
fails again, and the report lists it loudly.
"""

from __future__ import annotations

from .messages import T
from .model import Waiver
from .yamlio import Node, load_file


def load_waivers(path: str) -> list[Waiver]:
    """Read and validate a waiver file."""

    node = Node(load_file(path) or {}, path)
    node.allow("waivers")
    out: list[Waiver] = []
    for item in node.items("waivers"):
        item.allow("target", "requirement", "check", "hosts", "reason", "approver", "expires")
        target = item.text("target", "") or item.text("requirement", "") or item.text("check", "")
        if not target:
            raise item.error("target", T("required: a requirement id or a check id"))
        expiry = item.date("expires")
        if expiry is None:
            raise item.error("expires", T("required (YYYY-MM-DD)"))
        expires = expiry.isoformat()
        for key in ("reason", "approver"):
            if not item.text(key, "").strip():
                raise item.error(key, T("required"))

        out.append(
            Waiver(
                target,
                item.text("hosts", "*"),
                item.text("reason"),
                item.text("approver"),
                expires,
                path,
            )
        )
    return out
