"""The clear-to-zero list's burndown: entries left at the end of each day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from caseflow.clock import local_date
from caseflow.domain.burndown import BurndownSeries
from caseflow.domain.calendar import end_of_day
from caseflow.errors import InvalidInput, NotFound
from caseflow.persistence import tables as t
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
    entry = t.clear_list_entry.c
    with app.transaction(readonly=True) as tx:
        where: list[Any] = [entry.entered_at <= cutoffs[-1],
                            sa.or_(entry.signed_off_at.is_(None),
                                   entry.signed_off_at > cutoffs[0])]
        if team:
            team_id = tx.conn.execute(sa.select(t.team.c.id).where(t.team.c.code == team)
                                      ).scalar()
            if team_id is None:
                raise NotFound(f"no team with code {team!r}", hint="see `caseflow team list`")
            where.append(entry.team_id == team_id)
        signed = entry.signed_off_at
        columns = [sa.func.sum(sa.case((sa.and_(
            entry.entered_at <= cut,
            sa.or_(signed.is_(None), signed > cut)), 1), else_=0))
            for cut in cutoffs]
        counts = tx.conn.execute(sa.select(*columns).where(*where)).one()
    return BurndownSeries(dates=dates, open_counts=[int(n or 0) for n in counts])

