"""Where a workflow file asks for evidence, and a bad value named with file and key."""

from __future__ import annotations

import re

import pytest

from caseflow.config import bundled_workflows_dir
from caseflow.domain.workflow import parse_workflow
from caseflow.errors import WorkflowDefinitionError

SOURCE = (bundled_workflows_dir() / "gongai.toml").read_text(encoding="utf-8")


def test_template_and_policy_rules() -> None:
    text = SOURCE.replace('  records = "rights_surveyed"\n',
                          '  records = "rights_surveyed"\n  evidence = "close"\n', 1)
    text = text.replace("[escalation]\n", '[escalation]\nevidence = "signoff"\n', 1)
    wf = parse_workflow(text, "gongai.toml")
    assert wf.evidence_needed("survey_rights", on_list=False, point="close")
    assert wf.evidence_needed("survey_rights", on_list=False, point="signoff")
    assert not wf.evidence_needed("sign_agreement", on_list=False, point="close")
    assert not wf.evidence_needed("sign_agreement", on_list=True, point="close")
    assert wf.evidence_needed("sign_agreement", on_list=True, point="signoff")
    assert wf.evidence_needed(None, on_list=True, point="signoff")
    assert not wf.evidence_needed(None, on_list=False, point="signoff")


def test_bundled_workflow_asks_for_nothing_extra() -> None:
    wf = parse_workflow(SOURCE, "gongai.toml")
    assert not wf.evidence_needed("survey_rights", on_list=True, point="signoff")


@pytest.mark.parametrize("where", ["template", "escalation"])
def test_an_unknown_point_names_file_and_key(where: str) -> None:
    if where == "template":
        text = SOURCE.replace('  records = "rights_surveyed"\n',
                              '  records = "rights_surveyed"\n  evidence = "always"\n', 1)
        key = "stages.negotiate.templates[0].evidence"
    else:
        text = SOURCE.replace("[escalation]\n", '[escalation]\nevidence = "always"\n', 1)
        key = "escalation.evidence"
    with pytest.raises(WorkflowDefinitionError, match=re.escape(f"gongai.toml: {key}: 'always' must be one of close, signoff")):
        parse_workflow(text, "gongai.toml")
