"""Input errors and refusals of scan and report (issue 8): exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from attt.cli import main
from attt.messages import pick


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("errors") / "rootfs"
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text("PermitRootLogin yes\n")
    return root


@pytest.fixture(scope="module")
def signed_run(tmp_path_factory: pytest.TempPathFactory, rootfs: Path) -> Path:
    base = tmp_path_factory.mktemp("signed")
    res = run("keys", "generate", "-o", str(base), "--no-passphrase")
    assert res.exit_code == 0, res.output
    out = base / "run"
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "-f", "json,html",
              "--no-history", "--sign", str(base / "attt-signing.key"))
    assert res.exit_code == 1, res.output
    assert (out / "manifest.sig").is_file()
    return out


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_report_refuses_to_write_into_a_signed_folder(signed_run: Path) -> None:
    before = _tree(signed_run)
    res = run("report", str(signed_run / "results.json"), "-f", "html,csv")
    assert res.exit_code == 2
    assert "signed" in res.output and "-o NEWDIR" in res.output
    assert "Traceback" not in res.output
    assert _tree(signed_run) == before  # nothing added or rewritten: the signature holds
    # -o naming the signed folder itself is the same refusal.
    res = run("report", str(signed_run / "results.json"), "-o", str(signed_run) + "/.",
              "-f", "csv")
    assert res.exit_code == 2 and _tree(signed_run) == before
    assert run("verify", str(signed_run)).exit_code == 0


def test_report_into_another_folder_is_fine(signed_run: Path, tmp_path: Path) -> None:
    res = run("report", str(signed_run / "results.json"), "-f", "csv", "-o", str(tmp_path / "n"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "n/results.csv").is_file()


def test_report_without_gates_exits_0_with_gates_the_gated_code(
    signed_run: Path, tmp_path: Path
) -> None:
    # A render command: 0 once the files are written, even for a non-compliant run (the
    # README says so); a gate option makes it a CI gate again.
    saved = json.loads((signed_run / "results.json").read_text())
    assert saved["summary"]["exit_code"] == 1
    assert run("report", str(signed_run / "results.json"), "-f", "json",
               "-o", str(tmp_path / "a")).exit_code == 0
    assert run("report", str(signed_run / "results.json"), "-f", "json",
               "-o", str(tmp_path / "b"), "--fail-on", "low").exit_code == 1


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_dir_target_must_be_an_existing_directory(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "nope"
    if kind == "file":
        target.write_text("not a tree\n")
    out = tmp_path / "run"
    res = run("scan", "-t", f"dir:{target}", "-o", str(out), "-q", "--no-history")
    assert res.exit_code == 2, res.output
    assert str(target) in res.output and "--target" in res.output
    assert not out.exists()  # refused before the run folder is made


def _inventory(tmp_path: Path, rootfs: Path, evidence_system: str) -> Path:
    (tmp_path / "ev.yaml").write_text(f"system: {evidence_system}\ndocuments: []\n")
    inv = tmp_path / "inv.yaml"
    inv.write_text(
        "systems:\n"
        "  - name: web\n    level: 1\n    evidence: ev.yaml\n"
        f"    hosts:\n      - {{name: r, transport: dir, path: {rootfs}}}\n"
        "  - name: mail\n    level: 1\n"
        f"    hosts:\n      - {{name: m, transport: dir, path: {rootfs}}}\n"
    )
    return inv


@pytest.mark.parametrize("other", ["mail", "no-such-system"])
def test_inventory_evidence_naming_another_system_is_refused(
    tmp_path: Path, rootfs: Path, other: str
) -> None:
    inv = _inventory(tmp_path, rootfs, other)
    out = tmp_path / "run"
    res = run("scan", "-i", str(inv), "-o", str(out), "-q", "--no-history", "--no-network")
    assert res.exit_code == 2, res.output
    assert str(tmp_path / "ev.yaml") in res.output and "system" in res.output
    assert "web" in res.output and other in res.output
    assert not out.exists()


def test_inventory_evidence_of_its_own_system_is_used(tmp_path: Path, rootfs: Path) -> None:
    inv = _inventory(tmp_path, rootfs, "web")
    out = tmp_path / "run"
    res = run("scan", "-i", str(inv), "-o", str(out), "-q", "--no-history", "--no-network",
              "-f", "json")
    assert res.exit_code in (1, 3), res.output
    doc = json.loads((out / "results.json").read_text())
    assert doc["run"]["evidence"] == {"web": str(tmp_path / "ev.yaml")}


def test_network_requirements_without_zones_are_manual(tmp_path: Path, rootfs: Path) -> None:
    out = tmp_path / "run"
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "-f", "json",
              "--no-history", "--level", "1")
    assert res.exit_code in (1, 3), res.output
    doc = json.loads((out / "results.json").read_text())
    reqs = {r["id"]: r for r in doc["systems"][0]["requirements"]}
    for rid in ("TT12.KT.VUNG.1", "TT12.KT.VUNG.2", "TT12.KT.MANG.1"):
        assert reqs[rid]["status"] == "manual", rid
        # The reason in English (reason) and, for the Vietnamese report, in Vietnamese.
        assert "khai báo phân vùng mạng" in pick(reqs[rid], "reason", "vi")
        assert "network zones" in reqs[rid]["reason"]
        assert rid in doc["systems"][0]["verdict"]["blocking"]
