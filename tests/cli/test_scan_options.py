"""``attt scan`` options are declared once (the click decorators); ScanOptions is built from
click's parameters, so every option must be a ScanOptions field or a command-only option."""

from __future__ import annotations

from dataclasses import fields

import pytest

from attt.commands.scan import COMMAND_ONLY, scan, scan_options
from attt.errors import InputError
from attt.scan import ScanOptions


def _defaults() -> dict[str, object]:
    ctx = scan.make_context("scan", [])
    return dict(ctx.params)


def test_every_option_is_a_field_or_command_only() -> None:
    names = {p.name for p in scan.params}
    wanted = {f.name for f in fields(ScanOptions)} - {"history"}  # --no-history: command-only
    assert names - COMMAND_ONLY == wanted
    assert names >= COMMAND_ONLY


def test_defaults_are_the_dataclass_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATTT_DB", raising=False)
    assert scan_options(_defaults()) == ScanOptions()


def test_values_are_converted() -> None:
    ctx = scan.make_context("scan", ["-f", "html, csv", "-f", "json", "--no-history",
                                     "--fail-on", "high", "--no-sudo", "-l", "3"])
    opts = scan_options(ctx.params)
    assert opts.formats == ("html", "csv", "json")
    assert opts.history is False
    assert opts.fail_on == "high" and opts.sudo is False and opts.level == 3
    assert opts.tailoring == "" and opts.waivers == "" and opts.evidence_root == ""


def test_inventory_and_target_exclude_each_other() -> None:
    params = {**_defaults(), "inventory": "inv.yaml", "target": "local"}
    with pytest.raises(InputError, match="either --inventory or --target"):
        scan_options(params)
