"""The two forms of the dossier (issue 10 item 3): the final document filed with the
authority carries no working notes, ``--check`` keeps them; the dossier speaks the scan
report's status vocabulary, reads the latest recorded run by default and pre-fills the
remediation plan from the failing checks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docx import Document
from docx.shared import Mm

from attt.cli import main
from attt.dossier.docx import TABLE_PT
from attt.dossier.docx_layout import LANDSCAPE, row_height_mm
from attt.dossier.plan_rows import catalogue_key, summary
from attt.inventory_loader import bundled_inventory
from attt.render.document import all_findings

DEMO = bundled_inventory("demo-so-tinh.yaml")
SYSTEM = "cong-dich-vu-cong"

# Text that belongs to the working copy only (trial 2026-11-30 problem 14).
WORKING = {
    "inventory name": re.compile(r"tên trong inventory"),
    "YAML key path": re.compile(r"\b(owner|operating_unit|security_unit|solutions|design_doc|"
                                r"classification|devices|zones|hosts)(\.|\[|\b / )"),
    "hash": re.compile(r"\[sha256 [0-9a-f]"),
    "ISO timestamp": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "unverified-paraphrase note": re.compile(r"\(\*\)|chưa đối chiếu"),
    "raw clause tag": re.compile(r"PL-[IV]+ |; (conditional|plan|product|equivalent-ok)\b|"
                                 r"Art\. \d"),
    "gaps table": re.compile(r"Nội dung cần bổ sung"),
    "MISSING marker": re.compile(re.escape("[…]")),
    "tờ trình number on the thuyết minh": re.compile(r"Số: [^\n]*/TTr-"),
    "tool provenance": re.compile(r"Lập bằng attt"),
}
# Codes of the inventory schema that neither form should print (they have labels in words).
RAW_CODES = re.compile(r"\b(internal_server|db_server|device_management)\b")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def docx_text(path: Path) -> str:
    """Every paragraph and table cell of a DOCX, one per line."""

    doc = Document(str(path))
    props = doc.core_properties
    lines = [props.title, props.subject, props.author, props.comments]
    lines += [p.text for p in doc.paragraphs]
    lines += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(lines)


def html_text(path: Path) -> str:
    """The visible text of the dossier HTML (tags dropped, the <head> left out)."""

    html = path.read_text(encoding="utf-8").split("</head>", 1)[1]
    return re.sub(r"<[^>]+>", "\n", html)


def _forms(tmp_path: Path, *extra: str) -> tuple[Path, Path]:
    final, check = tmp_path / "final", tmp_path / "check"
    code, out = _run("dossier", "-i", DEMO, "--system", SYSTEM, "-o", str(final), *extra)
    assert code == 0, out
    code, out = _run("dossier", "-i", DEMO, "--system", SYSTEM, "--check", "-o", str(check),
                     *extra)
    assert code == 1, out  # the demo leaves gaps
    return final, check


def _found(text: str) -> dict[str, list[str]]:
    return {name: sorted({m.group(0) for m in rx.finditer(text)})[:3]
            for name, rx in WORKING.items() if rx.search(text)}


def test_final_form_has_no_working_notes_and_check_form_keeps_them(tmp_path: Path) -> None:
    final, check = _forms(tmp_path)
    stem = f"ho-so-cap-do-{SYSTEM}"
    for text in (docx_text(final / f"{stem}.docx"), html_text(final / f"{stem}.html")):
        assert _found(text) == {}
        assert "THUYẾT MINH" in text and "Kèm theo Tờ trình số ……/TTr-SKHCN" in text
        assert "Phần C." in text and "…………" in text  # blanks to fill by hand remain
        assert not RAW_CODES.search(text) and "vùng máy chủ cơ sở dữ liệu" in text
        assert SYSTEM not in text  # the inventory name, also kept out of the DOCX properties
    for text in (docx_text(check / f"{stem}.docx"), html_text(check / f"{stem}.html")):
        kept = _found(text)
        for name in ("inventory name", "unverified-paraphrase note", "gaps table",
                     "MISSING marker", "YAML key path", "tool provenance"):
            assert name in kept, (name, kept)
        assert "Hình thức đáp ứng" in text  # the catalogue's form-of-compliance note
        assert "Bản làm việc" in text and "không dùng để nộp" in text


def _inventory_with_dir_host(tmp_path: Path, root_login: str) -> Path:
    rootfs = tmp_path / "rootfs"
    (rootfs / "etc/ssh").mkdir(parents=True)
    (rootfs / "etc/ssh/sshd_config").write_text(
        f"PermitRootLogin {root_login}\nPasswordAuthentication no\n", encoding="utf-8")
    (rootfs / "etc/login.defs").write_text("PASS_MAX_DAYS 90\nPASS_MIN_LEN 12\n",
                                           encoding="utf-8")
    data = yaml.safe_load(Path(DEMO).read_text(encoding="utf-8"))
    system = data["systems"][0]
    system.pop("evidence")
    system["hosts"] = [{"name": "web01", "transport": "dir", "path": str(rootfs), "zone": "dmz",
                        "roles": ["server", "web"]}]
    data["systems"] = [system]
    inv = tmp_path / "inv.yaml"
    inv.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return inv


def _requirement_rows(path: Path) -> dict[str, list[str]]:
    doc = Document(str(path))
    return {row.cells[0].text: [c.text for c in row.cells] for t in doc.tables
            if len(t.columns) > 1 and t.rows[0].cells[1].text == "Điều khoản"
            for row in t.rows[1:]}


def test_latest_recorded_run_is_used_and_remediation_prefilled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "history.sqlite3"
    monkeypatch.setenv("ATTT_DB", str(db))
    inv = _inventory_with_dir_host(tmp_path, "yes")
    code, out = _run("scan", "-i", str(inv), "-o", str(tmp_path / "run"), "-q", "--db", str(db),
                     "-f", "json")
    assert code in (1, 3), out
    results = json.loads((tmp_path / "run/results.json").read_text(encoding="utf-8"))
    reqs = {r["id"]: r for r in results["systems"][0]["requirements"]}
    failing = [f for f in all_findings(results)
               if f["status"] == "fail" and f.get("remediation_vi")]
    assert failing, "the scan should fail a check that has a Vietnamese remediation"
    result = CliRunner().invoke(main, ["dossier", "-i", str(inv), "-o", str(tmp_path / "d"),
                                       "-f", "docx"])
    assert result.exit_code == 0, result.output
    # Which run was used is said on stderr (CliRunner mixes it into output).
    assert results["run"]["id"] in result.output, result.output
    assert "lần quét gần nhất trong cơ sở dữ liệu lịch sử" in result.output
    docx = tmp_path / "d" / "ho-so-cap-do-cong-dich-vu-cong.docx"
    rows = _requirement_rows(docx)
    assert not any(r[4] == "Chưa quét" for rid, r in rows.items() if rid in reqs), rows
    text = docx_text(docx)
    assert "Chưa có kết quả kiểm tra" not in text
    # C.5: the failing requirement's action is its checks' Vietnamese remediation.
    c5 = {row.cells[0].text: [c.text for c in row.cells]
          for t in Document(str(docx)).tables if t.rows[0].cells[0].text == "Mã yêu cầu"
          and len(t.columns) == 6 and t.rows[0].cells[3].text == "Biện pháp khắc phục"
          for row in t.rows[1:]}
    rid = failing[0]["requirement"]
    assert rid in c5, sorted(c5)
    assert summary(failing[0]["remediation_vi"]) in c5[rid][3]
    # The plan summarises (first sentence per check): no C.5 row is taller than a page.
    for table in Document(str(docx)).tables:
        if len(table.columns) == 6 and table.rows[0].cells[3].text == "Biện pháp khắc phục":
            widths = [c.width / Mm(1) for c in table.rows[0].cells]
            for row in table.rows[1:]:
                cells = [c.text for c in row.cells]
                assert row_height_mm(cells, widths, TABLE_PT) < LANDSCAPE.usable_height, cells
    assert _found(text) == {}


def test_failed_requirement_says_khong_dat_like_the_report(tmp_path: Path) -> None:
    results = {
        "schema": "attt.results/1",
        "run": {"id": "r1", "finished": "2026-11-30T20:30:00+00:00"},
        "systems": [{"name": SYSTEM, "requirements": [
            {"id": "TT12.KT.MC.1", "status": "fail", "findings": [
                {"host": "web01", "status": "fail", "message": "Minimum password length is 6.",
                 "message_vi": "Độ dài mật khẩu tối thiểu là 6.",
                 "remediation_vi": "Đặt PASS_MIN_LEN 10 trong /etc/login.defs.",
                 "remediation_en": "Set PASS_MIN_LEN 10 in /etc/login.defs."},
                {"host": "web02", "status": "pass", "message": "ok"}]},
        ]}],
    }
    rpath = tmp_path / "results.json"
    rpath.write_text(json.dumps(results), encoding="utf-8")
    out = tmp_path / "out"
    code, output = _run("dossier", "-i", DEMO, "--system", SYSTEM, "--results", str(rpath),
                        "-o", str(out), "-f", "docx")
    assert code == 0, output
    docx = out / f"ho-so-cap-do-{SYSTEM}.docx"
    text = docx_text(docx)
    assert "Đạt một phần" not in text
    row = _requirement_rows(docx)["TT12.KT.MC.1"]
    assert row[4] == "Không đạt", row
    assert "Độ dài mật khẩu tối thiểu là 6." in row[5]  # message_vi, not the English one
    assert "Minimum password length" not in text
    # 20:30 UTC on 30/11 is 01/12 in Vietnam.
    assert "01/12/2026" in text and "30/11/2026 20" not in text
    assert "Đặt PASS_MIN_LEN 10 trong /etc/login.defs." in text


def test_requirements_in_catalogue_order(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _run("dossier", "-i", DEMO, "--system", SYSTEM, "-o", str(out), "-f", "docx")
    assert code == 0, output
    ids = list(_requirement_rows(out / f"ho-so-cap-do-{SYSTEM}.docx"))
    xd = [i for i in ids if i.startswith("TT12.QL.XD.")]
    assert xd == ["TT12.QL.XD.1", "TT12.QL.XD.2", "TT12.QL.XD.3"], xd
    vh = [i for i in ids if i.startswith("TT12.QL.VH.")]
    assert vh == sorted(vh, key=catalogue_key) and len(vh) == 9, vh
    assert catalogue_key("TT12.KT.GP.2") < catalogue_key("TT12.KT.GP.10")


@pytest.mark.parametrize(("regime", "level"), [("law116-nd331", 3), ("nd85-tt12", 4)])
def test_final_form_of_other_regimes_and_levels(tmp_path: Path, regime: str,
                                                level: int) -> None:
    data = yaml.safe_load(Path(DEMO).read_text(encoding="utf-8"))
    system = data["systems"][0]
    system["regime"], system["level"] = regime, level
    system.pop("evidence")
    data["systems"] = [system]
    inv = tmp_path / "inv.yaml"
    inv.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out = _run("dossier", "-i", str(inv), "-o", str(tmp_path / "o"))
    assert code == 0, out
    stem = f"ho-so-cap-do-{SYSTEM}"
    assert _found(docx_text(tmp_path / "o" / f"{stem}.docx")) == {}
    assert _found(html_text(tmp_path / "o" / f"{stem}.html")) == {}
    code, out = _run("dossier", "-i", str(inv), "--check", "-o", str(tmp_path / "c"))
    assert code == 1 and "gaps table" in _found(docx_text(tmp_path / "c" / f"{stem}.docx"))


def test_unknown_system_on_the_demo_inventory_suggests_i() -> None:
    # Trial problem 18: `attt dossier --system X` without -i reads the bundled demo inventory.
    code, out = _run("dossier", "--system", "cong-ttdt-stnmt", "--check")
    assert code == 2, out
    assert "cong-ttdt-stnmt" in out and "-i" in out and "cong-dich-vu-cong" in out


def test_an_interrupted_run_is_never_the_dossier_s_latest_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan stopped with Ctrl-C graded only part of the hosts: the dossier takes the latest
    complete run instead."""

    import sqlite3

    from attt.commands.dossier import latest_results

    db = tmp_path / "history.sqlite3"
    monkeypatch.setenv("ATTT_DB", str(db))
    inv = _inventory_with_dir_host(tmp_path, "yes")
    for name in ("complete", "stopped"):
        code, out = _run("scan", "-i", str(inv), "-o", str(tmp_path / name), "-q", "--db",
                         str(db), "-f", "json")
        assert code in (1, 3), out
    assert latest_results(str(inv), SYSTEM) == str(tmp_path / "stopped" / "results.json")
    with sqlite3.connect(db) as conn:  # as the history records a run ended by Ctrl-C
        conn.execute("UPDATE runs SET interrupted = 1 WHERE out_dir = ?",
                     (str(tmp_path / "stopped"),))
    assert latest_results(str(inv), SYSTEM) == str(tmp_path / "complete" / "results.json")
