"""Gettext catalogs: committed .mo = fresh compile of the .po, nothing left untranslated."""

from __future__ import annotations

import ast
import gettext
import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from attt import i18n
from attt.messages import has_words

pytest.importorskip("babel")

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "i18n.py"


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("attt_tools_i18n", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _mo_messages(data: bytes) -> dict[str, str]:
    """A compiled catalog's meaning: msgid -> translation, without the header entry.

    The header (msgid "") carries Babel's ``Generated-By`` version and a creation date, which
    change with every Babel release; comparing bytes would fail CI on the next release.
    """

    catalog = gettext.GNUTranslations(io.BytesIO(data))
    messages: dict[str, str] = dict(catalog._catalog)  # type: ignore[attr-defined]
    messages.pop("", None)
    return messages


def test_committed_mo_equals_fresh_compile(tool: ModuleType) -> None:
    for lang in tool.LANGS:
        committed = _mo_messages(tool.mo_path(lang).read_bytes())
        fresh = _mo_messages(tool.compile_bytes(lang))
        assert committed == fresh, (
            f"{tool.mo_path(lang).name} is stale: run python tools/i18n.py compile"
        )
        assert len(fresh) > 100


def _owned_messages(tool: ModuleType) -> list:
    """Messages of the templates and of attt.i18n (the catalog's own sources)."""

    catalog = tool.extract()
    mine = []
    for msg in catalog:
        if not msg.id:
            continue
        files = {path for path, _line in msg.locations}
        if any(p.startswith("reports/") or p == "src/attt/i18n.py" for p in files):
            mine.append(msg)
    return mine


def test_every_template_msgid_has_vietnamese(tool: ModuleType) -> None:
    messages = _owned_messages(tool)
    assert len(messages) > 100
    vi = tool.read(tool.po_path("vi"), "vi")
    missing = []
    for msg in messages:
        have = vi.get(msg.id, msg.context)
        strings = () if have is None else (
            have.string if isinstance(have.string, tuple) else (have.string,)
        )
        if have is None or have.fuzzy or not strings or not all(s.strip() for s in strings):
            missing.append(msg.id)
    assert not missing, f"untranslated msgids (run tools/i18n.py extract/update): {missing}"


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


def test_translations_keep_placeholders(tool: ModuleType) -> None:
    vi = tool.read(tool.po_path("vi"), "vi")
    for msg in vi:
        if not msg.id or not msg.string:
            continue
        ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        want = set(_PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            assert set(_PLACEHOLDER.findall(s)) == want, (msg.id, s)


def test_pot_lists_the_template_messages(tool: ModuleType) -> None:
    pot = tool.read(tool.POT)
    missing = [m.id for m in _owned_messages(tool) if pot.get(m.id, m.context) is None]
    assert not missing, f"reports/attt.pot is stale (run tools/i18n.py extract): {missing}"


def test_runtime_translations() -> None:
    _ = i18n.gettext_for("vi")
    assert _("Compliant with level {level}").format(level=2) == "Đạt cấp độ 2"
    assert _("Not compliant") == "Chưa đạt"
    assert _("Report written to {path}").format(path="r.html") == "Đã ghi báo cáo vào r.html"
    assert i18n.label(i18n.STATUS_LABELS, "manual", "vi") == "Cần bằng chứng"
    assert i18n.label(i18n.STATUS_LABELS, "waived", "vi") == "Được miễn trừ"
    assert i18n.label(i18n.LAYER_LABELS, 1, "vi") == "Lực lượng tại chỗ"
    assert i18n.label(i18n.LAYER_LABELS, 4, "vi") == (
        "Kết nối, chia sẻ thông tin với hệ thống giám sát quốc gia"
    )
    assert i18n.label(i18n.STATUS_LABELS, "something-new", "vi") == "something-new"
    assert i18n.gettext_for("en")("Not compliant") == "Not compliant"
    assert i18n.ngettext_for("vi")("%(num)d weakened", "%(num)d weakened", 3) % {"num": 3} == (
        "3 tham số bị nới lỏng"
    )
    # The scan summary's templates (commands/_summary.py; the old CLI_MESSAGES list went
    # stale when the summary became T messages): each one translated.
    summary = ROOT / "src" / "attt" / "commands" / "_summary.py"
    templates = [node.args[0].value for node in ast.walk(ast.parse(summary.read_text()))
                 if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "T"
                 and node.args and isinstance(node.args[0], ast.Constant)]
    assert len(templates) >= 5
    for msgid in templates:
        if has_words(msgid):  # "{label} {count}" has nothing of its own to translate
            assert _(msgid) != msgid, msgid
    assert i18n.translations("vi") is i18n.translations("vi")
    with pytest.raises(ValueError):
        i18n.translations("fr")
