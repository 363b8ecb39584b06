"""Workflow definitions: the bundled ones load; bad files name file, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseflow.config import bundled_workflows_dir
from caseflow.domain.workflow import parse_workflow
from caseflow.errors import WorkflowDefinitionError
from caseflow.persistence.workflow_files import WorkflowCatalog, read_definition

GONGAI = bundled_workflows_dir() / "gongai.toml"


def test_gongai_has_the_five_steps_in_order() -> None:
    d = read_definition(GONGAI)
    work = [s.name for s in d.stages if s.kind == "work"]
    assert work == ["negotiate", "relocate", "demolish", "build", "attract"]
    assert d.stage("done").kind == "final"
    assert [s.label_zh for s in d.stages if s.kind == "work"] == ["谈", "移", "拆", "建", "引"]
    assert all(s.required_templates for s in d.stages if s.kind == "work")
    assert [lv.after.amount for lv in d.levels] == [0, 3, 7]


def test_tuisan_branches_after_demolition() -> None:
    d = read_definition(bundled_workflows_dir() / "tuisan.toml")
    from_demolish = {t.trigger: t.dest for t in d.transitions if "demolish" in t.sources}
    assert from_demolish["reclaim"] == "reclaim"
    assert from_demolish["enter_park"] == "enter_park"


def test_catalog_lists_bundled_and_prefers_town_overrides(tmp_path: Path) -> None:
    text = GONGAI.read_text(encoding="utf-8").replace('label_zh = "谈"', 'label_zh = "谈判"')
    (tmp_path / "gongai.toml").write_text(text, encoding="utf-8")
    catalog = WorkflowCatalog([tmp_path, bundled_workflows_dir()])
    assert set(catalog.current()) >= {"gongai", "tuisan"}
    assert catalog.get("gongai").stage("negotiate").label_zh == "谈判"


def _broken(old: str, new: str) -> str:
    text = GONGAI.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize("old, new, message", [
    ('initial = "negotiate"', 'initial = "talk"', "workflow.initial: unknown stage 'talk'"),
    ('due = "10wd"', 'due = "ten days"', "is not a duration like 5wd or 10d"),
    ('required = true', 'required = "yes"', "required: must be true or false"),
    ('dest = "relocate"', 'dest = "relocation"', "unknown stage 'relocation'"),
    ('name = "gongai"', 'name = "Gong Ai"', "must be snake_case"),
    ('[workflow]', '[workflow]\ncolour = "red"', "workflow.colour: unknown key"),
    ('notify = ["supervisors"]', 'notify = ["mayor"]', "'mayor' must be one of"),
])
def test_bad_definitions_name_file_key_and_problem(old: str, new: str, message: str) -> None:
    with pytest.raises(WorkflowDefinitionError) as info:
        parse_workflow(_broken(old, new), "/towns/gongai.toml")
    assert str(info.value).startswith("/towns/gongai.toml: ")
    assert message in str(info.value)


def test_unrecorded_guard_is_refused() -> None:
    text = _broken('guards = ["', 'guards = ["moon_landing", "')
    with pytest.raises(WorkflowDefinitionError, match="'moon_landing' is recorded by no template"):
        parse_workflow(text, "gongai.toml")


def test_invalid_toml_names_the_file() -> None:
    with pytest.raises(WorkflowDefinitionError, match=r"^x/gongai.toml: not valid TOML"):
        parse_workflow("[workflow\n", "x/gongai.toml")
