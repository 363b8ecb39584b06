import csv
import io
import random
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from caseflow.adapters.importers.case_rows import (
    CaseRow,
    RowError,
    SourceRow,
    read_rows,
    validate_rows,
)
from caseflow.domain.credit_code import make_credit_code
from caseflow.errors import CaseflowError, InvalidInput, NotFound

RNG = random.Random(32100)
A, B, C, D = (make_credit_code(RNG) for _ in range(4))
T = make_credit_code(RNG, "330483")


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def plan_for(path: Path, existing: set[str] | None = None):
    return validate_rows(read_rows(path), existing or set())


def messages(plan) -> list[str]:
    return [str(e) for e in plan.errors]


# --------------------------------------------------------------------------- reading


def test_english_csv_utf8(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cases.csv", [
        ["name", "credit_code", "area_mu", "team", "owner", "address", "contact", "phone"],
        ["Acme Dyeing", A, "12.5", "T1", "Li", "1 Road", "Wang", "13800138000"],
        ["Beta Metal", B, "3", "", "", "", "", ""],
    ])
    plan = plan_for(path)
    assert plan.errors == []
    assert plan.valid == [
        CaseRow(2, "Acme Dyeing", A, Decimal("12.5"), "T1", "Li", "1 Road", "Wang",
                "13800138000"),
        CaseRow(3, "Beta Metal", B, Decimal("3"), None, None, None, None, None),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_chinese_headers_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "名单.csv", [
        ["序号", "企业名称", "统一社会信用代码", "占地面积（亩）", "责任专班", "法定代表人",
         "企业地址", "联系人", "联系电话"],
        ["1", "中山市小榄镇某五金厂", A, "12.5亩", "一组", "张三", "小榄镇工业大道1号", "李四",
         "0760-22223333"],
    ], encoding=encoding)
    [row] = list(read_rows(path))
    assert row == SourceRow(2, {
        "name": "中山市小榄镇某五金厂", "credit_code": A, "area_mu": "12.5亩", "team": "一组",
        "owner": "张三", "address": "小榄镇工业大道1号", "contact": "李四",
        "phone": "0760-22223333",
    })
    [case] = validate_rows([row], set()).valid
    assert case.area_mu == Decimal("12.5") and case.team == "一组"


@pytest.mark.parametrize("header", [
    ["企业名", "信用代码", "面积(亩)"],
    ["名称", "统一社会信用代码", "用地面积"],
    [" 企业 名称 ", "信用代码", "面积"],
    ["企业名称*", "统一社会信用代码（必填）", "面积（亩）"],
    ["Name", "Credit Code", "Area_mu"],
])
def test_header_variants(tmp_path: Path, header: list[str]) -> None:
    path = write_csv(tmp_path / "h.csv", [header, ["某厂", A, "1"]])
    assert [r.values for r in read_rows(path)] == [
        {"name": "某厂", "credit_code": A, "area_mu": "1"}
    ]


def test_title_row_above_header_and_blank_lines_keep_excel_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "小榄镇低效工业园改造企业名单,,\n"
        "企业名称,统一社会信用代码,面积\n"
        "\n"
        "甲厂," + A + ",1\n"
        ",,\n"
        "乙厂," + B + ",2\n",
        encoding="utf-8",
    )
    assert [(r.line, r.values["name"]) for r in read_rows(path)] == [(4, "甲厂"), (6, "乙厂")]


def test_quoted_multiline_field_counts_as_one_excel_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [
        ["name", "credit_code", "area_mu", "address"],
        ["甲厂", A, "1", "第一行\n第二行"],
        ["乙厂", B, "2", ""],
    ])
    rows = list(read_rows(path))
    assert [r.line for r in rows] == [2, 3]
    assert rows[0].values["address"] == "第一行\n第二行"


def test_tab_separated_export(tmp_path: Path) -> None:
    path = tmp_path / "tabs.csv"
    path.write_text(f"企业名称\t统一社会信用代码\t面积\n甲厂\t{A}\t1,234.5\n", encoding="utf-8")
    [case] = plan_for(path).valid
    assert case.area_mu == Decimal("1234.5")


def test_xlsx_first_sheet_with_numbers_and_blank_rows(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["企业名称", "统一社会信用代码", "面积（亩）", "联系电话"])
    sheet.append(["甲厂", A, 12.5, 13800138000])
    sheet.append([None, None, None, None])
    sheet.append(["乙厂", B, 3, None])
    workbook.create_sheet("other").append(["name", "credit_code", "area_mu"])
    workbook.save(tmp_path / "cases.xlsx")
    plan = plan_for(tmp_path / "cases.xlsx")
    assert plan.errors == []
    assert [(c.line, c.name, c.area_mu, c.phone) for c in plan.valid] == [
        (2, "甲厂", Decimal("12.5"), "13800138000"),
        (4, "乙厂", Decimal("3"), None),
    ]


def test_xlsx_credit_code_stored_as_number_is_reported(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", [
        ["name", "credit_code", "area_mu"],
        ["甲厂", 914403001922038216, 1],
    ])
    # The digits come back altered (floating point), which is exactly why we refuse them.
    [message] = messages(plan_for(path))
    assert re.fullmatch(
        r"line 2: credit code 9144030019220382\d\d is stored as a number, which Excel cuts to "
        r"15 digits; format the column as text and enter the code again", message)


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "cases.xls"
    path.write_bytes(b"whatever")
    with pytest.raises(InvalidInput, match=r"cases.xls: unsupported file type '.xls'.*\.xlsx"):
        read_rows(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no such file"):
        read_rows(tmp_path / "nope.csv")


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n,,\n"])
def test_empty_file_names_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=r"^empty.csv: the file is empty"):
        list(read_rows(path))


def test_empty_xlsx_names_the_file(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "empty.xlsx", [])
    with pytest.raises(InvalidInput, match=r"^empty.xlsx: the file is empty"):
        list(read_rows(path))


def test_not_an_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("name,credit_code\n")
    with pytest.raises(InvalidInput, match="fake.xlsx: not a readable .xlsx workbook"):
        list(read_rows(path))


def test_missing_name_column_lists_columns_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["公司", "代码", "面积"], ["甲", A, "1"]])
    with pytest.raises(InvalidInput) as info:
        list(read_rows(path))
    assert str(info.value) == (
        "x.csv: no 'name' (企业名称) column in the header; columns found: 公司, 代码, 面积"
    )


def test_missing_required_columns_named_in_one_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["企业名称", "面积(平方米)"], ["甲", "1"]])
    with pytest.raises(InvalidInput) as info:
        list(read_rows(path))
    assert str(info.value) == (
        "x.csv: missing required column(s) credit_code, area_mu "
        "(area must be in mu: 1 mu = 666.67 m²); columns found: 企业名称, 面积(平方米)"
    )


def test_two_columns_with_same_meaning(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["企业名称", "名称", "信用代码", "面积"]])
    with pytest.raises(InvalidInput, match="'企业名称' and '名称' both mean name"):
        list(read_rows(path))


def test_utf16_tab_separated_unicode_text_export(tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes(f"企业名称\t信用代码\t面积\n甲厂\t{A}\t2\n".encode("utf-16"))
    assert [(c.line, c.name, c.credit_code) for c in plan_for(path).valid] == [(2, "甲厂", A)]


def test_oversized_field_is_invalid_input_with_line(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text('name,credit_code,area_mu\n甲,' + A + ',1\n"' + "x" * 200_000 + '",1,2\n')
    with pytest.raises(InvalidInput, match="huge.csv: line 3 is not valid CSV"):
        list(read_rows(path))


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bin.csv"
    path.write_bytes(b"name,credit_code,area_mu\n\x81\x30\xff\xff\n")
    with pytest.raises(InvalidInput, match="neither UTF-8 nor GB18030"):
        list(read_rows(path))


# --------------------------------------------------------------------------- validating


def test_every_bad_row_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [
        ["企业名称", "统一社会信用代码", "面积（亩）"],
        ["好厂", A, "10"],                       # 2 ok
        ["", B, "1"],                            # 3 empty name
        ["短码厂", "91442000MA4UXXXX", "1"],     # 4 wrong length
        ["错码厂", A[:-1] + ("0" if A[-1] != "0" else "1"), "1"],  # 5 check digit
        ["零面积", C, "0"],                      # 6 area not positive
        ["负面积", D, "-3"],                     # 7
        ["文字面积", T, "约十亩"],               # 8
        ["重复厂", A, "2"],                      # 9 duplicate of line 2
        ["老厂", "914403001922038216", "5"],     # 10 already in the project
        ["全角", "９１１１００００６０００３７３４１Ｌ", "１２.５亩"],  # 11 ok
        ["", "", ""],                            # 12 blank: skipped
        ["两错", "123", ""],                     # 13 two problems
        ["非法字", "91442000MA4UXXXXIX", "1"],   # 14 illegal character
    ])
    plan = plan_for(path, existing={"914403001922038216"})
    wrong = "0" if A[-1] != "0" else "1"
    assert messages(plan) == [
        "line 3: enterprise name is empty",
        "line 4: credit code 91442000MA4UXXXX has 16 characters; "
        "a unified social credit code has 18",
        f"line 5: credit code {A[:-1] + wrong} has a wrong check digit (expected {A[-1]})",
        "line 6: area '0' is not a positive number of mu",
        "line 7: area '-3' is not a positive number of mu",
        "line 8: area '约十亩' is not a positive number of mu",
        f"line 9: credit code {A} already appears on line 2",
        "line 10: credit code 914403001922038216 already belongs to a case in this project",
        "line 13: credit code 123 has 3 characters; a unified social credit code has 18",
        "line 13: area is empty; give the area in mu, e.g. 12.5",
        "line 14: credit code 91442000MA4UXXXXIX has an illegal character 'I' at position 17; "
        "only digits and letters other than I, O, S, V, Z are used",
    ]
    assert [(c.line, c.credit_code, c.area_mu) for c in plan.valid] == [
        (2, A, Decimal("10")),
        (11, "91110000600037341L", Decimal("12.5")),
    ]


def test_duplicate_is_reported_even_when_first_row_has_other_problems() -> None:
    rows = [SourceRow(2, {"name": "", "credit_code": A, "area_mu": "1"}),
            SourceRow(3, {"name": "乙", "credit_code": A.lower(), "area_mu": "1"})]
    assert [str(e) for e in validate_rows(rows, set()).errors] == [
        "line 2: enterprise name is empty",
        f"line 3: credit code {A} already appears on line 2",
    ]


def test_row_error_str() -> None:
    assert str(RowError(7, "credit code X has a wrong check digit (expected 3)")) == (
        "line 7: credit code X has a wrong check digit (expected 3)"
    )


# --------------------------------------------------------------------------- fuzzing


def _check_never_crashes(path: Path) -> None:
    try:
        plan = validate_rows(read_rows(path), set())
    except InvalidInput as exc:
        assert "\n" not in str(exc)
        return
    for error in plan.errors:
        assert isinstance(error, RowError) and error.line >= 1 and "\n" not in error.reason
    for case in plan.valid:
        assert case.name and case.area_mu > 0


@settings(max_examples=300)
@given(data=st.binary(max_size=400), with_header=st.booleans())
def test_arbitrary_bytes_as_csv(data: bytes, with_header: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes((b"name,credit_code,area_mu\n" if with_header else b"") + data)
        _check_never_crashes(path)


_cells = st.one_of(
    st.text(max_size=20),
    st.sampled_from([A, B, "12.5亩", "-1", "０", "1,000", "企业名称", "信用代码", "面积", '"']),
)


@settings(max_examples=300)
@given(header=st.lists(st.sampled_from(["name", "credit_code", "area_mu", "team", "企业名称",
                                        "面积", "信用代码", "x", ""]), max_size=5),
       rows=st.lists(st.lists(_cells, max_size=5), max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_arbitrary_text_as_csv(header: list[str], rows: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([header, *rows])
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:  # lone surrogates cannot be stored in any file
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(data)
        _check_never_crashes(path)


def test_only_caseflow_errors_escape_for_junk_xlsx(tmp_path: Path) -> None:
    for content in [b"", b"PK\x03\x04junk", b"\x00" * 100]:
        path = tmp_path / "junk.xlsx"
        path.write_bytes(content)
        with pytest.raises(CaseflowError):
            list(read_rows(path))


# --------------------------------------------------------------------------- speed

N = 10_000


def _big_rows() -> list[list[object]]:
    rng = random.Random(10_000)
    rows: list[list[object]] = [["企业名称", "统一社会信用代码", "占地面积（亩）", "责任专班",
                                 "法定代表人", "企业地址", "联系人", "联系电话"]]
    codes: set[str] = set()
    while len(codes) < N:
        codes.add(make_credit_code(rng))
    for i, code in enumerate(sorted(codes)):
        rows.append([f"中山市某某制造有限公司{i}", code, f"{rng.randint(1, 999)}.5",
                     f"专班{i % 7}", "张三", f"工业大道{i}号", "李四", f"138{i:08d}"])
    return rows


def _validated(path: Path) -> int:
    plan = validate_rows(read_rows(path), set())
    assert plan.errors == []
    return len(plan.valid)


# Speed is measured in `make bench`; these check that big files read whole and right.
def test_ten_thousand_gb18030_csv_rows_all_valid(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", [[str(c) for c in r] for r in _big_rows()],
                     encoding="gb18030")
    assert _validated(path) == N


def test_ten_thousand_xlsx_rows_all_valid(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", _big_rows())
    assert _validated(path) == N
