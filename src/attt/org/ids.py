"""Identifiers of organisation units, shared by the organisation file and ``attt scan --unit``."""

from __future__ import annotations

import re

# A slug: it names an output folder (DIR/<unit>/...) and a database key.
UNIT_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
