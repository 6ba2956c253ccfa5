"""Suite-wide fixtures.

* Scans record their history in a database under the session's temporary folder, never in
  the user's data directory (``ATTT_DB``).
* At the end of the session every results.json that the tests produced (under pytest's
  base temporary folder) is validated against the published schema of its version
  (``schemas/attt.results-2.schema.json``; a version-1 file a test copied, against
  ``attt.results-1.schema.json``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
SCHEMA_PATH = SCHEMAS / "attt.results-2.schema.json"
SCHEMA_VERSIONS = {"attt.results/2": SCHEMA_PATH,
                   "attt.results/1": SCHEMAS / "attt.results-1.schema.json"}


def results_validator(path: Path = SCHEMA_PATH) -> object:
    import jsonschema

    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_errors(doc: object) -> list[str]:
    version = doc.get("schema") if isinstance(doc, dict) else None
    validator = results_validator(SCHEMA_VERSIONS.get(str(version), SCHEMA_PATH))
    return [
        f"{e.json_path}: {e.message[:200]}"
        for e in validator.iter_errors(doc)  # type: ignore[attr-defined]
    ]


@pytest.fixture(scope="session", autouse=True)
def _history_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    old = os.environ.get("ATTT_DB")
    os.environ["ATTT_DB"] = str(path)
    yield path
    if old is None:
        os.environ.pop("ATTT_DB", None)
    else:
        os.environ["ATTT_DB"] = old


@pytest.fixture(scope="session", autouse=True)
def _every_results_json_validates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    yield
    base = tmp_path_factory.getbasetemp()
    bad: list[str] = []
    checked = 0
    for path in sorted(base.rglob("results.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue  # tests that feed attt a broken file on purpose
        if not (isinstance(doc, dict) and doc.get("schema") in SCHEMA_VERSIONS
                and (doc.get("tool") or {}).get("name") == "attt"):
            continue
        checked += 1
        bad += [f"{path}: {e}" for e in schema_errors(doc)[:5]]
    assert not bad, "results.json not valid against its schema:\n" + "\n".join(bad)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The headless Chromium the browser tests drive (required in CI)."""

    sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))
    from chromium import find_chromium

    exe: str | None = find_chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (install chromium or set ATTT_CHROMIUM)")
        pytest.skip("Chromium not installed")
    return exe


@pytest.fixture(scope="session")
def gen() -> ModuleType:
    """tools/gen_profiles.py loaded as a module (the profile generator's own functions)."""

    path = Path(__file__).resolve().parents[1] / "tools" / "gen_profiles.py"
    spec = importlib.util.spec_from_file_location("gen_profiles", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module

