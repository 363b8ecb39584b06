"""Progress against the year's target: area through demolition, the stage funnel, the pace."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from caseflow.clock import local_date
from caseflow.domain.workflow import ANY, PREVIOUS, WorkflowDefinition
from caseflow.errors import InvalidInput
from caseflow.persistence import tables as t
from caseflow.services.app import App
from caseflow.services.reports.weeks import midnight, percent

PROGRESS_UNITS = ("project", "town")


@dataclass
class FunnelStep:
    workflow: str
    stage: str
    label_en: str
    label_zh: str
    cases: int


@dataclass
class ProgressRow:
    unit: str
    unit_name: str
    workflows: list[str]
    through_mu: float            # area of cases that passed demolition this year
    through_cases: int
    target_mu: float | None
    completion_rate: float | None  # percent, two decimals
    projected_mu: float | None   # at the current pace, by 31 December
    projected_rate: float | None
    relocated: int               # enterprises that left the relocate stage this year
    cases: int                   # cases now (all stages)
    funnel: list[FunnelStep] = field(default_factory=list)


@dataclass
class ProgressReport:
    year: int
    by: str
    as_of: date                  # the last day counted (today, or 31 December)
    elapsed_days: int
    days_in_year: int
    rows: list[ProgressRow] = field(default_factory=list)


PASSED_STAGE = "demolish"
RELOCATE_STAGE = "relocate"


def _forward_triggers(definitions: Iterable[WorkflowDefinition], stage: str) -> set[str]:
    """Triggers that move a case out of ``stage`` onto a work or final stage."""
    triggers: set[str] = set()
    for definition in definitions:
        kinds = {s.name: s.kind for s in definition.stages}
        for move in definition.transitions:
            if move.dest in (PREVIOUS, stage) or kinds.get(move.dest) == "side":
                continue
            if stage in move.sources or ANY in move.sources:
                triggers.add(move.trigger)
    return triggers


def _passed(triggers: set[str], stage: str, start: datetime, end: datetime) -> Any:
    """One row per case that left ``stage`` forward within [start, end)."""
    e = t.audit_event
    return (sa.select(e.c.case_id).where(
        e.c.action.in_(sorted(f"case.{name}" for name in triggers)),
        e.c.at >= start, e.c.at < end,
        e.c.before["stage"].as_string() == stage).distinct().subquery())


def progress(app: App, year: int | None = None, by: str = "project") -> ProgressReport:
    """Area through demolition against the annual target, the stage funnel and the pace."""
    if by not in PROGRESS_UNITS:
        raise InvalidInput(f"--by {by!r} must be one of {', '.join(PROGRESS_UNITS)}")
    today = local_date(app.clock.now())
    year = year or today.year
    if year > today.year:
        raise InvalidInput(f"{year} has not started yet", hint=f"pick {today.year} or earlier")
    first, last = date(year, 1, 1), date(year, 12, 31)
    as_of = min(today, last)
    days_in_year = (last - first).days + 1
    elapsed = (as_of - first).days + 1
    start = midnight(first)
    end = min(midnight(last + timedelta(days=1)), app.clock.now() + timedelta(microseconds=1))
    Case = t.enterprise_case.c  # noqa: N806  (reads like the model it stands for)
    with app.transaction(readonly=True) as tx:
        session = tx.conn
        definitions = _definitions(app, session)
        projects = session.execute(sa.select(t.project).order_by(t.project.c.code)).all()
        unit_of = {p.id: (p.code if by == "project" else p.town) for p in projects}
        rows: dict[str, ProgressRow] = {}
        for p in projects:
            unit = unit_of[p.id]
            r = rows.setdefault(unit, ProgressRow(
                unit=unit, unit_name=p.name if by == "project" else p.town, workflows=[],
                through_mu=0.0, through_cases=0, target_mu=None, completion_rate=None,
                projected_mu=None, projected_rate=None, relocated=0, cases=0))
            if p.workflow not in r.workflows:
                r.workflows.append(p.workflow)
            if p.target_mu is not None:
                r.target_mu = (r.target_mu or 0.0) + p.target_mu
        through = _passed(_forward_triggers(definitions, PASSED_STAGE), PASSED_STAGE,
                          start, end)
        for pid, n, area in session.execute(
                sa.select(Case.project_id, sa.func.count(), sa.func.sum(Case.area_mu))
                .join(through, through.c.case_id == Case.id).group_by(Case.project_id)):
            r = rows[unit_of[pid]]
            r.through_cases += n
            r.through_mu += float(area or 0)
        moved = _passed(_forward_triggers(definitions, RELOCATE_STAGE), RELOCATE_STAGE,
                        start, end)
        for pid, n in session.execute(
                sa.select(Case.project_id, sa.func.count())
                .join(moved, moved.c.case_id == Case.id).group_by(Case.project_id)):
            rows[unit_of[pid]].relocated += n
        workflow_of = {p.id: p.workflow for p in projects}
        stage_counts: dict[str, dict[str, dict[str, int]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(int)))
        for pid, stage, n in session.execute(
                sa.select(Case.project_id, Case.stage, sa.func.count())
                .group_by(Case.project_id, Case.stage)):
            stage_counts[unit_of[pid]][workflow_of[pid]][stage] += n
    for unit, r in rows.items():
        r.through_mu = round(r.through_mu, 4)
        if r.target_mu:
            r.completion_rate = percent(r.through_mu, r.target_mu)
        r.projected_mu = round(r.through_mu / elapsed * days_in_year, 2)
        if r.target_mu:
            r.projected_rate = percent(r.projected_mu, r.target_mu)
        r.funnel = _funnel(definitions, r.workflows, stage_counts[unit])
        r.cases = sum(n for by_stage in stage_counts[unit].values() for n in by_stage.values())
    return ProgressReport(year=year, by=by, as_of=as_of, elapsed_days=elapsed,
                          days_in_year=days_in_year, rows=list(rows.values()))


def _definitions(app: App, conn: Any) -> list[WorkflowDefinition]:
    """Every workflow version cases run under, plus the current files."""
    from caseflow.services.queries import definition_for

    stored = [definition_for(app, conn, vid)
              for vid in conn.execute(sa.select(t.workflow_version.c.id)).scalars()
              if vid is not None]
    return stored + list(app.workflows.current().values())


def _funnel(definitions: list[WorkflowDefinition], workflows: list[str],
            counts: dict[str, dict[str, int]]) -> list[FunnelStep]:
    """Cases per stage, one chain per workflow in lifecycle order (谈 → 移 → 拆 → 建 → 引 →
    done, then held and withdrawn), labels from the newest definition of each workflow."""
    newest = {d.name: d for d in sorted(definitions, key=lambda d: d.version)}
    steps: list[FunnelStep] = []
    for name in workflows:
        definition = newest.get(name)
        found = counts.get(name, {})
        if definition is None:
            steps += [FunnelStep(name, st, st, st, n) for st, n in sorted(found.items())]
            continue
        ordered = sorted(definition.stages, key=lambda st: st.kind == "side")
        steps += [FunnelStep(name, st.name, st.label_en, st.label_zh, found.get(st.name, 0))
                  for st in ordered]
        known = {st.name for st in definition.stages}
        steps += [FunnelStep(name, st, st, st, n) for st, n in sorted(found.items())
                  if st not in known]  # stages of an older version of the workflow
    return steps

