"""`attt org rank`: the four files agree with each other and with the model, missing data
and ties are visible, the HTML is self-contained, bad inputs are exit 2, signing verifies."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from attt.cli import main

from .builders import write_yaml
from .fixture_history import build

FILES = ("league-table.html", "league-table.csv", "league-table.xlsx", "league-table.json")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(organisation, database, output folder) after `attt org rank --year 2026`."""

    tmp = tmp_path_factory.mktemp("rank")
    org, db = build(tmp)
    out = tmp / "league"
    res = run("org", "rank", str(org), "--year", "2026", "--db", str(db), "-o", str(out))
    assert res.exit_code == 0, res.output
    assert "ước tính" in res.output
    return org, db, out


def model(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "league-table.json").read_text(encoding="utf-8"))
    return data


def test_all_files_written_and_say_estimate(ranked: tuple[Path, Path, Path]) -> None:
    out = ranked[2]
    assert all((out / f).is_file() for f in FILES)
    m = model(out)
    assert m["estimated"] is True and m["estimate_label"]["vi"] == "ước tính"
    assert "ước tính" in (out / "league-table.html").read_text(encoding="utf-8")
    text = (out / "league-table.csv").read_bytes().decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert "Tổng điểm (ước tính)" in header
    ws = load_workbook(out / "league-table.xlsx").active
    assert ws is not None and "ước tính" in str(ws["A1"].value)


def test_json_model(ranked: tuple[Path, Path, Path]) -> None:
    m = model(ranked[2])
    assert m["year"] == 2026 and m["period"] == {"start": "2025-12-15", "end": "2026-12-14"}
    units = {u["id"]: u for u in m["units"]}
    assert [u["id"] for u in m["units"]] == ["u1", "u2", "u4", "u5", "u3"]
    assert [u["rank"] for u in m["units"]] == [1, 2, 2, 4, None]
    assert units["u2"]["rank_shared"] and units["u4"]["rank_shared"]
    assert not units["u1"]["rank_shared"]
    assert units["u3"]["has_run"] is False and units["u3"]["total"] is None
    assert units["u1"]["change"] == pytest.approx(units["u1"]["total"] - 10.0)
    c01 = units["u2"]["cells"]["DTI22-P5-C01"]
    assert c01["status"] == "input_needed" and c01["score"] is None
    assert c01["display"]["vi"] == "cần nhập số liệu"
    assert units["u3"]["cells"]["DTI22-P5-C02"]["display"]["vi"] == "chưa có số liệu"
    c04 = units["u1"]["cells"]["DTI22-P5-C04"]
    assert c04["display"]["vi"] == "49/61 (0,803)"
    assert c04["evidence"][0]["kind"] == "coverage"
    runs = units["u1"]["cells"]["DTI22-P5-C02"]["evidence"]
    assert {e["label"] for e in runs} == {"A"} and runs[0]["path"] == "/runs/A"
    titles = {i["id"]: i["title"]["vi"] for i in m["indicators"]}
    assert titles["DTI22-P5-C01"].endswith("(ước lượng)")
    x01 = next(i for i in m["indicators"] if i["id"] == "ATTT-X01")
    assert x01["points_max"] is None and x01["points_basis"] == "none"
    assert units["u1"]["cells"]["ATTT-X01"]["score_display"]["vi"] == "—"


def test_xlsx_read_back_matches_the_json(ranked: tuple[Path, Path, Path]) -> None:
    out = ranked[2]
    m = model(out)
    ws = load_workbook(out / "league-table.xlsx").active
    assert ws is not None
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    header, body = list(rows[0]), rows[1:]
    assert len(body) == len(m["units"])
    col = {name: i for i, name in enumerate(header)}
    total_col = col["Tổng điểm (ước tính)"]
    for row, unit in zip(body, m["units"], strict=True):
        assert row[col["Mã đơn vị"]] == unit["id"] and row[col["Đơn vị"]] == unit["name"]
        assert row[col["Hạng"]] == (unit["rank"] if unit["rank"] is not None
                                    else "chưa xếp hạng")
        assert row[total_col] == (None if unit["total"] is None
                                  else pytest.approx(unit["total"]))
        for ind in m["indicators"]:
            cell = unit["cells"][ind["id"]]
            points = row[next(i for i, h in enumerate(header)
                          if str(h).startswith(ind["id"] + ": điểm"))]
            value = row[col[f"{ind['id']}: giá trị"]]
            assert value == cell["display"]["vi"]
            if cell["score"] is None:
                assert points == cell["score_display"]["vi"]  # text, never a 0
            else:
                assert points == pytest.approx(cell["score"])
    evidence = load_workbook(out / "league-table.xlsx")["Căn cứ số liệu"]
    ev_rows = list(evidence.iter_rows(min_row=2, values_only=True))
    expected = sum(len(c["evidence"]) for u in m["units"] for c in u["cells"].values())
    assert len(ev_rows) == expected > 0


def test_csv_rows_match_the_json(ranked: tuple[Path, Path, Path]) -> None:
    out = ranked[2]
    m = model(out)
    text = (out / "league-table.csv").read_text(encoding="utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Mã đơn vị"] for r in rows] == [u["id"] for u in m["units"]]
    assert rows[1]["Đồng hạng"] == "có" and rows[4]["Hạng"] == "chưa xếp hạng"
    assert rows[4]["Có lần kiểm tra trong kỳ"] == "không"
    assert "không có lần kiểm tra trong kỳ" in rows[4]["Ghi chú"]
    assert rows[0]["Tổng điểm (ước tính)"] == f"{m['units'][0]['total']:.2f}"


def test_html_self_contained_with_evidence_anchors(ranked: tuple[Path, Path, Path],
                                                   chromium: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "browser"))
    from chromium import open_page

    page = ranked[2] / "league-table.html"
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert html.count("<svg") == 1 + len(model(ranked[2])["indicators"])
    links = set(re.findall(r'href="#([^"]+)"', html))
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert links and links <= ids  # every number's evidence one click away
    assert "đồng hạng" in html and "chưa xếp hạng" in html
    assert "không có lần kiểm tra trong kỳ" in html and "chưa có số liệu" in html
    result = open_page(page, chromium=chromium)
    assert result.ok, result.describe()
    assert "Bảng xếp hạng an toàn thông tin" in result.dom


def test_english(ranked: tuple[Path, Path, Path], tmp_path: Path) -> None:
    org, db, _ = ranked
    res = run("org", "rank", str(org), "--year", "2026", "--db", str(db), "-o",
              str(tmp_path), "--lang", "en")
    assert res.exit_code == 0
    html = (tmp_path / "league-table.html").read_text(encoding="utf-8")
    assert "League table" in html and "(estimate)" in html


def _criteria(org: Path) -> Path:
    return Path(yaml.safe_load(org.read_text(encoding="utf-8"))["criteria"])


@pytest.mark.parametrize(("change", "key"), [
    (lambda c: c["indicators"][2].update(formula="magic"), "indicators[2].formula"),
    (lambda c: c["indicators"][0].update(measure="boolean"), "indicators[0].measure"),
    (lambda c: c["indicators"][3].update(points={"rule": "tiered"}),
     "indicators[3].points.tiers"),
    (lambda c: c["indicators"][3]["params"].update(colour=1), "indicators[3].params.colour"),
    (lambda c: c["indicators"][1].update(max_points=-1), "indicators[1].max_points"),
])
def test_bad_criteria_is_exit_2_naming_file_and_key(ranked: tuple[Path, Path, Path],
                                                    tmp_path: Path, change: Any,
                                                    key: str) -> None:
    org, db, _ = ranked
    data = yaml.safe_load(_criteria(org).read_text(encoding="utf-8"))
    change(data)
    bad = write_yaml(tmp_path / "bad-criteria.yaml", data)
    res = run("org", "rank", str(org), "--year", "2026", "--db", str(db), "-o",
              str(tmp_path / "o"), "--criteria", str(bad))
    assert res.exit_code == 2, res.output
    assert "bad-criteria.yaml" in res.output and key in res.output


def test_bad_inputs_and_organisation_are_exit_2(ranked: tuple[Path, Path, Path],
                                                tmp_path: Path) -> None:
    org, db, _ = ranked
    inputs = org.parent / "u1/inputs-2026.yaml"
    saved = inputs.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(saved)
        data["systems"]["khong-co"] = {}
        inputs.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        res = run("org", "rank", str(org), "--year", "2026", "--db", str(db), "-o",
                  str(tmp_path / "o"))
        assert res.exit_code == 2 and "inputs-2026.yaml" in res.output
        assert "systems.khong-co" in res.output
    finally:
        inputs.write_text(saved, encoding="utf-8")
    bad = write_yaml(tmp_path / "org.yaml", {"organisation": {"name": "X"}, "units": [
        {"id": "a", "name": "A", "kind": "cap_xa", "parent": "b"}]})
    res = run("org", "rank", str(bad), "--year", "2026", "--db", str(db))
    assert res.exit_code == 2 and "org.yaml" in res.output and "units[0].parent" in res.output
    res = run("org", "rank", str(org), "--year", "2026", "--db", str(tmp_path / "none.db"))
    assert res.exit_code == 2


def test_signed_league_verifies_and_tampering_is_found(ranked: tuple[Path, Path, Path],
                                                       tmp_path: Path) -> None:
    org, db, _ = ranked
    env = {"ATTT_KEY_PASSPHRASE": "correct horse battery"}
    assert run("keys", "generate", "--out", str(tmp_path / "k"), env=env).exit_code == 0
    out = tmp_path / "signed"
    res = run("org", "rank", str(org), "--year", "2026", "--db", str(db), "-o", str(out),
              "--sign", str(tmp_path / "k/attt-signing.key"), env=env)
    assert res.exit_code == 0, res.output
    assert (out / "manifest.sig").is_file()
    assert (out / "evidence/u1/inputs-2026.yaml").is_file()  # what was declared, signed too
    pub = str(tmp_path / "k/attt-signing.pub")
    assert run("verify", str(out), "--key", pub).exit_code == 0
    (out / "league-table.csv").write_text("tampered", encoding="utf-8")
    res = run("verify", str(out), "--key", pub)
    assert res.exit_code == 1 and "league-table.csv" in res.output


def test_vietnamese_files_have_no_untranslated_text_nor_key_paths(
        ranked: tuple[Path, Path, Path], tmp_path: Path) -> None:
    from tests.untranslated import recording

    with recording() as rec:
        org, db, _ = ranked
        res = run("org", "rank", str(org), "--year", "2026", "--db", str(db), "-o",
                  str(tmp_path))
    assert res.exit_code == 0 and not rec.missing, rec.missing
    html = (tmp_path / "league-table.html").read_text(encoding="utf-8")
    csv_text = (tmp_path / "league-table.csv").read_text(encoding="utf-8")
    wb = load_workbook(tmp_path / "league-table.xlsx")
    cells = " ".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                     for c in row if c is not None)
    for text in (html, csv_text, cells):
        assert not re.search(r"\b(systems|indicators)\.[A-Za-z]", text)
        assert "to be declared" not in text and "no data" not in text
