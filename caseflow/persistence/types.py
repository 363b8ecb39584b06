"""Column types shared by the ORM models and the generated Core tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = sa.JSON()

ROLES = ("member", "lead", "supervisor", "admin")
TICKET_STATUSES = ("open", "in_progress", "closed", "cancelled")
CASE_STATUSES = ("active", "on_hold", "withdrawn", "done")
ENTRY_STATUSES = ("open", "awaiting_signoff", "signed_off")
ALERT_STATUSES = ("pending", "sent", "failed")
