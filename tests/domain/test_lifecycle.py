"""The lifecycle engine on the bundled definitions, including random trigger sequences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseflow.config import bundled_workflows_dir
from caseflow.domain.lifecycle import CaseState, Lifecycle, OpenOrder, mermaid
from caseflow.errors import GuardFailed, IllegalTransition, Refused
from caseflow.persistence.workflow_files import read_definition

GONGAI = Lifecycle(read_definition(bundled_workflows_dir() / "gongai.toml"))
TUISAN = Lifecycle(read_definition(bundled_workflows_dir() / "tuisan.toml"))


def test_one_machine_serves_every_case() -> None:
    a, b = CaseState("negotiate"), CaseState("relocate")
    machine = GONGAI.machine
    GONGAI.fire(a, "hold")
    GONGAI.fire(b, "hold")
    assert GONGAI.machine is machine and not machine.models
    assert (a.state, a.held_from, b.held_from) == ("on_hold", "negotiate", "relocate")


def test_illegal_trigger_lists_what_is_allowed() -> None:
    with pytest.raises(IllegalTransition) as info:
        GONGAI.fire(CaseState("negotiate"), "build")
    assert info.value.allowed == ["relocate", "hold", "withdraw"]
    assert "allowed: relocate, hold, withdraw" in str(info.value)


def test_refusal_names_the_open_orders_and_changes_nothing() -> None:
    case = CaseState("negotiate", open_required=[OpenOrder(7, "Sign the agreement",
                                                           "agreement_signed")])
    with pytest.raises(GuardFailed) as info:
        GONGAI.fire(case, "relocate")
    assert "work order #7 “Sign the agreement” is not closed" in str(info.value)
    assert "rights surveyed is not recorded" in str(info.value)
    assert case.state == "negotiate"


def test_forward_with_facts_recorded() -> None:
    case = CaseState("negotiate", facts=frozenset({"rights_surveyed", "agreement_signed"}))
    move = GONGAI.fire(case, GONGAI.forward_trigger("negotiate"))
    assert (move.source, move.dest, case.state) == ("negotiate", "relocate", "relocate")


def test_hold_and_resume_return_to_the_held_stage() -> None:
    case = CaseState("demolish")
    GONGAI.fire(case, GONGAI.side_trigger("demolish", "hold"))
    assert GONGAI.status_of(case.state) == "on_hold"
    GONGAI.fire(case, GONGAI.side_trigger(case.state, "resume"))
    assert (case.state, case.held_from) == ("demolish", None)


def test_tuisan_has_two_ways_forward_after_demolition() -> None:
    with pytest.raises(Refused, match="several ways forward: reclaim, enter_park"):
        TUISAN.forward_trigger("demolish")
    facts = frozenset({"safety_inspected", "buildings_demolished", "site_cleared"})
    with pytest.raises(GuardFailed, match="park admission approved is not recorded"):
        TUISAN.fire(CaseState("demolish", facts=facts), "enter_park")
    case = CaseState("demolish", facts=facts)
    TUISAN.fire(case, "reclaim")
    assert case.state == "reclaim"


def test_mermaid_diagram() -> None:
    text = mermaid(GONGAI.definition, "zh_CN")
    assert text.startswith("stateDiagram-v2\n")
    assert "negotiate --> relocate" in text and "negotiate: 谈" in text
    assert "done --> [*]" in text


@pytest.mark.parametrize("lifecycle", [GONGAI, TUISAN], ids=["gongai", "tuisan"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_random_sequences_never_leave_a_stage_with_required_orders_open(
    lifecycle: Lifecycle, data: st.DataObject
) -> None:
    """Simulate a case: entering a work stage opens its required orders; random steps
    close an order or fire any trigger. No move forward may leave required work open."""
    definition = lifecycle.definition
    triggers = sorted({t.trigger for t in definition.transitions} | {"bogus"})
    case = CaseState(definition.initial)
    open_orders = {t.key: t for t in definition.stage(definition.initial).required_templates}
    for _ in range(data.draw(st.integers(1, 40))):
        case.open_required = [OpenOrder(i, t.title_en, t.records)
                              for i, t in enumerate(open_orders.values())]
        if open_orders and data.draw(st.booleans()):
            key = data.draw(st.sampled_from(sorted(open_orders)))
            record = open_orders.pop(key).records
            if record:
                case.facts = case.facts | {record}
            continue
        before, had_open = case.state, bool(open_orders)
        try:
            move = lifecycle.fire(case, data.draw(st.sampled_from(triggers)))
        except (IllegalTransition, GuardFailed):
            assert case.state == before
            continue
        if lifecycle.needs_orders_closed(move.transition, move.source):
            assert not had_open, f"left {before} with required orders open"
            assert set(move.transition.guards) <= case.facts
        if lifecycle.opens_orders(move):
            open_orders = {t.key: t for t in definition.stage(move.dest).required_templates}
        if lifecycle.status_of(case.state) == "withdrawn":
            open_orders = {}
