"""`attt evidence template`: what each document is, in the officer's language, with the
agency's own fields left blank; the file written loads as "nothing provided yet" (issue 10,
trial problem 4)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from attt.cli import main
from attt.evidence import evaluate, load_evidence
from attt.model import Status
from attt.profile_loader import load_profile

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "inventory" / "demo-so-tinh.yaml"
SYSTEM = "cong-dich-vu-cong"  # level 3, nd85-tt12
VI_LETTERS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]",
                        re.IGNORECASE)
# English the template used to carry: catalogue notes, fallbacks and its own instructions.
ENGLISH = re.compile(r"records showing|signed IS policy|Evidence for system|at most \d+ months"
                     r"|fill the blanks|\b(the|of|and|with|document|issued before)\b")
TODAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _no_lang_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATTT_LANG", raising=False)


def write(tmp_path: Path, *extra: str) -> tuple[Path, str]:
    out = tmp_path / "ev.yaml"
    res = CliRunner().invoke(main, ["evidence", "template", "-s", SYSTEM, "-i", str(DEMO),
                                    "-o", str(out), *extra], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out, res.output


def blocks(body: str) -> dict[str, list[str]]:
    """Requirement id -> the descriptions of its documents (the comment above each entry)."""

    out: dict[str, list[str]] = {}
    comment = ""
    for line in body.splitlines():
        if line.startswith("  # "):
            comment = line[4:]
        elif m := re.fullmatch(r"  - requirement: (\S+)", line):
            out.setdefault(m[1], []).append(comment)
    return out


def test_vietnamese_template_describes_each_document_and_loads(tmp_path: Path) -> None:
    path, printed = write(tmp_path)
    body = path.read_text(encoding="utf-8")
    prof = load_profile("nd85-tt12-3")
    needed = [r for r in prof.requirements if r.evidence]
    docs = blocks(body)
    assert list(docs) == [r.id for r in needed]
    for r in needed:
        described = docs[r.id]
        assert len(described) == len(r.evidence)
        assert len(set(described)) == len(described), (r.id, described)
        for text, spec in zip(described, r.evidence, strict=True):
            assert spec.title_vi in text
    # Every comment a person reads is Vietnamese; keys and ids are the file's syntax.
    comments = [line.split("# ", 1)[1] for line in body.splitlines() if "# " in line]
    english = [c for c in comments if ENGLISH.search(c) or not VI_LETTERS.search(c)]
    assert english == []
    # title: is the agency's: left blank, as are the number, date, signer and file.
    assert set(re.findall(r"^    title: (.*)$", body, re.M)) == {'""'}
    assert "Quyết định giao đơn vị hoặc bộ phận chuyên trách" in docs["TT12.QL.TC.1"][0]
    assert "Danh sách đầu mối" in docs["TT12.QL.TC.1"][2]
    assert "tài liệu cần cung cấp" in printed
    # The file loads as written: every entry is still to provide, none is an error.
    ev = load_evidence(str(path))
    assert ev.documents == () and ev.system == SYSTEM
    for r in needed:
        assert {res.status for res in evaluate(r, ev, TODAY)} == {Status.MANUAL}


def test_a_filled_entry_is_read_as_the_agencys_document(tmp_path: Path) -> None:
    path, _ = write(tmp_path)
    body = path.read_text(encoding="utf-8")
    entry = "  - requirement: TT12.QL.CS.1\n    key: doc1\n    number: \"\"\n    title: \"\"\n" \
            "    issued:\n"
    assert entry in body
    path.write_text(body.replace(entry, entry.replace('title: ""', 'title: "Chính sách ATTT"')
                                 .replace("issued:", "issued: 2026-05-01"), 1),
                    encoding="utf-8")
    ev = load_evidence(str(path))
    assert [(d.requirement, d.key, d.title) for d in ev.documents] == [
        ("TT12.QL.CS.1", "doc1", "Chính sách ATTT")]
    req = load_profile("nd85-tt12-3").requirement("TT12.QL.CS.1")
    assert [r.status for r in evaluate(req, ev, TODAY)] == [Status.PASS, Status.MANUAL]


def test_english_template_on_request(tmp_path: Path) -> None:
    path, printed = write(tmp_path, "--lang", "en")
    body = path.read_text(encoding="utf-8")
    docs = blocks(body)
    assert docs["TT12.QL.TC.1"][0] == ("Document 1/3: Decision designating the specialised "
                                       "information-security unit or staff")
    assert "Documents of system cong-dich-vu-cong" in body
    assert "documents to provide for nd85-tt12-3" in printed
    assert load_evidence(str(path)).documents == ()


def test_unknown_system_names_the_known_ones(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["evidence", "template", "-s", "cong-ttdt", "-i", str(DEMO),
                                    "-o", "-"])
    assert res.exit_code == 2
    assert "không có hệ thống 'cong-ttdt'" in res.output and SYSTEM in res.output


@pytest.mark.parametrize("path", [("evidence",), ("evidence", "template")])
def test_help_is_vietnamese_then_english(path: tuple[str, ...]) -> None:
    group = main
    command: click.Command = group
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    texts = [command.help or ""] + [p.help or "" for p in command.params
                                    if isinstance(p, click.Option)]
    for text in texts:
        vi, sep, en = " ".join(text.split()).partition(" / ")
        assert sep and VI_LETTERS.search(vi) and re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", en), text


def test_a_dangling_symlink_at_the_name_is_refused_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "elsewhere" / "created.yaml"
    victim.parent.mkdir()
    out = tmp_path / "ev.yaml"
    out.symlink_to(victim)  # dangling: exists() said no, and open() created the target
    res = CliRunner().invoke(main, ["evidence", "template", "-s", SYSTEM, "-i", str(DEMO),
                                    "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert not victim.exists()
