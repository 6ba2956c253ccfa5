"""Input loaders' errors read in formal Vietnamese (issue 10), English unchanged.

Every problem a loader raises is a ``T(...)`` message translated in the catalog: the command
line prints it in Vietnamese first, then in English.  An AST scan keeps it that way: a plain
string or f-string problem would print English on the Vietnamese line.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.cli import main
from attt.errors import InputError
from attt.evidence import load_evidence
from attt.i18n import translations
from attt.inventory_loader import adhoc_inventory, load_inventory
from attt.messages import untranslated
from attt.network.targets import check_target
from attt.profile_loader import load_profile, load_tailoring
from attt.waivers import load_waivers
from attt.yamlio import Node, load_text

SRC = Path(__file__).resolve().parents[2] / "src" / "attt"
MODULES = ("yamlio.py", "inventory_loader.py", "profile_loader.py", "particulars_loader.py",
           "waivers.py", "targets.py", "evidence.py", "network/targets.py", "network/plan.py",
           "network/inventory.py", "network/run.py")
# Letters only Vietnamese uses: an English line has none of them.
VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")

INVENTORY = """
systems:
  - name: s1
    level: 2
{extra}    hosts:
      - name: h1
        address: 192.0.2.10
        port: {port}
"""
PROFILE = """
id: bad-2
regime: {regime}
level: 2
title_vi: Thử
requirements: []
"""


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _inventory(tmp_path: Path, port: str = "22", extra: str = "") -> None:
    load_inventory(_file(tmp_path, "inventory.yaml", INVENTORY.format(port=port, extra=extra)))


Case = Callable[[Path], object]
CASES: dict[str, tuple[Case, str]] = {
    "inventory: port not an integer": (
        lambda p: _inventory(p, port="ssh"),
        "systems[0].hosts[0].port: expected an integer, got 'ssh'"),
    "inventory: port out of range": (
        lambda p: _inventory(p, port="70000"),
        "systems[0].hosts[0].port: expected an integer 1-65535, got 70000"),
    "inventory: unknown key": (
        lambda p: _inventory(p, extra="    colour: red\n"),
        "systems[0].colour: unknown key (allowed: "),
    "particulars: duplicate device": (
        lambda p: _inventory(p, extra="    devices:\n      - {name: fw}\n      - {name: fw}\n"),
        "systems[0].devices[1].name: duplicate device 'fw'"),
    "ad-hoc target: bad port": (
        lambda p: adhoc_inventory("ssh://host.example:99999", 2),
        "--target ssh://host.example:99999: invalid port"),
    "profile: unknown regime": (
        lambda p: load_profile(_file(p, "p.yaml", PROFILE.format(regime="gdpr"))),
        "regime: expected one of "),
    "tailoring: exclusion without a reason": (
        lambda p: load_tailoring(_file(p, "t.yaml", "exclusions:\n  - requirement: X.1\n")),
        "exclusions[0].reason: an exclusion needs a reason"),
    "evidence: document without issue date key": (
        lambda p: load_evidence(_file(p, "e.yaml", "documents:\n  - issued: 2025-01-01\n"
                                                   "    title: Quy chế\n")),
        "documents[0].requirement: required"),
    "evidence: not a mapping": (
        lambda p: load_evidence(_file(p, "e.yaml", "- a\n- b\n")),
        "(top level): expected a mapping, got a list"),
    "waivers: no expiry": (
        lambda p: load_waivers(_file(p, "w.yaml", "waivers:\n  - target: X.1\n")),
        "waivers[0].expires: required (YYYY-MM-DD)"),
    "waivers: impossible date": (
        lambda p: load_waivers(_file(p, "w.yaml",
                                     "waivers:\n  - target: X.1\n    expires: 2025-02-30\n")),
        "waivers[0].expires: 2025-02-30 is not a valid date (expected YYYY-MM-DD)"),
    "yaml: syntax": (
        lambda p: load_text("a: [1, 2\n", "x.yaml"),
        "x.yaml: invalid YAML at line 2, column 1: "),
    "yaml: duplicate key": (
        lambda p: load_text("a: 1\na: 2\n", "x.yaml"),
        "x.yaml: a: line 2: duplicate key (first given at line 1)"),
    "yaml: alias": (
        lambda p: load_text("a: &x 1\nb: *x\n", "x.yaml"),
        "x.yaml: line 2: YAML aliases (*x) are not supported; use defaults:/groups:"),
    "zone plan: bad service": (
        lambda p: _inventory(p, extra="    zones: [{name: lan, role: internal, "
                                      "networks: [192.0.2.0/24]}]\n"
                                      "    rules: {flows: [{from: lan, to: lan, action: deny, "
                                      "services: [tcp/0]}]}\n"),
        "systems[0].rules.flows[0].services[0]: port range out of 1-65535: 'tcp/0'"),
    "network target: nmap option": (
        lambda p: check_target("-iL /etc/shadow", "inventory", "zones[0].targets[0]"),
        "inventory: zones[0].targets[0]: target looks like an nmap option, refused: "
        "'-iL /etc/shadow'"),
}


class _Missing(gettext.NullTranslations):
    """Fallback of the Vietnamese catalog: records the msgids it lacks.  (``untranslated``
    cannot tell a missing msgid from one whose translation is the same text, as the
    ``{where}: {problem}`` frame's is.)"""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def gettext(self, message: str) -> str:
        self.ids.add(message)
        return message


@pytest.fixture()
def missing() -> Iterator[_Missing]:
    catalog = translations("vi")
    recorder = _Missing()
    catalog.add_fallback(recorder)
    try:
        yield recorder
    finally:
        catalog._fallback = None  # the catalog object is shared (functools.cache)


@pytest.mark.parametrize("case", sorted(CASES))
def test_loader_error_is_vietnamese_first_english_unchanged(
    case: str, tmp_path: Path, missing: _Missing
) -> None:
    load, english = CASES[case]
    with pytest.raises(InputError) as caught:
        load(tmp_path)
    exc = caught.value
    assert english in str(exc)
    assert not VIETNAMESE.search(str(exc)), str(exc)
    assert untranslated(exc.problem) == []
    vietnamese = exc.render("vi")
    assert missing.ids == set()
    assert VIETNAMESE.search(vietnamese), vietnamese
    # The file and key path are data: the same in both languages.
    assert vietnamese.startswith(str(exc).split(": ")[0])


def test_vietnamese_error_has_no_english_phrase(tmp_path: Path) -> None:
    """The phrase for what was found ("a list") is translated too, not only the frame."""

    with pytest.raises(InputError) as caught:
        load_waivers(_file(tmp_path, "w.yaml", "waivers: {a: 1}\n"))
    vietnamese = caught.value.render("vi")
    assert "a mapping" not in vietnamese and "expected" not in vietnamese
    assert "waivers: giá trị phải là danh sách, nhưng nhận được một tập hợp" in vietnamese


@pytest.mark.parametrize(("value", "english", "vietnamese"), [
    ("abc", "got str 'abc'", "nhận được văn bản 'abc'"),
    (7, "got int 7", "nhận được số nguyên 7"),
    (True, "got bool True", "nhận được giá trị logic True"),
    (1.5, "got float 1.5", "nhận được số thực 1.5"),
])
def test_what_was_found_is_named_in_vietnamese(value: object, english: str,
                                               vietnamese: str) -> None:
    """A scalar where a mapping belongs: English names the Python type as before, the
    Vietnamese line names the kind of value."""

    with pytest.raises(InputError) as caught:
        Node({"a": value}, "f.yaml").mapping("a")
    assert str(caught.value) == f"f.yaml: a: expected a mapping, {english}"
    assert caught.value.render("vi") == ("f.yaml: a: giá trị phải là một tập hợp các cặp khóa "
                                         f"và giá trị, nhưng {vietnamese}")


def _problem(call: ast.Call) -> ast.expr | None:
    """The ``problem`` argument of an InputError/TargetError(source, key, problem) or a
    ``node.error(key, problem)`` call; None for any other call."""

    func = call.func
    if isinstance(func, ast.Name) and func.id in ("InputError", "TargetError"):
        index = 2
    elif isinstance(func, ast.Attribute) and func.attr == "error":
        index = 1
    else:
        return None
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == "problem"), None)


def _is_t(value: ast.expr) -> bool:
    # ``problem`` itself: Node.error handing its parameter on (its callers are scanned);
    # ``_problem(exc)``: the T message a parser's ValueError carries, handed on.
    if isinstance(value, ast.Name) and value.id == "problem":
        return True
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
            and value.func.id == "_problem":
        return True

    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "T" and bool(value.args)
            and isinstance(value.args[0], ast.Constant) and isinstance(value.args[0].value, str))



def _plain_problems(source: str) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call)
            and (problem := _problem(node)) is not None and not _is_t(problem)]


@pytest.mark.parametrize("module", MODULES)
def test_every_loader_problem_is_a_message(module: str) -> None:
    assert _plain_problems((SRC / module).read_text(encoding="utf-8")) == [], module


def test_plain_problem_is_caught() -> None:
    """The scan itself can fail: strings, f-strings and keyword problems are reported."""

    source = ('raise InputError(path, "", f"bad {x}")\n'
              'raise node.error("port", "required")\n'
              'raise InputError(path, "", problem="x")\n'
              'raise node.error("port", T("required"))\n')
    assert _plain_problems(source) == [1, 2, 3]


def test_validate_prints_vietnamese_then_english(tmp_path: Path) -> None:
    """``attt validate`` reports a bad file as every error is reported: the Vietnamese line
    for the officer, then the English one for a CI engineer (and the tests that grep it)."""

    bad = _file(tmp_path, "w.yaml", "waivers:\n  - target: X.1\n")
    result = CliRunner(env={"ATTT_LANG": "vi"}).invoke(main, ["validate", bad])
    lines = result.output.splitlines()
    assert result.exit_code == 2
    assert lines == [f"LỖI {bad}: waivers[0].expires: bắt buộc phải khai báo (định dạng "
                     "YYYY-MM-DD)",
                     f"FAIL {bad}: waivers[0].expires: required (YYYY-MM-DD)"]
