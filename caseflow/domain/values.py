"""Values checked where they enter the domain, the same way from every door.

The CLI, the case import, ``import-dump`` and the services all pass what a person
(or a file) gave them through these functions before anything is stored, so that
SQLite and PostgreSQL hold the same things and every listing, report and export can
show them afterwards:

* dates inside the calendar's horizon (a deadline in 9999 overflows every date
  computation that follows it, and no official holiday schedule goes that far);
* durations of at least one working day;
* areas finite, not negative, at most two decimals and of a size a town can have;
* text without control characters (no ANSI escapes, no bell, no NUL) and no longer
  than its column, counted in characters, because SQLite does not enforce
  ``VARCHAR(n)`` and PostgreSQL does.

A refusal is an ``InvalidValue``: an ``InvalidInput`` whose English template and
parameters each edge renders in its reader's language.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from caseflow.errors import InvalidInput
from caseflow.i18n import N_, Text

#: The calendar caseflow counts in: China's official schedules cover these years or
#: fall back to Monday–Friday with a warning; beyond them no date is meaningful.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)

#: The largest area in mu (a whole prefecture-level city is ~10 million mu).
MAX_MU = Decimal("9999999.99")

#: Longest text per kind of field, in characters; equal to the columns' VARCHAR sizes.
LIMITS: Mapping[str, int] = {
    "code": 40, "login": 64, "name": 200, "town": 100, "mode": 40, "email": 254,
    "owner": 100, "address": 300, "contact": 100, "title": 300, "note": 20_000,
}


# Field names used in refusals ("{what} ..."): marked here so that the catalog has them,
# and passed as ``Text`` so that each reader sees them in their own language.
FIELDS = {
    "code": N_("code"), "login": N_("login"), "name": N_("name"), "town": N_("town"),
    "mode": N_("mode"), "email": N_("e-mail address"), "owner": N_("owner"),
    "address": N_("address"), "contact": N_("contact"), "title": N_("title"),
    "note": N_("note"), "enterprise name": N_("enterprise name"), "team name": N_("team name"),
    "project name": N_("project name"), "reason": N_("reason"), "comment": N_("comment"),
    "area": N_("area"), "target area": N_("target area"), "date": N_("date"),
    "deadline": N_("deadline"), "duration": N_("duration"), "month": N_("month"),
}


class InvalidValue(InvalidInput):
    """A value refused on entry: an English template with its parameters (``what``,
    the field, is rendered in the reader's language like the rest)."""

    def __init__(self, template: str, *, hint: str | None = None, **params: Any) -> None:
        what = params.get("what")
        if isinstance(what, str):
            params["what"] = Text(FIELDS.get(what, what), {})
        super().__init__(template, hint=hint, **params)


# --------------------------------------------------------------------------- dates


def day(value: date, what: str = "date") -> date:
    """``value`` if it lies inside the calendar's horizon, else a clear refusal."""
    if isinstance(value, datetime):
        value = value.date()
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidValue(N_("{what} {value} is outside the calendar caseflow counts in "
                              "({first} to {last})"),
                           what=what, value=value.isoformat(), first=FIRST_DAY.isoformat(),
                           last=LAST_DAY.isoformat())
    return value


def instant(value: datetime, what: str = "date") -> datetime:
    """An aware instant inside the horizon (checked on its UTC and Shanghai dates)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC)
    day(utc.date(), what)
    # the Shanghai date is at most a day later; keep a day's margin for the zone shift
    if utc.date() >= LAST_DAY:
        day(utc.date() + timedelta(days=1), what)
    return aware


def month(year: int, number: int) -> tuple[int, int]:
    """A (year, month) inside the horizon."""
    shown = f"{year:04d}-{number:02d}"
    if not 1 <= number <= 12:
        raise InvalidValue(N_("{value} is not a month"), value=shown)
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise InvalidValue(N_("{what} {value} is outside the calendar caseflow counts in "
                              "({first} to {last})"),
                           what="month", value=shown, first=FIRST_DAY.isoformat(),
                           last=LAST_DAY.isoformat())
    return year, number


# --------------------------------------------------------------------------- durations


def working_span(amount: int, what: str = "duration") -> int:
    """A deadline span: at least one (working) day, and not past the horizon's length."""
    if amount < 1:
        raise InvalidValue(N_("a {what} must be at least 1 day (1wd or 1d), not {value}"),
                           what=what, value=amount)
    most = (LAST_DAY - FIRST_DAY).days
    if amount > most:
        raise InvalidValue(N_("a {what} of {value} days reaches past the calendar "
                              "caseflow counts in"), what=what, value=amount)
    return amount


# --------------------------------------------------------------------------- areas


def area_mu(value: Any, what: str = "area") -> float | None:
    """An area in mu: finite, positive, at most ``MAX_MU``, at most two decimals.

    Accepts a float, int, Decimal or numeric string; returns a float (how the
    database stores it) that prints back exactly as given. ``None`` stays ``None``.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidValue(N_("{what} {value} is not a number of mu"), what=what, value=value)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise InvalidValue(N_("{what} {value} is not a number of mu"), what=what,
                           value=_shown(value)) from None
    if not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise InvalidValue(N_("{what} {value} is not a finite number of mu"), what=what,
                           value=_shown(value))
    if number <= 0:
        raise InvalidValue(N_("{what} must be a positive number of mu, not {value}"),
                           what=what, value=_shown(value))
    if number > MAX_MU:
        raise InvalidValue(N_("{what} {value} mu is larger than any town (at most {most})"),
                           what=what, value=_shown(value), most=f"{MAX_MU:,}")
    if number != number.quantize(Decimal("0.01")):
        raise InvalidValue(N_("{what} {value} has more than two decimals; round it to "
                              "0.01 mu"), what=what, value=_shown(value))
    return float(number)


def _shown(value: Any) -> str:
    """The refused value for a one-line message: quoted when it is not plain, cut short."""
    text = str(value)
    if not text or not text.isprintable() or text != text.strip():
        text = repr(text)
    return text if len(text) <= 40 else text[:39] + "…"


# --------------------------------------------------------------------------- text

_ALLOWED_IN_NOTES = frozenset("\n\t")


def text(value: str | None, what: str, *, limit: str | int, required: bool = True,
         multiline: bool = False) -> str | None:
    """``value`` stripped, refused if empty (when ``required``), too long, or holding a
    control character (an ANSI escape, a bell, NUL, a lone surrogate...).

    ``limit`` is a key of ``LIMITS`` or a number of characters. Multi-line fields
    (notes, reasons) may hold line breaks and tabs; ``\\r\\n`` becomes ``\\n``.
    Zero-width and right-to-left characters are text and are kept.
    """
    if value is None or not value.strip():
        if required:
            raise InvalidValue(N_("{what} is required"), what=what)
        return None
    cleaned = value.replace("\r\n", "\n").strip() if multiline else value.strip()
    most = LIMITS[limit] if isinstance(limit, str) else limit
    if len(cleaned) > most:
        raise InvalidValue(N_("{what} has {length} characters; at most {most} are allowed"),
                           what=what, length=f"{len(cleaned):,}", most=f"{most:,}")
    bad = first_control(cleaned, allowed=_ALLOWED_IN_NOTES if multiline else frozenset())
    if bad is not None:
        raise InvalidValue(N_("{what} contains the control character {char} at position "
                              "{position}; type plain text"),
                           what=what, char=f"U+{ord(cleaned[bad]):04X}", position=bad + 1)
    return cleaned


def optional_text(value: str | None, what: str, *, limit: str | int,
                  multiline: bool = False) -> str | None:
    return text(value, what, limit=limit, required=False, multiline=multiline)


def first_control(value: str, allowed: frozenset[str] = frozenset()) -> int | None:
    """Index of the first character that must not be stored, or None.

    Refused: C0/C1 controls and DEL (category Cc: ESC starts every terminal escape),
    lone surrogates (Cs: undecodable bytes from the command line), and the line and
    paragraph separators in one-line fields.
    """
    for index, char in enumerate(value):
        if char in allowed:
            continue
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return index
        if code >= 0xD800 and unicodedata.category(char) in ("Cs", "Zl", "Zp"):
            return index
    return None
