"""Evidence (佐证材料): photos and files attached to a work order.

A supervisor signs an item off (销号) on the strength of what was done, and the
habit of Chinese supervision offices is to want it shown: site photos, the signed
agreement, the acceptance record. Each file is kept with its SHA-256, size, type
(sniffed from its bytes, never trusted from the sender) and uploader, in the
database (see migration 0006_evidence for why), and is never deleted.

A workflow template (``evidence = "close"`` or ``"signoff"``) or the escalation
policy (``[escalation] evidence = ...``) can make evidence a condition of closing an
order or of signing its clear-list item off; ``require`` is that one check.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from caseflow.errors import EvidenceRequired, InvalidInput, NotFound, PermissionDenied
from caseflow.persistence import tables as t
from caseflow.services import audit
from caseflow.services.app import App
from caseflow.services.permissions import Actor, can_work_on

MAX_BYTES = 20 * 1024 * 1024  # a phone photo is 2-8 MB; a scanned agreement PDF a few MB
MAX_FILES = 20
THUMBNAIL_PX = 480
# What a town office attaches. Types are sniffed from the bytes (filetype), so a
# renamed executable is refused however it is named.
ACCEPTED = {
    "image/jpeg", "image/png", "image/webp", "image/gif", "image/heic", "image/heif",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/msword", "application/vnd.ms-excel",
}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: the name the uploader gave it and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class EvidenceView:
    id: int
    ticket_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    has_thumbnail: bool = False

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("has_thumbnail")
        return data


def attach(app: App, actor: Actor, ticket_id: int, uploads: Sequence[Upload]) -> list[EvidenceView]:
    """Attach files to a work order; a file already on the order is not stored twice."""
    with app.transaction() as tx:
        ticket = _ticket(tx.conn, ticket_id)
        added = add(tx.conn, app, actor, ticket, uploads)
        tx.commit()
        return added


def add(conn: Connection, app: App, actor: Actor, ticket: Any,
        uploads: Sequence[Upload]) -> list[EvidenceView]:
    """Attach ``uploads`` inside the caller's transaction (closing with photos is one
    transaction: the photos, the close and their audit events commit together)."""
    if not uploads:
        raise InvalidInput("no files to attach")
    if len(uploads) > MAX_FILES:
        raise InvalidInput("at most {n} files at once", n=MAX_FILES)
    require_may_attach(actor, ticket)
    checked = [_checked(u) for u in uploads]
    now = app.clock.now()
    e, b = t.evidence, t.evidence_blob
    views = []
    for filename, data, kind in checked:
        digest = hashlib.sha256(data).hexdigest()
        if conn.execute(sa.select(b.c.sha256).where(b.c.sha256 == digest)).first() is None:
            conn.execute(b.insert().values(sha256=digest, size=len(data), data=data,
                                           thumbnail=_thumbnail(data, kind), created_at=now))
        found = conn.execute(sa.select(e.c.id).where(e.c.ticket_id == ticket.id,
                                                     e.c.sha256 == digest)).first()
        if found is None:
            new_id: int = conn.execute(e.insert().values(
                ticket_id=ticket.id, sha256=digest, filename=filename, content_type=kind,
                size=len(data), uploaded_by=actor.login, uploaded_at=now,
            ).returning(e.c.id)).scalar_one()
            audit.record(conn, at=now, actor=actor.login, action="ticket.evidence",
                         ticket=ticket, after={"evidence_id": new_id, "filename": filename,
                                               "sha256": digest, "size": len(data),
                                               "content_type": kind})
            found_id = new_id
        else:
            found_id = found.id
        views.append(_one(conn, found_id))
    return views


def require_may_attach(actor: Actor, ticket: Any) -> None:
    """Those who work the order, its team's lead, supervisors (inspection photos)."""
    lead_of = actor.role == "lead" and ticket.team_id == actor.team_id
    if can_work_on(actor, ticket) or lead_of or actor.role == "supervisor":
        return
    raise PermissionDenied("{login} may not attach evidence to work order #{id}",
                           login=actor.login, id=ticket.id)


def _checked(upload: Upload) -> tuple[str, bytes, str]:
    import filetype  # sniffs the type from the first bytes

    name = unicodedata.normalize("NFC", upload.filename or "").strip()
    name = _UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1])[-200:] or "file"
    size = len(upload.data)
    if size == 0:
        raise InvalidInput("“{name}” is empty", name=name)
    if size > MAX_BYTES:
        raise InvalidInput("“{name}” is {size} MB; a file may be at most {limit} MB",
                           name=name, size=f"{size / 1048576:.1f}", limit=MAX_BYTES // 1048576)
    kind = filetype.guess_mime(upload.data[:8192])
    if kind is None and upload.data[:5] == b"%PDF-":
        kind = "application/pdf"
    if kind not in ACCEPTED:
        raise InvalidInput("“{name}” is not a photo, PDF or Office document", name=name,
                           hint="attach JPEG/PNG/HEIC photos, PDF scans or Word/Excel files")
    return name, upload.data, kind


def _thumbnail(data: bytes, kind: str) -> bytes | None:
    """A small JPEG for lists on a phone: a 6 MB photo shown twenty times would not load."""
    if kind not in ("image/jpeg", "image/png", "image/webp", "image/gif"):
        return None
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > 80_000_000:
                return None
            image.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))
            small = ImageOps.exif_transpose(image) or image
            small = small.convert("RGB")
            small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80, optimize=True)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # shown as a file to open rather than a picture


def _ticket(conn: Connection, ticket_id: int) -> Any:
    ticket = conn.execute(sa.select(t.ticket).where(t.ticket.c.id == ticket_id)).first()
    if ticket is None:
        raise NotFound("no work order #{id}", id=ticket_id, hint="see `caseflow ticket list`")
    return ticket


_VIEW = sa.select(t.evidence, (t.evidence_blob.c.thumbnail.is_not(None)).label("thumb")).join(
    t.evidence_blob, t.evidence_blob.c.sha256 == t.evidence.c.sha256)


def _view(row: Any) -> EvidenceView:
    return EvidenceView(id=row.id, ticket_id=row.ticket_id, filename=row.filename,
                        content_type=row.content_type, size=row.size, sha256=row.sha256,
                        uploaded_by=row.uploaded_by, uploaded_at=row.uploaded_at,
                        has_thumbnail=bool(row.thumb))


def _one(conn: Connection, evidence_id: int) -> EvidenceView:
    row = conn.execute(_VIEW.where(t.evidence.c.id == evidence_id)).first()
    if row is None:
        raise NotFound("no evidence #{id}", id=evidence_id)
    return _view(row)


def for_tickets(executor: Any, ticket_ids: Iterable[int]) -> dict[int, list[EvidenceView]]:
    """Evidence per work order, oldest first (one query for a whole page of orders)."""
    ids = sorted(set(ticket_ids))
    found: dict[int, list[EvidenceView]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = executor.execute(_VIEW.where(t.evidence.c.ticket_id.in_(ids))
                            .order_by(t.evidence.c.uploaded_at, t.evidence.c.id))
    for row in rows:
        found[row.ticket_id].append(_view(row))
    return found


def for_orders(app: App, ticket_ids: Iterable[int]) -> dict[int, list[EvidenceView]]:
    """Evidence of a page of work orders (the clear-to-zero list shows it per item)."""
    with app.transaction(readonly=True) as tx:
        return for_tickets(tx.conn, ticket_ids)


def list_evidence(app: App, ticket_id: int) -> list[EvidenceView]:
    with app.transaction(readonly=True) as tx:
        _ticket(tx.conn, ticket_id)
        return for_tickets(tx.conn, [ticket_id])[ticket_id]


def content(app: App, evidence_id: int, *, thumbnail: bool = False) -> tuple[EvidenceView, bytes]:
    """The file's bytes (or its thumbnail's, a JPEG) to show or download."""
    with app.transaction(readonly=True) as tx:
        view = _one(tx.conn, evidence_id)
        b = t.evidence_blob
        column = b.c.thumbnail if thumbnail else b.c.data
        data = tx.conn.execute(sa.select(column).where(b.c.sha256 == view.sha256)).scalar()
        if data is None:
            raise NotFound("evidence #{id} has no thumbnail", id=evidence_id)
        return view, bytes(data)


def require(conn: Any, app: App, ticket: Any, point: str) -> None:
    """Refuse ``point`` (close or signoff) when the order's workflow or its escalation
    policy wants evidence and none is attached."""
    from caseflow.services.queries import definition_for

    case = conn.execute(sa.select(t.enterprise_case.c.workflow_version_id)
                        .where(t.enterprise_case.c.id == ticket.case_id)).first()
    if case is None:
        return
    definition = definition_for(app, conn, case.workflow_version_id)
    e = t.clear_list_entry
    on_list = conn.execute(sa.select(e.c.id).where(e.c.ticket_id == ticket.id)).first() \
        is not None
    if not definition.evidence_needed(ticket.template_key, on_list, point):
        return
    has = conn.execute(sa.select(t.evidence.c.id).where(t.evidence.c.ticket_id == ticket.id)
                       .limit(1)).first()
    if has is None:
        if point == "close":
            raise EvidenceRequired(
                "work order #{ticket_id} needs evidence (photos or files) before it can be "
                "closed", ticket_id=ticket.id, point=point,
                hint="attach them with: caseflow ticket attach {ticket_id} FILE...")
        raise EvidenceRequired(
            "work order #{ticket_id} needs evidence (photos or files) before it can be "
            "signed off", ticket_id=ticket.id, point=point,
            hint="attach them with: caseflow ticket attach {ticket_id} FILE...")
