"""The check library: ``attt.probes``, every module of ``attt.checks`` and
``attt.network.checks``, loaded once.

Importing ``attt.probes`` registers every probe, and importing a check module registers its
checks, in ``attt.registry``; this module does the importing so the registry itself imports
nothing of attt but the model (a leaf).
"""

from __future__ import annotations

import importlib
import pkgutil

from .registry import CHECKS, PROBES

_loaded = False


def load_all() -> None:
    """Import the probes and every check module once, then verify probe references."""

    global _loaded
    if _loaded:
        return
    # Every probe, also those no check module imports (see attt/probes/__init__.py).
    importlib.import_module("attt.probes")
    # attt.checks is the top-level checks/ folder mapped into the package at install time.
    pkg = importlib.import_module("attt.checks")

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        importlib.import_module(f"attt.checks.{info.name}")
    # Network-scope checks live with the nmap code they read.
    from .network import checks as _network_checks  # noqa: F401

    for spec in CHECKS.values():
        if spec.scope != "host":
            continue  # network checks read network facts, not probes
        for name in spec.probes:
            if name not in PROBES:
                raise RuntimeError(f"check {spec.id} declares unknown probe {name!r}")
    _loaded = True
