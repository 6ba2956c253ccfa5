"""A coverage result (``attt coverage --json`` / ``-o``) given to a scan: read and checked,
turned into the finding of the system-scope check ``antimalware.coverage`` and into the
``coverage`` section of results.json and the report."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from .. import artefacts
from .. import results_types as rt
from ..messages import T
from ..model import Finding, Profile, System
from ..probes.coverage import FACT, check_document
from ..registry import Facts, Section
from ..runner import bind, evaluate_bindings

MAX_BYTES = 64 * 1024 * 1024
UNIT = "coverage"  # the findings' host name


@dataclass(frozen=True)
class CoverageResult:
    """A checked coverage document and the file it came from."""

    path: str
    document: Mapping[str, Any]


def load_result(path: str) -> CoverageResult:
    """coverage.json, size-limited, strict JSON, checked against its schema: an error names
    the file and the key."""

    doc = artefacts.read_json(path, MAX_BYTES, T("coverage result"))
    return CoverageResult(path, check_document(doc, path))


def system_findings(system: System, profile: Profile,
                    result: CoverageResult | None) -> list[Finding]:
    """The findings of the system-scope checks of ``profile`` (``antimalware.coverage``)."""

    found = bind(profile, "system")
    if not found:
        return []
    # The document goes through the probe's parser, as a scenario's text does.
    sections = {FACT: Section(FACT, text=json.dumps(result.document, ensure_ascii=False))
                if result else Section(FACT, state="unavailable",
                                       reason=T("no coverage result given"))}
    return evaluate_bindings(found, Facts(sections, "live"), system.name, UNIT,
                             logger=logging.getLogger(__name__), where=system.name)


def section(result: CoverageResult) -> rt.Coverage:
    """What results.json carries under the system: the figure, the complete unprotected and
    stale lists, the console-only entries and the export files with their hashes."""

    doc = result.document
    machines = doc["machines"]

    def of(cls: str) -> list[dict[str, Any]]:
        return [{"name": m["name"], "ips": m["ips"], "macs": m["macs"],
                 "problems": {lang: [p for c in m["consoles"] for p in c["problems"][lang]]
                              for lang in ("en", "vi")}}
                for m in machines if m["class"] == cls]

    return cast(rt.Coverage, {
        "source": result.path,
        "as_of": doc["as_of"],
        "summary": dict(doc["summary"]),
        "unprotected": of("unprotected"),
        "stale": of("protected-stale"),
        "in_console_only": [{"names": e["names"], "console": e["console"], "file": e["file"]}
                            for e in doc["in_console_only"]],
        "evidence": [dict(e) for e in doc["evidence"]],
    })
