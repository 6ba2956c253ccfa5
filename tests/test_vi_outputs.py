"""Every output of a scan in Vietnamese, with no untranslated message (issue 10 item 1).

A real scan of an offline tree (the demo agency's system, its evidence file, failing and
passing checks, documents attested, stale and missing) writes every format in ``vi``; the
dossier is written from its results in both forms.  While they are written, the Vietnamese
catalog records every msgid it is asked for and does not have: the test fails on any.  Then
the texts are read back: no English finding message, reason, document verdict or
remediation may appear in them where a Vietnamese one exists.

Check messages of every scenario (pass, fail, error) are covered one by one in
tests/test_check_scenarios.py; this test covers the pipeline that carries them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from attt.cli import main
from attt.inventory_loader import bundled_inventory
from attt.render.document import all_findings
from tests.untranslated import Recorder, recording

DEMO = Path(bundled_inventory("demo-so-tinh.yaml"))


@pytest.fixture()
def recorder() -> Iterator[Recorder]:
    with recording() as rec:
        yield rec


def _tree(root: Path) -> Path:
    """A small Debian-like tree: some settings fail, some pass, some facts are missing."""

    files = {
        "etc/ssh/sshd_config": "PermitRootLogin yes\nPasswordAuthentication no\n"
                               "MaxAuthTries 4\nX11Forwarding yes\n",
        "etc/login.defs": "PASS_MAX_DAYS 99999\nPASS_MIN_DAYS 1\nPASS_MIN_LEN 6\n",
        "etc/passwd": "root:x:0:0:root:/root:/bin/bash\n"
                      "postgres:x:108:114::/var/lib/postgresql:/bin/bash\n"
                      "canbo:x:1000:1000::/home/canbo:/bin/bash\n",
        "etc/shadow": "root:$6$abc:19000:0:99999:7:::\npostgres:*:19000::::::\n"
                      "canbo:$6$def:19000:0:99999:7:::\n",
        "etc/sysctl.conf": "net.ipv4.ip_forward = 1\n",
        "etc/security/pwquality.conf": "minlen = 8\n",
        "etc/os-release": 'ID=debian\nVERSION_ID="12"\n',
        "var/lib/dpkg/status": "Package: openssh-server\nStatus: install ok installed\n"
                               "Version: 1:9.2p1-2\n\nPackage: telnetd\n"
                               "Status: install ok installed\nVersion: 0.17-44\n\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _inventory(tmp: Path) -> Path:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    system = data["systems"][0]
    # Keep the demo's evidence file (documents attested, stale and missing) next to it.
    system["evidence"] = str(DEMO.parent / system["evidence"])
    system["hosts"] = [{"name": "web01", "transport": "dir", "path": str(_tree(tmp / "tree")),
                        "zone": "dmz", "roles": ["server", "web"]}]
    data["systems"] = [system]
    inv = tmp / "inv.yaml"
    inv.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return inv


def _texts(out: Path, dossier: Path) -> dict[str, str]:
    html = (out / "report.html").read_text(encoding="utf-8")
    texts = {
        # Visible text only: the embedded results and the English <noscript> are not read.
        "report.html": re.sub(r"<[^>]+>", "\n", re.sub(
            r"<(script|style)\b.*?</\1>", "", html, flags=re.S)),
        "results.csv": (out / "results.csv").read_text(encoding="utf-8-sig"),
    }
    junit = ET.parse(out / "junit.xml").getroot()
    texts["junit.xml"] = "\n".join(
        " ".join([e.get("message") or "", e.text or ""]) for e in junit.iter()
        if e.tag in ("failure", "error", "skipped"))
    for docx in sorted(dossier.rglob("*.docx")):
        doc = Document(str(docx))
        texts[str(docx.relative_to(dossier))] = "\n".join(
            [p.text for p in doc.paragraphs]
            + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    for page in sorted(dossier.rglob("*.html")):
        texts[str(page.relative_to(dossier))] = re.sub(
            r"<[^>]+>", "\n", page.read_text(encoding="utf-8").split("</head>", 1)[-1])
    return texts


def _english_with_vietnamese(doc: dict[str, Any]) -> set[str]:
    """English texts of the results that have a different Vietnamese text beside them."""

    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("message", "reason", "remediation"):
                en = node.get(key) if key != "remediation" else node.get("remediation_en")
                vi = node.get(f"{key}_vi")
                if isinstance(en, str) and isinstance(vi, str) and vi and en != vi:
                    # Compare a sentence-sized piece: cells may cut long texts.
                    found.add(en[:60])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return {t for t in found if len(t) >= 25}


def test_every_output_of_a_vietnamese_scan_is_vietnamese(tmp_path: Path,
                                                          recorder: Recorder) -> None:
    out, dossier = tmp_path / "run", tmp_path / "dossier"
    runner = CliRunner()
    scan = runner.invoke(main, ["scan", "-i", str(_inventory(tmp_path)), "-o", str(out),
                                "--no-network", "--no-history", "-f",
                                "html,json,junit,sarif,csv"])
    assert scan.exit_code in (1, 3), scan.output
    results = out / "results.json"
    for extra in ([], ["--check"]):
        form = dossier / ("check" if extra else "final")
        run = runner.invoke(main, ["dossier", "-i", str(_inventory(tmp_path)),
                                   "--results", str(results), "-o", str(form), *extra])
        assert run.exit_code in (0, 1), run.output
    assert recorder.missing == set(), sorted(recorder.missing)

    doc = json.loads(results.read_text(encoding="utf-8"))
    statuses = {f["status"] for f in all_findings(doc)}
    assert {"pass", "fail"} <= statuses  # the scan exercised both kinds of message
    english = _english_with_vietnamese(doc)
    assert len(english) > 10
    texts = _texts(out, dossier)
    assert len(texts) >= 5, sorted(texts)
    leaks = {name: sorted(e for e in english if e in text)[:5] for name, text in texts.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    # The CLI summary is Vietnamese too (no English status counts or labels).
    assert "pass=" not in scan.output and "Report written" not in scan.output
    for row in csv.reader(io.StringIO(texts["results.csv"])):
        assert "Attested by" not in " ".join(row)
