"""What services hand back: plain, typed snapshots (never live ORM rows).

Field names are the JSON keys of the CLI's ``--json`` output, a public contract.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TeamView:
    code: str
    name: str
    members: int = 0


@dataclass(frozen=True)
class UserView:
    login: str
    name: str
    role: str
    team: str | None
    email: str | None = None
    active: bool = True
    lang: str | None = None


@dataclass(frozen=True)
class ProjectView:
    code: str
    name: str
    town: str
    workflow: str
    area_mu: float | None
    target_mu: float | None
    mode: str | None = None
    cases: int = 0
    cases_by_stage: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class EventView:
    id: int
    at: datetime
    actor: str
    action: str
    note: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ticket_id: int | None = None


@dataclass(frozen=True)
class TicketView:
    id: int
    case_id: int
    case_name: str
    title: str
    title_zh: str | None
    status: str
    assignee: str | None
    team: str | None
    due_at: datetime
    opened_at: datetime
    started_at: datetime | None
    closed_at: datetime | None
    level: int
    required: bool
    stage: str | None
    template_key: str | None
    due_rule: str | None
    close_note: str | None
    version: int
    history: list[EventView] = field(default_factory=list)
    evidence: list[Any] = field(default_factory=list)  # EvidenceView, by ``ticket show``

    def display_title(self, lang: str) -> str:
        return self.title_zh if lang.startswith("zh") and self.title_zh else self.title

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["evidence"] = [e.as_dict() for e in self.evidence]
        return data


@dataclass(frozen=True)
class CaseView:
    id: int
    project: str
    name: str
    credit_code: str | None
    area_mu: float | None
    stage: str
    stage_label_en: str
    stage_label_zh: str
    status: str
    team: str | None
    workflow: str
    workflow_version: int
    held_from: str | None
    facts: list[str]
    created_at: datetime
    stage_entered_at: datetime
    owner: str | None = None
    address: str | None = None
    contact: str | None = None
    allowed_triggers: list[str] = field(default_factory=list)
    tickets: list[TicketView] = field(default_factory=list)
    history: list[EventView] = field(default_factory=list)

    def stage_label(self, lang: str) -> str:
        return self.stage_label_zh if lang.startswith("zh") else self.stage_label_en

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
