"""Projects: a contiguous area of a town renovated under one workflow."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session, select

from caseflow.domain import values
from caseflow.errors import InvalidInput, NotFound, Refused
from caseflow.persistence.models import Case, Project
from caseflow.services import audit
from caseflow.services.app import App
from caseflow.services.permissions import Actor, require_role
from caseflow.services.views import ProjectView

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def project_by_code(session: Session, code: str) -> Project:
    project = session.exec(select(Project).where(Project.code == code)).first()
    if project is None:
        raise NotFound(f"no project with code {code!r}", hint="see `caseflow project list`")
    return project


def add_project(
    app: App, actor: Actor, code: str, name: str, town: str, workflow: str,
    area_mu: float | None = None, target_mu: float | None = None, mode: str | None = None,
) -> ProjectView:
    require_role(actor, "admin", doing="add projects")
    if not _CODE.match(code):
        raise InvalidInput(f"project code {code!r} must be letters, digits, _ . - (at most 40)")
    if not name.strip() or not town.strip():
        raise InvalidInput("a project needs a name and a town")
    name = values.text(name, "project name", limit="name") or name
    town = values.text(town, "town", limit="town") or town
    mode = values.optional_text(mode, "mode", limit="mode")
    area_mu = values.area_mu(area_mu, "area")
    target_mu = values.area_mu(target_mu, "target area")
    app.workflows.get(workflow)  # unknown workflow: NotFound listing the known ones
    with app.uow() as uow:
        if uow.session.exec(select(Project).where(Project.code == code)).first():
            raise Refused(f"project {code!r} already exists")
        now = app.clock.now()
        project = Project(code=code, name=name.strip(), town=town.strip(), workflow=workflow,
                          area_mu=area_mu, target_mu=target_mu, mode=mode, created_at=now)
        uow.session.add(project)
        uow.session.flush()
        audit.record(uow.session, at=now, actor=actor.login, action="project.add",
                     project_id=project.id, after=_summary(project))
        uow.commit()
    return _view(project, {})


def _summary(project: Project) -> dict[str, object]:
    return {"code": project.code, "name": project.name, "town": project.town,
            "workflow": project.workflow, "area_mu": project.area_mu,
            "target_mu": project.target_mu, "mode": project.mode}


def _view(project: Project, by_stage: dict[str, int]) -> ProjectView:
    return ProjectView(
        code=project.code, name=project.name, town=project.town, workflow=project.workflow,
        area_mu=project.area_mu, target_mu=project.target_mu, mode=project.mode,
        cases=sum(by_stage.values()), cases_by_stage=by_stage,
    )


def _stage_counts(session: Session, project_ids: list[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {pid: {} for pid in project_ids}
    if not project_ids:
        return counts
    rows = session.exec(
        select(Case.project_id, Case.stage, sa.func.count(Case.id))
        .where(Case.project_id.in_(project_ids))  # type: ignore[attr-defined]
        .group_by(Case.project_id, Case.stage)
    ).all()
    for pid, stage, n in rows:
        counts[pid][stage] = n
    return counts


def list_projects(app: App, town: str | None = None) -> list[ProjectView]:
    with app.uow(readonly=True) as uow:
        query = select(Project).order_by(Project.town, Project.code)
        if town:
            query = query.where(Project.town == town)
        projects = uow.session.exec(query).all()
        counts = _stage_counts(uow.session, [p.id for p in projects if p.id is not None])
        return [_view(p, counts.get(p.id or 0, {})) for p in projects]


def show_project(app: App, code: str) -> ProjectView:
    with app.uow(readonly=True) as uow:
        project = project_by_code(uow.session, code)
        return _view(project, _stage_counts(uow.session, [project.id or 0])[project.id or 0])


def towns(app: App) -> list[str]:
    """The towns that have projects, for filters."""
    with app.uow(readonly=True) as uow:
        rows = uow.session.exec(select(Project.town).distinct().order_by(Project.town)).all()
        return [str(town) for town in rows]
