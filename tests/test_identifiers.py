"""Identifier normalisation and validation: each bad input has a chosen, explained outcome."""

from __future__ import annotations

from datetime import date

import pytest

from models.identifiers import (
    IdentifierKind,
    IdentifierPolicy,
    Status,
    parse_all,
    parse_identifier,
    parse_national_id,
    parse_phone,
)

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+8613812345678",
        "+86 138-1234-5678",
        "008613812345678",
        "8613812345678",
        "138 1234 5678",
        "１３８１２３４５６７８",  # full-width digits
        "＋８６　１３８－１２３４－５６７８",
        "(+86) 138.1234.5678",
    ],
)
def test_mobile_variants_normalise_to_one_e164(raw):
    ident = parse_phone(raw)
    assert ident.status is Status.VALID
    assert ident.kind is IdentifierKind.MOBILE
    assert ident.value == "+8613812345678"
    assert ident.matchable


def test_landline_is_kept_as_its_own_kind_and_never_matches():
    ident = parse_phone("020-8888 1234")
    assert ident.kind is IdentifierKind.LANDLINE
    assert ident.status is Status.VALID
    assert ident.value == "+862088881234"
    assert not ident.matchable


def test_twelve_digit_mobile_is_invalid_with_reason():
    ident = parse_phone("138123456789")
    assert ident.status is Status.INVALID
    assert "12 digits" in ident.reason and "11" in ident.reason
    assert ident.value == "138123456789"  # the raw text is kept for staff
    assert not ident.matchable


def test_eleven_digits_with_an_unused_prefix_says_so():
    ident = parse_phone("12012345678")
    assert ident.status is Status.INVALID and "prefix 120" in ident.reason


def test_ten_digit_mobile_and_letters_are_invalid():
    assert "10 digits" in parse_phone("1381234567").reason
    assert parse_phone("138-abcd-5678").status is Status.INVALID
    assert parse_phone("   ").status is Status.INVALID


def test_foreign_mobile_keeps_its_country():
    ident = parse_phone("+852 9123 4567")
    assert ident.status is Status.VALID and ident.value == "+85291234567"


def test_valid_id_number_and_lower_case_x():
    upper = parse_national_id("11010519491231002X", TODAY)
    lower = parse_national_id("11010519491231002x", TODAY)
    assert upper.status is Status.VALID and upper.value == "11010519491231002X"
    assert lower.status is Status.VALID and lower.value == "11010519491231002X"
    assert upper.warnings == ()


def test_id_number_with_spaces_and_full_width_digits():
    ident = parse_national_id("４４０４０１ １９９００１０１ １７６６", TODAY)
    assert ident.status is Status.VALID and ident.value == "440401199001011766"


def test_wrong_check_character_is_rejected_with_the_expected_one():
    ident = parse_national_id("440401199001011768", TODAY)
    assert ident.status is Status.INVALID
    assert "expected 6" in ident.reason
    assert not ident.matchable


def test_thirtieth_of_february_is_rejected():
    ident = parse_national_id("110105199002301231", TODAY)  # check character is right, date is not
    assert ident.status is Status.INVALID
    assert "does not exist" in ident.reason
    assert not any(ch.isdigit() for ch in ident.reason)  # the reason must not leak the birth date


def test_future_birth_date_is_rejected():
    body = "11010520300101123"
    from stdnum.cn import ric

    ident = parse_national_id(body + ric.calc_check_digit(body + "0"), TODAY)
    assert ident.status is Status.INVALID and "future" in ident.reason


def test_unknown_area_code_is_accepted_with_a_warning():
    ident = parse_national_id("999999199001011238", TODAY)
    assert ident.status is Status.VALID
    assert "area_code_unknown" in ident.warnings
    assert ident.matchable


def test_legacy_fifteen_digit_number_is_upgraded_and_matches_its_18_digit_form():
    ident = parse_national_id("110105491231002", TODAY)
    assert ident.status is Status.VALID
    assert ident.value == "11010519491231002X"
    assert "legacy_15_digit" in ident.warnings


def test_legacy_fifteen_digit_with_impossible_date_is_rejected():
    ident = parse_national_id("110105490230002", TODAY)
    assert ident.status is Status.INVALID and "does not exist" in ident.reason


def test_wrong_length_id_is_rejected():
    ident = parse_national_id("1101051949123100", TODAY)
    assert ident.status is Status.INVALID and "16 characters" in ident.reason


@pytest.mark.parametrize("kind", ["idfa", "gaid"])
def test_all_zero_advertising_id_is_blocked(kind):
    ident = parse_identifier(kind, "00000000-0000-0000-0000-000000000000")
    assert ident.status is Status.BLOCKED
    assert not ident.matchable
    assert "all-zero" in ident.reason


def test_advertising_id_is_lower_cased_uuid():
    ident = parse_identifier("idfa", "6D92078A-8246-4BA4-AE5B-76104861E7DC")
    assert ident.status is Status.VALID and ident.value == "6d92078a-8246-4ba4-ae5b-76104861e7dc"
    assert parse_identifier("gaid", "not-a-uuid").status is Status.INVALID


@pytest.mark.parametrize("placeholder", ["null", "NULL", "unknown", "-1", "undefined", ""])
def test_placeholders_never_match(placeholder):
    ident = parse_identifier("douyin_open_id", placeholder)
    assert ident.status is Status.BLOCKED
    assert not ident.matchable


def test_block_list_is_configurable():
    policy = IdentifierPolicy(extra_blocked=frozenset({"demo-ipad-01"}))
    assert parse_identifier("browser_fp", "demo-ipad-01", policy).status is Status.BLOCKED
    assert parse_identifier("browser_fp", "demo-ipad-01").status is Status.VALID


def test_platform_ids_are_kept_verbatim():
    ident = parse_identifier("wx_union_id", " oUnion_AbC123 ")
    assert ident.status is Status.VALID and ident.value == "oUnion_AbC123"


def test_parse_all_keeps_invalid_values_and_drops_exact_repeats():
    idents = parse_all(
        [
            ("mobile", "13812345678"),
            ("mobile", "+86 138 1234 5678"),
            ("mobile", "138123456789"),
            ("idfa", "00000000-0000-0000-0000-000000000000"),
        ],
        today=TODAY,
    )
    assert [(i.kind.value, i.status.value) for i in idents] == [
        ("mobile", "valid"),
        ("mobile", "invalid"),
        ("idfa", "blocked"),
    ]


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="passport"):
        parse_identifier("passport", "E12345678")


def test_remembered_area_code_answers_equal_the_table_lookup():
    from stdnum.cn import ric
    from stdnum.exceptions import InvalidComponent

    from models.identifiers import _area_code_known

    for number in ("440401199001011766", "11010519491231002X", "999999199001011234", "110105199001011234"):
        body = number[:17]
        number = body + ric.calc_check_digit(body)
        try:
            ric.get_birth_place(number)
            expected = True
        except InvalidComponent:
            expected = False
        assert _area_code_known(number) is expected
        assert _area_code_known(number) is expected  # remembered
