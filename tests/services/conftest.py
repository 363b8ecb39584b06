"""Fixtures for the escalation services: a case with an ad-hoc work order for zhang."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from caseflow.services import cases, tickets
from caseflow.services.app import App
from tests.conftest import Town


@dataclass
class Overdue:
    case_id: int
    ticket_id: int


@pytest.fixture
def order(app: App, town: Town) -> Overdue:
    """Case 定溪五金厂 in SW01 (negotiation) with an order for zhang due Wed 2026-03-04."""
    view = cases.add_case(app, town.lead, "SW01", cases.NewCase(name="定溪五金厂",
                                                                 team="negotiation"))
    ticket = tickets.add_ticket(app, town.lead, view.id, "补交土地权属材料",
                                due_on=date(2026, 3, 4), assignee="zhang")
    return Overdue(view.id, ticket.id)
