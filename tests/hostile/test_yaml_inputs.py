"""Hostile YAML in every input file, through the commands that read it (issue 8).

Deep nesting, NUL bytes, aliases, duplicate keys and impossible dates were tracebacks
(RecursionError, ReaderError, ValueError) or silent last-wins: each is exit 2 naming the file,
and where there is one the key path and the line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._runs import inventory_text, make_rootfs
from .conftest import assert_clean, assert_input_error, run_attt

VALID = {
    "inventory": "systems:\n  - name: s\n    owner: UBND\n    level: 2\n    hosts:\n"
                 "      - {name: h, transport: local}\n",
    "tailoring": "parameters:\n  password.min_length: {min_length: 12}\n",
    "waivers": "waivers:\n  - {target: TT12.X, reason: r, approver: a, expires: '2030-01-01'}\n",
    "evidence": "documents:\n  - {requirement: TT12.X, title: t, issued: '2025-01-01'}\n",
    "profile": "id: p-2\nregime: nd85-tt12\nlevel: 2\nextends: nd85-tt12-1\ntitle_vi: x\n",
    "answers": "system_type: internal\n",
}


def _command(kind: str, path: Path) -> list[str]:
    if kind == "answers":
        return ["level", "suggest", "--answers", str(path)]
    return ["validate", "--kind", kind, str(path)]


HAZARDS = {
    "deep-flow": ("[" * 10_000 + "]" * 10_000, "nesting deeper than"),
    "deep-flow-map": ("{a: " * 5_000 + "1" + "}" * 5_000, "nesting deeper than"),
    "deep-block": ("".join(" " * i + "- \n" for i in range(0, 3000, 2)), "nesting deeper than"),
    "nul": ("a: b\x00\n", "invalid YAML"),
    "bell": ("a: \x07\n", "invalid YAML"),
    "alias": ("a: &x [1]\nb: *x\n", "aliases"),
    "duplicate-top": ("{VALID}{FIRST}: null\n", "duplicate key"),
    "two-documents": ("{VALID}---\n{VALID}", "invalid YAML"),
    "bad-utf8": (b"a: \xff\xfe\n", "not UTF-8"),
    "python-tag": ("a: !!python/object/apply:os.system [id]\n", "invalid YAML"),
    "huge": (None, "larger than"),
}


@pytest.mark.parametrize("hazard", sorted(HAZARDS))
@pytest.mark.parametrize("kind", sorted(VALID))
def test_yaml_hazards(tmp_path: Path, kind: str, hazard: str) -> None:
    text, problem = HAZARDS[hazard]
    path = tmp_path / f"{kind}.yaml"
    if text is None:
        with open(path, "wb") as fh:
            fh.truncate(8 * 1024 * 1024 + 1)
    elif isinstance(text, bytes):
        path.write_bytes(text)
    else:
        first = VALID[kind].split(":", 1)[0]
        path.write_text(text.replace("{VALID}", VALID[kind]).replace("{FIRST}", first))
    run = run_attt(_command(kind, path), cwd=tmp_path, timeout=60)
    assert_input_error(run, path.name, problem)


@pytest.mark.parametrize("kind", sorted(VALID))
def test_valid_files_still_pass(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(VALID[kind])
    run = run_attt(_command(kind, path), cwd=tmp_path)
    assert_clean(run, codes={0})


# (kind, text with the bad date, key path)
DATES = [
    ("evidence", "documents:\n  - {requirement: TT12.X, title: t, issued: DATE}\n",
     "documents[0].issued"),
    ("evidence", "documents:\n  - {requirement: TT12.X, title: t, issued: 2025-01-01,"
     " reviewed: DATE}\n", "documents[0].reviewed"),
    ("evidence", "documents:\n  - {requirement: TT12.X, title: t, issued: 2025-01-01,"
     " valid_until: DATE}\n", "documents[0].valid_until"),
    ("evidence", "approval_date: DATE\ndocuments: []\n", "approval_date"),
    ("waivers", "waivers:\n  - {target: TT12.X, reason: r, approver: a, expires: DATE}\n",
     "waivers[0].expires"),
    ("inventory", VALID["inventory"].replace("    level: 2\n", "    level: 2\n    go_live: DATE\n"),
     "systems[0].go_live"),
    ("inventory", VALID["inventory"].replace(
        "    level: 2\n", "    level: 2\n    document: {number: '1', date: DATE}\n"),
     "systems[0].document.date"),
    ("inventory", VALID["inventory"].replace(
        "    level: 2\n", "    level: 2\n    regulation: {title: q, date: DATE}\n"),
     "systems[0].regulation.date"),
]
BAD_DATES = ["2025-02-30", "'2025-02-30'", "2025-13-01", "'2024-02-30'", "'30/01/2025'",
             "2025-00-10"]


@pytest.mark.parametrize("value", BAD_DATES)
@pytest.mark.parametrize(("kind", "text", "key"), DATES,
                         ids=[f"{d[0]}-{d[2]}" for d in DATES])
def test_impossible_dates_in_validate(tmp_path: Path, kind: str, text: str, key: str,
                                      value: str) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text.replace("DATE", value))
    run = run_attt(_command(kind, path), cwd=tmp_path)
    assert_input_error(run, path.name, key, "is not a valid date")


@pytest.mark.parametrize(("flag", "text", "key"), [
    ("--evidence", DATES[0][1], DATES[0][2]),
    ("--waivers", DATES[4][1], DATES[4][2]),
])
@pytest.mark.parametrize("value", ["2025-02-30", "'2025-02-31'"])
def test_impossible_dates_in_scan(tmp_path: Path, flag: str, text: str, key: str,
                                  value: str) -> None:
    root = make_rootfs(tmp_path / "root")
    (tmp_path / "inv.yaml").write_text(inventory_text(root))
    path = tmp_path / "in.yaml"
    path.write_text(text.replace("DATE", value))
    run = run_attt(["scan", "-i", str(tmp_path / "inv.yaml"), flag, str(path), "--no-network",
                    "--no-history", "-o", str(tmp_path / "o"), "-q"], cwd=tmp_path)
    assert_input_error(run, "in.yaml", key, "2025-02-3", "is not a valid date")


def test_impossible_date_in_dossier_particulars(tmp_path: Path) -> None:
    root = make_rootfs(tmp_path / "root")
    inv = tmp_path / "inv.yaml"
    inv.write_text(inventory_text(root, "    go_live: 2025-02-30\n"))
    run = run_attt(["dossier", "-i", str(inv), "--check"], cwd=tmp_path)
    assert_input_error(run, "inv.yaml", "systems[0].go_live", "is not a valid date")


DUPLICATES = [
    ("waivers", "waivers:\n  - target: TT12.X\n    reason: r\n    approver: a\n"
     "    expires: '2025-01-01'\n    expires: '2099-01-01'\n", "waivers[0].expires", "line 6"),
    ("inventory", VALID["inventory"].replace("    level: 2\n", "    level: 2\n    level: 1\n"),
     "systems[0].level", "line 5"),
    ("inventory", VALID["inventory"].replace("{name: h, transport: local}",
                                             "{name: h, transport: local, name: g}"),
     "systems[0].hosts[0].name", "line 6"),
    ("evidence", "documents:\n  - requirement: TT12.X\n    title: t\n    issued: '2025-01-01'\n"
     "    issued: '2026-01-01'\n", "documents[0].issued", "line 5"),
    ("tailoring", "parameters:\n  password.min_length: {min_length: 12}\n"
     "  password.min_length: {min_length: 4}\n", "parameters.password.min_length", "line 3"),
    ("profile", VALID["profile"] + "level: 5\n", "level", "line 6"),
    ("answers", "system_type: internal\nsystem_type: infrastructure\n", "system_type", "line 2"),
]


@pytest.mark.parametrize(("kind", "text", "key", "line"), DUPLICATES,
                         ids=[f"{d[0]}-{d[2]}" for d in DUPLICATES])
def test_duplicate_keys(tmp_path: Path, kind: str, text: str, key: str, line: str) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text)
    run = run_attt(_command(kind, path), cwd=tmp_path)
    assert_input_error(run, path.name, key, line, "duplicate key")
