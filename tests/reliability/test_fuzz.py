"""Bad input never crashes: the parsers return a value or raise InvalidInput, and the
CLI answers any argument list with exit code 0, 1 or 2 and never a traceback."""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow.clock import SHANGHAI
from caseflow.domain.durations import Duration, parse_date, parse_duration, parse_instant
from caseflow.domain.values import FIRST_DAY, LAST_DAY
from caseflow.errors import InvalidInput

TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789-/.:TZ+ wd天日年月工作个", max_size=25),
    st.from_regex(r"\s*\d{1,5}\s*(wd|d|WD|天|日|工作日|个工作日|h|w)?\s*", fullmatch=True),
    st.from_regex(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?([T ]\d{1,2}:\d{2}(:\d{2})?)?"
                  r"(Z|[+-]\d{2}:\d{2})?", fullmatch=True),
)


@given(TEXT)
@settings(max_examples=400)
def test_parse_duration_gives_a_duration_or_a_clear_error(text: str) -> None:
    try:
        value = parse_duration(text)
    except InvalidInput as error:
        assert "duration" in str(error)
        return
    assert isinstance(value, Duration) and value.amount >= 0
    assert parse_duration(str(value)) == value  # what it prints, it reads back


@given(TEXT)
@settings(max_examples=400)
def test_parse_date_gives_a_date_or_a_clear_error(text: str) -> None:
    try:
        value = parse_date(text)
    except InvalidInput as error:
        assert "date" in str(error)
        return
    assert isinstance(value, date)
    assert parse_date(value.isoformat()) == value


@given(TEXT)
@settings(max_examples=400)
def test_parse_instant_gives_an_aware_utc_instant_or_a_clear_error(text: str) -> None:
    try:
        value = parse_instant(text)
    except InvalidInput as error:
        assert "date" in str(error) or "time" in str(error)
        return
    assert value.tzinfo is not None and value.utcoffset() == timedelta(0)


@given(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
def test_every_date_of_the_horizon_parses_in_each_accepted_form(day: date) -> None:
    for text in (day.isoformat(), f"{day.year:04d}/{day.month}/{day.day}",
                 f"{day.year:04d}年{day.month}月{day.day}日"):
        assert parse_date(text) == day
    assert parse_instant(day.isoformat()) == datetime.combine(
        day, time(23, 59, 59), SHANGHAI).astimezone(UTC)


@given(st.one_of(st.dates(max_value=FIRST_DAY - timedelta(days=1)),
                 st.dates(min_value=LAST_DAY + timedelta(days=1))))
def test_a_date_beyond_the_horizon_is_refused_in_one_sentence(day: date) -> None:
    for parse in (parse_date, parse_instant):
        with pytest.raises(InvalidInput, match="outside the calendar"):
            parse(f"{day.year:04d}-{day.month:02d}-{day.day:02d}")


# --- the import file reader ------------------------------------------------------------

CSV_CELLS = st.one_of(st.text(max_size=20), st.sampled_from(
    ["name", "credit_code", "area_mu", "企业名称", "统一社会信用代码", "面积（亩）",
     "91442000MA4UJ5XQ06", "12.5", "-3", "1e400", "ＮａＮ", "", '"', "\ufeff"]))
CSV_TEXT = st.lists(st.lists(CSV_CELLS, max_size=5), max_size=6).map(
    lambda rows: "\n".join(",".join(r) for r in rows))


@given(st.one_of(CSV_TEXT.map(lambda t: t.encode("utf-8")),
                 CSV_TEXT.map(lambda t: t.encode("gb18030", errors="replace")),
                 st.binary(max_size=200)),
       st.sampled_from([".csv", ".xlsx"]))
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_import_reader_returns_rows_and_line_errors_or_one_clear_error(
        tmp_path: Path, data: bytes, suffix: str) -> None:
    from caseflow.adapters.importers.case_rows import read_rows, validate_rows

    path = tmp_path / f"cases{suffix}"
    path.write_bytes(data)
    try:
        plan = validate_rows(list(read_rows(path)), set())
    except InvalidInput as error:
        assert str(error) and "\n" not in str(error).strip()
        return
    for problem in plan.errors:
        assert str(problem).startswith("line ")
    for row in plan.valid:
        assert row.name and row.area_mu > 0


# --- the command line ----------------------------------------------------------------

WORDS = ["init", "db", "upgrade", "export", "import-dump", "--admin", "--name", "--output",
         "-o", "--user", "--lang", "--db", "--debug", "--help", "zh_CN", "en", "admin",
         "ticket", "case", "list", "close", "--json", "x.json", "missing.json", "", "-",
         "--no-such-option", "中文", "9999999999999999999999"]
ARGV = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=6)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'fuzz.db'}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CASEFLOW_CONFIG", raising=False)
    monkeypatch.delenv("CASEFLOW_USER", raising=False)
    return tmp_path


@given(ARGV)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_arguments_end_in_0_1_or_2_without_a_traceback(cli_env: Path,
                                                          argv: list[str]) -> None:
    from caseflow.adapters.cli.main import main

    if "demo" in argv or "--debug" in argv:  # the demo runs for seconds; --debug may raise
        return
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code in (0, 1, 2), (argv, code, err.getvalue())
    assert "Traceback" not in err.getvalue()
    if code == 1:
        lines = [line for line in err.getvalue().splitlines() if line.startswith("caseflow:")]
        assert lines, (argv, err.getvalue())


# --- hostile text through every field ----------------------------------------------------
# Rich markup, terminal escapes, control characters, right-to-left and zero-width
# characters, spreadsheet formula prefixes and 10,000-character strings go in through
# every text field a person can type. Each is either refused in one line (control
# characters; longer than the column) or stored; then every listing, export and report
# still works, shows what was stored as text, and lets no escape reach the terminal.

HOSTILE = [
    "中山市[/x]测试厂", "[link=https://evil.example]点我领奖[/link]", "[bold red]红字[/]",
    "清屏\x1b[2J测试", "改标题\x1b]0;pwned\x07厂", "响铃\x07", "空\x00字", "C1\x9b31m",
    "\u202e厂试测\u202c右到左", "零宽\u200b\u200d\ufeff字符", "مصنع الألمنيوم الحديث",
    '=HYPERLINK("https://evil.example","谈判专班")', "+1+cmd|' /C calc'!A0", "-2+3",
    "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "长" * 10_000, "x" * 10_000,
]
_CONTROL = set(range(0x20)) - {0x0A} | {0x7F} | set(range(0x80, 0xA0))


def _escapes(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if ord(c) in _CONTROL and c != "\t"})


@pytest.fixture
def hostile_cli(app: Any, town: Any, capsys: pytest.CaptureFixture[str],
                monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    from caseflow.adapters.cli.main import main

    monkeypatch.setenv("CASEFLOW_FAKE_NOW", "2026-03-02T09:00+08:00")
    monkeypatch.setenv("CASEFLOW_LANG", "zh_CN")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.chdir(tmp_path)
    for name in ("CASEFLOW_CONFIG", "CASEFLOW_DATABASE_URL", "CASEFLOW_USER"):
        monkeypatch.delenv(name, raising=False)
    url = app.settings.database_url

    def run(*args: str, user: str = "root") -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--db", url, "--user", user, *args])
        out, err = capsys.readouterr()
        assert code in (0, 1), (args[:3], code, err)
        assert "Traceback" not in err and "unexpected error" not in err, (args[:3], err)
        assert not _escapes(out + err), (args[:3], _escapes(out + err))
        if code == 1:
            assert len(err.strip().splitlines()) == 1, (args[:3], err)
        return code, out, err

    return run


def test_hostile_text_through_every_field_stays_inert_everywhere(
        hostile_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import csv
    import json

    from openpyxl import load_workbook

    run = hostile_cli
    stored: set[str] = set()

    def attempt(value: str, *args: str, user: str = "root") -> bool:
        code, out, err = run(*args, user=user)
        if code == 0:
            stored.add(value.strip())
        return code == 0

    case_ids: list[int] = []
    for i, value in enumerate(HOSTILE):
        attempt(value, "team", "add", f"t{i}", "--name", value)
        attempt(value, "user", "add", f"u{i}", "--name", value, "--role", "member",
                "--team", "negotiation")
        attempt(value, "project", "add", f"P{i}", "--name", value, "--town", value,
                "--workflow", "gongai", "--target-mu", "10")
        code, out, _ = run("case", "add", "--project", "SW01", "--name", value,
                           "--team", "negotiation", "--json", user="lead1")
        if code == 0:
            stored.add(value.strip())
            case_ids.append(json.loads(out)["id"])
    assert case_ids, "no hostile name was accepted at all"
    orders: list[int] = []
    for value in HOSTILE:
        code, out, _ = run("ticket", "add", "--case", str(case_ids[0]), "--title", value,
                           "--due", "2026-03-04", "--assignee", "zhang", "--json",
                           user="lead1")
        if code == 0:
            stored.add(value.strip())
            orders.append(json.loads(out)["id"])
    for i, value in enumerate(HOSTILE):
        order = orders[i % len(orders)]
        attempt(value, "ticket", "comment", str(order), "--", value, user="zhang")
        attempt(value, "ticket", "extend", str(order), "--to", f"2026-03-{5 + i:02d}",
                "--reason", value, user="lead1")
    for order, value in zip(orders[::2], reversed(HOSTILE), strict=False):
        attempt(value, "ticket", "close", str(order), "--note", value, user="zhang")

    # what went in: escapes refused, markup/RTL/zero-width/formulas and long notes kept
    assert "中山市[/x]测试厂" in stored and "x" * 10_000 in stored
    assert not any(_escapes(v) for v in stored)

    monkeypatch.setenv("CASEFLOW_FAKE_NOW", "2026-03-10T09:00+08:00")
    assert run("sweep")[0] == 0
    listings = [
        ("ticket", "list", "--all"), ("ticket", "list", "--all", "--status", "any"),
        ("ticket", "list", "--mine"), ("case", "list", "--project", "SW01"),
        ("project", "list"), ("team", "list"), ("user", "list"), ("clearlist",),
        ("clearlist", "--all"), ("alerts", "list"),
        ("report", "weekly", "--week", "2026-W10"),
        ("report", "weekly", "--week", "2026-W10", "--by", "person"),
        ("report", "weekly", "--week", "2026-W10", "--by", "project"),
        ("report", "progress", "--year", "2026"),
        *[("ticket", "show", str(o)) for o in orders],
        *[("case", "show", str(c)) for c in case_ids[:4]],
    ]
    shown = ""
    for args in listings:
        code, out, err = run(*args)
        assert code == 0, (args, err)
        shown += out
    assert "中山市[/x]测试厂" in shown and "[link=https://evil.example]" in shown
    assert "清屏" not in shown  # refused on the way in

    as_json = ""
    for args in [("ticket", "list", "--all", "--status", "any", "--json"),
                 ("case", "list", "--project", "SW01", "--json"), ("clearlist", "--json"),
                 ("report", "weekly", "--week", "2026-W10", "--format", "json"),
                 *[("ticket", "show", str(o), "--json") for o in orders]]:
        code, out, _ = run(*args)
        assert code == 0
        as_json += json.dumps(json.loads(out), ensure_ascii=False)
    for value in stored:  # JSON carries exactly what was stored
        if len(value) < 1000:
            assert json.dumps(value, ensure_ascii=False)[1:-1] in as_json, value

    for by in ("team", "person", "project"):
        for fmt in ("xlsx", "csv", "html"):
            path = tmp_path / f"weekly-{by}.{fmt}"
            assert run("report", "weekly", "--week", "2026-W10", "--by", by, "--format", fmt,
                       "--output", str(path))[0] == 0
        sheet = load_workbook(tmp_path / f"weekly-{by}.xlsx")
        assert not [c for ws in sheet for row in ws.iter_rows() for c in row
                    if c.data_type == "f"], by
        cells = [cell for row in csv.reader(
            (tmp_path / f"weekly-{by}.csv").read_text(encoding="utf-8-sig").splitlines())
            for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
                    or c[:1] == "-" and not c[1:].replace(".", "").isdigit()], by
        page = (tmp_path / f"weekly-{by}.html").read_text(encoding="utf-8")
        assert "<script" not in page.lower().replace("<script>", "")  # nothing injected

    dump = tmp_path / "all.json"
    assert run("export", "--output", str(dump))[0] == 0
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    from caseflow.adapters.cli.main import main

    assert main(["--db", restored, "import-dump", str(dump)]) == 0
    assert main(["--db", restored, "--user", "root", "ticket", "list", "--all"]) == 0


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_any_text_is_refused_in_one_line_or_stored_without_control_characters(
        text: str) -> None:
    from caseflow.adapters.inert import csv_text, terminal_safe
    from caseflow.domain import values

    for multiline in (False, True):
        try:
            kept = values.text(text, "name", limit=200, multiline=multiline)
        except InvalidInput as error:
            assert "\n" not in str(error)
            continue
        assert kept is not None and not _escapes(kept.replace("\n", "") if multiline else kept)
    assert not _escapes(terminal_safe(text).replace("\n", ""))
    assert not csv_text(text).startswith(("=", "+", "-", "@", "\t", "\r"))
