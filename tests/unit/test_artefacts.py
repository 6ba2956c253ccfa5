"""The artefact readers' schema interpreter agrees with jsonschema on the published schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from attt.artefacts import RESULTS_SCHEMA, check_results, parse_json, results_schema
from attt.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_schema_is_the_published_one() -> None:
    published = json.loads((ROOT / "schemas" / RESULTS_SCHEMA).read_text(encoding="utf-8"))
    assert results_schema() == published


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from tests.hostile._runs import scanned_run

    run = scanned_run(tmp_path_factory.mktemp("schema"))
    doc: dict[str, Any] = json.loads((run / "results.json").read_text(encoding="utf-8"))
    return doc


MUTATIONS = [
    ("systems", 0, "requirements", 0, "status"),
    ("summary", "score"),
    ("systems", 0, "name"),
    ("run",),
    ("summary", "host_errors"),
    ("systems", 0, "verdict"),
    ("grading",),
    ("findings", 0, "results", 0, "status"),
    ("findings", 0, "host"),
    ("checks",),
    ("texts",),
]


@pytest.mark.parametrize("path", MUTATIONS, ids=[".".join(map(str, p)) for p in MUTATIONS])
@pytest.mark.parametrize("value", ["zzz", -1, None, [], {}, 1.5, True])
def test_agrees_with_jsonschema(good: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    doc = copy.deepcopy(good)
    target: Any = doc
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value
    expected = list(jsonschema.Draft202012Validator(results_schema()).iter_errors(doc))
    try:
        check_results(doc, "results.json")
    except InputError as exc:
        assert expected, f"refused a valid document: {exc}"
    else:
        assert not expected, f"accepted: {expected[0].message}"


def test_a_real_results_document_passes(good: dict[str, Any]) -> None:
    assert check_results(copy.deepcopy(good), "results.json") == good


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "1e400",
                                  "[" * 200 + "]" * 200])
def test_parse_json_is_strict(text: str) -> None:
    with pytest.raises(InputError):
        parse_json(text, "x.json")


def _strip_vi(node: Any) -> int:
    """Remove every ``*_vi`` text of messages (as a document written before issue 10);
    how many were removed."""

    removed = 0
    if isinstance(node, dict):
        for key in [k for k in node if k in ("message_vi", "reason_vi")]:
            del node[key]
            removed += 1
        removed += sum(_strip_vi(v) for v in node.values())
    elif isinstance(node, list):
        removed += sum(_strip_vi(v) for v in node)
    return removed


def test_results_carry_both_languages_and_older_documents_still_load(
        good: dict[str, Any]) -> None:
    from attt.messages import pick
    from attt.render.document import all_findings

    requirements = [r for s in good["systems"] for r in s["requirements"]]
    assert all("reason_vi" in r for r in requirements)
    findings = all_findings(good)
    assert findings and all(f.get("message_vi") for f in findings)
    assert good["texts"] and all(len(pair) == 2 and pair[1] for pair in good["texts"])
    # A version-1 document from before translated messages: English only, still read.
    old = json.loads((ROOT / "tests" / "fixtures" / "results-v1" / "results.json")
                     .read_text(encoding="utf-8"))
    assert _strip_vi(old) >= len(all_findings(old))
    assert check_results(old, "results.json") == old
    finding = next(f for s in old["systems"] for r in s["requirements"] for f in r["findings"])
    assert pick(finding, "message", "vi") == finding["message"]  # English when no Vietnamese


