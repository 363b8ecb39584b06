"""Files caseflow writes for people (database, full export, reports) are private.

They hold names, phone numbers and the town's whole case history, so they are
created owner-only (0600) whatever the umask says; an existing file that is written
over is narrowed to the same. Whoever needs to share one copies it deliberately.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Owner read/write only.
FILE_MODE = 0o600


def make_private(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (empty) with mode 0600, or narrow an existing file to 0600,
    before it is written; the writer then opens it as usual ("w" keeps the mode)."""
    target = Path(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return target
