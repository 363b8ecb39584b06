"""The older in-process figures, kept as extra rows and labelled ``in-process``: the
services timed inside one Python process (no start-up, no rendering), and the
creation rate of cases. They say where time goes inside; the ``commands`` rows say
what a person waits for. The sweep's own 1M-order database (``sweep_bench``) and the
8-week demo are left out unless asked for (``--only inprocess-sweep demo``): the
``commands`` rows time the sweep on the city data set itself."""

from __future__ import annotations

from bench import core_bench, report_bench, sweep_bench
from bench.harness import Context, Row, register


def _row(key: str, what: str, seconds: float | None, *, target_s: float | None = None,
         issue: int = 0, note: str = "") -> Row:
    return Row(key, what, samples=[] if seconds is None else [seconds], kind="in-process",
               target_s=target_s, issue=issue, note=note)


@register("inprocess", order=80)
def inprocess_rows(ctx: Context) -> list[Row]:
    core = core_bench.measure_core(ctx.workdir)
    raw = core_bench.measure_raw_sqlite(ctx.workdir)
    rows = [
        _row("cases_10k_batch", "add_cases, 10k cases with their orders (service)",
             10_000 / core["cases_per_s"], target_s=2.0, issue=2,
             note=f"{core['cases_per_s']:.0f} cases/s; raw SQLite "
                  f"{raw.get('raw_rows_per_s', 0):.0f} rows/s"),
        _row("advance_p50", "advance one case, p50 (service)", core["advance_p50_ms"] / 1000,
             target_s=0.005, issue=2),
    ]
    imported = core_bench.measure_import(ctx.workdir)
    if imported:
        rows.append(_row("import_10k", "case import, 10k rows (whole process)",
                         imported["import_10k_s"], target_s=10, issue=3))
    reports = report_bench.measure(ctx.copy("reports"), repeat=1)
    for key, label in (("weekly_team_first_s", "report weekly by team (service)"),
                       ("progress_project_first_s", "report progress by project (service)"),
                       ("burndown_30d_first_s", "report burndown 30 days (service)")):
        if key in reports:
            rows.append(_row(f"svc_{key.removesuffix('_first_s')}", label, reports[key],
                             issue=5))
    return rows


@register("inprocess-sweep", order=90)
def sweep_rows(ctx: Context) -> list[Row]:
    if "inprocess-sweep" not in ctx.only:
        return []
    found = sweep_bench.measure(workdir=ctx.workdir)
    return [_row("svc_sweep_new", "sweep service, 10k new of 1M (own database)",
                 found.get("sweep_new_s"), issue=4),
            _row("svc_sweep_nothing", "sweep service, nothing new (own database)",
                 found.get("sweep_nothing_s"), issue=4)]


@register("demo", order=95)
def demo_rows(ctx: Context) -> list[Row]:
    if "demo" not in ctx.only:
        return []
    found = core_bench.measure_demo(ctx.workdir)
    return [Row("demo", "caseflow demo, 8 weeks", samples=[found["demo_s"]], target_s=60,
                issue=6)]
