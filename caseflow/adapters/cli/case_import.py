"""``caseflow case import FILE``: check every row, then store all of them in one go.

Reading and checking are the importer's (``adapters/importers/case_rows.py``),
storing is the service's (``services.cases.add_cases``, one transaction, all or
nothing); this module adds what a person at a terminal needs: every bad row with
its line number, a progress bar for big files, and a summary.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caseflow.adapters.cli.i18n import _
from caseflow.errors import InvalidInput

PROGRESS_OVER = 300  # rows; smaller files finish before a bar would be seen


@dataclass
class ImportResult:
    file: str
    project: str
    rows: int
    imported: int
    skipped: int
    errors: list[str]
    case_ids: list[int]


def _count_lines(path: Path) -> int | None:
    if path.suffix.lower() != ".csv":
        return None
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def _tracked(rows: Iterable[Any], progress: Any, task: Any) -> Iterator[Any]:
    for row in rows:
        yield row
        if progress is not None:
            progress.advance(task)


def run_import(app: Any, actor: Any, path: Path, project: str, *,
               skip_invalid: bool) -> ImportResult:
    from caseflow.adapters.importers.case_rows import RowError, read_rows, validate_rows
    from caseflow.services.cases import NewCase, add_cases, import_context

    if not path.exists():
        raise InvalidInput("{path}: no such file", path=path)
    if not path.is_file():
        raise InvalidInput("{path} is not a file", path=path)
    context = import_context(app, actor, project)
    lines = _count_lines(path)
    big = lines is None or lines > PROGRESS_OVER
    show_bar = big and sys.stderr.isatty()
    progress: Any = None
    if show_bar:
        from rich.progress import Progress

        from caseflow.adapters.cli.render import console

        progress = Progress(console=console(stderr=True), transient=True)
    with progress if progress is not None else nullcontext():
        task = progress.add_task(_("checking rows"), total=lines) if progress else None
        plan = validate_rows(_tracked(read_rows(path), progress, task),
                             set(context.existing_codes))
        errors = list(plan.errors)
        valid = []
        for row in plan.valid:
            if row.team and row.team not in context.team_codes:
                errors.append(RowError(row.line, f"no team with code {row.team!r} "
                                                 "(see `caseflow team list`)"))
            else:
                valid.append(row)
        bad_lines = {e.line for e in errors}
        errors.sort(key=lambda e: e.line)
        messages = [f"{path.name}: {e}" for e in errors]
        total = len(valid) + len(bad_lines)
        if errors and not skip_invalid:
            return ImportResult(path.name, context.project, total, 0, len(bad_lines),
                                messages, [])
        if not valid:
            if total == 0:
                raise InvalidInput(f"{path.name}: no data rows below the header")
            return ImportResult(path.name, context.project, total, 0, len(bad_lines),
                                messages, [])
        if progress is not None:
            progress.update(task, description=_("saving {n} cases").format(n=len(valid)),
                            total=1, completed=0)
        new = [NewCase(name=r.name, credit_code=r.credit_code, area_mu=float(r.area_mu),
                       team=r.team, owner=r.owner, address=r.address,
                       contact=" ".join(x for x in (r.contact, r.phone) if x) or None)
               for r in valid]
        ids = add_cases(app, actor, context.project, new, note=f"import {path.name}")
        if progress is not None:
            progress.update(task, completed=1)
    return ImportResult(path.name, context.project, total, len(ids), len(bad_lines),
                        messages, ids)
