"""Build Windows collector fixtures (docs/windows-collector.md) from readable sources.

    python tools/windows_fixture.py            # every tests/fixtures/windows/sources/*.yaml
    python tools/windows_fixture.py --check    # exit 1 if a fixture differs from its source

A source is the envelope without ``body``/``sha256`` plus ``sections`` (the sections object).
The fixture is the envelope with ``body`` = the compact JSON of the sections (UTF-8, no ASCII
escaping, as ``ConvertTo-Json -Compress`` would write it) and ``sha256`` = the SHA-256 of the
UTF-8 bytes of ``body``.  Provenance of each source: tests/fixtures/windows/PROVENANCE.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "windows"
ENVELOPE = ("schema", "collector_version", "host", "collected_at", "elevated")


def build(source: Mapping[str, Any]) -> dict[str, Any]:
    """The collector document of ``source`` (envelope fields plus ``sections``)."""

    doc = {key: source[key] for key in ENVELOPE}
    body = json.dumps(source["sections"], ensure_ascii=False, separators=(",", ":"))
    doc["body"] = body
    doc["sha256"] = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return doc


def render(source_path: Path) -> str:
    """The fixture file's text for one source file."""

    source = yaml.safe_load(source_path.read_text(encoding="utf-8"))
    return json.dumps(build(source), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) every fixture."""

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    drift = []
    for src in sorted((FIXTURES / "sources").glob("*.yaml")):
        out = FIXTURES / f"{src.stem}.json"
        text = render(src)
        if args.check:
            if not out.exists() or out.read_text(encoding="utf-8") != text:
                drift.append(out.name)
        else:
            out.write_text(text, encoding="utf-8")
    for name in drift:
        print(f"{name}: differs from its source; run python tools/windows_fixture.py")
    return 1 if drift else 0


if __name__ == "__main__":
    sys.exit(main())
