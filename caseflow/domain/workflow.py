"""Lifecycle definitions as data.

A town's administrator edits ``workflows/NAME.toml``; this module turns such a file
into a frozen ``WorkflowDefinition`` and refuses a bad one with a message that names
the file, the key and the problem, so that the fix is obvious without reading code.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from caseflow.domain.durations import Duration, parse_duration
from caseflow.errors import InvalidInput, WorkflowDefinitionError
from caseflow.i18n import Bilingual, pick

StageKind = Literal["work", "side", "final"]
Recipient = Literal["assignee", "team_lead", "supervisors", "command_office"]
RECIPIENTS: frozenset[str] = frozenset({"assignee", "team_lead", "supervisors", "command_office"})
PREVIOUS = "@previous"
ANY = "*"
# When evidence (photos, the signed agreement, the acceptance record) must be
# attached: before the order may be closed, or before its clear-list item is signed off.
EVIDENCE_POINTS = ("close", "signoff")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Template:
    """A work order opened automatically when a case enters a stage."""

    key: str
    stage: str
    title_en: str
    title_zh: str
    team: str | None
    due: Duration
    required: bool
    records: str | None
    evidence: str | None = None  # "close" or "signoff": see EVIDENCE_POINTS

    def title(self, lang: str) -> str:
        return pick(lang, en=self.title_en, zh=self.title_zh)

    @property
    def text(self) -> Bilingual:
        return Bilingual(self.title_en, self.title_zh)


@dataclass(frozen=True)
class Stage:
    name: str
    label_en: str
    label_zh: str
    kind: StageKind
    templates: tuple[Template, ...]

    def label(self, lang: str) -> str:
        return pick(lang, en=self.label_en, zh=self.label_zh)

    @property
    def text(self) -> Bilingual:
        return Bilingual(self.label_en, self.label_zh)

    @property
    def required_templates(self) -> tuple[Template, ...]:
        return tuple(t for t in self.templates if t.required)


@dataclass(frozen=True)
class Transition:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    guards: tuple[str, ...]
    label_en: str
    label_zh: str

    def label(self, lang: str) -> str:
        return pick(lang, en=self.label_en, zh=self.label_zh)

    @property
    def is_side_exit(self) -> bool:
        return self.dest == PREVIOUS


@dataclass(frozen=True)
class EscalationLevel:
    level: int
    after: Duration
    notify: tuple[str, ...]
    label_en: str
    label_zh: str


@dataclass(frozen=True)
class Reminder:
    before: Duration
    notify: tuple[str, ...]


@dataclass(frozen=True)
class WorkflowDefinition:
    name: str
    version: int
    label_en: str
    label_zh: str
    initial: str
    stages: tuple[Stage, ...]
    transitions: tuple[Transition, ...]
    levels: tuple[EscalationLevel, ...]
    reminders: tuple[Reminder, ...]
    source: str
    digest: str
    # the escalation policy's rule for orders on the clear-to-zero list
    evidence: str | None = None

    def evidence_needed(self, template_key: str | None, on_list: bool, point: str) -> bool:
        """Must an order of ``template_key`` carry evidence before ``point`` (close or
        signoff)? Needed before closing means needed before sign-off too."""
        wanted = {"close": ("close",), "signoff": ("close", "signoff")}[point]
        if on_list and self.evidence in wanted:
            return True
        if template_key is None:
            return False
        try:
            template = self.template(template_key)
        except KeyError:
            return False
        return template.evidence in wanted

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    def template(self, key: str) -> Template:
        for stage in self.stages:
            for template in stage.templates:
                if template.key == key:
                    return template
        raise KeyError(key)

    def label(self, lang: str) -> str:
        return pick(lang, en=self.label_en, zh=self.label_zh)

    def stage_text(self, name: str) -> Bilingual:
        """A stage's label as a message parameter (its name if the stage is unknown)."""
        try:
            return self.stage(name).text
        except KeyError:
            return Bilingual(name, None)

    def trigger_text(self, trigger: str) -> Bilingual:
        """A trigger's label (the first transition declaring it) as a message parameter."""
        for spec in self.transitions:
            if spec.trigger == trigger:
                return Bilingual(spec.label_en, spec.label_zh)
        return Bilingual(trigger, None)

    def level(self, number: int) -> EscalationLevel | None:
        return next((lv for lv in self.levels if lv.level == number), None)


class _Reader:
    """Pulls typed values out of a TOML table, naming file and key on every problem."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> WorkflowDefinitionError:
        return WorkflowDefinitionError(f"{self.path}: {key}: {problem}")

    def table(self, data: Any, key: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(key, "must be a table")
        return data

    def str_(
        self,
        data: dict[str, Any],
        key: str,
        where: str,
        *,
        default: str | None = None,
        ident: bool = False,
    ) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{where}.{key}", "is missing")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", "must be a non-empty string")
        if ident and not _IDENT.match(value):
            raise self.fail(f"{where}.{key}", f"{value!r} must be snake_case (a-z, 0-9, _)")
        return value

    def list_(self, data: dict[str, Any], key: str, where: str) -> list[Any]:
        value = data.get(key, [])
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", "must be a list")
        return value

    def duration(self, data: dict[str, Any], key: str, where: str) -> Duration:
        raw = data.get(key)
        if raw is None:
            raise self.fail(f"{where}.{key}", "is missing")
        try:
            return parse_duration(str(raw))
        except InvalidInput:
            raise self.fail(
                f"{where}.{key}", f"{raw!r} is not a duration like 5wd or 10d"
            ) from None

    def allowed_keys(self, data: dict[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}", "unknown key (typo?)")


def parse_workflow(text: str, path: str) -> WorkflowDefinition:
    """Parse and validate one definition; ``path`` is only used in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowDefinitionError(f"{path}: not valid TOML: {exc}") from None
    r = _Reader(path)
    r.allowed_keys(data, {"workflow", "stages", "transitions", "escalation"}, "")
    head = r.table(data.get("workflow"), "[workflow]")
    r.allowed_keys(head, {"name", "version", "label_en", "label_zh", "initial"}, "workflow")
    name = r.str_(head, "name", "workflow", ident=True)
    stem = Path(path).stem
    if stem != name and not path.startswith("<"):
        raise r.fail("workflow.name", f"{name!r} must match the file name {stem!r}")
    version = head.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise r.fail("workflow.version", "must be a positive integer")

    stages = _parse_stages(r, data)
    stage_names = {s.name for s in stages}
    initial = r.str_(head, "initial", "workflow", default=stages[0].name)
    if initial not in stage_names:
        raise r.fail("workflow.initial", f"unknown stage {initial!r}")
    transitions = _parse_transitions(r, data, stages)
    levels, reminders = _parse_escalation(r, data.get("escalation", {}))
    evidence = _evidence_point(r, data.get("escalation", {}), "escalation")
    _check_reachability(r, stages, transitions, initial)
    return WorkflowDefinition(
        name=name,
        version=version,
        label_en=r.str_(head, "label_en", "workflow", default=name),
        label_zh=r.str_(head, "label_zh", "workflow", default=name),
        initial=initial,
        stages=tuple(stages),
        transitions=tuple(transitions),
        levels=levels,
        reminders=reminders,
        source=text,
        digest=hashlib.sha256(text.encode()).hexdigest(),
        evidence=evidence,
    )


def _evidence_point(r: _Reader, raw: dict[str, Any], where: str) -> str | None:
    value = raw.get("evidence")
    if value is not None and value not in EVIDENCE_POINTS:
        raise r.fail(f"{where}.evidence", f"{value!r} must be one of "
                     f"{', '.join(EVIDENCE_POINTS)} (evidence before closing or sign-off)")
    return value


def _parse_stages(r: _Reader, data: dict[str, Any]) -> list[Stage]:
    raw_stages = data.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise r.fail("stages", "at least one [[stages]] table is required")
    stages: list[Stage] = []
    seen_templates: set[str] = set()
    for i, raw in enumerate(raw_stages):
        where = f"stages[{i}]"
        raw = r.table(raw, where)
        r.allowed_keys(raw, {"name", "label_en", "label_zh", "kind", "templates"}, where)
        name = r.str_(raw, "name", where, ident=True)
        where = f"stages.{name}"
        if any(s.name == name for s in stages):
            raise r.fail(f"{where}.name", "duplicate stage")
        kind = raw.get("kind", "work")
        if kind not in ("work", "side", "final"):
            raise r.fail(f"{where}.kind", f"{kind!r} must be work, side or final")
        templates = []
        for j, raw_t in enumerate(raw.get("templates", [])):
            t_where = f"{where}.templates[{j}]"
            raw_t = r.table(raw_t, t_where)
            r.allowed_keys(
                raw_t,
                {"key", "title_en", "title_zh", "team", "due", "required", "records",
                 "evidence"},
                t_where,
            )
            key = r.str_(raw_t, "key", t_where, ident=True)
            if key in seen_templates:
                raise r.fail(f"{t_where}.key", f"duplicate template key {key!r}")
            seen_templates.add(key)
            required = raw_t.get("required", True)
            if not isinstance(required, bool):
                raise r.fail(f"{t_where}.required", "must be true or false")
            records = raw_t.get("records")
            if records is not None and (not isinstance(records, str) or not _IDENT.match(records)):
                raise r.fail(f"{t_where}.records", "must be a snake_case fact name")
            evidence = _evidence_point(r, raw_t, t_where)
            team = raw_t.get("team")
            if team is not None and not isinstance(team, str):
                raise r.fail(f"{t_where}.team", "must be a team code")
            templates.append(
                Template(
                    key=key,
                    stage=name,
                    title_en=r.str_(raw_t, "title_en", t_where),
                    title_zh=r.str_(raw_t, "title_zh", t_where),
                    team=team,
                    due=r.duration(raw_t, "due", t_where),
                    required=required,
                    records=records,
                    evidence=evidence,
                )
            )
        if kind != "work" and templates:
            raise r.fail(f"{where}.templates", f"a {kind} stage cannot have work-order templates")
        stages.append(
            Stage(
                name=name,
                label_en=r.str_(raw, "label_en", where),
                label_zh=r.str_(raw, "label_zh", where),
                kind=kind,
                templates=tuple(templates),
            )
        )
    return stages


def _parse_transitions(r: _Reader, data: dict[str, Any], stages: list[Stage]) -> list[Transition]:
    by_name = {s.name: s for s in stages}
    work = tuple(s.name for s in stages if s.kind == "work")
    recorded = {t.records for s in stages for t in s.templates if t.records}
    transitions: list[Transition] = []
    raw_list = data.get("transitions")
    if not isinstance(raw_list, list) or not raw_list:
        raise r.fail("transitions", "at least one [[transitions]] table is required")
    for i, raw in enumerate(raw_list):
        where = f"transitions[{i}]"
        raw = r.table(raw, where)
        r.allowed_keys(raw, {"trigger", "source", "dest", "guards", "label_en", "label_zh"}, where)
        trigger = r.str_(raw, "trigger", where, ident=True)
        where = f"transitions[{i}]({trigger})"
        sources: list[str] = []
        for source in r.list_(raw, "source", where):
            if source == ANY:
                sources.extend(work)
            elif source in by_name:
                sources.append(source)
            else:
                raise r.fail(f"{where}.source", f"unknown stage {source!r}")
        if not sources:
            raise r.fail(f"{where}.source", "is missing")
        dest = r.str_(raw, "dest", where)
        if dest != PREVIOUS and dest not in by_name:
            raise r.fail(f"{where}.dest", f"unknown stage {dest!r}")
        if dest == PREVIOUS and any(by_name[s].kind != "side" for s in sources):
            raise r.fail(f"{where}.dest", "@previous only leads back out of a side stage")
        for source in sources:
            if by_name[source].kind == "final":
                raise r.fail(f"{where}.source", f"{source!r} is final: nothing leaves it")
            if any(t.trigger == trigger and source in t.sources for t in transitions):
                raise r.fail(f"{where}.trigger", f"{trigger!r} from {source!r} is defined twice")
        guards = tuple(str(g) for g in r.list_(raw, "guards", where))
        for guard in guards:
            if guard not in recorded:
                raise r.fail(f"{where}.guards", f"fact {guard!r} is recorded by no template")
        transitions.append(
            Transition(
                trigger=trigger,
                sources=tuple(dict.fromkeys(sources)),
                dest=dest,
                guards=guards,
                label_en=str(raw.get("label_en", trigger)),
                label_zh=str(raw.get("label_zh", trigger)),
            )
        )
    return transitions


def _parse_escalation(
    r: _Reader, raw: Any
) -> tuple[tuple[EscalationLevel, ...], tuple[Reminder, ...]]:
    raw = r.table(raw, "escalation")
    r.allowed_keys(raw, {"levels", "reminders", "evidence"}, "escalation")
    levels: list[EscalationLevel] = []
    for i, lv in enumerate(raw.get("levels", [])):
        where = f"escalation.levels[{i}]"
        lv = r.table(lv, where)
        r.allowed_keys(lv, {"level", "after", "notify", "label_en", "label_zh"}, where)
        number = lv.get("level")
        if not isinstance(number, int) or number != len(levels) + 1:
            raise r.fail(
                f"{where}.level", f"levels must be numbered 1, 2, 3... (expected {len(levels) + 1})"
            )
        after = r.duration(lv, "after", where)
        if not after.working:
            raise r.fail(
                f"{where}.after", "escalation offsets are counted in working days (e.g. 3wd)"
            )
        if levels and after.amount <= levels[-1].after.amount:
            raise r.fail(f"{where}.after", "each level must come later than the one before")
        levels.append(
            EscalationLevel(
                level=number,
                after=after,
                notify=_recipients(r, lv, where),
                label_en=str(lv.get("label_en", f"Level {number}")),
                label_zh=str(lv.get("label_zh", f"{number}级")),
            )
        )
    reminders = []
    for i, rem in enumerate(raw.get("reminders", [])):
        where = f"escalation.reminders[{i}]"
        rem = r.table(rem, where)
        r.allowed_keys(rem, {"before", "notify"}, where)
        before = r.duration(rem, "before", where)
        if not before.working:
            raise r.fail(f"{where}.before", "reminders are counted in working days (e.g. 1wd)")
        reminders.append(Reminder(before=before, notify=_recipients(r, rem, where)))
    return tuple(levels), tuple(reminders)


def _recipients(r: _Reader, raw: dict[str, Any], where: str) -> tuple[str, ...]:
    notify = tuple(str(x) for x in r.list_(raw, "notify", where))
    if not notify:
        raise r.fail(f"{where}.notify", "name at least one recipient")
    for who in notify:
        if who not in RECIPIENTS:
            raise r.fail(
                f"{where}.notify", f"{who!r} must be one of {', '.join(sorted(RECIPIENTS))}"
            )
    return notify


def _check_reachability(
    r: _Reader, stages: list[Stage], transitions: list[Transition], initial: str
) -> None:
    """Every work stage must be reachable, and every work stage must have a way out."""
    reachable = {initial}
    frontier = [initial]
    while frontier:
        here = frontier.pop()
        for t in transitions:
            if here in t.sources and t.dest != PREVIOUS and t.dest not in reachable:
                reachable.add(t.dest)
                frontier.append(t.dest)
    for stage in stages:
        if stage.kind == "work" and stage.name not in reachable:
            raise r.fail(f"stages.{stage.name}", "cannot be reached from the initial stage")
        if stage.kind == "work" and not any(stage.name in t.sources for t in transitions):
            raise r.fail(f"stages.{stage.name}", "has no transition leaving it")
