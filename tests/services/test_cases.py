"""Cases through their lifecycle, on SQLite and PostgreSQL."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from caseflow.domain.credit_code import make_credit_code
from caseflow.domain.durations import parse_duration
from caseflow.errors import (
    GuardFailed,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Refused,
)
from caseflow.services import cases, tickets
from caseflow.services.app import App
from tests.conftest import Town

CODE = make_credit_code(random.Random(7))


def _counts(app: App) -> tuple[int, int, int]:
    with app.engine.connect() as conn:
        return tuple(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()  # type: ignore[return-value]
                     for t in ("enterprise_case", "ticket", "audit_event"))


def _new(name: str = "中山市神湾五金制品有限公司", code: str | None = CODE) -> cases.NewCase:
    return cases.NewCase(name=name, credit_code=code, area_mu=12.5, team="negotiation")


def close_required(app: App, town: Town, case_id: int) -> None:
    for t in cases.show_case(app, case_id).tickets:
        if t.required and t.status == "open" and t.stage == cases.show_case(app, case_id).stage:
            tickets.close(app, town.admin, t.id, "done")


def test_new_case_opens_first_stage_orders_with_working_day_deadlines(app: App, town: Town) -> None:
    case = cases.add_case(app, town.admin, "SW01", _new())
    shown = cases.show_case(app, case.id)
    assert (shown.stage, shown.status, shown.stage_label_zh) == ("negotiate", "active", "谈")
    assert {t.template_key for t in shown.tickets} >= {"sign_agreement"}
    sign = next(t for t in shown.tickets if t.template_key == "sign_agreement")
    assert sign.team == "negotiation" and sign.required and sign.status == "open"
    # opened Monday 2026-03-02, due in 20 working days: Monday 2026-03-30, 23:59:59 Shanghai
    assert sign.due_rule == "20wd"
    assert sign.due_at.isoformat() == "2026-03-30T15:59:59+00:00"
    actions = [e.action for e in shown.history]
    assert actions[0] == "case.open" and actions.count("ticket.open") == len(shown.tickets)


def test_advance_refused_until_required_orders_closed(app: App, town: Town) -> None:
    case = cases.add_case(app, town.admin, "SW01", _new())
    before = _counts(app)
    with pytest.raises(GuardFailed, match="is not closed"):
        cases.advance(app, town.lead, case.id)
    assert _counts(app) == before
    close_required(app, town, case.id)
    moved = cases.advance(app, town.lead, case.id, note="协议已签", open_orders="cancel")
    assert (moved.source, moved.case.stage) == ("negotiate", "relocate")
    assert moved.opened and all(t.stage == "relocate" for t in moved.opened)
    # optional orders left behind are cancelled (asked for), not deleted, the note on each
    left = [t for t in cases.show_case(app, case.id).tickets if t.stage == "negotiate"]
    assert {t.status for t in left if not t.required} <= {"cancelled", "closed"}
    event = cases.show_case(app, case.id).history[-1]
    assert event.action in ("case.relocate", "ticket.open", "ticket.cancel")


def test_illegal_trigger_and_unknown_case(app: App, town: Town) -> None:
    case = cases.add_case(app, town.admin, "SW01", _new())
    with pytest.raises(IllegalTransition, match="allowed: relocate, hold, withdraw"):
        cases.advance(app, town.admin, case.id, "build")
    with pytest.raises(NotFound, match="no case #999"):
        cases.advance(app, town.admin, 999)


def test_hold_resume_withdraw(app: App, town: Town) -> None:
    case = cases.add_case(app, town.admin, "SW01", _new())
    with pytest.raises(InvalidInput, match="--reason"):
        cases.hold(app, town.lead, case.id, " ")
    assert cases.hold(app, town.lead, case.id, "企业主出国").case.status == "on_hold"
    assert cases.resume(app, town.lead, case.id).case.stage == "negotiate"
    withdrawn = cases.withdraw(app, town.lead, case.id, "企业自行关停")
    assert withdrawn.case.status == "withdrawn" and withdrawn.cancelled
    assert all(t.status == "cancelled" for t in cases.show_case(app, case.id).tickets)
    with pytest.raises(Refused, match="withdrawn; it takes no new work orders"):
        tickets.add_ticket(app, town.lead, case.id, "补充材料", within=parse_duration("5wd"))


def test_full_gongai_lifecycle_to_done(app: App, town: Town) -> None:
    case = cases.add_case(app, town.admin, "SW01", _new())
    for expected in ["relocate", "demolish", "build", "attract", "done"]:
        close_required(app, town, case.id)
        assert cases.advance(app, town.admin, case.id, note="下一环节",
                             open_orders="cancel").case.stage == expected
    assert cases.show_case(app, case.id).status == "done"


def test_case_keeps_its_workflow_version_when_the_file_changes(app: App, town: Town,
                                                                tmp_path) -> None:  # type: ignore[no-untyped-def]
    case = cases.add_case(app, town.admin, "SW01", _new())
    from caseflow.config import bundled_workflows_dir

    changed = (bundled_workflows_dir() / "gongai.toml").read_text(encoding="utf-8")
    changed = changed.replace("version = 1", "version = 2").replace('label_zh = "移"',
                                                                    'label_zh = "腾挪"')
    town_dir = tmp_path / "town-workflows"
    town_dir.mkdir()
    (town_dir / "gongai.toml").write_text(changed, encoding="utf-8")
    app.settings.workflow_dirs.insert(0, town_dir)
    app.__dict__.pop("workflows", None)
    newer = cases.add_case(app, town.admin, "SW01", _new("中山市新厂", make_credit_code(random.Random(8))))
    assert cases.show_case(app, case.id).workflow_version == 1
    assert cases.show_case(app, newer.id).workflow_version == 2
    close_required(app, town, case.id)
    assert cases.advance(app, town.admin, case.id,
                         open_orders="keep").case.stage_label_zh == "移"


def test_duplicate_credit_code_and_bad_input(app: App, town: Town) -> None:
    cases.add_case(app, town.admin, "SW01", _new())
    before = _counts(app)
    with pytest.raises(Refused, match="already belongs to case #1"):
        cases.add_case(app, town.admin, "SW01", _new("另一家"))
    with pytest.raises(InvalidInput, match="check digit"):
        cases.add_case(app, town.admin, "SW01", _new(code=CODE[:-1] + ("0" if CODE[-1] != "0" else "1")))
    with pytest.raises(InvalidInput, match="positive"):
        cases.add_case(app, town.admin, "SW01", cases.NewCase(name="x", area_mu=-1))
    with pytest.raises(NotFound, match="no project"):
        cases.add_case(app, town.admin, "NOPE", _new())
    with pytest.raises(PermissionDenied):
        cases.add_case(app, town.member, "SW01", _new())
    assert _counts(app) == before


def test_batch_is_all_or_nothing(app: App, town: Town) -> None:
    rows = [_new(f"企业{i}", make_credit_code(random.Random(100 + i))) for i in range(50)]
    rows.append(_new("重复", rows[3].credit_code))
    before = _counts(app)
    with pytest.raises(Refused, match="appears twice"):
        cases.add_cases(app, town.admin, "SW01", rows)
    assert _counts(app) == before
    ids = cases.add_cases(app, town.admin, "SW01", rows[:-1])
    assert len(ids) == 50 and len(set(ids)) == 50
    assert cases.show_case(app, ids[-1]).tickets[0].case_id == ids[-1]


def test_lead_manages_only_their_team_cases(app: App, town: Town) -> None:
    case = cases.add_case(app, town.admin, "SW01", cases.NewCase(name="拆除队的企业", team="demolition"))
    with pytest.raises(PermissionDenied, match="only the lead of its team"):
        cases.hold(app, town.lead, case.id, "x")
