"""The entry checks agree with the schema, and hold for any input (hypothesis)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseflow.domain import values
from caseflow.errors import InvalidInput
from caseflow.persistence.models import metadata

# text fields a person types → (table, column) they are stored in
STORED_IN = {
    "code": [("team", "code"), ("project", "code")], "login": [("app_user", "login")],
    "name": [("team", "name"), ("app_user", "name"), ("project", "name"),
             ("enterprise_case", "name")],
    "town": [("project", "town")], "mode": [("project", "mode")],
    "email": [("app_user", "email")], "owner": [("enterprise_case", "owner")],
    "address": [("enterprise_case", "address")], "contact": [("enterprise_case", "contact")],
    "title": [("ticket", "title"), ("ticket", "title_zh")],
}


def _length(table: str, column: str) -> int | None:
    kind = metadata.tables[table].c[column].type
    return getattr(getattr(kind, "impl", kind), "length", None) or getattr(kind, "length", None)


@pytest.mark.parametrize("kind", sorted(STORED_IN))
def test_each_text_limit_is_its_column_size(kind: str) -> None:
    """SQLite ignores VARCHAR(n); PostgreSQL enforces it. The domain checks the same
    number before either sees the value, so both databases hold the same things."""
    for table, column in STORED_IN[kind]:
        assert _length(table, column) == values.LIMITS[kind], (table, column)


@given(st.dates())
def test_a_date_is_kept_inside_the_horizon_and_refused_outside(day: date) -> None:
    if values.FIRST_DAY <= day <= values.LAST_DAY:
        assert values.day(day) == day
    else:
        with pytest.raises(InvalidInput, match="outside the calendar"):
            values.day(day)


@given(st.one_of(st.floats(), st.decimals(), st.integers(), st.text(max_size=12)))
def test_an_area_is_a_finite_positive_two_decimal_number_or_refused(raw: object) -> None:
    try:
        area = values.area_mu(raw)
    except InvalidInput as error:
        assert "\n" not in str(error) and "mu" in str(error)
        return
    assert area is not None and math.isfinite(area) and 0 < area <= float(values.MAX_MU)
    assert Decimal(str(area)) == Decimal(str(area)).quantize(Decimal("0.01"))
