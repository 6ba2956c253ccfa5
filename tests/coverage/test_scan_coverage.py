"""A scan graded with a coverage result (``attt scan --coverage``, inventory ``coverage:``):
TT12.KT.GP.13 from the real ``attt coverage`` output on the committed sample exports, the
report section, results.json, and a bad coverage file refused (exit 2) by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from attt.cli import main
from attt.render.document import all_findings

from .conftest import full_args, sample

GP13 = "TT12.KT.GP.13"


def run(*args: str, lang: str = "vi") -> Result:
    return CliRunner(env={"ATTT_LANG": lang}).invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cov") / "rootfs"
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text("PermitRootLogin no\n")
    return root


@pytest.fixture(scope="module")
def partial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """coverage.json of the full sample: 49/61 protected (attt coverage -o)."""

    out = tmp_path_factory.mktemp("partial")
    res = run(*full_args(), "-o", str(out))
    assert res.exit_code == 1, res.output
    return out / "coverage.json"


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two declared servers, both current in the KSC export (bases up to 14 days)."""

    out = tmp_path_factory.mktemp("complete")
    res = run("coverage", "-i", sample("inventory.yaml"), "--console", sample("ksc-hosts.csv"),
              "--as-of", "2026-11-30T02:00:00Z", "--max-bases-age", "14", "--json")
    assert res.exit_code == 0, res.output
    path = out / "coverage.json"
    path.write_text(res.output, encoding="utf-8")
    return path


def scan(rootfs: Path, out: Path, *extra: str, lang: str = "vi") -> tuple[Result, dict[str, Any]]:
    res = run("scan", "-t", f"dir:{rootfs}", "--level", "3", "-o", str(out), "-q",
              "-f", "json,html", "--no-history", "--lang", lang, *extra, lang=lang)
    data: dict[str, Any] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return res, data


def gp13(data: dict[str, Any]) -> dict[str, Any]:
    req = next(r for r in data["systems"][0]["requirements"] if r["id"] == GP13)
    found = [f for f in all_findings(data) if f["check"] == "antimalware.coverage"
             and f["requirement"] == GP13]
    assert len(found) == 1, found
    return {"status": req["status"], "finding": found[0]}


def test_partial_coverage_fails_gp13_with_the_figure(rootfs: Path, partial: Path,
                                                     tmp_path: Path) -> None:
    res, data = scan(rootfs, tmp_path / "run", "--coverage", str(partial))
    got = gp13(data)
    assert got["status"] == "fail" and got["finding"]["status"] == "fail"
    vi = got["finding"]["message_vi"]
    assert vi.startswith("Tỷ lệ máy tính được bảo vệ: 49/61 (80,3 %); chưa được bảo vệ: ")
    assert "pc-ketoan-01.vp-ubnd.local" in vi and "(+" in vi  # 12 names, 5 shown
    assert got["finding"]["message"].startswith("Protected computers: 49/61 (80.3 %); not "
                                                "protected: ")
    ev = got["finding"]["evidence"]
    assert ev["observed"]["healthy"] == 49 and ev["observed"]["total"] == 61
    assert "ksc-hosts.csv" in ev["source"] and len(ev["source"]) > 64
    from attt.results_file import read_results

    read_results(str(tmp_path / "run" / "results.json"))  # the published schema, with coverage
    cov = data["systems"][0]["coverage"]
    assert cov["summary"]["healthy"] == 49
    assert len(cov["unprotected"]) == 4 and len(cov["stale"]) == 8  # complete lists
    assert {Path(e["file"]).name for e in cov["evidence"]} >= {"ksc-hosts.csv", "dhcpd.leases"}
    assert res.exit_code == 1
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "Bảo vệ chống mã độc trên toàn bộ máy tính" in html
    assert "49/61 (80,3 %)" in html and "pc-ketoan-01.vp-ubnd.local" in html
    ksc = next(e for e in cov["evidence"] if e["file"].endswith("ksc-hosts.csv"))
    assert ksc["sha256"] in html


def test_complete_coverage_passes_the_coverage_check(rootfs: Path, complete: Path,
                                                     tmp_path: Path) -> None:
    _, data = scan(rootfs, tmp_path / "run", "--coverage", str(complete), lang="en")
    got = gp13(data)
    assert got["finding"]["status"] == "pass"
    assert got["finding"]["message"] == ("Protected computers: 2/2 (100.0 %): every computer "
                                         "is protected and current.")
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "Anti-malware coverage" in html


def test_without_coverage_gp13_needs_evidence(rootfs: Path, tmp_path: Path) -> None:
    _, data = scan(rootfs, tmp_path / "run")
    got = gp13(data)
    assert got["finding"]["status"] == "manual"
    assert "--coverage" in got["finding"]["message"]
    assert "coverage" not in data["systems"][0]
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "Bảo vệ chống mã độc trên toàn bộ máy tính" not in html


def test_coverage_not_mapped_below_level_3(rootfs: Path, partial: Path, tmp_path: Path) -> None:
    res = run("scan", "-t", f"dir:{rootfs}", "--level", "2", "-o", str(tmp_path / "r"), "-q",
              "-f", "json", "--no-history", "--coverage", str(partial))
    data = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    checks = {f["check"] for f in all_findings(data)}
    assert "antimalware.coverage" not in checks, res.output


def test_inventory_coverage_key_relative_to_the_inventory(partial: Path,
                                                          tmp_path: Path) -> None:
    inv = tmp_path / "inv.yaml"
    (tmp_path / "cov.json").write_bytes(partial.read_bytes())
    inv.write_text("systems:\n  - name: s\n    level: 3\n    coverage: cov.json\n"
                   "    hosts:\n      - {name: h, transport: local}\n", encoding="utf-8")
    res = run("scan", "-i", str(inv), "--dry-run")
    assert res.exit_code == 0, res.output
    from attt.scan import ScanOptions, load_scope, load_system_coverage, normalise

    opts = normalise(ScanOptions(inventory=str(inv)))
    _, pairs, _ = load_scope(opts)
    got = load_system_coverage(opts, pairs)
    assert got["s"].path == str(tmp_path / "cov.json")
    assert got["s"].document["summary"]["healthy"] == 49


def test_option_wins_over_inventory_key(partial: Path, complete: Path, tmp_path: Path) -> None:
    from attt.scan import ScanOptions, load_scope, load_system_coverage, normalise

    inv = tmp_path / "inv.yaml"
    inv.write_text(f"systems:\n  - name: s\n    level: 3\n    coverage: {partial}\n"
                   "    hosts:\n      - {name: h, transport: local}\n", encoding="utf-8")
    opts = normalise(ScanOptions(inventory=str(inv), coverage=str(complete)))
    _, pairs, _ = load_scope(opts)
    assert load_system_coverage(opts, pairs)["s"].document["summary"]["total"] == 2


@pytest.mark.parametrize(("content", "key"), [
    ("{not json", "line 1"),
    ('{"schema": "attt.coverage/1"}', "as_of"),
    ('{"schema": "attt.results/1"}', "schema"),
])
def test_bad_coverage_file_is_exit_2_naming_it(rootfs: Path, tmp_path: Path, content: str,
                                               key: str) -> None:
    bad = tmp_path / "bad-coverage.json"
    bad.write_text(content, encoding="utf-8")
    res = run("scan", "-t", f"dir:{rootfs}", "--level", "3", "-o", str(tmp_path / "r"), "-q",
              "--no-history", "--coverage", str(bad), lang="en")
    assert res.exit_code == 2
    assert "bad-coverage.json" in res.output and key in res.output
    assert not (tmp_path / "r" / "results.json").exists()


def test_one_coverage_option_for_two_systems_is_refused(partial: Path, tmp_path: Path) -> None:
    from attt.errors import InputError
    from attt.scan import ScanOptions, load_scope, load_system_coverage, normalise

    inv = tmp_path / "inv.yaml"
    inv.write_text("systems:\n" + "".join(
        f"  - name: s{i}\n    level: 3\n    hosts:\n      - {{name: h{i}, transport: local}}\n"
        for i in (1, 2)), encoding="utf-8")
    opts = normalise(ScanOptions(inventory=str(inv), coverage=str(partial)))
    _, pairs, _ = load_scope(opts)
    with pytest.raises(InputError, match="--system"):
        load_system_coverage(opts, pairs)
