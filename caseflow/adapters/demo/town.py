"""Building a demo town through the services: teams, staff, projects and cases.

Everything goes through the same service functions the CLI uses, so a demo database
is exactly what a real town would have after the same work.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from caseflow.adapters.demo import names
from caseflow.domain.credit_code import make_credit_code
from caseflow.services import cases, directory, projects
from caseflow.services.app import App
from caseflow.services.permissions import Actor

ADMIN = "admin"


@dataclass
class Town:
    seed: names.TownSeed
    admin: Actor
    leads: dict[str, Actor] = field(default_factory=dict)          # team -> lead
    members: dict[str, list[Actor]] = field(default_factory=dict)  # team -> members
    supervisors: list[Actor] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)

    def staff_count(self) -> int:
        return len(self.leads) + sum(len(m) for m in self.members.values()) \
            + len(self.supervisors)


def build_people(app: App, seed: names.TownSeed, rng: random.Random) -> Town:
    admin = directory.resolve_actor(app, ADMIN)
    town = Town(seed=seed, admin=admin)
    taken: set[str] = {ADMIN}
    for code, team_name in names.TEAMS:
        directory.add_team(app, admin, code, team_name)
    domain = f"{seed.key}.gov.example"
    for code, _team_name in names.TEAMS:
        leads, members, supervisors = seed.staff.get(code, (0, 0, 0))
        town.members[code] = []
        for role, count in (("lead", leads), ("member", members), ("supervisor", supervisors)):
            for i in range(count):
                login, name = names.person(rng, taken)
                directory.add_user(app, admin, login, name, role, team=code,
                                   email=f"{login}@{domain}")
                actor = directory.resolve_actor(app, login)
                if role == "lead" and i == 0:
                    town.leads[code] = actor
                elif role in ("lead", "member"):
                    town.members[code].append(actor)
                else:
                    town.supervisors.append(actor)
    return town


def add_projects(app: App, town: Town) -> None:
    for p in town.seed.projects:
        projects.add_project(app, town.admin, p.code, p.name, p.town, town.seed.workflow,
                             area_mu=p.area_mu, target_mu=p.target_mu, mode=p.mode)


def case_batches(town: Town, rng: random.Random, count: int) -> dict[str, list[cases.NewCase]]:
    """``count`` enterprises spread over the projects by area; areas add up to roughly
    the project's area (several firms share a parcel, some parcels are collective land)."""
    seed = town.seed
    total_area = sum(p.area_mu for p in seed.projects)
    taken_names: set[str] = set()
    codes: set[str] = set()
    batches: dict[str, list[cases.NewCase]] = {}
    for p in seed.projects:
        n = max(2, round(count * p.area_mu / total_area))
        weights = [rng.lognormvariate(0, 0.7) for _ in range(n)]
        scale = p.area_mu * 0.9 / sum(weights)
        rows = []
        for w in weights:
            code = make_credit_code(rng, seed.region)
            while code in codes:
                code = make_credit_code(rng, seed.region)
            codes.add(code)
            owner = names.person(rng, set())[1]
            rows.append(cases.NewCase(
                name=names.enterprise(rng, p.town, seed.workflow == "tuisan", taken_names),
                credit_code=code, area_mu=round(max(w * scale, 0.8), 2), team="office",
                owner=owner, address=f"{p.town}{p.name[len(p.town):len(p.town) + 4]}",
                contact=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"))
        batches[p.code] = rows
    return batches


def add_cases(app: App, town: Town, batches: dict[str, list[cases.NewCase]],
              note: str) -> list[int]:
    ids: list[int] = []
    for code, rows in batches.items():
        ids.extend(cases.add_cases(app, town.admin, code, rows, note=note))
    town.case_ids.extend(ids)
    return ids


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)
