"""The requirement -> check mapping (tools/regulation/<regime>-checks.yaml) against the check
library and the catalogues: every registered check mapped somewhere, every mapped check and
parameter real, every mapped id an item of its catalogue (or a requirement attt adds).

Each rule runs on the committed files and on a doctored copy in tmp_path, so each test is
seen to fail when the rule is broken."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from attt.errors import InputError
from attt.inventory_loader import ROLES
from attt.library import load_all
from attt.registry import CHECKS

ROOT = Path(__file__).resolve().parents[1]
REGULATION = ROOT / "tools" / "regulation"
TT12 = "nd85-tt12-checks.yaml"
TCVN = "law116-nd331-checks.yaml"

# (file, text, replacement): the first occurrence edited in a copy of tools/regulation/;
# None = as committed.
Edit = tuple[str, str, str] | None




def regulation(tmp_path: Path, edit: Edit) -> Path:
    if edit is None:
        return REGULATION
    copy = tmp_path / "regulation"
    shutil.copytree(REGULATION, copy)
    name, old, new = edit
    text = (copy / name).read_text(encoding="utf-8")
    assert old in text, f"the doctoring no longer matches {name}: {old!r}"
    (copy / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def unmapped(mappings: dict[str, Any]) -> list[str]:
    """Registered checks that no requirement of any regime maps."""

    load_all()
    named: set[str] = set().union(*(m.check_ids() for m in mappings.values()))
    return sorted(set(CHECKS) - named)


def unknown(mappings: dict[str, Any]) -> list[str]:
    """Mapped checks and parameters the library does not have, as file: key path."""

    load_all()
    found = []
    for m in mappings.values():
        name = Path(m.source).name
        for rid, mapped in m.requirements.items():
            found += [f"{name}: requirements.{rid}.checks.{check}"
                      for check, _ in mapped.checks if check not in CHECKS]
        for check, per_level in m.parameters.items():
            known = CHECKS[check].params if check in CHECKS else {}
            found += [f"{name}: parameters.{check}.{level}.{param}"
                      for level, values in per_level.items() for param in values
                      if param not in known]
    return found


@pytest.mark.parametrize(("edit", "expected"), [
    (None, []),
    ((TT12, "      ssh.non_default_port: 3\n", ""), ["ssh.non_default_port"]),
], ids=["committed", "check-dropped"])
def test_every_registered_check_is_mapped(
        gen: ModuleType, tmp_path: Path, edit: Edit, expected: list[str]) -> None:
    got = unmapped(gen.load_mappings(regulation(tmp_path, edit)))
    assert got == expected, f"checks no requirement maps: {got}"


@pytest.mark.parametrize(("edit", "expected"), [
    (None, []),
    ((TT12, "ssh.root_login_disabled: 1", "ssh.root_login_disabld: 1"),
     [f"{TT12}: requirements.TT12.KT.MC.2.checks.ssh.root_login_disabld"]),
    ((TCVN, "{3: {remember: 10}}", "{3: {remembered: 10}}"),
     [f"{TCVN}: parameters.password.history_remembered.3.remembered"]),
], ids=["committed", "unknown-check", "unknown-parameter"])
def test_mapping_names_only_registered_checks_and_parameters(
        gen: ModuleType, tmp_path: Path, edit: Edit, expected: list[str]) -> None:
    got = unknown(gen.load_mappings(regulation(tmp_path, edit)))
    assert got == expected, f"unknown checks or parameters: {got}"


@pytest.mark.parametrize(("edit", "expected"), [
    (None, []),
    ((TT12, "roles: [server, database,", "roles: [servers, database,"),
     [f"{TT12}: requirements.TT12.KT.MC.1.roles: servers"]),
], ids=["committed", "unknown-role"])
def test_mapping_roles_are_inventory_roles(
        gen: ModuleType, tmp_path: Path, edit: Edit, expected: list[str]) -> None:
    # A misspelt role would silently keep a requirement's checks off every host.
    got = [f"{Path(m.source).name}: requirements.{rid}.roles: {role}"
           for m in gen.load_mappings(regulation(tmp_path, edit)).values()
           for rid, mapped in m.requirements.items() for role in mapped.roles
           if role not in ROLES]
    assert got == expected, f"roles no inventory host can have: {got}"


BROKEN = [
    # id, (file, old, new), key path, problem
    ("not-in-catalogue", (TT12, "  TT12.KT.UD.4:\n", "  TT12.KT.UD.99:\n"),
     TT12, "requirements.TT12.KT.UD.99", "not an item of the catalogue"),
    ("other-regimes-id", (TCVN, "  TCVN14423.GS.4:\n", "  TT12.KT.MC.4:\n"),
     TCVN, "requirements.TT12.KT.MC.4", "not an item of the catalogue"),
    ("level-out-of-range", (TT12, "net.tls_healthy: 3", "net.tls_healthy: 6"),
     TT12, "requirements.TT12.KT.UD.4.checks.net.tls_healthy", "expected a level 1-5"),
    ("freshness-off-levels", (TT12, "{2: 24, 3: 24, 4: 12, 5: 6}", "{1: 24, 3: 24, 4: 12, 5: 6}"),
     TT12, "requirements.TT12.KT.UD.6.freshness_months.1", "only at levels [2, 3, 4, 5]"),
    ("unknown-key",
     (TT12, "TT12.CHUNG.4:\n    before_approval:", "TT12.CHUNG.4:\n    before_aproval:"),
     TT12, "requirements.TT12.CHUNG.4.before_aproval", "unknown key"),
    ("bad-severity", (TT12, "severity: low", "severity: urgent"),
     TT12, "requirements.ATTT.IPV6.1.severity", "expected low, medium, high, critical"),
    ("duplicate-check", (TT12, "      net.tls_healthy: 3\n", "      net.tls_healthy: 3\n" * 2),
     TT12, "requirements.TT12.KT.UD.4.checks.net.tls_healthy", "duplicate key"),
    ("parameter-unmapped", (TCVN, "parameters:\n", "parameters:\n  ssh.non_default_port: {}\n"),
     TCVN, "parameters.ssh.non_default_port", "no requirement of this file maps"),
    ("added-id-prefix", (TT12, "added:\n  ATTT.IPV6.1:", "added:\n  IPV6.1:"),
     TT12, "added.IPV6.1", "start with ATTT."),
]


@pytest.mark.parametrize(("edit", "name", "key", "problem"),
                         [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_a_broken_mapping_is_refused_naming_file_and_key(
        gen: ModuleType, tmp_path: Path, edit: Edit, name: str, key: str, problem: str) -> None:
    regs = regulation(tmp_path, edit)
    with pytest.raises(InputError) as exc:
        gen.load_mappings(regs)
    assert Path(exc.value.source) == regs / name
    assert exc.value.key == key
    assert problem in str(exc.value.problem)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputError):
        gen.main(str(out), regs)
    assert not list(out.iterdir()), "no profile is written from a broken mapping"
