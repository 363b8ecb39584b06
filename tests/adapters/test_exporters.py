"""Exports a supervisor opens: xlsx, CSV, HTML, and the burndown charts."""

from __future__ import annotations

import csv
import re
import warnings
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from caseflow.adapters.exporters.burndown import (
    BurndownSeries,
    find_cjk_font,
    render_svg,
    render_terminal,
    write_png,
    write_svg,
)
from caseflow.adapters.exporters.csvfile import write_csv
from caseflow.adapters.exporters.htmlpage import write_html
from caseflow.adapters.exporters.table import Column, ReportTable
from caseflow.adapters.exporters.xlsx import sheet_title, write_xlsx
from caseflow.errors import InvalidInput

LONG_TEAM = "神湾镇低效工业园改造升级第一攻坚专班"


def weekly() -> ReportTable:
    return ReportTable(
        title_en="Weekly ranking",
        title_zh="每周量化排序",
        unit="专班",
        period="2026-W11 (2026-03-09 – 2026-03-15)",
        columns=[
            Column("rank", "Rank", "排名", "int"),
            Column("team", "Team", "专班"),
            Column("opened", "Opened", "新开工单", "int"),
            Column("on_time", "Closed on time", "按时办结率", "percent"),
            Column("area", "Area (mu)", "面积（亩）", "float"),
            Column("due", "Next due", "最近到期", "date"),
        ],
        rows=[
            {
                "rank": 1,
                "team": LONG_TEAM,
                "opened": 42,
                "on_time": 100.98,
                "area": 807.82,
                "due": date(2026, 3, 20),
            },
            {
                "rank": 2,
                "team": "小榄<招商>&专班",
                "opened": 7,
                "on_time": 85.5,
                "area": 12.0,
                "due": datetime(2026, 3, 20, 17, 0, tzinfo=UTC),
            },  # 01:00 next day
            {"rank": 3, "team": "Team C", "opened": 0, "on_time": None, "area": 0, "due": None},
        ],
        footnote="按时办结率 = 按时办结 / 办结",
    )


def burndown(counts: list[int]) -> BurndownSeries:
    start = date(2026, 3, 1)
    return BurndownSeries([start + timedelta(days=i) for i in range(len(counts))], counts)


# --- xlsx -----------------------------------------------------------------------------------


def test_xlsx_title_row_frozen_header_and_typed_cells(tmp_path: Path) -> None:
    path = tmp_path / "weekly.xlsx"
    write_xlsx([weekly()], path, lang="zh_CN")
    ws = load_workbook(path).active

    assert ws.title == "每周量化排序"
    title = ws["A1"]
    assert "每周量化排序" in title.value and "专班" in title.value and "2026-W11" in title.value
    assert title.font.bold
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == [
        "排名",
        "专班",
        "新开工单",
        "按时办结率",
        "面积（亩）",
        "最近到期",
    ]
    assert ws.freeze_panes == "A3"  # scrolling keeps title and header in view

    rank, team, opened, on_time, area, due = ws[3]
    assert rank.value == 1 and rank.data_type == "n"
    assert opened.value == 42 and isinstance(opened.value, int)
    assert area.value == pytest.approx(807.82) and area.number_format == "0.00"
    assert team.value == LONG_TEAM
    assert due.is_date and due.value.date() == date(2026, 3, 20)
    # an aware UTC instant lands on its Shanghai calendar day
    assert ws["F4"].value.date() == date(2026, 3, 21)
    assert ws["D5"].value is None and ws["B5"].value == "Team C"


def test_xlsx_percent_is_a_real_excel_percentage(tmp_path: Path) -> None:
    path = tmp_path / "weekly.xlsx"
    write_xlsx([weekly()], path)
    ws = load_workbook(path).active
    cell = ws["D3"]
    assert cell.data_type == "n"
    assert cell.value == pytest.approx(1.0098)  # shown by Excel as 100.98%
    assert cell.number_format == "0.00%"


def test_xlsx_chinese_column_is_wide_enough(tmp_path: Path) -> None:
    path = tmp_path / "weekly.xlsx"
    write_xlsx([weekly()], path)
    ws = load_workbook(path).active
    # Each Chinese character needs two character widths: 18 of them need at least 36.
    assert len(LONG_TEAM) == 18
    assert ws.column_dimensions["B"].width >= 36
    # ...and the title, merged across the columns, does not blow up column A.
    assert ws.column_dimensions["A"].width < 20


def test_xlsx_english_headers_and_one_sheet_per_table(tmp_path: Path) -> None:
    second = weekly()
    second.title_en = "Weekly ranking: [towns]?"  # characters Excel refuses in sheet names
    path = tmp_path / "two.xlsx"
    write_xlsx([weekly(), second], path, lang="en")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Weekly ranking", "Weekly ranking_ _towns__"]
    assert [c.value for c in wb["Weekly ranking"][2]][:3] == ["Rank", "Team", "Opened"]
    assert wb["Weekly ranking"]["A1"].value.startswith("Weekly ranking | Unit: 专班")


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    long = "低效工业园改造升级每周量化排序及进度对标汇总表（按镇街）"
    first = sheet_title(long, taken)
    again = sheet_title(long, taken)
    assert len(first) <= 31 and len(again) <= 31
    assert first != again and again.endswith("(2)")
    assert sheet_title("a/b\\c:d*e?f[g]", taken) == "a_b_c_d_e_f_g_"


def test_xlsx_rejects_text_in_a_number_column(tmp_path: Path) -> None:
    table = weekly()
    table.rows[0]["opened"] = [1]
    with pytest.raises(InvalidInput, match="opened"):
        write_xlsx([table], tmp_path / "bad.xlsx")


def test_xlsx_unwritable_path_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot write"):
        write_xlsx([weekly()], tmp_path / "missing-dir" / "w.xlsx")


# --- csv ------------------------------------------------------------------------------------


def test_csv_has_bom_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "weekly.csv"
    write_csv(weekly(), path, "zh_CN")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["排名", "专班", "新开工单", "按时办结率", "面积（亩）", "最近到期"]
    assert rows[1] == ["1", LONG_TEAM, "42", "100.98", "807.82", "2026-03-20"]
    assert rows[2] == ["2", "小榄<招商>&专班", "7", "85.50", "12.00", "2026-03-21"]
    assert rows[3] == ["3", "Team C", "0", "", "0.00", ""]
    assert len(rows) == 4


def test_csv_english_header(tmp_path: Path) -> None:
    path = tmp_path / "weekly.csv"
    write_csv(weekly(), path, "en")
    first = path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert first == "Rank,Team,Opened,Closed on time,Area (mu),Next due"


# --- html -----------------------------------------------------------------------------------


def test_html_is_self_contained_escaped_and_has_rows_and_chart(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    svg = render_svg(burndown([30, 27, 25, 20, 18]), "清零进度")
    write_html([weekly()], path, "zh_CN", charts=[svg])
    page = path.read_text(encoding="utf-8")

    assert "小榄&lt;招商&gt;&amp;专班" in page
    assert "小榄<招商>" not in page
    assert page.count("<tr>") == 1 + 3  # header + three rows
    assert '<td class="num">100.98%</td>' in page
    assert "<th>按时办结率</th>" in page
    assert "<svg" in page and 'class="daily"' in page
    assert not re.search(r"https?://", page)
    assert "@media print" in page
    assert not re.search(r"<(link|script|img)\b", page)
    assert '<html lang="zh-CN">' in page


def test_html_refuses_markup_that_is_not_svg(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="chart 1"):
        write_html([weekly()], tmp_path / "r.html", "zh_CN", charts=["<div>not a chart"])


# --- burndown -------------------------------------------------------------------------------


def test_decreasing_series_projects_a_zero_date() -> None:
    series = burndown([100, 90, 80, 70, 60])  # exactly -10 a day: zero on day 10
    trend = series.trend()
    assert trend.slope == pytest.approx(-10)
    assert trend.zero_date == date(2026, 3, 11)


def test_noisy_decreasing_series_projects_after_its_last_day() -> None:
    trend = burndown([120, 118, 117, 110, 108, 104, 100, 99, 95, 90]).trend()
    assert trend.zero_date is not None
    assert date(2026, 4, 1) < trend.zero_date < date(2026, 4, 15)


@pytest.mark.parametrize("counts", [[40, 40, 40, 40], [10, 12, 15, 20], [7]])
def test_flat_or_rising_series_has_no_zero_date(counts: list[int]) -> None:
    assert burndown(counts).trend().zero_date is None


def test_series_rejects_unordered_dates() -> None:
    with pytest.raises(InvalidInput, match="increase"):
        BurndownSeries([date(2026, 3, 2), date(2026, 3, 1)], [1, 2])
    with pytest.raises(InvalidInput, match="2 dates but 1 counts"):
        BurndownSeries([date(2026, 3, 1), date(2026, 3, 2)], [1])


def test_svg_parses_and_shows_projection(tmp_path: Path) -> None:
    series = burndown([100, 90, 80, 70, 60])
    svg = render_svg(series, "神湾 <清零> & 进度", lang="zh_CN")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    ns = {"s": "http://www.w3.org/2000/svg"}
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "神湾 <清零> & 进度" in texts
    assert "预计清零：2026-03-11" in texts
    daily = root.find("s:polyline[@class='daily']", ns)
    assert daily is not None and len(daily.get("points", "").split()) == 5
    trend = root.find("s:line[@class='trend']", ns)
    assert trend is not None and trend.get("stroke-dasharray")

    out = tmp_path / "b.svg"
    write_svg(series, out, lang="en")
    assert "Projected zero: 2026-03-11" in out.read_text(encoding="utf-8")


def test_svg_for_a_flat_series_says_no_zero_date() -> None:
    svg = render_svg(burndown([5, 5, 5]), lang="en")
    ET.fromstring(svg)
    assert "Not trending down" in svg


def test_svg_for_no_data_still_parses() -> None:
    svg = render_svg(BurndownSeries([], []), lang="en")
    assert "No data" in "".join(ET.fromstring(svg).itertext())


def test_png_is_written_without_missing_glyphs(tmp_path: Path) -> None:
    path = tmp_path / "burndown.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_png(
            burndown([30, 27, 25, 20, 18]),
            path,
            "神湾镇清零进度",
            lang="zh_CN",
            title_en="Shenwan burndown",
        )
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == [], f"tofu boxes in the PNG (CJK font: {find_cjk_font()}): {missing}"


def test_terminal_chart_has_requested_size_and_projection() -> None:
    chart = render_terminal(burndown([100, 90, 80, 70, 60]), width=72, height=18, lang="en")
    lines = chart.splitlines()
    assert len(lines) == 18
    assert max(len(line) for line in lines) == 72
    assert "Projected zero: 2026-03-11" in chart
    assert "03-01" in chart
    assert "\x1b[" not in chart  # plain text unless color=True
