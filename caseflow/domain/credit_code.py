"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

An enterprise is identified by its 18-character code; the last character is a
check digit over the first 17. Users type or paste codes from business licences
and spreadsheets, so we normalise (full-width characters, spaces, lower case)
before checking, and say precisely what is wrong so the row can be fixed.

The check digit is computed by python-stdnum (``stdnum.cn.uscc``); we add the
explanations, because stdnum's exceptions do not say which character is wrong.
Unlike ``uscc.validate`` we accept letters in positions 1-2: GB 32100 gives
letter codes to some registering authorities and entity types (e.g. N for rural
collective economic organisations, which own much of the land being renovated).
"""

from __future__ import annotations

import random
import unicodedata

from stdnum.cn import uscc

from caseflow.errors import InvalidInput

LENGTH = 18
# Characters allowed in positions 9-18: digits and upper-case letters except I, O, S, V, Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ALLOWED = frozenset(ALPHABET)
_DIGITS = frozenset("0123456789")

# GB 11714 organisation code (positions 9-17): eight characters and a check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalize_credit_code(raw: str) -> str:
    """Return the canonical form of ``raw`` or raise InvalidInput saying what is wrong.

    Full-width characters are folded to ASCII (NFKC), all whitespace is removed and
    letters are upper-cased, so "９１４４ 0300..." and "91440300..." are the same code.
    """
    code = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    if not code:
        raise InvalidInput("credit code is empty; a unified social credit code has 18 characters")
    if len(code) != LENGTH:
        shown = code if code.isprintable() else ascii(code)
        count = f"{len(code)} character" + ("" if len(code) == 1 else "s")
        raise InvalidInput(
            f"credit code {shown} has {count}; a unified social credit code has {LENGTH}"
        )
    for position, char in enumerate(code, start=1):
        if 3 <= position <= 8 and char not in _DIGITS:
            raise InvalidInput(
                f"credit code {code} has an illegal character {char!r} at position {position}; "
                "positions 3-8 (the region code) must be digits"
            )
        if char not in _ALLOWED:
            raise InvalidInput(
                f"credit code {code} has an illegal character {char!r} at position {position}; "
                "only digits and letters other than I, O, S, V, Z are used"
            )
    expected = uscc.calc_check_digit(code[:-1])
    if code[-1] != expected:
        raise InvalidInput(f"credit code {code} has a wrong check digit (expected {expected})")
    return code


def is_valid_credit_code(raw: str) -> bool:
    """True when ``raw`` normalises to a valid code."""
    try:
        normalize_credit_code(raw)
    except InvalidInput:
        return False
    return True


def _org_check_char(body: str) -> str:
    """GB 11714 check character over an eight-character organisation code body."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def make_credit_code(rng: random.Random, region: str = "442000") -> str:
    """Generate a valid enterprise code registered in ``region`` (for demos and tests).

    The code is "9" (market regulator) + "1" (enterprise) + the six-digit region
    (442000 Zhongshan, 330483 Tongxiang) + a GB 11714 organisation code + the
    GB 32100 check digit, so it looks like a real licence number and validates.
    Codes are random (31**8 bodies), so callers needing distinct codes must still check.
    """
    if len(region) != 6 or not set(region) <= _DIGITS:
        raise InvalidInput(f"region {region!r} is not a six-digit administrative division code")
    body = "".join(rng.choice(ALPHABET) for _ in range(8))
    first17 = "91" + region + body + _org_check_char(body)
    return first17 + uscc.calc_check_digit(first17)
