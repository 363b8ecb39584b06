"""``caseflow case import``: every bad row reported by line, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caseflow.domain.credit_code import normalize_credit_code
from caseflow.services import cases
from caseflow.services.app import App

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(n: int) -> str:
    """A valid code: fixed prefix, serial body, GB 32100-2015 check digit."""
    body = f"914420{n:011d}"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(_ALPHABET.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + _ALPHABET[(31 - total % 31) % 31]


def write_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["企业名称,统一社会信用代码,面积(亩)"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_generated_codes_are_valid() -> None:
    assert normalize_credit_code(credit_code(7)) == credit_code(7)


def test_import_valid_csv(cli: Any, app: App, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cases.csv", [("甲厂", credit_code(1), "10"),
                                             ("乙厂", credit_code(2), "12.5亩")])
    result = cli("case", "import", str(path), "--project", "SW01", user="lead1")
    assert result.code == 0, result.err
    assert "imported 2 cases into SW01" in result.out
    assert [c.name for c in cases.list_cases(app, "SW01")] == ["甲厂", "乙厂"]


def test_bad_rows_are_all_reported_and_nothing_is_written(cli: Any, app: App,
                                                          tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cases.csv", [
        ("甲厂", credit_code(1), "10"),
        ("乙厂", credit_code(2)[:-1] + "0", "5"),   # line 3: wrong check digit
        ("丙厂", credit_code(3), "-2"),             # line 4: negative area
        ("丁厂", credit_code(1), "3"),              # line 5: duplicate of line 2
        ("戊厂", credit_code(5), "4"),
    ])
    result = cli("case", "import", str(path), "--project", "SW01", user="lead1")
    assert result.code == 1
    for line in (3, 4, 5):
        assert f"cases.csv: line {line}:" in result.err
    assert "nothing imported" in result.err
    assert cases.list_cases(app, "SW01") == []


def test_unknown_team_is_a_bad_row_and_skip_invalid_imports_the_rest(
        cli: Any, app: App, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("企业名称,统一社会信用代码,面积(亩),专班\n"
                    f"甲厂,{credit_code(1)},10,negotiation\n"
                    f"乙厂,{credit_code(2)},5,nosuchteam\n", encoding="utf-8")
    refused = cli("case", "import", str(path), "--project", "SW01", user="root")
    assert refused.code == 1 and "line 3: no team with code 'nosuchteam'" in refused.err
    assert cases.list_cases(app, "SW01") == []
    done = cli("case", "import", str(path), "--project", "SW01", "--skip-invalid", user="root")
    assert done.code == 0, done.err
    assert "imported 1 cases" in done.out and "skipped 1" in done.out
    assert [(c.name, c.team) for c in cases.list_cases(app, "SW01")] == [("甲厂", "negotiation")]


def test_codes_already_in_the_project_are_bad_rows(cli: Any, app: App, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a.csv", [("甲厂", credit_code(1), "10")])
    assert cli("case", "import", str(first), "--project", "SW01", user="lead1").code == 0
    again = cli("case", "import", str(first), "--project", "SW01", user="lead1")
    assert again.code == 1 and "already belongs to a case in this project" in again.err


def test_member_may_not_import(cli: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [("甲厂", credit_code(1), "10")])
    result = cli("case", "import", str(path), "--project", "SW01", user="zhang")
    assert result.code == 1 and "may not add cases" in result.err


def test_import_xlsx(cli: Any, app: App, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["神湾镇低效工业园企业清单"])
    sheet.append(["企业名称", "统一社会信用代码", "面积（亩）", "联系人"])
    sheet.append(["甲厂", credit_code(1), 10.5, "张三"])
    sheet.append(["乙厂", credit_code(2), 3, None])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    result = cli("case", "import", str(path), "--project", "TX01", "--json", user="root")
    assert result.code == 0, result.err
    assert result.json()["imported"] == 2
    assert [c.area_mu for c in cases.list_cases(app, "TX01")] == [10.5, 3.0]


def test_ten_thousand_rows_import_whole(cli: Any, app: App,
                                                        tmp_path: Path) -> None:
    rows = [(f"企业{n}", credit_code(n), str(1 + n % 50)) for n in range(10_000)]
    path = write_csv(tmp_path / "big.csv", rows)
    result = cli("case", "import", str(path), "--project", "SW01", user="root")
    assert result.code == 0, result.err
    assert "imported 10000 cases" in result.out  # its speed is a `make bench` row
