import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseflow.domain.credit_code import (
    ALPHABET,
    is_valid_credit_code,
    make_credit_code,
    normalize_credit_code,
)
from caseflow.errors import InvalidInput

# Published codes of well-known enterprises (from their business licences).
KNOWN_VALID = [
    "91110000600037341L",
    "914403001922038216",
    "9144030071526726XG",
]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_are_valid(code: str) -> None:
    assert normalize_credit_code(code) == code


def test_normalises_spaces_case_and_full_width() -> None:
    assert normalize_credit_code(" 9144 0300 7152 6726xg\n") == "9144030071526726XG"
    assert normalize_credit_code("９１４４０３００１９２２０３８２１６") == "914403001922038216"
    assert normalize_credit_code("9144030071526726ｘｇ") == "9144030071526726XG"


def test_wrong_length_is_explained() -> None:
    with pytest.raises(InvalidInput, match="has 16 characters; .* has 18"):
        normalize_credit_code("91442000MA4UXXXX")
    with pytest.raises(InvalidInput, match=r"^credit code '\\x00' has 1 character; "):
        normalize_credit_code("\x00")
    with pytest.raises(InvalidInput, match="empty"):
        normalize_credit_code("   ")


def test_illegal_character_names_character_and_position() -> None:
    with pytest.raises(InvalidInput, match=r"illegal character 'O' at position 10"):
        normalize_credit_code("914403001O2203821A")
    with pytest.raises(InvalidInput, match=r"illegal character '-' at position 9"):
        normalize_credit_code("91440300-92203821A")
    with pytest.raises(InvalidInput, match=r"illegal character 'M' at position 4"):
        normalize_credit_code("914M03001922038216")


def test_wrong_check_digit_says_which_was_expected() -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_credit_code("914403001922038217")
    assert str(info.value) == (
        "credit code 914403001922038217 has a wrong check digit (expected 6)"
    )


def test_letter_authority_codes_are_accepted() -> None:
    # GB 32100 lets position 1-2 be letters (e.g. N2 rural collective economic organisation).
    from stdnum.cn import uscc

    first17 = "N2330483MA2B3C4D5"
    code = first17 + uscc.calc_check_digit(first17)
    assert normalize_credit_code(code) == code


@pytest.mark.parametrize("region", ["442000", "330483"])
def test_generated_codes_validate_and_carry_region(region: str) -> None:
    rng = random.Random(7)
    codes = {make_credit_code(rng, region) for _ in range(500)}
    assert len(codes) > 490
    for code in codes:
        assert code[2:8] == region
        assert normalize_credit_code(code) == code


def test_generation_is_reproducible() -> None:
    assert make_credit_code(random.Random(3)) == make_credit_code(random.Random(3))


def test_bad_region_is_refused() -> None:
    with pytest.raises(InvalidInput, match="six-digit"):
        make_credit_code(random.Random(1), "44200")


def _corruptions(code: str) -> list[str]:
    """Every string differing from ``code`` in exactly one position (not just by case)."""
    replacements = ALPHABET + "IOSVZ-_.#中"
    out = []
    for i, original in enumerate(code):
        for char in replacements:
            if char != original:
                out.append(code[:i] + char + code[i + 1:])
    return out


def test_every_single_character_corruption_is_rejected() -> None:
    rng = random.Random(2015)
    for code in KNOWN_VALID + [make_credit_code(rng) for _ in range(20)]:
        for bad in _corruptions(code):
            assert not is_valid_credit_code(bad), bad


@given(seed=st.integers(min_value=0, max_value=2**32),
       position=st.integers(min_value=0, max_value=17),
       char=st.sampled_from(ALPHABET))
def test_generated_code_with_one_changed_character_fails(seed: int, position: int,
                                                         char: str) -> None:
    code = make_credit_code(random.Random(seed))
    bad = code[:position] + char + code[position + 1:]
    assert is_valid_credit_code(bad) == (bad == code)


@given(st.text(max_size=30))
def test_arbitrary_text_is_valid_or_invalid_input(text: str) -> None:
    try:
        code = normalize_credit_code(text)
    except InvalidInput as exc:
        assert "\n" not in exc.message
    else:
        assert len(code) == 18
        assert normalize_credit_code(code) == code
