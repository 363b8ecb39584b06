"""The tables.

Nothing is ever deleted: work orders are the record. Every mutable row carries a
``version`` for optimistic concurrency (SQLAlchemy's version counter), so two people
closing the same order at once cannot both succeed. Timestamps are stored as
timezone-aware UTC (``TIMESTAMP WITH TIME ZONE`` on PostgreSQL; ISO text on SQLite,
read back through ``UTCDateTime`` so they are always aware).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from caseflow.persistence.types import (  # noqa: F401  (re-exported for callers)
    ALERT_STATUSES,
    CASE_STATUSES,
    ENTRY_STATUSES,
    ROLES,
    TICKET_STATUSES,
    JSONType,
    UTCDateTime,
)


def utc_column(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime(), nullable=nullable, index=index)


def version_column() -> sa.Column[int]:
    """A row version: SQLAlchemy issues UPDATE ... WHERE version = :seen and raises
    StaleDataError when somebody else updated the row first (optimistic locking)."""
    return sa.Column("version", sa.Integer, nullable=False, default=1)


def required_utc() -> Any:
    return Field(sa_type=UTCDateTime(), nullable=False)




class Team(SQLModel, table=True):
    __tablename__: ClassVar[str] = "team"  # type: ignore[misc]
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    created_at: datetime = required_utc()


class User(SQLModel, table=True):
    __tablename__: ClassVar[str] = "app_user"  # type: ignore[misc]
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    email: str | None = Field(default=None, max_length=254)
    active: bool = Field(default=True)
    created_at: datetime = required_utc()
    # The language alerts and the CLI speak to this user in (``zh_CN``, ``en``);
    # None: the town's ``language`` in the config, else zh_CN.
    lang: str | None = Field(default=None, max_length=16)
    # argon2id, PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash); None: cannot sign in
    password_hash: str | None = Field(default=None, max_length=200)
    password_changed_at: datetime | None = utc_column()


class ApiToken(SQLModel, table=True):
    """A personal token (``Authorization: Bearer ...``) issued at sign-in.

    Only the SHA-256 of the token is kept: the token is 256 random bits, so a fast
    hash is as safe as a slow one and lets every request be checked in one indexed
    lookup. Revoking sets ``revoked_at``; nothing is deleted.
    """

    __tablename__: ClassVar[str] = "api_token"  # type: ignore[misc]
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=64)
    created_at: datetime = required_utc()
    last_used_at: datetime | None = utc_column()
    revoked_at: datetime | None = utc_column()


class SignInAttempt(SQLModel, table=True):
    """Every password sign-in, kept in the database so that throttling holds across
    server processes and workers: too many failures per login or per address in a
    window and further attempts are refused for a while."""

    __tablename__: ClassVar[str] = "sign_in_attempt"  # type: ignore[misc]
    __table_args__ = (
        sa.Index("ix_sign_in_login_at", "login", "at"),
        sa.Index("ix_sign_in_address_at", "address", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64)
    address: str = Field(max_length=64)
    at: datetime = required_utc()
    ok: bool = Field(default=False)


class WorkflowVersion(SQLModel, table=True):
    """A workflow definition as it was when cases started on it (its TOML source)."""

    __tablename__: ClassVar[str] = "workflow_version"  # type: ignore[misc]
    __table_args__ = (sa.UniqueConstraint("name", "digest", name="uq_workflow_version_digest"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, index=True)
    version: int
    digest: str = Field(max_length=64)
    source: str = Field(sa_type=sa.Text())
    registered_at: datetime = required_utc()


class Project(SQLModel, table=True):
    __tablename__: ClassVar[str] = "project"  # type: ignore[misc]
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    town: str = Field(max_length=100, index=True)
    workflow: str = Field(max_length=64)
    mode: str | None = Field(default=None, max_length=40)
    area_mu: float | None = None
    target_mu: float | None = None
    created_at: datetime = required_utc()


_case_version = version_column()


class Case(SQLModel, table=True):
    """An enterprise (or parcel) moving through a lifecycle."""

    __tablename__: ClassVar[str] = "enterprise_case"  # type: ignore[misc]
    __table_args__ = (
        sa.Index("ix_case_project_stage", "project_id", "stage"),
        sa.Index("uq_case_project_credit_code", "project_id", "credit_code", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    workflow_version_id: int = Field(foreign_key="workflow_version.id")
    name: str = Field(max_length=200)
    credit_code: str | None = Field(default=None, max_length=18)
    area_mu: float | None = None
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    owner: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=300)
    contact: str | None = Field(default=None, max_length=100)
    stage: str = Field(max_length=64)
    status: str = Field(default="active", max_length=16)
    held_from: str | None = Field(default=None, max_length=64)
    stage_entered_at: datetime = required_utc()
    created_at: datetime = required_utc()
    updated_at: datetime = required_utc()
    version: int = Field(default=1, sa_column=_case_version)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _case_version}


_ticket_version = version_column()


class CaseFact(SQLModel, table=True):
    """Something known about a case, recorded when the work order that establishes it
    is closed (e.g. ``agreement_signed``); guards of transitions read these.

    A separate insert-only row rather than a column on the case, so that closing two
    work orders of one case at the same moment never conflicts on the case row.
    Reopening the order retracts the fact (``retracted_at``); nothing is deleted.
    """

    __tablename__: ClassVar[str] = "case_fact"  # type: ignore[misc]
    __table_args__ = (sa.UniqueConstraint("case_id", "fact", name="uq_case_fact"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="enterprise_case.id")
    fact: str = Field(max_length=64)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    recorded_at: datetime = required_utc()
    recorded_by: str = Field(max_length=64)
    retracted_at: datetime | None = utc_column()


class Ticket(SQLModel, table=True):
    """A work order (工单)."""

    __tablename__: ClassVar[str] = "ticket"  # type: ignore[misc]
    __table_args__ = (
        # a person's open work orders, soonest due first; opened_at and status make
        # it cover the weekly report's overdue count (migration 0004_weekly)
        sa.Index("ix_ticket_assignee_open", "assignee_id", "due_at", "opened_at", "status",
                 sqlite_where=sa.text("status IN ('open', 'in_progress')"),
                 postgresql_where=sa.text("status IN ('open', 'in_progress')")),
        # a team's open work orders (unassigned ones are the team's queue)
        sa.Index("ix_ticket_team_open", "team_id", "due_at", "opened_at", "status",
                 sqlite_where=sa.text("status IN ('open', 'in_progress')"),
                 postgresql_where=sa.text("status IN ('open', 'in_progress')")),
        # open work orders by due time: the sweep's range scan, and the weekly
        # report's overdue count by project or town (through case_id)
        sa.Index("ix_ticket_open_due", "due_at", "opened_at", "status", "case_id",
                 sqlite_where=sa.text("status IN ('open', 'in_progress')"),
                 postgresql_where=sa.text("status IN ('open', 'in_progress')")),
        sa.Index("ix_ticket_case_stage", "case_id", "stage"),
        # reports: orders closed after a past week's end (migration 0003_reports)
        sa.Index("ix_ticket_closed_at", "closed_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="enterprise_case.id")
    stage: str | None = Field(default=None, max_length=64)
    template_key: str | None = Field(default=None, max_length=64)
    title: str = Field(max_length=300)
    title_zh: str | None = Field(default=None, max_length=300)
    required: bool = Field(default=False)
    records: str | None = Field(default=None, max_length=64)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    status: str = Field(default="open", max_length=16)
    due_rule: str | None = Field(default=None, max_length=16)
    due_at: datetime = required_utc()
    opened_at: datetime = required_utc()
    started_at: datetime | None = utc_column()
    closed_at: datetime | None = utc_column()
    closed_by: str | None = Field(default=None, max_length=64)
    close_note: str | None = Field(default=None, sa_type=sa.Text())
    level: int = Field(default=0)
    version: int = Field(default=1, sa_column=_ticket_version)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _ticket_version}


_entry_version = version_column()


class ClearListEntry(SQLModel, table=True):
    """A work order on the clear-to-zero list (清零清单): at most one live entry (open or
    awaiting sign-off) per order; an order reopened after its sign-off comes back as a
    new entry, the old one kept as history."""

    __tablename__: ClassVar[str] = "clear_list_entry"  # type: ignore[misc]
    __table_args__ = (
        sa.Index("ix_entry_open", "status", "level",
                 sqlite_where=sa.text("status != 'signed_off'"),
                 postgresql_where=sa.text("status != 'signed_off'")),
        sa.Index("ix_entry_next_level", "next_level_at",
                 sqlite_where=sa.text("status = 'open' AND next_level_at IS NOT NULL"),
                 postgresql_where=sa.text("status = 'open' AND next_level_at IS NOT NULL")),
        # the board's page of what is left, in its order, and the per-team counts
        # (migration 0007_board_list)
        sa.Index("ix_entry_left_order", sa.text("level DESC"), "entered_at", "id",
                 sqlite_where=sa.text("status != 'signed_off'"),
                 postgresql_where=sa.text("status != 'signed_off'")),
        sa.Index("ix_entry_left_team", "team_id", "level",
                 sqlite_where=sa.text("status != 'signed_off'"),
                 postgresql_where=sa.text("status != 'signed_off'")),
        # one live entry per order (migration 0008_entry_episodes)
        sa.Index("ix_entry_ticket", "ticket_id"),
        sa.Index("ux_entry_live_ticket", "ticket_id", unique=True,
                 sqlite_where=sa.text("status != 'signed_off'"),
                 postgresql_where=sa.text("status != 'signed_off'")),
    )
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    level: int = Field(default=1)
    status: str = Field(default="open", max_length=20)
    entered_at: datetime = required_utc()
    level_raised_at: datetime | None = utc_column()
    next_level_at: datetime | None = utc_column()
    awaiting_since: datetime | None = utc_column()
    signed_off_at: datetime | None = utc_column()
    signed_off_by: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, sa_type=sa.Text())
    version: int = Field(default=1, sa_column=_entry_version)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _entry_version}


class EvidenceBlob(SQLModel, table=True):
    """The bytes of one evidence file, stored once however often it is attached
    (keyed by its SHA-256), with a small JPEG thumbnail for pictures."""

    __tablename__: ClassVar[str] = "evidence_blob"  # type: ignore[misc]
    sha256: str = Field(max_length=64, primary_key=True)
    size: int
    data: bytes = Field(sa_type=sa.LargeBinary())
    thumbnail: bytes | None = Field(default=None, sa_type=sa.LargeBinary())
    created_at: datetime = required_utc()


class Evidence(SQLModel, table=True):
    """A file attached to a work order as evidence (现场照片, 协议, 验收记录): who
    uploaded what, when; the bytes live in ``evidence_blob``. Never deleted."""

    __tablename__: ClassVar[str] = "evidence"  # type: ignore[misc]
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "sha256", name="uq_evidence_ticket_file"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    sha256: str = Field(max_length=64, foreign_key="evidence_blob.sha256")
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    uploaded_by: str = Field(max_length=64)
    uploaded_at: datetime = required_utc()


class Alert(SQLModel, table=True):
    """The outbox: one row per (work order, level, recipient, channel, kind)."""

    __tablename__: ClassVar[str] = "alert"  # type: ignore[misc]
    __table_args__ = (
        sa.UniqueConstraint("dedup_key", "recipient", "channel", name="uq_alert_once"),
        sa.Index("ix_alert_due", "next_attempt_at",
                 sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    dedup_key: str = Field(max_length=120)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    level: int | None = None
    recipient: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=sa.Text())
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = required_utc()
    next_attempt_at: datetime | None = utc_column()
    sent_at: datetime | None = utc_column()
    last_error: str | None = Field(default=None, sa_type=sa.Text())


class AuditEvent(SQLModel, table=True):
    """Who did what, when and why, written in the same transaction as the change.

    ``team_id`` and ``project_id`` are copied from the subject at the time of the
    event so that reports of past weeks are reproducible from events alone.
    """

    __tablename__: ClassVar[str] = "audit_event"  # type: ignore[misc]
    __table_args__ = (
        sa.Index("ix_audit_at", "at"),
        sa.Index("ix_audit_ticket", "ticket_id"),
        sa.Index("ix_audit_case", "case_id"),
        # reports: one week / one year of one kind of event (migration 0003_reports)
        sa.Index("ix_audit_action_at", "action", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = required_utc()
    actor: str = Field(max_length=64)
    action: str = Field(max_length=40)
    entity: str = Field(max_length=20)
    case_id: int | None = None
    ticket_id: int | None = None
    entry_id: int | None = None
    team_id: int | None = None
    project_id: int | None = None
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    note: str | None = Field(default=None, sa_type=sa.Text())
    # how the actor came: the token they signed in with and their address (server);
    # both None for the command run locally (the OS login)
    token_id: int | None = None
    address: str | None = Field(default=None, max_length=64)


class SweepState(SQLModel, table=True):
    """The escalation sweep's watermark (one row, id 1): the latest ``as_of`` swept and
    the last audit event seen, so a sweep looks only at what changed since."""

    __tablename__: ClassVar[str] = "sweep_state"  # type: ignore[misc]
    id: int | None = Field(default=None, primary_key=True)
    last_as_of: datetime | None = utc_column()
    last_event_id: int = Field(default=0)
    swept_at: datetime | None = utc_column()
    sweeps: int = Field(default=0)


metadata = SQLModel.metadata
