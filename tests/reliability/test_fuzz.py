"""Bad input never crashes: the parsers return a value or raise InvalidInput, and the
CLI answers any argument list with exit code 0, 1 or 2 and never a traceback."""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

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
