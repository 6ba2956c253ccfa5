"""Check scenarios: raw probe outputs in, expected status out (docs/design.md §9).

Each ``tests/checks/<check_id>/<name>.<status>.yaml`` holds the sections a collector would
deliver; the file name's suffix is the expected status. A section's text, or one of its files,
may be a shared capture under ``tests/fixtures/`` (``base:``) edited by ``replace:``,
``remove:`` and ``append:``; tests/checks/README.md describes the format.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from attt.library import load_all
from attt.messages import render, untranslated
from attt.model import Status
from attt.registry import CHECKS, Facts, Section

SCENARIO_ROOT = Path(__file__).parent / "checks"
FIXTURE_ROOT = Path(__file__).parent / "fixtures"
STATUSES = {
    s.value for s in (Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_APPLICABLE, Status.MANUAL)
}
EDIT_KEYS = {"replace", "remove", "append"}
SECTION_KEYS = {"text", "base", "exit_code", "files", "state", "reason", "truncated"} | EDIT_KEYS
FILE_KEYS = {"base"} | EDIT_KEYS
SCENARIO_KEYS = {"description", "mode", "params", "sections", "message_contains"}
# After the key: " = ", "=", a run of blanks, or nothing (a bare key at the end of the line).
_KEY = re.compile(r"[^\s=#][^\s=]*")  # no blanks or "=", not a comment
_SEPARATOR = re.compile(r"[ \t]*=[ \t]*|[ \t]+|$")

load_all()


class ScenarioError(ValueError):
    """A scenario that does not say exactly what it tests."""


def _scenarios() -> list[Path]:
    return sorted(SCENARIO_ROOT.glob("*/*.yaml"))


def _expected(path: Path) -> str:
    return path.name[: -len(".yaml")].rsplit(".", 1)[1]


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: not a mapping"
    unknown = set(data) - SCENARIO_KEYS
    assert not unknown, f"{path}: unknown keys {unknown}"
    return data


def read_base(base: object, root: Path = FIXTURE_ROOT) -> str:
    """The capture ``base`` names: a relative path to a file under ``root`` (tests/fixtures)."""
    if not isinstance(base, str) or not base:
        raise ScenarioError(f"base must be a path under tests/fixtures, not {base!r}")
    if Path(base).is_absolute() or "\\" in base:
        raise ScenarioError(f"base {base!r}: must be relative to tests/fixtures")
    top = root.resolve()
    target = (top / base).resolve()
    if not target.is_relative_to(top):
        raise ScenarioError(f"base {base!r}: outside tests/fixtures")
    if not target.is_file():
        raise ScenarioError(f"base {base!r}: no such file under tests/fixtures")
    return target.read_text(encoding="utf-8")


def _key_lines(lines: list[str], key: str) -> list[int]:
    """Indexes of the lines that set ``key``: the key at column 0, then a separator."""
    hits = []
    for i, line in enumerate(lines):
        body = line.rstrip("\n")
        if body.startswith(key) and _SEPARATOR.match(body, len(key)):
            hits.append(i)
    return hits


def _keys(what: str, value: object) -> list[str]:
    keys = list(value) if isinstance(value, (dict, list)) else None
    if not keys:
        kind = "mapping" if what == "replace" else "list"
        raise ScenarioError(f"{what} must be a non-empty {kind}")
    for key in keys:
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ScenarioError(f"{what}: bad key {key!r}")
    if len(set(keys)) != len(keys):
        raise ScenarioError(f"{what}: a key is listed twice")
    return keys


def expand(raw: dict[str, Any], root: Path = FIXTURE_ROOT) -> str:
    """The text ``base`` + ``replace`` / ``remove`` / ``append`` stand for (README.md)."""
    lines = read_base(raw["base"], root).splitlines(keepends=True)
    if "replace" in raw:
        replace = raw["replace"]
        if not isinstance(replace, dict):
            raise ScenarioError("replace must be a mapping of key to new value")
        for key in _keys("replace", replace):
            value = replace[key]
            if not isinstance(value, str) or "\n" in value:
                raise ScenarioError(f"replace {key!r}: the value must be a one-line string")
            hits = _key_lines(lines, key)
            if len(hits) != 1:
                raise ScenarioError(
                    f"replace {key!r}: matches {len(hits)} lines of {raw['base']}"
                    + (" (use remove + append)" if hits else ""))
            line = lines[hits[0]]
            body = line.rstrip("\n")
            sep = _SEPARATOR.match(body, len(key))
            assert sep is not None
            lines[hits[0]] = key + (sep.group() or " ") + value + line[len(body):]
    if "remove" in raw:
        remove = raw["remove"]
        if not isinstance(remove, list):
            raise ScenarioError("remove must be a list of keys")
        for key in _keys("remove", remove):
            if isinstance(raw.get("replace"), dict) and key in raw["replace"]:
                raise ScenarioError(f"remove {key!r}: also replaced")
            hits = _key_lines(lines, key)
            if not hits:
                raise ScenarioError(f"remove {key!r}: matches no line of {raw['base']}")
            lines = [line for i, line in enumerate(lines) if i not in hits]
    text = "".join(lines)
    if "append" in raw:
        append = raw["append"]
        if not isinstance(append, str) or not append:
            raise ScenarioError("append must be non-empty text")
        text += append
    return text


def _file(path: str, raw: object, root: Path) -> str:
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, dict):
        raise ScenarioError(f"file {path}: text or a mapping with base, not {type(raw).__name__}")
    unknown = set(raw) - FILE_KEYS
    if unknown:
        raise ScenarioError(f"file {path}: unknown keys {sorted(unknown)}")
    if "base" not in raw:
        raise ScenarioError(f"file {path}: a mapping needs base")
    return expand(raw, root)


def section(name: str, raw: dict[str, Any], root: Path = FIXTURE_ROOT) -> Section:
    """The Section a scenario's ``sections.<name>`` entry describes."""
    if not isinstance(raw, dict):
        raise ScenarioError(f"section {name}: not a mapping")
    unknown = set(raw) - SECTION_KEYS
    if unknown:
        raise ScenarioError(f"section {name}: unknown keys {sorted(unknown)}")
    if "base" in raw and "text" in raw:
        raise ScenarioError(f"section {name}: text and base both given")
    edits = EDIT_KEYS & set(raw)
    if edits and "base" not in raw:
        raise ScenarioError(f"section {name}: {sorted(edits)} without base")
    try:
        text = expand(raw, root) if "base" in raw else raw.get("text", "")
        files = {p: _file(p, f, root) for p, f in (raw.get("files") or {}).items()}
    except ScenarioError as exc:
        raise ScenarioError(f"section {name}: {exc}") from None
    state = raw.get("state", "ok")
    exit_code = raw.get("exit_code", 0 if state == "ok" else None)
    return Section(
        name,
        text=text,
        exit_code=exit_code,
        files=files,
        truncated=bool(raw.get("truncated", False)),
        state=state,
        reason=raw.get("reason", "" if state == "ok" else state),
    )


def sections(data: dict[str, Any], root: Path = FIXTURE_ROOT) -> dict[str, Section]:
    return {n: section(n, raw or {}, root) for n, raw in (data.get("sections") or {}).items()}


@pytest.mark.parametrize(
    "path", _scenarios(), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_scenario(path: Path) -> None:
    data = _load(path)
    check_id = path.parent.name
    spec = CHECKS[check_id]
    facts = sections(data)
    mode = data.get("mode", "live")
    assert mode in ("live", "offline")
    result = spec.evaluate(Facts(facts, mode), data.get("params") or {})
    english = render(result.message, "en")
    assert result.status.value == _expected(path), english
    assert english.endswith("."), english
    if "message_contains" in data:
        assert data["message_contains"] in english
    # Issue 10: every message is a catalogued template, so the Vietnamese report has no
    # English sentence in it; and the Vietnamese text is a sentence too.
    assert untranslated(result.message) == [], f"untranslated: {untranslated(result.message)}"
    vietnamese = render(result.message, "vi")
    assert vietnamese.endswith("."), vietnamese
    assert vietnamese != english, vietnamese


def test_every_check_has_pass_and_fail_scenarios() -> None:
    for check_id in CHECKS:
        statuses = {_expected(p) for p in (SCENARIO_ROOT / check_id).glob("*.yaml")}
        assert {"pass", "fail"} <= statuses, f"{check_id}: scenarios cover only {statuses}"


def test_scenario_dirs_name_registered_checks() -> None:
    for directory in SCENARIO_ROOT.iterdir():
        if directory.is_dir():
            assert directory.name in CHECKS, f"{directory}: no check {directory.name!r}"


@pytest.mark.parametrize(
    "path", _scenarios(), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_scenario_is_well_formed(path: Path) -> None:
    data = _load(path)
    assert _expected(path) in STATUSES, f"{path.name}: unknown status suffix"
    assert data.get("description"), f"{path}: description missing"
    spec = CHECKS[path.parent.name]
    undeclared = set(data.get("sections") or {}) - set(spec.probes)
    assert not undeclared, f"{path}: probes not declared by {spec.id}: {undeclared}"
    unknown_params = set(data.get("params") or {}) - set(spec.params)
    assert not unknown_params, f"{path}: unknown params {unknown_params}"
    sections(data)  # raises ScenarioError on a bad base or edit


# --- base / replace / remove / append -------------------------------------------------

SSHD_T = "port 22\nlistenaddress [::]:22\nlistenaddress 0.0.0.0:22\nmaxauthtries 6\nbanner none\n"
SYSCTL = "# comment maxauthtries\nnet.ipv4.ip_forward = 0\nkernel.dmesg_restrict=1\nbare\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "outputs").mkdir()
    (tmp_path / "outputs" / "sshd-T.txt").write_text(SSHD_T, encoding="utf-8")
    (tmp_path / "outputs" / "sysctl.txt").write_text(SYSCTL, encoding="utf-8")
    (tmp_path.parent / "outside.txt").write_text("port 22\n", encoding="utf-8")
    return tmp_path


def test_base_alone_is_the_capture(root: Path) -> None:
    assert section("sshd_effective", {"base": "outputs/sshd-T.txt"}, root).text == SSHD_T


def test_replace_keeps_the_separator_and_the_line_order(root: Path) -> None:
    raw = {"base": "outputs/sysctl.txt",
           "replace": {"net.ipv4.ip_forward": "1", "kernel.dmesg_restrict": "0", "bare": "x"}}
    assert section("sysctl_settings", raw, root).text == (
        "# comment maxauthtries\nnet.ipv4.ip_forward = 1\nkernel.dmesg_restrict=0\nbare x\n")


def test_replace_remove_append(root: Path) -> None:
    raw = {"base": "outputs/sshd-T.txt", "replace": {"maxauthtries": "3"},
           "remove": ["listenaddress"], "append": "allowgroups ssh\n"}
    assert section("sshd_effective", raw, root).text == (
        "port 22\nmaxauthtries 3\nbanner none\nallowgroups ssh\n")


def test_a_file_may_build_on_a_base(root: Path) -> None:
    raw = {"files": {"/etc/sysctl.conf": {"base": "outputs/sysctl.txt",
                                          "remove": ["bare"]},
                     "/etc/sysctl.d/x.conf": "kernel.x = 1\n"}}
    files = section("sysctl_settings", raw, root).files
    assert files["/etc/sysctl.conf"] == SYSCTL.replace("bare\n", "")
    assert files["/etc/sysctl.d/x.conf"] == "kernel.x = 1\n"


@pytest.mark.parametrize("raw, error", [
    # a replace or remove that matches nothing would test the base unchanged
    ({"replace": {"maxauthtrie": "3"}}, "matches 0 lines"),
    ({"replace": {"MaxAuthTries": "3"}}, "matches 0 lines"),
    ({"replace": {"comment": "3"}}, "matches 0 lines"),  # commented lines are not keys
    ({"remove": ["permitrootlogin"]}, "matches no line"),
    # ambiguous or malformed edits
    ({"replace": {"listenaddress": "1.2.3.4:22"}}, "matches 2 lines"),
    ({"replace": {"port": "22\nport 2222"}}, "one-line string"),
    ({"replace": {"port": 2222}}, "one-line string"),
    ({"replace": {}}, "non-empty"),
    ({"replace": ["port"]}, "mapping"),
    ({"remove": "port"}, "list"),
    ({"remove": ["port", "port"]}, "twice"),
    ({"replace": {"port": "2"}, "remove": ["port"]}, "also replaced"),
    ({"append": ""}, "non-empty"),
    ({"append": ["x"]}, "non-empty"),
    ({"replace": {" port": "2"}}, "bad key"),
    ({"replace": {"#": "2"}}, "bad key"),
    ({"remove": ["net.ipv4.ip_forward ="]}, "bad key"),
    # unknown keys; text and base together; edits without base
    ({"replce": {"port": "2"}}, "unknown keys"),
    ({"text": "port 22\n"}, "text and base"),
])
def test_bad_edits_fail(root: Path, raw: dict[str, Any], error: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(error)):
        section("sshd_effective", {"base": "outputs/sshd-T.txt", **raw}, root)


def test_edits_need_a_base(root: Path) -> None:
    with pytest.raises(ScenarioError, match="without base"):
        section("sshd_effective", {"text": "port 22\n", "replace": {"port": "2"}}, root)
    with pytest.raises(ScenarioError, match="needs base"):
        section("x", {"files": {"/etc/x": {"replace": {"port": "2"}}}}, root)
    with pytest.raises(ScenarioError, match="unknown keys"):
        section("x", {"files": {"/etc/x": {"base": "outputs/sshd-T.txt", "text": ""}}}, root)
    with pytest.raises(ScenarioError, match="text or a mapping"):
        section("x", {"files": {"/etc/x": ["port 22"]}}, root)


@pytest.mark.parametrize("base, error", [
    ("../outside.txt", "outside tests/fixtures"),
    ("outputs/../../outside.txt", "outside tests/fixtures"),
    ("/etc/hostname", "relative to tests/fixtures"),
    ("outputs/missing.txt", "no such file"),
    ("outputs", "no such file"),
    ("", "must be a path"),
    (None, "must be a path"),
])
def test_base_must_be_a_file_under_fixtures(root: Path, base: object, error: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(error)):
        section("sshd_effective", {"base": base}, root)
    with pytest.raises(ScenarioError, match=re.escape(error)):
        section("x", {"files": {"/etc/x": {"base": base}}}, root)


def test_base_symlink_out_of_fixtures_fails(root: Path) -> None:
    (root / "outputs" / "link.txt").symlink_to(root.parent / "outside.txt")
    with pytest.raises(ScenarioError, match="outside tests/fixtures"):
        section("sshd_effective", {"base": "outputs/link.txt"}, root)



def test_no_scenario_pastes_a_shared_capture() -> None:
    """A capture kept under tests/fixtures/outputs is named with ``base:``, not pasted again."""
    captures = {
        p.read_text(encoding="utf-8"): p.name
        for p in (FIXTURE_ROOT / "outputs").iterdir() if p.stat().st_size >= 400
    }
    for path in _scenarios():
        for name, raw in (_load(path).get("sections") or {}).items():
            raw = raw or {}
            pasted = [raw.get("text"), *(raw.get("files") or {}).values()]
            for text in pasted:
                if isinstance(text, str) and text in captures:
                    raise AssertionError(
                        f"{path}: section {name} pastes {captures[text]}; say base: instead")
