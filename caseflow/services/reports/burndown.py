"""The clear-to-zero list's burndown: entries left at the end of each day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from caseflow.clock import local_date
from caseflow.domain.burndown import BurndownSeries
from caseflow.domain.calendar import end_of_day
from caseflow.errors import InvalidInput, NotFound
from caseflow.persistence.models import ClearListEntry, Team
from caseflow.services.app import App


def burndown(app: App, days: int = 30, team: str | None = None,
             last_day: date | None = None) -> BurndownSeries:
    """Open clear-list entries (open or awaiting sign-off) at the end of each of the
    ``days`` days up to ``last_day`` (default today), Shanghai time; today counts up to
    now and days after today are not drawn (a week still running)."""
    if not 1 <= days <= 366:
        raise InvalidInput(f"--days {days} must be between 1 and 366")
    now = app.clock.now()
    today = local_date(now)
    last = min(last_day, today) if last_day is not None else today
    first = (last_day or today) - timedelta(days=days - 1)
    if first > today:
        raise InvalidInput("{day} has not come yet; a burndown ends by today", day=first)
    dates = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    cutoffs = [min(end_of_day(d), now) for d in dates]
    with app.uow(readonly=True) as uow:
        session = uow.session
        where: list[Any] = [ClearListEntry.entered_at <= cutoffs[-1],
                            sa.or_(ClearListEntry.signed_off_at.is_(None),  # type: ignore[union-attr]
                                   ClearListEntry.signed_off_at > cutoffs[0])]  # type: ignore[operator]
        if team:
            team_id = session.exec(select(Team.id).where(Team.code == team)).first()
            if team_id is None:
                raise NotFound(f"no team with code {team!r}", hint="see `caseflow team list`")
            where.append(ClearListEntry.team_id == team_id)
        signed = ClearListEntry.signed_off_at
        columns = [sa.func.sum(sa.case((sa.and_(
            ClearListEntry.entered_at <= cut,
            sa.or_(signed.is_(None), signed > cut)), 1), else_=0))  # type: ignore[union-attr,operator]
            for cut in cutoffs]
        counts = session.execute(select(*columns).where(*where)).one()
    return BurndownSeries(dates=dates, open_counts=[int(n or 0) for n in counts])

