"""``attt coverage`` through click's CliRunner: the figure in both languages, exit codes,
the JSON evidence, -o, and input errors that name the file and the column (exit 2)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from attt.cli import main

from .conftest import full_args, sample


def run(*args: str, lang: str = "vi") -> Result:
    return CliRunner(env={"ATTT_LANG": lang}).invoke(main, list(args), catch_exceptions=False)


def test_full_sample_vietnamese_line_and_exit_1() -> None:
    result = run(*full_args())
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == "Tỷ lệ máy tính được bảo vệ: 49/61 (80,3 %)"
    assert "pc-ketoan-01.vp-ubnd.local" in result.output


def test_full_sample_english_lists() -> None:
    result = run(*full_args(), lang="en")
    assert result.exit_code == 1
    out = result.output
    assert out.splitlines()[0] == "Protected computers: 49/61 (80.3 %)"
    unprotected = out.split("Unprotected (in no console export):")[1].split("Protected but")[0]
    assert [line.split()[1] for line in unprotected.strip().splitlines()] == [
        "192.0.2.200", "192.0.2.211", "pc-ketoan-01.vp-ubnd.local",
        "pc-khdt-048.so-khdt.local"]
    assert "real-time protection stopped" in out
    assert "- PC-DA-THANH-LY (ksc-hosts.csv line 49)" in out


def test_json_evidence_hashes_and_mtimes() -> None:
    result = run(*full_args(), "--json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["summary"] == {"total": 61, "healthy": 49, "stale": 8, "unprotected": 4,
                              "in_console_only": 2, "percent": 80.3, "line": {
                                  "en": "Protected computers: 49/61 (80.3 %)",
                                  "vi": "Tỷ lệ máy tính được bảo vệ: 49/61 (80,3 %)"}}
    files = {Path(e["file"]).name: e for e in doc["evidence"]}
    assert set(files) == {"inventory.yaml", "ad-so-khdt.csv", "ad-vp-ubnd.csv",
                          "dhcp-so-khdt.csv", "dhcpd.leases", "nmap-discovery.xml",
                          "ksc-hosts.csv", "mde-avhealth.json", "apex-agents.csv",
                          "bkav-endpoint.csv"}
    ksc = files["ksc-hosts.csv"]
    data = Path(sample("ksc-hosts.csv")).read_bytes()
    assert ksc["sha256"] == hashlib.sha256(data).hexdigest() and ksc["size"] == len(data)
    mtime = dt.datetime.fromtimestamp(os.stat(sample("ksc-hosts.csv")).st_mtime, dt.UTC)
    assert ksc["mtime"] == mtime.isoformat()
    assert files["dhcpd.leases"]["left_out"] == 1
    stale = next(m for m in doc["machines"] if m["name"] == "pc-khdt-042.so-khdt.local")
    assert stale["class"] == "protected-stale"
    assert stale["consoles"][0]["problems"]["vi"]  # translated reasons kept


def test_all_protected_exits_0_and_out_folder(tmp_path: Path) -> None:
    out = tmp_path / "cov"
    result = run("coverage", "--assets", sample("dhcpd.leases"), "--console",
                 sample("ksc-hosts.csv"), "--console", sample("bkav-endpoint.csv"),
                 "--mapping", sample("bkav-mapping.yaml"), "--as-of", "2026-11-30T09:00:00",
                 "-o", str(out), lang="en")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Protected computers: 2/2 (100.0 %)")
    assert json.loads((out / "coverage.json").read_text())["summary"]["healthy"] == 2
    assert (out / "coverage.txt").read_text().startswith("Protected computers: 2/2")


def test_thresholds_change_the_result() -> None:
    base = ["coverage", "--assets", sample("dhcpd.leases"), "--console",
            sample("ksc-hosts.csv"), "--console", sample("bkav-endpoint.csv"), "--mapping",
            sample("bkav-mapping.yaml"), "--as-of", "2026-11-30T02:00:00Z"]
    # Bases of one day: stale with --max-bases-age 0.
    assert run(*base, "--max-bases-age", "0").exit_code == 1
    # The lease of PC-LAB-03 ended two days ago: outside a one-day window it is left out.
    result = run(*base, "--ip-window", "1", lang="en")
    assert result.output.startswith("Protected computers: 1/1")


def test_system_filter_of_the_inventory() -> None:
    result = run("coverage", "-i", sample("inventory.yaml"), "--system", "khac", "--console",
                 sample("ksc-hosts.csv"), lang="en")
    assert result.exit_code == 2
    assert "no system named 'khac'" in result.output


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("ad.csv", "Name,DNSHostName,IPv4Address\nPC-K?TO?N,,192.0.2.1\n",
     "ad.csv: line 2, column Name: machine name 'PC-K?TO?N' contains '?'"),
    ("ad.csv", "Name,DNSHostName,IPv4Address\nPC-1,,192.0.2.300\n",
     "ad.csv: line 2, column IPv4Address: not an IP address: '192.0.2.300'"),
    ("dhcp.csv", "IPAddress,ClientId\n192.0.2.1,aa-bb-cc-dd-ee-ff\n",
     "dhcp.csv: column HostName: missing column"),
    ("dhcp.csv", "IPAddress,ClientId,HostName,LeaseExpiryTime\n"
                 "192.0.2.1,aa-bb-cc-dd-ee-ff,pc1,30.11.2026\n",
     "dhcp.csv: line 2, column LeaseExpiryTime: not a date and time: '30.11.2026'"),
    ("scan.xml", "<nmaprun><host><address addr='x' addrtype='ipv4'/></host></nmaprun>",
     "scan.xml: host[0].address: not an IP address: 'x'"),
    ("scan.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><nmaprun/>',
     "scan.xml: XML with entity declarations is refused"),
    ("other.csv", "Computer\nPC-1\n", "other.csv: unknown asset file"),
])
def test_bad_asset_file_exit_2_names_file_and_column(tmp_path: Path, name: str, text: str,
                                                    expected: str) -> None:
    path = write(tmp_path, name, text)
    result = run("coverage", "--assets", path, "--console", sample("ksc-hosts.csv"), lang="en")
    assert result.exit_code == 2, result.output
    assert f"attt: error: {tmp_path}/{expected}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("ksc.csv", "KLHST_WKS_DN,KLHST_WKS_RTP_STATE\nPC-1,on\n",
     "ksc.csv: line 2, column KLHST_WKS_RTP_STATE: not an integer: 'on'"),
    ("ksc.csv", "KLHST_WKS_DN,KLHST_WKS_LAST_VISIBLE\nPC-1,hôm qua\n",
     "ksc.csv: line 2, column KLHST_WKS_LAST_VISIBLE: not a date and time"),
    ("mde.json", '{"value": [{"avMode": "0"}]}',
     "mde.json: value[0].computerDnsName: missing machine name"),
    ("mde.json", '{"value": [', "mde.json: line 1: not JSON"),
])
def test_bad_console_file_exit_2(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = write(tmp_path, name, text)
    result = run("coverage", "--assets", sample("dhcpd.leases"), "--console", path, lang="en")
    assert result.exit_code == 2, result.output
    assert f"attt: error: {tmp_path}/{expected}" in result.output


def test_not_a_regular_file_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    result = run("coverage", "--assets", sample("dhcpd.leases"), "--console", str(fifo),
                 lang="en")
    assert result.exit_code == 2
    assert "not a regular file (a FIFO)" in result.output


def test_missing_file_vietnamese_then_english() -> None:
    result = run("coverage", "--assets", "/nonexistent/ad.csv", "--console",
                 sample("ksc-hosts.csv"))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[-1] == "attt: error: /nonexistent/ad.csv: file not found"
    assert lines[-2] != lines[-1] and "/nonexistent/ad.csv" in lines[-2]


def test_help_is_bilingual() -> None:
    result = run("coverage", "--help")
    assert result.exit_code == 0
    assert "Đối soát" in result.output and "Reconcile" in result.output
    assert "--max-bases-age" in result.output and "In hướng dẫn này" in result.output


def test_max_account_age_leaves_old_ad_accounts_out(tmp_path: Path) -> None:
    old = int((dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
               - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds()) * 10**7
    ad = write(tmp_path, "ad.csv", f"Name,DNSHostName,Enabled,LastLogonTimestamp\n"
                                   f"PC-LAB-03,,True,\nPC-GONE,,True,{old}\n")
    args = ["coverage", "--assets", ad, "--console", sample("bkav-endpoint.csv"), "--mapping",
            sample("bkav-mapping.yaml"), "--as-of", "2026-11-30T02:00:00Z"]
    assert run(*args, lang="en").output.startswith("Protected computers: 1/2")
    result = run(*args, "--max-account-age", "90", lang="en")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Protected computers: 1/1 (100.0 %)")
    assert "ad.csv: 1 entries left out" in result.output


def test_json_output_matches_its_schema() -> None:
    import jsonschema
    schema_path = Path(__file__).resolve().parents[2] / "schemas" / "attt.coverage-1.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = json.loads(run(*full_args(), "--json").output)
    jsonschema.validate(doc, schema)
    broken = {**doc, "summary": {**doc["summary"], "percent": "80,3"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_oversized_export_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from attt.coverage import sources
    monkeypatch.setattr(sources, "MAX_BYTES", 100)
    path = write(tmp_path, "ksc.csv", "KLHST_WKS_DN\n" + "PC-1\n" * 50)
    ad = write(tmp_path, "ad.csv", "Name,DNSHostName\nPC-1,\n")
    result = run("coverage", "--assets", ad, "--console", path, lang="en")
    assert result.exit_code == 2
    assert f"{path}: file larger than 100 bytes" in result.output


def test_control_characters_in_names_are_escaped_on_screen(tmp_path: Path) -> None:
    path = write(tmp_path, "ad.csv", "Name,DNSHostName\n\"PC-\x1b[2J01\",\n")
    result = run("coverage", "--assets", path, "--console", sample("ksc-hosts.csv"), lang="en")
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "PC-" in result.output


def test_symlinks_at_the_output_names_are_replaced_never_written_through(
        tmp_path: Path) -> None:
    out = tmp_path / "cov"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    for name in ("coverage.json", "coverage.txt"):
        (out / name).symlink_to(victim)
    result = run("coverage", "--assets", sample("dhcpd.leases"), "--console",
                 sample("ksc-hosts.csv"), "--console", sample("bkav-endpoint.csv"),
                 "--mapping", sample("bkav-mapping.yaml"), "--as-of", "2026-11-30T09:00:00",
                 "-o", str(out), lang="en")
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "untouched\n"
    assert not (out / "coverage.json").is_symlink()
    assert json.loads((out / "coverage.json").read_text())["summary"]["healthy"] == 2
