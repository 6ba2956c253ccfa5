"""CLI through click's CliRunner: scan, report, validate, catalogues, resume."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from attt.cli import main
from attt.render.document import all_findings

SSHD_CONFIG_BAD = "PermitRootLogin yes\nPasswordAuthentication yes\n"
SSHD_CONFIG_GOOD = "PermitRootLogin no\nPasswordAuthentication no\n"


def make_rootfs(root: Path, sshd_config: str = SSHD_CONFIG_BAD) -> Path:
    (root / "etc/ssh/sshd_config.d").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text(
        "Include /etc/ssh/sshd_config.d/*.conf\n" + sshd_config
    )
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 99999\nPASS_MIN_LEN 5\n")
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text(
        "Package: openssh-server\nStatus: install ok installed\nVersion: 1:9.2p1-2\n\n"
    )
    return root


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_scan_dir_target_writes_report_folder(tmp_path: Path) -> None:
    rootfs = make_rootfs(tmp_path / "rootfs")
    out = tmp_path / "run"
    result = run("scan", "--target", f"dir:{rootfs}", "--out", str(out), "-q")
    assert result.exit_code == 1, result.output
    for name in ("report.html", "results.json", "findings.jsonl", "junit.xml", "run.json"):
        assert (out / name).is_file(), name
    doc = json.loads((out / "results.json").read_text())
    assert doc["schema"] == "attt.results/2"
    req = next(r for r in doc["systems"][0]["requirements"] if r["id"] == "TT12.KT.MC.2")
    assert req["status"] == "fail"
    root_login = next(f for f in all_findings(doc) if f["check"] == "ssh.root_login_disabled"
                      and f["requirement"] == req["id"])
    assert root_login["status"] == "fail" and "PermitRootLogin" in root_login["message"]
    assert "Chưa đạt" in result.output or "Not compliant" in result.output
    assert str(out) in result.output


def test_scan_level_and_lang_flags(tmp_path: Path) -> None:
    rootfs = make_rootfs(tmp_path / "rootfs", SSHD_CONFIG_GOOD)
    out = tmp_path / "run"
    result = run(
        "scan",
        "-t",
        f"dir:{rootfs}",
        "-o",
        str(out),
        "--level",
        "3",
        "--lang",
        "en",
        "--format",
        "json",
        "-q",
    )
    doc = json.loads((out / "results.json").read_text())
    assert doc["systems"][0]["profile"]["id"] == "nd85-tt12-3"
    assert not (out / "report.html").exists()
    assert "Not compliant" in result.output
    req = next(r for r in doc["systems"][0]["requirements"] if r["id"] == "TT12.KT.MC.2")
    root_login = next(f for f in all_findings(doc) if f["check"] == "ssh.root_login_disabled"
                      and f["requirement"] == req["id"])
    assert root_login["status"] == "pass"


def test_report_rerenders_without_rescanning(tmp_path: Path) -> None:
    rootfs = make_rootfs(tmp_path / "rootfs")
    out = tmp_path / "run"
    run("scan", "-t", f"dir:{rootfs}", "-o", str(out), "-f", "json", "-q")
    shutil.rmtree(rootfs)  # nothing left to scan: report must come from results.json alone
    again = tmp_path / "again"
    result = run(
        "report",
        str(out / "results.json"),
        "--format",
        "html,junit",
        "-o",
        str(again),
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    html = (again / "report.html").read_text()
    assert "TT12.KT.MC.2" in html
    assert "<testsuites" in (again / "junit.xml").read_text()


def test_report_rejects_non_results(tmp_path: Path) -> None:
    bogus = tmp_path / "x.json"
    bogus.write_text('{"a": 1}')
    result = run("report", str(bogus))
    assert result.exit_code == 2
    assert f"{bogus}: schema" in result.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--format", "pdf"), "--format: pdf: unknown format"),
        (("--hosts", "nomatch*"), "matches no host"),
        (("--profile", "nd85-tt12-9"), "no such profile"),
        (("--target", "ftp://x"), "expected local, dir:PATH, collected:PATH or ssh://"),
        (("--system", "nope"), "no system 'nope'"),
    ],
)
def test_scan_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    extra = () if "--target" in args else ("-i", str(write_inventory(tmp_path)))
    result = run("scan", *extra, *args, "-o", str(tmp_path / "o"), "-q")
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert "Traceback" not in result.output


def write_inventory(tmp_path: Path, hosts: int = 1) -> Path:
    lines = ["systems:", "  - name: anh", "    owner: UBND", "    level: 2", "    hosts:"]
    for i in range(hosts):
        root = make_rootfs(tmp_path / f"root{i}")
        lines.append(f"      - {{name: h{i}, transport: dir, path: {root}}}")
    path = tmp_path / "inv.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_validate_reports_file_and_key(tmp_path: Path) -> None:
    good = write_inventory(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "systems:\n  - name: s\n    level: 2\n    hosts:\n      - {name: a, port: x,"
        " address: 127.0.0.1}\n"
    )
    result = run("validate", str(good), str(bad))
    assert result.exit_code == 2
    assert f"hợp lệ   {good} (tệp khai báo)" in result.output
    # The officer's line in Vietnamese, then the English one (as every error).
    assert (f"LỖI {bad}: systems[0].hosts[0].port: giá trị phải là số nguyên, nhưng nhận được "
            f"'x'\nFAIL {bad}: systems[0].hosts[0].port: expected an integer, got 'x'\n"
            ) in result.output
    english = CliRunner(env={"ATTT_LANG": "en"}).invoke(main, ["validate", str(good), str(bad)])
    assert english.exit_code == 2
    assert f"ok   {good} (inventory)" in english.output
    assert f"FAIL {bad}: systems[0].hosts[0].port: expected an integer" in english.output
    assert run("validate").exit_code == 0  # everything bundled lints clean


def test_catalogue_commands() -> None:
    checks = run("checks", "list", "--lang", "en")
    assert checks.exit_code == 0
    assert "ssh.root_login_disabled" in checks.output and "probes:" in checks.output
    profiles = run("profiles", "list")
    assert profiles.exit_code == 0
    assert "nd85-tt12-2" in profiles.output and "tự động" in profiles.output
    line = next(ln for ln in profiles.output.splitlines() if ln.startswith("nd85-tt12-2 "))
    assert " cấp độ 2 " in line and "yêu cầu (" in line
    english = CliRunner(env={"ATTT_LANG": "en"}).invoke(main, ["profiles", "list"])
    assert " level 2 " in english.output and "automated)" in english.output


def test_resume_skips_hosts_already_done(tmp_path: Path) -> None:
    inv = write_inventory(tmp_path, hosts=3)
    out = tmp_path / "run"
    first = run("scan", "-i", str(inv), "-o", str(out), "-w", "1", "-q")
    assert first.exit_code == 1
    lines = (out / "findings.jsonl").read_text().splitlines()
    host_lines = [i for i, line in enumerate(lines) if json.loads(line)["type"] == "host"]
    assert len(host_lines) == 3
    # Simulate a crash after the first host: keep it, then a torn line of the second host.
    kept = lines[: host_lines[0] + 1]
    (out / "findings.jsonl").write_text("\n".join(kept) + "\n" + lines[host_lines[0] + 1][:25])
    done = json.loads(lines[host_lines[0]])["name"]
    before = [json.loads(x) for x in kept if json.loads(x).get("name") == done]
    shutil.rmtree(tmp_path / f"root{done[1:]}")  # a rescan of it would now be an error
    resumed = run("scan", "--resume", str(out), "-q")
    assert resumed.exit_code == 1, resumed.output
    records = [json.loads(x) for x in (out / "findings.jsonl").read_text().splitlines()]
    hosts = [r for r in records if r["type"] == "host"]
    assert sorted(h["name"] for h in hosts) == ["h0", "h1", "h2"]
    assert all(h["state"] == "ok" for h in hosts)
    doc = json.loads((out / "results.json").read_text())
    assert doc["run"]["hosts_scanned"] == 3
    # The finished host was not scanned again (its tree is gone: a rescan would be errors):
    # its line, results included, is the one written before the crash.
    after = [r for r in records if r.get("name") == done]
    assert after == before and before and before[0]["results"]


def test_bad_waivers_or_evidence_stop_the_run_before_any_host_is_scanned(tmp_path: Path) -> None:
    inv = write_inventory(tmp_path, hosts=2)
    bad_waivers = tmp_path / "w.yaml"
    bad_waivers.write_text("waivers:\n  - target: A\n    reason: r\n    approver: a\n"
                           "    expires: soon\n")
    bad_evidence = tmp_path / "ev.yaml"
    bad_evidence.write_text("documents:\n  - {requirement: TT12.QL.CS.1, title: x,"
                            " issued: someday}\n")
    for flag, path, key in (("--waivers", bad_waivers, "waivers[0].expires"),
                            ("--evidence", bad_evidence, "documents[0].issued")):
        out = tmp_path / f"run{flag}"
        result = run("scan", "-i", str(inv), flag, str(path), "-o", str(out), "-q")
        assert result.exit_code == 2, result.output
        assert f"{path}: {key}" in result.output
        findings = out / "findings.jsonl"
        assert not findings.exists() or '"type": "host"' not in findings.read_text()
