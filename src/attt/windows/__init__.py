"""Windows hosts: the PowerShell collector shipped with attt (``collector.ps1``) and the
reading of the JSON document it prints (docs/windows-collector.md)."""

from __future__ import annotations

from importlib import resources

COLLECTOR_NAME = "collector.ps1"
COLLECTOR_SCHEMA_NAME = "attt.windows-collector-1.schema.json"


def collector_bytes() -> bytes:
    """The collector script exactly as shipped (ASCII, LF line ends)."""

    return resources.files(__name__).joinpath(COLLECTOR_NAME).read_bytes()


def collector_schema_text() -> str:
    """The JSON Schema of the collector document, as shipped beside the script."""

    return resources.files(__name__).joinpath(COLLECTOR_SCHEMA_NAME).read_text(encoding="utf-8")
