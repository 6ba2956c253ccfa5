"""The refused-results count behind the report's note: lines of a regular file only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from attt.run_folder import REFUSED_FILE
from attt.scan import refused_count


def test_counts_the_lines_of_the_refused_file(tmp_path: Path) -> None:
    assert refused_count(str(tmp_path)) == 0  # no file: nothing refused
    (tmp_path / REFUSED_FILE).write_text('{"reason": "unsigned"}\n\n{"reason": "bad"}\n')
    assert refused_count(str(tmp_path)) == 2


def test_a_fifo_or_a_link_to_a_device_is_not_read(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    os.mkfifo(tmp_path / REFUSED_FILE)  # opening it for reading would block for ever
    assert refused_count(str(tmp_path)) == 0
    os.unlink(tmp_path / REFUSED_FILE)
    os.symlink("/dev/zero", tmp_path / REFUSED_FILE)  # endless, one line
    assert refused_count(str(tmp_path)) == 0
    assert caplog.text.count("not counted") == 2
