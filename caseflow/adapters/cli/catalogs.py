"""Maintaining the UI catalogs with babel (never imported by a running command).

``python -m caseflow.adapters.cli.catalogs`` extracts every ``_()``/``ngettext()``/
``pgettext()`` string of the CLI and of the demo (which prints with the CLI's helpers)
into ``caseflow/locale/caseflow.pot``, merges it into each
``<lang>/LC_MESSAGES/caseflow.po`` and compiles the ``.mo`` files that are
committed. A new language: copy the .pot to ``<lang>/LC_MESSAGES/caseflow.po``,
translate it, run this module.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from caseflow.adapters.cli.i18n import DOMAIN, LOCALE_DIR

_ADAPTERS = Path(__file__).resolve().parents[1]
SOURCES = (_ADAPTERS / "cli", _ADAPTERS / "demo", _ADAPTERS / "tui")
KEYWORDS = {"_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def extract() -> Catalog:
    template = Catalog(project="caseflow", domain=DOMAIN)
    for path in sorted(p for source in SOURCES for p in source.glob("*.py")):
        for lineno, message, comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS):
            template.add(message, locations=[(f"{path.parent.name}/{path.name}", lineno)],
                         auto_comments=comments, context=context)
    return template


def po_files() -> list[Path]:
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=path.parent.parent.name, domain=DOMAIN)


def compiled(path: Path) -> bytes:
    """The .mo bytes babel makes from a .po file."""
    out = BytesIO()
    write_mo(out, read(path))
    return out.getvalue()


def update() -> None:
    template = extract()
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as fh:
        write_po(fh, template, omit_header=True, sort_output=True)
    for path in po_files():
        catalog = read(path)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, ignore_obsolete=True)
        path.with_suffix(".mo").write_bytes(compiled(path))
        untranslated = [m.id for m in catalog if m.id and not m.string]
        print(f"{path}: {len(untranslated)} untranslated")


if __name__ == "__main__":
    update()
