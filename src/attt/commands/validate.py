"""``attt validate``: lint profiles, inventories, tailoring, waiver and evidence files."""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from ..errors import AtttError, ExitStatus, InputError
from ..evidence import load_evidence
from ..inventory_loader import bundled_inventory, load_inventory
from ..messages import Msg, T
from ..profile_loader import bundled_profiles, load_profile, load_tailoring
from ..waivers import load_waivers
from ..yamlio import load_file
from ._output import cli_lang, echo


def _kind_of(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    if "systems" in data:
        return "inventory"
    if "regime" in data and "level" in data:
        return "profile"
    if "waivers" in data:
        return "waivers"
    if "parameters" in data or "exclusions" in data:
        return "tailoring"
    if "documents" in data:
        return "evidence"
    return ""


# What each kind of file is called in the lines validate prints.
KIND_NAMES: dict[str, Msg] = {
    "profile": T("profile"),
    "inventory": T("inventory"),
    "tailoring": T("tailoring"),
    "waivers": T("waivers"),
    "evidence": T("evidence"),
}

VALIDATORS: dict[str, Callable[[str], object]] = {
    "profile": load_profile,
    "inventory": load_inventory,
    "tailoring": load_tailoring,
    "waivers": load_waivers,
    "evidence": load_evidence,
}


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--kind",
    type=click.Choice(sorted(VALIDATORS)),
    default=None,
    help="Loại tệp (mặc định: đoán theo các khóa cấp cao nhất). / "
         "File kind (default: guessed from the top-level keys).",
)
def validate(files: tuple[str, ...], kind: str | None) -> None:
    """Kiểm tra cú pháp hồ sơ yêu cầu, tệp khai báo, tệp tùy chỉnh, miễn trừ và bằng chứng (mặc
    định: mọi tệp đi kèm). / Lint profiles, inventories, tailoring, waiver and evidence files
    (default: everything bundled)."""
    bundled_inventories = sorted(glob.glob(os.path.join(os.path.dirname(bundled_inventory()),
                                                        "*.yaml")))
    targets = list(files) or [*bundled_profiles().values(), *bundled_inventories]
    bad = 0
    for path in targets:
        try:
            which = kind or _kind_of(load_file(path))
            if not which:
                raise InputError(path, "", T("cannot tell the kind of file (use --kind)"))
            VALIDATORS[which](path)
        except AtttError as exc:
            bad += 1
            echo(T("FAIL {message}", message=exc.render(cli_lang())))
            # Then in English when that differs, as every error (cli.error_lines): a CI
            # engineer and a log grep read the second line.
            if exc.render(cli_lang()) != str(exc):
                echo(T("FAIL {message}", message=str(exc)).render("en"))
            continue

        echo(T("ok   {path} ({kind})", path=path, kind=KIND_NAMES[which]))
    sys.exit(ExitStatus.USAGE if bad else 0)
