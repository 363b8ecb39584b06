"""Lists come a page at a time: the first page, how many more, ``--offset`` for the
next, ``--all`` (or ``--limit 0``) for everything; counted in the database."""

from __future__ import annotations

from typing import Any

from caseflow.services import cases
from caseflow.services.app import App
from caseflow.services.cases import NewCase


def test_case_list_pages(cli: Any, app: App, town: Any) -> None:
    ids = [cases.add_case(app, town.lead, "SW01", NewCase(name=f"企业{n}", team="negotiation")).id
           for n in range(5)]
    first = cli("case", "list", "--project", "SW01", "--limit", "2")
    assert first.code == 0, first.err
    assert "企业0" in first.out and "企业1" in first.out and "企业2" not in first.out
    assert "3 more: --offset 2" in first.out
    second = cli("case", "list", "--project", "SW01", "--limit", "2", "--offset", "2", "--json")
    assert [c["id"] for c in second.json()] == ids[2:4]
    every = cli("case", "list", "--project", "SW01", "--all", "--json").json()
    assert [c["id"] for c in every] == ids
    last = cli("case", "list", "--project", "SW01", "--offset", "4")
    assert "企业4" in last.out and "more" not in last.out
    assert cli("case", "list", "--offset", "-1").code == 2


def test_case_show_reads_without_the_orm(cli: Any, app: App, town: Any) -> None:
    """``case show`` answers from Core: the same view the write paths build."""
    view = cases.add_case(app, town.lead, "SW01", NewCase(name="神湾五金厂", team="negotiation"))
    shown = cli("case", "show", str(view.id), "--json").json()
    assert shown["name"] == "神湾五金厂" and shown["project"] == "SW01"
    assert len(shown["tickets"]) == 4 and shown["history"][0]["action"] == "case.open"
    missing = cli("case", "show", "999999")
    assert missing.code == 1 and "no case #999999" in missing.err
