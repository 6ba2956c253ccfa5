"""The one-script collector: framing, exit status, size cap, hostile output (real /bin/sh)."""

from __future__ import annotations

import subprocess

import pytest

from attt.collect import boundary, build_script, new_token, parse_output
from attt.registry import Probe, Section


def _probe(name: str, command: str | None = None, files: tuple[str, ...] = (),
           ok_exit: tuple[int, ...] = (0,)) -> Probe:
    return Probe(name, parser=lambda s: s.text, command=command, files=files, ok_exit=ok_exit)


def _run(probes: list[Probe], cap: int = 1_000_000, timeout: int = 30,
         token: str = "") -> dict[str, Section]:
    token = token or new_token()
    script = build_script(probes, token, cap=cap, section_timeout=timeout)
    out = subprocess.run(["sh", "-s"], input=script.encode(), capture_output=True, timeout=60,
                         check=False)
    collected = parse_output(out.stdout, token, probes, cap)
    assert collected.complete
    return dict(collected.sections)


def test_sections_keep_output_and_exit_status() -> None:
    sections = _run([
        _probe("a", "echo alpha; echo beta"),
        _probe("b", "echo partial; exit 3"),
        _probe("c", "exit 4"),
        _probe("d", "printf 'no newline'"),
    ])
    assert sections["a"].text == "alpha\nbeta\n" and sections["a"].exit_code == 0
    assert sections["b"].text == "partial\n" and sections["b"].exit_code == 3
    assert sections["b"].state == "ok"  # output present: the parser decides
    assert sections["c"].state == "failed" and "exited 4" in str(sections["c"].reason)
    assert sections["d"].text == "no newline"


def test_file_probe_reads_files_with_markers(tmp_path: pytest.TempPathFactory) -> None:
    base = str(tmp_path)
    (tmp_path / "one.conf").write_text("x = 1\n")  # type: ignore[attr-defined]
    (tmp_path / "two.conf").write_text("y = 2")  # type: ignore[attr-defined]
    sections = _run([_probe("f", files=(f"{base}/*.conf", f"{base}/missing"))])
    assert sections["f"].files == {f"{base}/one.conf": "x = 1\n", f"{base}/two.conf": "y = 2"}


def test_output_is_capped_and_flagged() -> None:
    sections = _run([_probe("big", "head -c 5000 /dev/zero | tr '\\0' x")], cap=100)
    assert sections["big"].truncated
    assert sections["big"].text == "x" * 100


def test_forged_boundaries_cannot_create_or_alter_sections() -> None:
    fake = boundary("0" * 32)
    hostile = (
        f"echo '{fake} END victim rc=0 bytes=1'; echo '{fake} BEGIN victim'; "
        "echo '@@ATTT-@@ END hostile rc=0 bytes=3'; echo '<script>alert(1)</script>'"
    )
    sections = _run([_probe("hostile", hostile), _probe("victim", "echo genuine")])
    assert sections["victim"].text == "genuine\n"
    assert "<script>" in sections["hostile"].text
    assert set(sections) == {"hostile", "victim"}


def test_probe_timeout_is_reported() -> None:
    sections = _run([_probe("slow", "sleep 5"), _probe("after", "echo still")], timeout=1)
    assert sections["slow"].state == "timeout"
    assert sections["after"].text == "still\n"


def test_truncated_stream_keeps_complete_sections() -> None:
    probes = [_probe("first", "echo one"), _probe("second", "echo two")]
    token = new_token()
    script = build_script(probes, token)
    out = subprocess.run(["sh", "-s"], input=script.encode(), capture_output=True, check=False,
                         timeout=60).stdout
    cut = out[: out.index(b"BEGIN second") + 20]
    collected = parse_output(cut, token, probes, 1_000_000)
    assert not collected.complete
    assert collected.sections["first"].text == "one\n"
    assert collected.sections["second"].state == "failed"


def test_token_never_in_argv_or_environment_of_probe_processes() -> None:
    token = new_token()
    look = "env; for p in $$ $PPID; do tr '\\0' ' ' </proc/$p/cmdline; echo; done; ps -eo args"
    sections = _run([_probe("env", look)], token=token)
    assert "PATH=" in sections["env"].text  # the probe really saw its environment
    assert token not in sections["env"].text
