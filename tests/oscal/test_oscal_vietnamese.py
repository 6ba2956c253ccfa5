"""The OSCAL files are Vietnamese first: every message they render has a Vietnamese
translation, and the Vietnamese text is in ``title``/``description``/``prose``, the English
beside it (``title-en`` property, ``remarks``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_assessment_results import attt_props, scan

from attt.cli import main
from attt.render.oscal import FILENAME
from tests.untranslated import Recorder, recording


@pytest.fixture()
def recorder() -> Iterator[Recorder]:
    with recording() as rec:
        yield rec


def test_every_oscal_text_is_translated(tmp_path: Path, recorder: Recorder) -> None:
    run = scan(tmp_path)
    result = CliRunner().invoke(main, ["profiles", "export", "--oscal", "--regime",
                                       "law116-nd331", "2", "-o", str(tmp_path / "exp")])
    assert result.exit_code == 0, result.output
    assert recorder.missing == set(), sorted(recorder.missing)

    doc: dict[str, Any] = json.loads((run / FILENAME).read_text("utf-8"))
    ar = doc["assessment-results"]
    assert ar["metadata"]["title"].startswith("Kết quả đánh giá an toàn hệ thống thông tin")
    assert attt_props(ar["metadata"], "title-en")[0].startswith("Information system security")
    [res] = ar["results"]
    assert res["description"].startswith("Chưa đạt. Mức tuân thủ theo yêu cầu:")
    assert res["remarks"].startswith("Not compliant. Requirement score:")
    [obs] = [o for o in res["observations"]
             if attt_props(o, "check") == ["ssh.root_login_disabled"]][:1]
    results = json.loads((run / "results.json").read_text("utf-8"))
    check = results["checks"]["ssh.root_login_disabled"]
    assert obs["title"] == check["title_vi"] and attt_props(obs, "title-en") == [
        check["title_en"]]
    assert obs["description"] != obs["remarks"]  # Vietnamese message, English in remarks
    assert obs["relevant-evidence"][0]["description"].startswith("Thực tế:")

    catalog = json.loads((tmp_path / "exp" / "law116-nd331.catalog.oscal.json")
                         .read_text("utf-8"))["catalog"]
    assert catalog["metadata"]["title"].startswith("Danh mục yêu cầu của chế độ law116-nd331")
    titles = [g["title"] for layer in catalog["groups"] for g in layer["groups"]]
    assert "Hạ tầng mạng" in titles
    # Group titles are Vietnamese words, never the group's key.
    keys = {attt_props(g, "group")[0] for layer in catalog["groups"] for g in layer["groups"]}
    assert not keys & set(titles)
