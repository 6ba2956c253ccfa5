"""Where things live: probes apart from checks, one check module per id prefix.

- ``attt.probes.<source>``: one module per fact source, holding the ``@probe`` parsers and the
  public helpers checks use; no checks.
- ``attt.checks.<prefix>``: the ``@check`` functions of one id prefix (``ssh.*`` in
  checks/ssh.py), plus small check-local helpers; no probes.
- Neither imports a private (``_name``) definition of another module: what is shared is public.

``net.*`` checks are exempt from the prefix rule: network-scope checks are part of the network
engine (``attt.network.checks``), beside the nmap, zone and TLS facts they read.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import attt.probes
from attt.library import load_all
from attt.registry import CHECKS, PROBES

ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = ROOT / "checks"
PROBES_DIR = ROOT / "src" / "attt" / "probes"
NETWORK_PREFIX = "net"
NETWORK_MODULE = "attt.network.checks"
MAX_LINES = 450
# Modules allowed above MAX_LINES, and why.
BIG = {
    # The twelve ssh.* checks: the brief wants one module per prefix, and about a third of it
    # is their bilingual titles and remediations; the sshd reading is in attt.probes.sshd.
    "checks/ssh.py": 850,
    # Issue 10: each password-aging outcome is one whole sentence template (no English
    # fragments glued together), which costs a few lines over the limit.
    "checks/accounts.py": 470,
    # Issue 11: the 27 win.* checks in one module (one module per prefix), each with its
    # bilingual title and remediation; the parsing is in attt.probes.windows*.
    "checks/win.py": 920,
}

load_all()


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_each_check_lives_in_the_module_of_its_prefix() -> None:
    wrong = []
    for spec in CHECKS.values():
        prefix = spec.id.split(".", 1)[0]
        want = NETWORK_MODULE if prefix == NETWORK_PREFIX else f"attt.checks.{prefix}"
        if spec.func.__module__ != want:
            wrong.append(f"{spec.id}: {spec.func.__module__}, not {want}")
    assert not wrong, wrong


def test_check_modules_are_exactly_the_prefixes() -> None:
    prefixes = {s.id.split(".", 1)[0] for s in CHECKS.values()} - {NETWORK_PREFIX}
    assert {p.stem for p in _modules(CHECKS_DIR)} == prefixes


def test_scenario_folders_have_a_check_module() -> None:
    folders = {p.name.split(".", 1)[0] for p in (ROOT / "tests" / "checks").iterdir()
               if p.is_dir()}
    assert folders - {NETWORK_PREFIX} <= {p.stem for p in _modules(CHECKS_DIR)}


def _decorators(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        for dec in getattr(node, "decorator_list", []):
            target = dec.func if isinstance(dec, ast.Call) else dec
            names.append(ast.unparse(target))
    return names


@pytest.mark.parametrize("path", _modules(CHECKS_DIR), ids=_rel)
def test_check_modules_define_no_probe(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not [d for d in _decorators(tree) if d.split(".")[-1] == "probe"]


@pytest.mark.parametrize("path", _modules(PROBES_DIR), ids=_rel)
def test_probe_modules_define_no_check(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not [d for d in _decorators(tree) if d.split(".")[-1] == "check"]


def test_every_host_probe_is_registered_from_attt_probes() -> None:
    # Network facts register from the network engine (attt.network.facts).  Probes that
    # other test modules register for themselves (t_ssh_*) live in the same global registry
    # when the whole suite runs, so only attt's own package is judged.
    ours = {name: p.parser.__module__ for name, p in PROBES.items()
            if p.parser.__module__.split(".")[0] == "attt"}
    assert len(ours) > 50
    wrong = {name: module for name, module in ours.items()
             if not module.startswith(("attt.probes.", "attt.network."))}
    assert not wrong


def test_the_probes_package_imports_every_module() -> None:
    """attt/probes/__init__.py lists its modules, so importing it registers every probe."""

    listed = {name for name in vars(attt.probes) if not name.startswith("_")}
    assert {p.stem for p in _modules(PROBES_DIR)} <= listed


def _private_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or node.module == "__future__":
            continue
        found += [f"{node.lineno}: {a.name} from {'.' * node.level}{node.module or ''}"
                  for a in node.names if a.name.startswith("_")]
    return found


@pytest.mark.parametrize("path", _modules(CHECKS_DIR) + _modules(PROBES_DIR), ids=_rel)
def test_no_private_name_crosses_a_module(path: Path) -> None:
    assert not _private_imports(path)


@pytest.mark.parametrize("path", _modules(CHECKS_DIR) + _modules(PROBES_DIR), ids=_rel)
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= BIG.get(_rel(path), MAX_LINES), f"{_rel(path)}: {lines} lines"
