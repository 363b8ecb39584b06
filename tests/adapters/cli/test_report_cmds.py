"""``caseflow report ...`` end to end: the real CLI against the test database."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from caseflow.adapters.cli.main import main
from caseflow.services.app import App
from tests.services.test_reports import Week11, advance_to, at


@dataclass
class Result:
    exit_code: int
    output: str
    error: str


@pytest.fixture
def run(app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    """``caseflow --db URL --lang LANG report ...`` through the real entry point."""
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("CASEFLOW_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.chdir(tmp_path)
    url = app.engine.url.render_as_string(hide_password=False)

    def invoke(*args: str, lang: str = "en") -> Result:
        capsys.readouterr()
        code = main(["--db", url, "--lang", lang, "report", *args])
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return invoke


def test_weekly_table_in_english_and_chinese(run, week11: Week11) -> None:  # noqa: ANN001
    result = run("weekly", "--week", "2026-W11")
    assert result.exit_code == 0, result.output
    assert "Weekly ranking" in result.output
    assert "On time %" in result.output
    assert "50.00%" in result.output
    zh = run("weekly", "--week", "2026-W11", lang="zh_CN")
    assert zh.exit_code == 0, zh.output
    assert "每周量化排序" in zh.output
    assert "按期办结率" in zh.output and "周末逾期" in zh.output


def test_weekly_json(run, week11: Week11) -> None:  # noqa: ANN001
    result = run("weekly", "--week", "2026-W11", "--by", "project", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["week"] == "2026-W11" and data["by"] == "project"
    rows = {r["unit"]: r for r in data["rows"]}
    assert rows["SW01"]["overdue"] == 1
    assert rows["TX01"]["on_time_rate"] == 50.0
    assert data["as_of"] == "2026-03-16T00:00:00+08:00"


def test_weekly_xlsx_with_chinese_headers(run, week11: Week11, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "w11.xlsx"
    result = run("weekly", "--week", "2026-W11", "--format", "xlsx", "--output", str(out),
                 lang="zh_CN")
    assert result.exit_code == 0, result.output
    ws = load_workbook(out).active
    assert "每周量化排序" in ws["A1"].value and "2026-W11" in ws["A1"].value
    headers = [c.value for c in ws[2]]
    assert headers[:4] == ["排名", "较上周", "单位", "名称"]
    by_unit = {row[2]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    negotiation = by_unit["negotiation"]
    assert negotiation[0] == 2 and negotiation[1] == 0      # rank 2, unchanged
    assert negotiation[headers.index("按期办结率")] == pytest.approx(0.5)  # a real percentage
    assert ws.freeze_panes == "A3"


def test_weekly_csv_default_name_and_bom(run, week11: Week11, tmp_path: Path) -> None:  # noqa: ANN001
    result = run("weekly", "--week", "2026-W11", "--by", "town", "--format", "csv", lang="zh_CN")
    assert result.exit_code == 0, result.output
    path = tmp_path / "weekly-2026-W11-town.csv"
    assert result.output.strip() == "weekly-2026-W11-town.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    towns = {r["单位"]: r for r in rows}
    assert towns["桐乡市"]["按期办结率"] == "50.00"
    assert towns["神湾镇"]["清单剩余"] == "1"


def test_weekly_html_page_with_burndown(run, week11: Week11, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "w11.html"
    result = run("weekly", "--week", "2026-W11", "--format", "html", "-o", str(out),
                 lang="zh_CN")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and "每周量化排序" in page and "谈判专班" in page
    assert "http://" not in page and "https://" not in page


def test_weekly_html_burndown_is_of_that_week(run, week11: Week11, tmp_path: Path) -> None:  # noqa: ANN001
    """Issue 9 defect 7: the page of 2026-W11 draws W11's list (Monday 9 to Sunday 15
    March), not the last 30 days before whenever the report is run."""
    out = tmp_path / "w11.html"
    result = run("weekly", "--week", "2026-W11", "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "(2026-03-09 – 2026-03-15)" in page
    assert ">03-09<" in page and ">03-16<" not in page and ">03-08<" not in page


def test_progress_table_and_xlsx(run, app: App, clock, town, tmp_path: Path) -> None:  # noqa: ANN001
    from caseflow.services import cases, projects

    projects.add_project(app, town.admin, "XL01", "小岗工业园", "小榄镇", "gongai",
                         area_mu=1200.0, target_mu=800.0)
    ids = [cases.add_case(app, town.admin, "XL01", cases.NewCase(f"企业{i}", area_mu=a)).id
           for i, a in enumerate([300.5, 307.32, 200.0])]
    clock.set(at("2026-04-01 10:00"))
    for case_id in ids:
        advance_to(app, town.admin, case_id, "build")
    result = run("progress", "--year", "2026", "--by", "project", lang="zh_CN")
    assert result.exit_code == 0, result.output
    assert "100.98%" in result.output
    by_town = run("progress", "--year", "2026", lang="zh_CN")  # towns unless told
    assert by_town.exit_code == 0 and "小榄镇" in by_town.output
    assert "XL01" not in by_town.output
    units = len(json.loads(run("progress", "--year", "2026", "--by", "project", "--format",
                               "json").output)["rows"])
    first = run("progress", "--year", "2026", "--by", "project", "--limit", "1")
    assert f"{units - 1} more: --offset 1" in first.output
    assert "年度目标完成进度" in result.output
    out = tmp_path / "p.xlsx"
    result = run("progress", "--year", "2026", "--by", "project", "--format", "xlsx", "-o",
                 str(out))
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    summary, funnel = wb.worksheets
    headers = [c.value for c in summary[2]]
    row = next(r for r in summary.iter_rows(min_row=3, values_only=True) if r[0] == "XL01")
    assert row[headers.index("Completion")] == pytest.approx(1.0098)
    assert row[headers.index("Demolished/consolidated (mu)")] == pytest.approx(807.82)
    stages = [r[2] for r in funnel.iter_rows(min_row=3, values_only=True) if r[0] == "XL01"]
    assert stages[:5] == ["Negotiate", "Relocate", "Demolish", "Build", "Attract"]
    as_json = json.loads(run("progress", "--year", "2026", "--by", "project", "--format",
                             "json").output)
    assert {r["unit"]: r["completion_rate"] for r in as_json["rows"]}["XL01"] == 100.98


def test_burndown_terminal_and_files(run, week11: Week11, tmp_path: Path) -> None:  # noqa: ANN001
    result = run("burndown", "--days", "10")
    assert result.exit_code == 0, result.output
    assert "Clear-to-zero list burndown" in result.output
    svg = tmp_path / "b.svg"
    assert run("burndown", "--team", "negotiation", "-o", str(svg)).exit_code == 0
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<svg")
    png = tmp_path / "b.png"
    assert run("burndown", "-o", str(png)).exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    bad = run("burndown", "-o", str(tmp_path / "b.gif"))
    assert bad.exit_code == 1
    assert "png or .svg" in bad.error and bad.error.count("\n") == 1


def test_unknown_team_and_bad_week_are_one_line_errors(run, week11: Week11) -> None:  # noqa: ANN001
    result = run("burndown", "--team", "nobody")
    assert (result.exit_code, result.error) == (
        1, "caseflow: no team with code 'nobody' (see `caseflow team list`)\n")
    result = run("weekly", "--week", "W11")
    assert result.exit_code == 1 and "2026-W11" in result.error
    assert run("weekly", "--by", "village").exit_code == 2
