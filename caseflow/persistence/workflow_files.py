"""Finding workflow definitions on disk and keeping one lifecycle per version.

Files in earlier directories win over later ones, so a town's own
``workflows_dir`` can replace a bundled definition of the same name. Definitions
of running cases are read back from the database (``workflow_version.source``), so
a case keeps the version it started with even after the file changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from caseflow.domain.workflow import WorkflowDefinition, parse_workflow
from caseflow.errors import NotFound, WorkflowDefinitionError

if TYPE_CHECKING:  # transitions costs ~30 ms to import: only paths that move cases pay it
    from caseflow.domain.lifecycle import Lifecycle


def read_definition(path: Path) -> WorkflowDefinition:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkflowDefinitionError(f"{path}: cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise WorkflowDefinitionError(f"{path}: is not UTF-8 text") from None
    return parse_workflow(text, str(path))


class WorkflowCatalog:
    """The current definitions (from files) and a lifecycle cache keyed by digest."""

    def __init__(self, directories: Iterable[Path]) -> None:
        self.directories = list(directories)
        self._current: dict[str, WorkflowDefinition] | None = None
        self._lifecycles: dict[str, Lifecycle] = {}
        self._lock = threading.Lock()

    def _files(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for directory in self.directories:
            if not directory.is_dir():
                continue
            for path in sorted(directory.glob("*.toml")):
                found.setdefault(path.stem, path)
        return found

    def current(self) -> dict[str, WorkflowDefinition]:
        """Every definition on disk, validated (the first bad file raises)."""
        if self._current is None:
            self._current = {name: read_definition(path) for name, path in self._files().items()}
        return self._current

    def get(self, name: str) -> WorkflowDefinition:
        path = self._files().get(name)
        if path is None:
            known = ", ".join(sorted(self._files())) or "none"
            raise NotFound(f"no workflow named {name!r}; known: {known}")
        if self._current is not None and name in self._current:
            return self._current[name]
        return read_definition(path)

    def lifecycle(self, definition: WorkflowDefinition) -> Lifecycle:
        from caseflow.domain.lifecycle import Lifecycle

        with self._lock:
            lifecycle = self._lifecycles.get(definition.digest)
            if lifecycle is None:
                lifecycle = self._lifecycles[definition.digest] = Lifecycle(definition)
            return lifecycle

    def from_source(self, source: str, name: str) -> WorkflowDefinition:
        """A stored definition (as a case started with it)."""
        return parse_workflow(source, f"<stored {name}>")
