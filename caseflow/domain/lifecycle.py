"""The lifecycle engine: one ``transitions`` machine per workflow definition.

Building a ``Machine`` per case would cost ~0.7 ms each (70 s for 100,000 cases),
so a ``Lifecycle`` owns one model-less machine and fires its events on a small
``CaseState`` token built from the case row for the duration of one request.
The machine does the work: its conditions are the guards (they raise ``GuardFailed``
naming what is missing, so the user is told exactly what the machine checked), its
``before`` callbacks remember where a case was held from, its ``after`` callbacks
settle it, and a trigger that does not apply is the machine's own ``MachineError``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine, MachineError

from caseflow.domain.workflow import PREVIOUS, Transition, WorkflowDefinition
from caseflow.errors import GuardFailed, IllegalTransition, Refused
from caseflow.i18n import N_, Bilingual, Choice, Joined, Text, pick, text

_PURPOSES = {"hold": N_("be put on hold"), "withdraw": N_("withdraw"), "resume": N_("resume")}


@dataclass
class OpenOrder:
    """A required work order still open in the case's current stage."""

    id: int
    title: str
    records: str | None = None
    title_zh: str | None = None


@dataclass
class CaseState:
    """What the machine needs to know about one case; ``state`` is moved by the machine."""

    state: str
    held_from: str | None = None
    facts: frozenset[str] = frozenset()
    open_required: list[OpenOrder] = field(default_factory=list)


@dataclass(frozen=True)
class Move:
    """The outcome of a trigger: where the case goes and by which declared transition."""

    trigger: str
    source: str
    dest: str
    transition: Transition


class Lifecycle:
    """Validates and applies triggers for every case of one workflow definition."""

    def __init__(self, definition: WorkflowDefinition) -> None:
        self.definition = definition
        self._kinds = {s.name: s.kind for s in definition.stages}
        self._lock = threading.Lock()
        self._specs: dict[tuple[str, str], Transition] = {}
        machine_transitions: list[dict[str, Any]] = []
        work_stages = [s.name for s in definition.stages if s.kind == "work"]
        for spec in definition.transitions:
            for source in spec.sources:
                self._specs[(spec.trigger, source)] = spec
                if spec.dest == PREVIOUS:
                    # One machine transition per possible stage to return to, each
                    # guarded by "held from that stage": resume lands where hold left.
                    for back in work_stages:
                        machine_transitions.append({
                            "trigger": spec.trigger, "source": source, "dest": back,
                            "conditions": [self._held_from(back)],
                            "after": [self._settle],
                        })
                else:
                    machine_transitions.append({
                        "trigger": spec.trigger, "source": source, "dest": spec.dest,
                        "conditions": [self._guard(spec, source)],
                        "before": [self._remember_hold] if self._kinds[spec.dest] == "side" else [],
                        "after": [self._settle],
                    })
        self.machine = Machine(
            model=None,
            states=[s.name for s in definition.stages],
            transitions=machine_transitions,
            initial=definition.initial,
            auto_transitions=False,
            send_event=True,
        )

    # -- predicates shared by the machine and the explanations -----------------

    def needs_orders_closed(self, spec: Transition, source: str) -> bool:
        """Only leaving a work stage forward needs its required orders closed;
        side exits (hold, withdraw) and resume do not."""
        return self._kinds[source] == "work" and self._kinds.get(spec.dest) in ("work", "final")

    def blockers(self, case: CaseState, spec: Transition,
                 source: str) -> tuple[list[OpenOrder], list[str]]:
        """The open required orders and unrecorded facts between the case and ``spec``
        (a fact that an open order will record is named through that order only)."""
        orders: list[OpenOrder] = []
        if self.needs_orders_closed(spec, source):
            orders = list(case.open_required)
        covered = {order.records for order in orders if order.records}
        facts = [g for g in spec.guards if g not in case.facts and g not in covered]
        return orders, facts

    def missing(self, case: CaseState, spec: Transition, source: str) -> list[str]:
        """What stands between the case and ``spec``, in words; empty when it may go."""
        orders, facts = self.blockers(case, spec, source)
        return [f"work order #{o.id} {o.title!r} is not closed" for o in orders] + \
            [f"{fact.replace('_', ' ')} is not recorded" for fact in facts]

    def _reasons(self, orders: list[OpenOrder], facts: list[str]) -> list[Text]:
        """The same blockers as :meth:`missing`, as messages for the reader's language."""
        return [text("work order #{id} “{title}” is not closed", id=o.id,
                     title=Bilingual(o.title, o.title_zh)) for o in orders] + \
            [text("{fact} is not recorded", fact=self.definition_fact(f)) for f in facts]

    def _choices(self, triggers: list[str]) -> list[Choice]:
        return [Choice(t, self.definition.trigger_text(t)) for t in triggers]

    def definition_fact(self, fact: str) -> Bilingual:
        """A fact's label: the workflow's own words for it when it declares them."""
        label = getattr(self.definition, "fact_text", None)
        return label(fact) if label else Bilingual(fact.replace("_", " "), None)

    def _guard(self, spec: Transition, source: str) -> Callable[[Any], bool]:
        """The machine's condition for ``spec`` from ``source``: passes, or raises
        ``GuardFailed`` naming exactly what it found missing (the case is not moved)."""
        def check(event: Any) -> bool:
            case: CaseState = event.model
            orders, facts = self.blockers(case, spec, source)
            if not orders and not facts:
                return True
            trigger = spec.trigger
            raise GuardFailed(
                "“{label}” cannot be done from stage {stage_label}: {reasons}",
                missing=self.missing(case, spec, source), trigger=trigger, stage=source,
                orders=[(o.id, o.title, o.title_zh) for o in orders], facts=facts,
                label=self.definition.trigger_text(trigger),
                stage_label=self.definition.stage_text(source),
                reasons=Joined(self._reasons(orders, facts), "; "),
            )
        return check

    def _settle(self, event: Any) -> None:
        """After a move: a case that is no longer on the side forgets where it was held."""
        if self._kinds.get(event.model.state) != "side":
            event.model.held_from = None

    @staticmethod
    def _held_from(stage: str) -> Callable[[Any], bool]:
        return lambda event: event.model.held_from == stage

    def _remember_hold(self, event: Any) -> None:
        source = event.transition.source
        if self._kinds[source] == "work":
            event.model.held_from = source

    # -- queries ----------------------------------------------------------------

    @property
    def resumable_stages(self) -> frozenset[str]:
        """Side stages a case comes back from (on hold), as opposed to exits (withdrawn)."""
        return frozenset(
            src for spec in self.definition.transitions if spec.dest == PREVIOUS
            for src in spec.sources
        )

    def status_of(self, stage: str) -> str:
        """The case status a stage implies: active, on_hold, withdrawn or done."""
        kind = self._kinds[stage]
        if kind == "final":
            return "done"
        if kind == "side":
            return "on_hold" if stage in self.resumable_stages else "withdrawn"
        return "active"

    def side_trigger(self, stage: str, purpose: str) -> str:
        """The trigger that puts a case on hold, withdraws it or resumes it from ``stage``."""
        for spec in self.definition.transitions:
            if stage not in spec.sources:
                continue
            if purpose == "resume" and spec.dest == PREVIOUS:
                return spec.trigger
            if spec.dest == PREVIOUS or self._kinds.get(spec.dest) != "side":
                continue
            resumable = spec.dest in self.resumable_stages
            if (purpose == "hold") == resumable and purpose in ("hold", "withdraw"):
                return spec.trigger
        allowed = self.allowed_triggers(stage)
        raise IllegalTransition(
            "a case in stage {stage_label} cannot {purpose}; allowed: {listing}",
            allowed=allowed, stage=stage, stage_label=self.definition.stage_text(stage),
            purpose=text(_PURPOSES.get(purpose, purpose)),
            listing=self._choices(allowed),
        )

    def opens_orders(self, move: Move) -> bool:
        """Entering a work stage forward opens its templates (not coming back from hold)."""
        return self._kinds[move.dest] == "work" and self._kinds[move.source] == "work"

    def allowed_triggers(self, stage: str) -> list[str]:
        """Triggers declared from ``stage``, in definition order."""
        return [spec.trigger for spec in self.definition.transitions if stage in spec.sources]

    def forward_trigger(self, stage: str) -> str:
        """The single transition that moves a case on from ``stage`` (``case advance ID``)."""
        forward = [
            spec.trigger for spec in self.definition.transitions
            if stage in spec.sources and spec.dest != PREVIOUS
            and self._kinds.get(spec.dest) in ("work", "final")
        ]
        if self._kinds.get(stage) == "side":
            forward = [s.trigger for s in self.definition.transitions
                       if stage in s.sources and s.dest == PREVIOUS]
        if len(forward) == 1:
            return forward[0]
        if not forward:
            raise Refused("nothing moves a case on from stage {stage}",
                          stage=self.definition.stage_text(stage))
        raise Refused(
            "stage {stage} has several ways forward: {triggers}",
            hint="name the trigger", stage=self.definition.stage_text(stage),
            triggers=forward,
        )

    # -- the one mutation ---------------------------------------------------------

    def fire(self, case: CaseState, trigger: str) -> Move:
        """Apply ``trigger`` to ``case`` or raise without changing it.

        Raises ``IllegalTransition`` (listing what is allowed) for a trigger that does
        not apply to the current stage, ``GuardFailed`` (listing what is missing) for
        one whose preconditions do not hold.
        """
        source = case.state
        event = self.machine.events.get(trigger)
        moved = False
        if event is not None:
            with self._lock:
                try:
                    moved = event.trigger(case)  # the guards raise what is missing
                except MachineError:
                    event = None
        if event is None:
            allowed = self.allowed_triggers(source)
            known = any(s.trigger == trigger for s in self.definition.transitions)
            raise IllegalTransition(
                "“{label}” is not allowed from stage {stage_label}; allowed: {listing}",
                allowed=allowed, trigger=trigger, stage=source,
                label=self.definition.trigger_text(trigger) if known else trigger,
                stage_label=self.definition.stage_text(source),
                listing=self._choices(allowed),
            )
        if not moved:
            raise GuardFailed("“{label}” cannot be done from stage {stage_label}: the case "
                              "was not held from a stage this workflow can return to",
                              missing=["held_from"],
                              label=self.definition.trigger_text(trigger),
                              stage_label=self.definition.stage_text(source))
        return Move(trigger=trigger, source=source, dest=case.state,
                    transition=self._specs[(trigger, source)])


def mermaid(definition: WorkflowDefinition, lang: str = "en") -> str:
    """A Mermaid ``stateDiagram-v2`` of the lifecycle, labelled in ``lang``."""
    lines = ["stateDiagram-v2"]
    for stage in definition.stages:
        lines.append(f"    {stage.name}: {stage.label(lang)}")
    lines.append(f"    [*] --> {definition.initial}")
    for spec in definition.transitions:
        label = pick(lang, en=spec.label_en, zh=spec.label_zh)
        for source in spec.sources:
            if spec.dest == PREVIOUS:
                for back in (s.name for s in definition.stages if s.kind == "work"):
                    lines.append(f"    {source} --> {back}: {label}")
                continue
            lines.append(f"    {source} --> {spec.dest}: {label}")
    for stage in definition.stages:
        if stage.kind == "final":
            lines.append(f"    {stage.name} --> [*]")
    return "\n".join(lines) + "\n"
