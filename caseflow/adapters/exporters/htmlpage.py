"""A printable, self-contained HTML page: the report tables and the burndown chart.

Offices print these or mail them around, often to machines without internet, so
the page carries its own CSS, embeds charts as inline SVG and references nothing
outside itself. All table text is escaped; chart markup must be SVG we generated
(it is checked to parse as an ``<svg>`` element, but not sanitised).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html import escape
from pathlib import Path

from caseflow.adapters.exporters.table import ReportTable, cannot_write, format_value, is_chinese
from caseflow.errors import InvalidInput
from caseflow.files import make_private

SVG_NS = "http://www.w3.org/2000/svg"

CSS = """
:root { color-scheme: light; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Zen Hei",
       "Helvetica Neue", Arial, sans-serif; color: #222; margin: 24px; font-size: 14px; }
h1 { font-size: 20px; margin: 0 0 16px; }
section.report { margin-bottom: 28px; }
h2 { font-size: 16px; margin: 0 0 4px; }
p.meta { color: #555; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 4px 8px; }
th { background: #ddebf7; font-weight: bold; text-align: center; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.date { white-space: nowrap; }
tbody tr:nth-child(even) { background: #f6f8fa; }
p.footnote { color: #555; font-size: 12px; margin-top: 6px; }
figure.chart { margin: 0 0 24px; }
figure.chart svg { max-width: 100%; height: auto; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { margin: 0; font-size: 11pt; }
  thead { display: table-header-group; }
  tr, figure.chart { page-break-inside: avoid; break-inside: avoid; }
  section.report + section.report { page-break-before: always; break-before: page; }
  tbody tr:nth-child(even) { background: none; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()


def _check_svg(markup: str, index: int) -> str:
    try:
        root = ET.fromstring(markup.strip())
    except ET.ParseError as exc:
        raise InvalidInput(f"chart {index + 1} is not well-formed SVG: {exc}") from exc
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise InvalidInput(f"chart {index + 1} is a <{root.tag}> element, not <svg>")
    # Inline SVG in HTML needs no namespace declaration; dropping it leaves the page
    # without a single URL, which makes "references nothing outside" easy to check.
    return markup.strip().replace(f' xmlns="{SVG_NS}"', "", 1)


def _table_html(table: ReportTable, lang: str) -> str:
    parts = [
        '<section class="report">',
        f"<h2>{escape(table.title(lang))}</h2>",
        f'<p class="meta">{escape(table.caption(lang))}</p>',
        "<table>",
        "<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in table.header(lang)),
        "</tr></thead>",
        "<tbody>",
    ]
    for row in table.rows:
        cells = []
        for column in table.columns:
            css = {"int": "num", "float": "num", "percent": "num", "date": "date"}.get(column.kind)
            attr = f' class="{css}"' if css else ""
            cells.append(f"<td{attr}>{escape(format_value(column, row.get(column.key)))}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts += ["</tbody>", "</table>"]
    if table.footnote:
        parts.append(f'<p class="footnote">{escape(table.footnote)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def render_html(
    tables: Sequence[ReportTable],
    lang: str = "zh_CN",
    charts: Sequence[str] = (),
    page_title: str | None = None,
) -> str:
    """The whole page as a string: heading, charts, then one section per table."""
    svgs = [_check_svg(markup, i) for i, markup in enumerate(charts)]
    title = page_title or (tables[0].title(lang) if tables else "caseflow")
    html_lang = "zh-CN" if is_chinese(lang) else "en"
    body = [f"<h1>{escape(title)}</h1>"]
    body += [f'<figure class="chart">\n{svg}\n</figure>' for svg in svgs]
    body += [_table_html(table, lang) for table in tables]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{html_lang}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>\n{CSS}\n</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def write_html(
    tables: Sequence[ReportTable],
    path: Path,
    lang: str = "zh_CN",
    charts: Sequence[str] = (),
    page_title: str | None = None,
) -> None:
    """Write the page to ``path`` (UTF-8)."""
    try:
        page = render_html(tables, lang, charts, page_title)
        make_private(path).write_text(page, encoding="utf-8")
    except OSError as exc:
        raise cannot_write(path, exc) from exc
