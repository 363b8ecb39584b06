"""The clear-to-zero list's burndown: open items per day and the trend to zero.

The same series is drawn three ways: a dependency-free SVG (for the HTML page and
``--output FILE.svg``), a PNG through matplotlib (pasted into Word reports), and a
text chart through plotext (the terminal). matplotlib and plotext are imported
only when those outputs are asked for, so the rest of caseflow starts fast.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from caseflow.adapters.exporters.table import cannot_write, display_width, is_chinese
from caseflow.domain.burndown import BurndownSeries, Trend
from caseflow.files import make_private

CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Serif CJK SC",
)

SVG_FONTS = "'Noto Sans CJK SC','Microsoft YaHei','PingFang SC','WenQuanYi Zen Hei',sans-serif"


@dataclass(frozen=True)
class Labels:
    """The words on a burndown chart, in one language."""

    default_title: str
    x_axis: str
    y_axis: str
    daily: str
    trend: str
    projected: str  # format with {date}
    not_down: str
    no_data: str


LABELS_EN = Labels(
    default_title="Clear-to-zero list burndown",
    x_axis="Date",
    y_axis="Open items",
    daily="Open items per day",
    trend="Trend (least squares)",
    projected="Projected zero: {date}",
    not_down="Not trending down: no zero date",
    no_data="No data",
)
LABELS_ZH = Labels(
    default_title="重点监督任务清单清零进度",
    x_axis="日期",
    y_axis="未销号数",
    daily="每日未销号数",
    trend="趋势（最小二乘）",
    projected="预计清零：{date}",
    not_down="未呈下降趋势，无法预计清零日期",
    no_data="无数据",
)


def chart_labels(lang: str) -> Labels:
    return LABELS_ZH if is_chinese(lang) else LABELS_EN


def has_wide_chars(text: str) -> bool:
    """True if ``text`` holds CJK (wide) characters that a Latin-only font would show as boxes."""
    return display_width(text) != len(text)


# --- SVG -----------------------------------------------------------------------------------


def _nice_step(span: float, target_ticks: int = 5) -> float:
    """A 1/2/5 × 10^k step giving about ``target_ticks`` intervals over ``span``."""
    raw = max(span, 1e-9) / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def _x_end(series: BurndownSeries, trend: Trend | None) -> int:
    """Last day shown: the data, extended to the projected zero if that is not too far out."""
    last = series.offsets()[-1]
    if trend and trend.zero_date:
        zero = (trend.zero_date - series.dates[0]).days
        if zero > last and zero <= 3 * max(last, 7):
            return zero
    return max(last, 1)


def render_svg(series: BurndownSeries, title: str | None = None, lang: str = "zh_CN") -> str:
    """A standalone ``<svg>`` of the burndown: axes, daily line, dashed trend, labels."""
    lab = chart_labels(lang)
    title = title or lab.default_title
    w, h = 800, 420
    left, right, top, bottom = 64, 24, 56, 72
    pw, ph = w - left - right, h - top - bottom
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
        f'height="{h}" role="img" font-family="{SVG_FONTS}" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>',
        f'<text x="{w / 2}" y="28" text-anchor="middle" font-size="17" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    if not series.dates:
        out.append(
            f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#555"/>'
        )
        out.append(
            f'<text x="{left + pw / 2}" y="{top + ph / 2}" text-anchor="middle" '
            f'fill="#777">{escape(lab.no_data)}</text>'
        )
        out.append("</svg>")
        return "\n".join(out)

    trend = series.trend()
    x_end = _x_end(series, trend)
    y_step = _nice_step(max(max(series.open_counts), trend.intercept, 1))
    y_top = y_step * math.ceil(max(max(series.open_counts), trend.intercept, 1) / y_step)

    def sx(day: float) -> float:
        return round(left + pw * day / x_end, 1)

    def sy(value: float) -> float:
        return round(top + ph * (1 - value / y_top), 1)

    # ids must be unique when several charts share one HTML page: derive one from the data
    digest = hashlib.sha1(
        repr((title, series.dates, series.open_counts)).encode(), usedforsecurity=False
    ).hexdigest()
    clip = f"plot-{digest[:10]}"
    out.append(
        f'<defs><clipPath id="{clip}"><rect x="{left}" y="{top}" width="{pw}" '
        f'height="{ph}"/></clipPath></defs>'
    )
    # horizontal grid and y ticks
    n_y = round(y_top / y_step)
    for i in range(n_y + 1):
        v = i * y_step
        y = sy(v)
        out.append(f'<line x1="{left}" y1="{y}" x2="{left + pw}" y2="{y}" stroke="#e3e3e3"/>')
        label = f"{v:g}"
        out.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{label}</text>')
    # x ticks: about seven, on whole days
    x_step = max(1, math.ceil(x_end / 7))
    for day in range(0, x_end + 1, x_step):
        x = sx(day)
        when = series.dates[0] + timedelta(days=day)
        out.append(f'<line x1="{x}" y1="{top + ph}" x2="{x}" y2="{top + ph + 5}" stroke="#555"/>')
        out.append(f'<text x="{x}" y="{top + ph + 19}" text-anchor="middle">{when:%m-%d}</text>')
    # axes
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#555"/>')
    out.append(
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#555"/>'
    )
    first, last_shown = series.dates[0], series.dates[0] + timedelta(days=x_end)
    out.append(
        f'<text x="{left + pw / 2}" y="{h - 30}" text-anchor="middle">'
        f"{escape(lab.x_axis)} ({first.isoformat()} – {last_shown.isoformat()})</text>"
    )
    out.append(
        f'<text transform="translate(16 {top + ph / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(lab.y_axis)}</text>'
    )

    # trend line: from the first day to zero (or to the right edge)
    t_end = x_end
    if trend.zero_date and (trend.zero_date - first).days <= x_end:
        t_end = (trend.zero_date - first).days
        t_end_value = 0.0
    else:
        t_end_value = trend.intercept + trend.slope * t_end
    out.append(
        f'<line class="trend" x1="{sx(0)}" y1="{sy(trend.intercept)}" x2="{sx(t_end)}" '
        f'y2="{sy(max(t_end_value, 0.0))}" stroke="#1f6fb2" stroke-width="2" '
        f'stroke-dasharray="7 5" clip-path="url(#{clip})"/>'
    )
    # daily line
    points = " ".join(
        f"{sx(d)},{sy(n)}" for d, n in zip(series.offsets(), series.open_counts, strict=True)
    )
    out.append(
        f'<polyline class="daily" points="{points}" fill="none" stroke="#c0392b" '
        'stroke-width="2.2" stroke-linejoin="round"/>'
    )
    if len(series.dates) <= 62:
        for d, n in zip(series.offsets(), series.open_counts, strict=True):
            out.append(
                f'<circle cx="{sx(d)}" cy="{sy(n)}" r="2.6" fill="#c0392b">'
                f"<title>{series.dates[0] + timedelta(days=d)}: {n}</title></circle>"
            )
    # legend and projection note
    lx, ly = left + pw - 230, top + 8
    out.append(
        f'<rect x="{lx - 8}" y="{ly - 4}" width="238" height="60" fill="#ffffff" '
        'fill-opacity="0.85" stroke="#ccc"/>'
    )
    out.append(
        f'<line x1="{lx}" y1="{ly + 10}" x2="{lx + 28}" y2="{ly + 10}" '
        'stroke="#c0392b" stroke-width="2.2"/>'
    )
    out.append(f'<text x="{lx + 36}" y="{ly + 14}">{escape(lab.daily)}</text>')
    out.append(
        f'<line x1="{lx}" y1="{ly + 30}" x2="{lx + 28}" y2="{ly + 30}" stroke="#1f6fb2" '
        'stroke-width="2" stroke-dasharray="7 5"/>'
    )
    out.append(f'<text x="{lx + 36}" y="{ly + 34}">{escape(lab.trend)}</text>')
    note = (
        lab.projected.format(date=trend.zero_date.isoformat()) if trend.zero_date else lab.not_down
    )
    out.append(
        f'<text class="projection" x="{lx}" y="{ly + 52}" font-weight="bold">{escape(note)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def write_svg(
    series: BurndownSeries, path: Path, title: str | None = None, lang: str = "zh_CN"
) -> None:
    """``render_svg`` to a file, for ``report burndown --output FILE.svg``."""
    try:
        make_private(path).write_text(render_svg(series, title, lang), encoding="utf-8")
    except OSError as exc:
        raise cannot_write(path, exc) from exc


# --- PNG (matplotlib) ----------------------------------------------------------------------


def find_cjk_font() -> str | None:
    """The family name of an installed font that can draw Chinese, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONT_CANDIDATES if name in installed), None)


def write_png(
    series: BurndownSeries,
    path: Path,
    title: str | None = None,
    *,
    lang: str = "zh_CN",
    title_en: str | None = None,
) -> None:
    """Draw the burndown to a PNG with matplotlib's Agg renderer.

    Chinese labels are used only when a CJK font is installed; otherwise the chart
    falls back to English (``title_en`` for a Chinese title) so no tofu boxes appear.
    """
    font = find_cjk_font()
    rc: dict[str, Any] = {"axes.unicode_minus": False}
    if font:
        rc.update({"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"]})
    else:
        lang = "en"
    lab = chart_labels(lang)
    title = title or lab.default_title
    if not font and has_wide_chars(title):
        title = title_en if title_en and not has_wide_chars(title_en) else lab.default_title

    # Single-weight CJK fonts make findfont log "Failed to find font weight bold" warnings
    # on every bold label; they are harmless and would only clutter the CLI's stderr.
    quiet = logging.getLogger("matplotlib.font_manager")
    old_level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        _draw_png(series, Path(path), title, lab, rc)
    finally:
        quiet.setLevel(old_level)


def _draw_png(
    series: BurndownSeries, path: Path, title: str, lab: Labels, rc: dict[str, Any]
) -> None:
    """The Agg canvas is attached to the figure directly: no pyplot, no global backend."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        fig = Figure(figsize=(10, 5), dpi=120)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.set_title(title, fontsize=14, fontweight="bold")
        ax.set_xlabel(lab.x_axis)
        ax.set_ylabel(lab.y_axis)
        ax.grid(True, axis="y", color="#e3e3e3")
        if series.dates:
            trend = series.trend()
            ax.plot(
                series.dates,  # type: ignore[arg-type]  # matplotlib plots dates
                series.open_counts,
                color="#c0392b",
                linewidth=2,
                marker="o" if len(series.dates) <= 62 else None,
                markersize=3,
                label=lab.daily,
            )
            end = series.dates[0] + timedelta(days=_x_end(series, trend))
            t_end = min(trend.zero_date, end) if trend.zero_date else end
            ax.plot(
                [series.dates[0], t_end],  # type: ignore[arg-type]  # matplotlib plots dates
                [trend.intercept, max(trend.value_at(t_end), 0.0)],
                color="#1f6fb2",
                linewidth=2,
                linestyle="--",
                label=lab.trend,
            )
            note = (
                lab.projected.format(date=trend.zero_date.isoformat())
                if trend.zero_date
                else lab.not_down
            )
            ax.text(
                0.99, 0.80, note, transform=ax.transAxes, ha="right", va="top", fontweight="bold"
            )
            ax.legend(loc="upper right")
            ax.set_ylim(0, max(max(series.open_counts), trend.intercept, 1) * 1.08)
            ax.xaxis.set_major_formatter(DateFormatter("%m-%d"))
            fig.autofmt_xdate()
        else:
            ax.text(0.5, 0.5, lab.no_data, transform=ax.transAxes, ha="center")
        fig.tight_layout()
        try:
            fig.savefig(make_private(path), format="png")
        except OSError as exc:
            raise cannot_write(path, exc) from exc


# --- terminal (plotext) --------------------------------------------------------------------


def render_terminal(
    series: BurndownSeries,
    width: int = 80,
    height: int = 20,
    title: str | None = None,
    lang: str = "zh_CN",
    color: bool = False,
) -> str:
    """The burndown as a text chart of ``width`` × ``height`` cells, ready to print."""
    import plotext as plt

    lab = chart_labels(lang)
    fig = plt.figure
    plt.terminal.limit(False, False)  # draw at the requested size, not the terminal's
    try:
        fig.clear()
        fig.plot_size(width, height)
        fig.title(title or lab.default_title)
        if series.dates:
            trend = series.trend()
            x_end = _x_end(series, trend)
            t_end = x_end
            if trend.zero_date and (trend.zero_date - series.dates[0]).days <= x_end:
                t_end = (trend.zero_date - series.dates[0]).days
            # trend first, so the daily line is drawn over it where they cross
            fig.draw(
                fig.signal(
                    [0, t_end],
                    [trend.intercept, max(trend.intercept + trend.slope * t_end, 0.0)],
                    marker=".",
                )
                .label(lab.trend)
                .lines()
            )
            fig.draw(
                fig.signal(series.offsets(), series.open_counts, marker="braille")
                .label(lab.daily)
                .lines()
            )
            y_top = max(max(series.open_counts), trend.intercept)
            fig.legend(x=x_end, y=y_top, ha="right", va="top", relative=True)
            step = max(1, math.ceil(x_end / 6))
            ticks = list(range(0, x_end + 1, step))
            fig.ruler("x").ticks(
                ticks, [f"{series.dates[0] + timedelta(days=d):%m-%d}" for d in ticks]
            )
            fig.ruler("y").lim(0, None)
            note = (
                lab.projected.format(date=trend.zero_date.isoformat())
                if trend.zero_date
                else lab.not_down
            )
            fig.label(note, axis="x")
        chart = fig.build().string(colorless=not color)
    finally:
        fig.clear()
        plt.terminal.limit()
    return chart


__all__ = [
    "BurndownSeries",
    "Labels",
    "Trend",
    "chart_labels",
    "find_cjk_font",
    "render_svg",
    "render_terminal",
    "write_png",
    "write_svg",
]
