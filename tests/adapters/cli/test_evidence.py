"""Evidence through the command: ``ticket attach``, ``ticket show`` and the rules
that want photos before an order is closed or its clear-list item signed off."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from caseflow.config import bundled_workflows_dir
from caseflow.persistence import tables as t
from caseflow.services import cases, projects, sweep, tickets
from caseflow.services.app import App
from caseflow.services.cases import NewCase


def photo(path: Path, colour: str = "green", size: tuple[int, int] = (1600, 1200)) -> Path:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=85)
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture
def proof_workflow(tmp_path: Path, app: App, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled 谈移拆建引 workflow, with the rights survey needing evidence to close
    and every item on the clear-to-zero list needing evidence to be signed off."""
    source = (bundled_workflows_dir() / "gongai.toml").read_text(encoding="utf-8")
    source = source.replace('name = "gongai"', 'name = "proof"', 1)
    source = source.replace('  records = "rights_surveyed"\n',
                            '  records = "rights_surveyed"\n  evidence = "close"\n', 1)
    source = source.replace("[escalation]\n", '[escalation]\nevidence = "signoff"\n', 1)
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "proof.toml").write_text(source, encoding="utf-8")
    monkeypatch.setenv("CASEFLOW_WORKFLOWS", str(folder))
    app.settings.workflow_dirs.insert(0, folder)
    app.__dict__.pop("workflows", None)
    return folder


@pytest.fixture
def orders(app: App, town: Any, proof_workflow: Path) -> dict[str, int]:
    projects.add_project(app, town.admin, "SW02", "神湾镇海港工业园", "神湾镇", "proof",
                         area_mu=120.0, target_mu=100.0)
    case = cases.add_case(app, town.lead, "SW02",
                          NewCase(name="神湾五金厂", area_mu=12.5, team="negotiation"))
    views = tickets.list_tickets(app, town.admin, scope="all", case_id=case.id)
    by_key = {v.template_key: v.id for v in views}
    return {"survey": by_key["survey_rights"], "sign": by_key["sign_agreement"]}


def test_attach_lists_the_file_with_its_digest_size_and_type(cli: Any, orders: dict[str, int],
                                                              tmp_path: Path) -> None:
    picture = photo(tmp_path / "现场照片.jpg")
    result = cli("ticket", "attach", str(orders["sign"]), str(picture), "--json", user="zhang")
    assert result.code == 0, result.err
    (item,) = result.json()
    import hashlib

    assert item["sha256"] == hashlib.sha256(picture.read_bytes()).hexdigest()
    assert item["size"] == picture.stat().st_size
    assert item["content_type"] == "image/jpeg"
    assert item["uploaded_by"] == "zhang" and item["filename"] == "现场照片.jpg"
    shown = cli("ticket", "show", str(orders["sign"]), "--json").json()
    assert [e["filename"] for e in shown["evidence"]] == ["现场照片.jpg"]
    assert any(e["action"] == "ticket.evidence" for e in shown["history"])
    text = cli("ticket", "show", str(orders["sign"])).out
    assert "现场照片.jpg" in text and item["sha256"][:12] in text


def test_the_same_file_twice_is_stored_once(cli: Any, app: App, orders: dict[str, int],
                                           tmp_path: Path) -> None:
    picture = photo(tmp_path / "a.jpg")
    copy = tmp_path / "b.jpg"
    copy.write_bytes(picture.read_bytes())
    assert cli("ticket", "attach", str(orders["sign"]), str(picture), user="zhang").code == 0
    assert cli("ticket", "attach", str(orders["sign"]), str(copy), user="zhang").code == 0
    other = cli("ticket", "attach", str(orders["survey"]), str(copy), user="zhang")
    assert other.code == 0
    with app.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.evidence_blob)).scalar() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(t.evidence)).scalar() == 2


def test_a_renamed_program_is_refused_and_nothing_is_stored(cli: Any, app: App,
                                                            orders: dict[str, int],
                                                            tmp_path: Path) -> None:
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(200))
    good = photo(tmp_path / "good.jpg")
    result = cli("ticket", "attach", str(orders["sign"]), str(good), str(fake), user="zhang")
    assert result.code == 1 and "photo.jpg" in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    with app.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.evidence)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(t.audit_event)
                            .where(t.audit_event.c.action == "ticket.evidence")).scalar() == 0


def test_a_missing_file_is_one_line(cli: Any, orders: dict[str, int], tmp_path: Path) -> None:
    result = cli("ticket", "attach", str(orders["sign"]), str(tmp_path / "nope.jpg"),
                 user="zhang")
    assert result.code == 2 and "nope.jpg" in result.err and result.err.count("\n") == 1


def test_another_teams_member_may_not_attach(cli: Any, orders: dict[str, int],
                                            tmp_path: Path) -> None:
    result = cli("ticket", "attach", str(orders["sign"]), str(photo(tmp_path / "x.jpg")),
                 user="zhao")
    assert result.code == 1 and "zhao" in result.err


def test_template_wants_evidence_before_closing_said_in_chinese(
        cli: Any, orders: dict[str, int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEFLOW_LANG", "zh_CN")
    refused = cli("ticket", "close", str(orders["survey"]), "--note", "权属已摸清",
                  user="zhang")
    assert refused.code == 1
    assert "佐证" in refused.err and f"caseflow ticket attach {orders['survey']}" in refused.err
    assert cli("ticket", "show", str(orders["survey"]), "--json").json()["status"] == "open"
    # an order whose template does not ask closes without evidence
    assert cli("ticket", "close", str(orders["sign"]), "--note", "已签约", user="zhang").code == 0
    cli("ticket", "attach", str(orders["survey"]), str(photo(tmp_path / "p.jpg")), user="zhang")
    closed = cli("ticket", "close", str(orders["survey"]), "--note", "权属已摸清", "--json",
                 user="zhang")
    assert closed.code == 0, closed.err and closed.json()["status"] == "closed"


def test_policy_wants_evidence_before_signing_off(cli: Any, app: App, orders: dict[str, int],
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    order = orders["sign"]
    when = tickets.show_ticket(app, order).due_at + timedelta(hours=1)
    sweep.sweep(app, when)
    monkeypatch.setenv("CASEFLOW_FAKE_NOW", when.isoformat())
    assert cli("ticket", "close", str(order), "--note", "已签约", user="zhang").code == 0
    items = cli("clearlist", "--json").json()["entries"]
    (item,) = [e for e in items if e["ticket_id"] == order]
    refused = cli("clearlist", "signoff", str(item["id"]), "--note", "已核实", user="sup")
    assert refused.code == 1 and "needs evidence" in refused.err
    assert cli("clearlist", "--json").json()["left"] == len(items)
    cli("ticket", "attach", str(order), str(photo(tmp_path / "协议.jpg")), user="zhang")
    signed = cli("clearlist", "signoff", str(item["id"]), "--note", "已核实", user="sup")
    assert signed.code == 0, signed.err
