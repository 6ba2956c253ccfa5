"""Catalog helper for the report and command-line translations (needs babel: ``.[test]``).

    python tools/i18n.py extract   # reports/*.html, src/attt/, checks/ -> reports/attt.pot
    python tools/i18n.py update    # merge attt.pot into reports/attt-vi.po
    python tools/i18n.py compile   # reports/attt-vi.po -> reports/attt-vi.mo
    python tools/i18n.py fold      # reports/i18n-parts/vi-*.po -> reports/attt-vi.po
    python tools/i18n.py check     # every msgid translated, .mo up to date (exit 1 if not)

Templates are read with Jinja2's own babel extractor (``{{ _("...") }}``, ``ngettext``);
Python sources with babel's, for ``_``, ``N_``, ``gettext`` and ``ngettext``.  Output is
deterministic (no creation dates) so that a re-run does not produce a diff.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from attt.messages import has_words, placeholders  # noqa: E402 - after the path for a source checkout

REPORTS = ROOT / "reports"
SOURCES = (ROOT / "src" / "attt", ROOT / "checks")
POT = REPORTS / "attt.pot"
LANGS = ("vi",)
FIXED_DATE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
# T(template, **params): attt.messages; N_: marked for translation at render time.
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "T": None}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}


def po_path(lang: str) -> Path:
    return REPORTS / f"attt-{lang}.po"


def mo_path(lang: str) -> Path:
    return REPORTS / f"attt-{lang}.mo"


def _new_catalog(locale: str | None = None) -> Catalog:
    # Dates are stripped when writing (_strip_dates) so re-runs give no diff.
    return Catalog(
        locale=locale,
        domain="attt",
        project="attt",
        version="",
        copyright_holder="attt contributors",
        msgid_bugs_address="",
        fuzzy=False,
    )


def extract() -> Catalog:
    catalog = _new_catalog()
    for path in sorted(REPORTS.glob("*.html")):
        for lineno, msg, comments, context in extract_from_file(
            "jinja2.ext:babel_extract", str(path), keywords=KEYWORDS, options=JINJA_OPTIONS
        ):
            catalog.add(msg, None, [(path.relative_to(ROOT).as_posix(), lineno)],
                        auto_comments=comments, context=context)
    for path in sorted(p for root in SOURCES for p in root.rglob("*.py")):
        for lineno, msg, comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            catalog.add(msg, None, [(path.relative_to(ROOT).as_posix(), lineno)],
                        auto_comments=comments, context=context)
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=False, sort_by_file=False,
             omit_header=False, ignore_obsolete=False, include_previous=False)
    return buf.getvalue()


def _strip_dates(data: bytes) -> bytes:
    lines = [
        line for line in data.splitlines(keepends=True)
        if not line.startswith((b'"POT-Creation-Date:', b'"PO-Revision-Date:'))
    ]
    return b"".join(lines)


def write_pot() -> Catalog:
    catalog = extract()
    POT.write_bytes(_strip_dates(_po_bytes(catalog)))
    return catalog


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def update() -> None:
    template = read(POT)
    for lang in LANGS:
        path = po_path(lang)
        catalog = read(path, lang) if path.exists() else _new_catalog(lang)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()  # messages no longer in the sources: nothing reads them
        catalog.language_team = "Vietnamese"
        path.write_bytes(_strip_dates(_po_bytes(catalog)))


def parts(lang: str) -> list[Path]:
    """Partial catalogs (``reports/i18n-parts/<lang>-*.po``) written by people translating
    one area at a time without touching the shared .po; ``fold`` merges them into it."""

    return sorted((REPORTS / "i18n-parts").glob(f"{lang}-*.po"))


def read_lang(lang: str) -> Catalog:
    """The .po of ``lang`` with its partial catalogs' translations added."""

    catalog = read(po_path(lang), lang)
    for path in parts(lang):
        for msg in read(path, lang):
            if msg.id and msg.string and not msg.fuzzy:
                have = catalog.get(msg.id, msg.context)
                if have is None:
                    catalog.add(msg.id, msg.string, msg.locations, context=msg.context)
                elif have.fuzzy or not all(
                        have.string if isinstance(have.string, tuple) else (have.string,)):
                    have.string, have.flags = msg.string, set()
    return catalog


def fold() -> None:
    for lang in LANGS:
        catalog = read_lang(lang)
        po_path(lang).write_bytes(_strip_dates(_po_bytes(catalog)))
        for path in parts(lang):
            path.unlink()


def compile_bytes(lang: str) -> bytes:
    """The .mo a fresh compile of the committed .po gives (fuzzy entries left out)."""

    catalog = read_lang(lang)
    # The .po carries no dates (see _strip_dates); babel would stamp "now" into the .mo
    # header, so pin them to keep the .mo byte-identical from one compile to the next.
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> None:
    for lang in LANGS:
        # Atomic: several translators may compile at once.
        tmp = mo_path(lang).with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(compile_bytes(lang))
        os.replace(tmp, mo_path(lang))


def problems() -> list[str]:
    """Missing, untranslated or fuzzy msgids and stale .mo files, one message each."""

    found: list[str] = []
    wanted = extract()
    for lang in LANGS:
        catalog = read_lang(lang)
        for msg in wanted:
            if not msg.id:
                continue
            have = catalog.get(msg.id, msg.context)
            if have is None:
                found.append(f"{lang}: missing msgid {msg.id!r}")
                continue
            strings = have.string if isinstance(have.string, tuple) else (have.string,)
            if (not all(strings) or have.fuzzy) and not (
                    isinstance(msg.id, str) and not has_words(msg.id)):
                found.append(f"{lang}: untranslated or fuzzy msgid {msg.id!r}")
            elif isinstance(msg.id, str) and isinstance(have.string, str) and have.string and (
                    placeholders(have.string) != placeholders(msg.id)):
                found.append(f"{lang}: placeholders differ in the translation of {msg.id!r}")
        if not mo_path(lang).exists() or mo_path(lang).read_bytes() != compile_bytes(lang):
            found.append(f"{lang}: {mo_path(lang).name} differs from a fresh compile")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("command", choices=("extract", "update", "compile", "check", "all", "fold"))
    args = parser.parse_args(argv)
    if args.command in ("extract", "all"):
        catalog = write_pot()
        print(f"{POT.relative_to(ROOT)}: {len(catalog)} messages")
    if args.command in ("update", "all"):
        update()
        print("updated " + ", ".join(str(po_path(x).relative_to(ROOT)) for x in LANGS))
    if args.command in ("compile", "all"):
        compile_all()
        print("compiled " + ", ".join(str(mo_path(x).relative_to(ROOT)) for x in LANGS))
    if args.command == "fold":
        fold()
        compile_all()
        print("folded the partial catalogs into " + ", ".join(
            str(po_path(x).relative_to(ROOT)) for x in LANGS))
    if args.command == "check":
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
