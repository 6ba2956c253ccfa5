"""More CLI commands, one module per area, each attaching its commands to ``cli.main``.

Like cli.py, these modules are user-facing (they print and exit); the engine never imports
them.  ``cli.py`` imports every module here once, after ``main`` exists.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        importlib.import_module(f"{__name__}.{info.name}")
