"""Reading and writing money: exact minor units, never a float, never a silent rounding."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.rules.money import (
    MAX_ABS_MINOR,
    AmountError,
    exponent_for,
    format_amount,
    parse_amount,
    round_half_up,
    to_decimal,
)

CURRENCIES = ("CNY", "TWD", "USD", "JPY", "KRW", "XYZ")
minor_amounts = st.integers(min_value=-MAX_ABS_MINOR + 1, max_value=MAX_ABS_MINOR - 1)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1234.56", "CNY", 123456),
        ("1,234.50", "CNY", 123450),
        ("1,234,567.8", "CNY", 123456780),
        ("5e+05", "TWD", 50000000),
        ("5E5", "CNY", 50000000),
        ("1.2345e3", "CNY", 123450),
        ("0.001e3", "CNY", 100),
        ("  42 ", "CNY", 4200),
        ("+7", "CNY", 700),
        ("-12.30", "CNY", -1230),
        (".5", "CNY", 50),
        ("5.", "CNY", 500),
        ("0", "CNY", 0),
        ("-0", "CNY", 0),
        ("0e999999", "CNY", 0),
        ("12.300000", "CNY", 1230),
        ("1200", "JPY", 1200),
        ("1.2e3", "JPY", 1200),
        ("１２３．５", "CNY", 12350),
        ("1，234.50", "CNY", 123450),
        ("999999999999999.99", "CNY", MAX_ABS_MINOR - 1),
    ],
)
def test_parse_amount_reads_what_card_systems_and_spreadsheets_write(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "reason"),
    [
        ("12.345", "CNY", "more decimals than CNY allows (2)"),
        ("12.5", "JPY", "more decimals than JPY allows (0)"),
        ("1e-1", "KRW", "more decimals than KRW allows (0)"),
        ("1.000000000000000000000000000001", "CNY", "more decimals"),
        ("1e-999999", "CNY", "more decimals"),
        ("abc", "CNY", "is not a number"),
        ("", "CNY", "empty"),
        ("   ", "CNY", "empty"),
        ("nan", "CNY", "is not a number"),
        ("NaN", "CNY", "is not a number"),
        ("sNaN", "CNY", "is not a number"),
        ("inf", "CNY", "is not a number"),
        ("-Infinity", "CNY", "is not a number"),
        ("12,50", "CNY", "is not a number"),
        ("1234,567", "CNY", "is not a number"),
        ("1_000", "CNY", "is not a number"),
        ("--5", "CNY", "is not a number"),
        (".", "CNY", "is not a number"),
        ("1e" + "9" * 5000, "CNY", "is not a number"),
        ("1e16", "CNY", "too large"),
        ("1000000000000000.00", "CNY", "too large"),
        ("1e999999", "CNY", "too large"),
        ("100000000000000000", "JPY", "too large"),
    ],
)
def test_parse_amount_rejects_bad_amounts_with_a_reason(text, currency, reason):
    with pytest.raises(AmountError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_amount(text, currency)


def test_an_error_about_a_huge_input_does_not_repeat_all_of_it():
    with pytest.raises(AmountError) as error:
        parse_amount("9" * 5000)
    assert len(str(error.value)) < 100


def test_jpy_and_krw_have_no_minor_unit_and_unknown_currencies_have_two():
    assert exponent_for("JPY") == 0
    assert exponent_for("krw") == 0
    assert exponent_for("CNY") == 2
    assert exponent_for("XYZ") == 2
    assert to_decimal(1200, "JPY") == Decimal("1200")
    assert str(to_decimal(1200, "JPY")) == "1200"


def test_to_decimal_and_format_amount_show_the_currency_decimals():
    assert str(to_decimal(123456)) == "1234.56"
    assert str(to_decimal(5)) == "0.05"
    assert str(to_decimal(0)) == "0.00"
    assert str(to_decimal(-1230)) == "-12.30"
    assert format_amount(123456) == "1,234.56"
    assert format_amount(123456789, "JPY") == "123,456,789"


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("2.5", 3),
        ("3.5", 4),
        ("2.4999", 2),
        ("6.1725", 6),
        ("6.5", 7),
        ("-2.5", -3),
        ("-2.4", -2),
        ("0", 0),
    ],
)
def test_round_half_up_rounds_halves_away_from_zero(value, rounded):
    assert round_half_up(Decimal(value)) == rounded


@settings(max_examples=150)
@given(minor=minor_amounts, currency=st.sampled_from(CURRENCIES))
def test_parse_amount_reads_back_to_decimal_and_format_amount(minor, currency):
    assert parse_amount(to_decimal(minor, currency), currency) == minor
    assert parse_amount(str(to_decimal(minor, currency)), currency) == minor
    assert parse_amount(format_amount(minor, currency), currency) == minor


@settings(max_examples=100)
@given(minor=minor_amounts, shift=st.integers(min_value=-5, max_value=5))
def test_scientific_notation_means_the_same_amount(minor, shift):
    mantissa = Decimal(minor).scaleb(-2 - shift)
    assert parse_amount(f"{mantissa:f}e{shift}", "CNY") == minor
    assert parse_amount(f"{Decimal(minor).scaleb(-2):E}", "CNY") == minor


@settings(max_examples=100)
@given(minor=minor_amounts, extra=st.integers(min_value=1, max_value=9))
def test_an_amount_below_the_minor_unit_is_rejected_not_rounded(minor, extra):
    text = f"{to_decimal(minor)}{extra}"
    with pytest.raises(AmountError, match="more decimals"):
        parse_amount(text, "CNY")
