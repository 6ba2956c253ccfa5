"""The network tests import their helpers (nethelp.py, servers.py, topology.py) from this
folder; the namespace topology fixture lives in topology.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
