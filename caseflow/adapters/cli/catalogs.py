"""Maintaining the catalogs (never imported by a running command).

``python -m caseflow.adapters.cli.catalogs`` reads every module of ``caseflow/``
(domain, services, persistence, adapters) with ``ast`` and collects:

- ``_()``, ``gettext()``, ``N_()``, ``text()`` messages, ``ngettext()`` plurals,
  ``pgettext()``/``NP_()``/``ptext()`` messages with their context;
- the template and ``hint=`` of every ``caseflow.errors`` class raised (and of their
  subclasses, wherever defined);
- in the CLI, every ``help=`` text and the docstring of every command, which typer
  shows as ``--help``.

It writes ``caseflow/locale/caseflow.pot``, merges it into each
``<lang>/LC_MESSAGES/caseflow.po`` and compiles the committed ``.mo`` files, then
reports untranslated entries and *bypasses*: an error or ``_()`` built from an
f-string or ``.format()``, which no catalog can translate. The test suite fails on
either (tests/test_i18n.py). A new language: copy the .pot to
``<lang>/LC_MESSAGES/caseflow.po``, translate it, run this module.
"""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from caseflow.i18n import DOMAIN, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parents[2]
CLI = PACKAGE / "adapters" / "cli"
TEMPLATES = PACKAGE / "adapters" / "web" / "templates"  # the board's Jinja2 pages

SIMPLE = {"_", "N_", "gettext", "text"}
CONTEXT = {"pgettext", "NP_", "ptext"}
PLURAL = {"ngettext"}
#: Names that other libraries use too (``sqlalchemy.text``): they count only when
#: the module imports them from the catalog system, or calls them as ``i18n.<name>``.
AMBIGUOUS = {"text", "ptext", "gettext", "pgettext", "ngettext"}
I18N_MODULES = {"caseflow.i18n", "caseflow.adapters.cli.i18n"}
BASE_ERRORS = {"CaseflowError", "NotFound", "InvalidInput", "Refused", "IllegalTransition",
               "GuardFailed", "PermissionDenied", "Conflict", "WorkflowDefinitionError",
               "ConfigError"}


@dataclass(frozen=True)
class Found:
    message: str | tuple[str, ...]
    context: str | None
    path: str
    line: int


@dataclass(frozen=True)
class Bypass:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _string(node: ast.expr | None) -> str | None:
    """A literal string (implicit and ``+`` concatenation included), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string(node.left), _string(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _dynamic(node: ast.expr | None) -> bool:
    """A message built at run time: an f-string, ``.format()``, ``%`` or ``+`` of
    non-literals. Names and attributes are fine (``N_``-marked tables)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.Call) and _name(node.func) in ("format", "join"):
        return True
    if isinstance(node, ast.BinOp):
        return _string(node) is None and (
            isinstance(node.op, ast.Mod) or _dynamic(node.left) or _dynamic(node.right)
            or isinstance(node.left, ast.Constant) or isinstance(node.right, ast.Constant))
    return False


def _i18n_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in I18N_MODULES:
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _marker(func: ast.expr, imported: set[str]) -> str | None:
    """The catalog function ``func`` calls, if it is one."""
    name = _name(func)
    if name not in AMBIGUOUS:
        return name
    if isinstance(func, ast.Name) and name in imported:
        return name
    if isinstance(func, ast.Attribute) and _name(func.value) == "i18n":
        return name
    return None


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    names = set(BASE_ERRORS)
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names \
                        and any(_name(b) in names for b in node.bases):
                    names.add(node.name)
                    changed = True
    return names


def _is_command(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and _name(d.func) in ("command", "callback")
               for d in func.decorator_list)


def scan() -> tuple[list[Found], list[Bypass]]:
    trees: dict[Path, ast.Module] = {}
    for path in sources():
        trees[path] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    errors = _error_classes(trees)
    found: list[Found] = []
    bypasses: list[Bypass] = []
    for path, tree in trees.items():
        rel = str(path.relative_to(PACKAGE))
        in_cli = CLI in path.parents
        imported = _i18n_names(tree)
        for node in ast.walk(tree):
            if in_cli and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) \
                    and _is_command(node):
                doc = ast.get_docstring(node)
                if doc:
                    found.append(Found(inspect.cleandoc(doc), None, rel, node.lineno))
            if not isinstance(node, ast.Call):
                continue
            name = _marker(node.func, imported)
            args = node.args
            line = node.lineno
            if name in SIMPLE or name in errors:
                msg = _string(args[0]) if args else None
                if msg is not None:
                    found.append(Found(msg, None, rel, line))
                elif args and _dynamic(args[0]):
                    bypasses.append(Bypass(rel, line, f"{name}() of a string built at run time"))
            elif name in CONTEXT and len(args) >= 2:
                ctx, msg = _string(args[0]), _string(args[1])
                if ctx is not None and msg is not None:
                    found.append(Found(msg, ctx, rel, line))
                elif _dynamic(args[1]):
                    bypasses.append(Bypass(rel, line, f"{name}() of a string built at run time"))
            elif name in PLURAL and len(args) >= 2:
                one, many = _string(args[0]), _string(args[1])
                if one is not None and many is not None:
                    found.append(Found((one, many), None, rel, line))
            for kw in node.keywords:
                if kw.arg == "hint" and name in errors:
                    hint = _string(kw.value)
                    if hint is not None:
                        found.append(Found(hint, None, rel, line))
                    elif _dynamic(kw.value):
                        bypasses.append(Bypass(rel, line, "hint built at run time"))
                elif kw.arg == "help" and in_cli:
                    help_text = _string(kw.value)
                    if help_text is not None:
                        found.append(Found(inspect.cleandoc(help_text), None, rel, line))
    found.extend(_template_messages())
    return found, bypasses


def _template_messages() -> list[Found]:
    """``_()``, ``ngettext()`` and ``pgettext()`` in the board's page templates."""
    from babel.messages.extract import extract_from_file

    keywords = {"_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    found = []
    for path in sorted(TEMPLATES.glob("*.html")):
        rel = str(path.relative_to(PACKAGE))
        for line, message, _comments, context in extract_from_file(
                "jinja2.ext:babel_extract", str(path), keywords=keywords):
            found.append(Found(message, context, rel, line))
    return found


def extract() -> Catalog:
    template = Catalog(project="caseflow", domain=DOMAIN)
    for item in scan()[0]:
        if not item.message:
            continue
        flags = ("python-brace-format",) if "{" in str(item.message) else ()
        template.add(item.message, locations=[(item.path, item.line)], context=item.context,
                     flags=flags)
    return template


def bypasses() -> list[Bypass]:
    return scan()[1]


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


def untranslated(catalog: Catalog) -> Iterator[str]:
    for m in catalog:
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string))):
            yield m.id if isinstance(m.id, str) else m.id[0]


def update() -> int:
    found, skipped = scan()
    template = extract()
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as fh:
        write_po(fh, template, omit_header=True, sort_output=True)
    for path in po_files():
        catalog = read(path)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, ignore_obsolete=True)
        path.with_suffix(".mo").write_bytes(compiled(path))
        missing = list(untranslated(catalog))
        print(f"{path.relative_to(PACKAGE.parent)}: {len(found)} found, "
              f"{len(missing)} untranslated")
    for bypass in skipped:
        print(f"bypass: {bypass}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(update())
