"""Importing products: the contract terms the Product model holds, by product code."""

from decimal import Decimal

import pyarrow as pa
import pytest

from arrears.imports.services import import_file
from arrears.portfolio.models import Product
from tests.factories import make_account, make_product
from tests.imports.conftest import write_csv, write_parquet

HEADER = ["code", "name", "currency", "time_zone", "daily_interest_rate", "late_fee_rate",
          "late_fee_min", "late_fee_max", "min_payment_rate", "min_payment_floor", "grace_days",
          "past_due_tolerance", "allocation_order", "statement_day", "due_days"]
GOLD = ["GOLD", "金卡", "cny", "Asia/Shanghai", "0.05%", "5%", "10", "300.00", "0.1", "100",
        "3", "10", "interest;fees;principal", "5", "20"]


def product(code: str) -> dict:
    return Product.objects.filter(code=code).values().get()


def test_products_import_with_every_term(db, tmp_path):
    rows = [GOLD, ["YEN", "Yen card", "JPY", "Asia/Tokyo", "0.0004", "1", "0", "", "0.02",
                   "1000", "0", "500", "", "25", "25"]]
    report = import_file(kind="products", path=write_csv(tmp_path / "products.csv", HEADER,
                                                         rows))

    assert (report.errors, report.created) == ([], 2)
    gold = product("GOLD")
    assert {name: gold[name] for name in ("name", "currency", "time_zone", "grace_days",
                                          "allocation_order", "statement_day", "due_days")} == {
        "name": "金卡", "currency": "CNY", "time_zone": "Asia/Shanghai", "grace_days": 3,
        "allocation_order": "interest,fees,principal", "statement_day": 5, "due_days": 20}
    assert (gold["daily_interest_rate"], gold["late_fee_rate"], gold["min_payment_rate"]) == (
        Decimal("0.0005"), Decimal("0.05"), Decimal("0.1"))
    assert (gold["late_fee_min_minor"], gold["late_fee_max_minor"],
            gold["min_payment_floor_minor"], gold["past_due_tolerance_minor"]) == (
        1000, 30000, 10000, 1000)
    yen = product("YEN")
    assert (yen["late_fee_max_minor"], yen["min_payment_floor_minor"],
            yen["allocation_order"]) == (None, 1000, "fees,interest,principal")


def test_products_are_idempotent_by_code_and_updated_when_terms_change(db, tmp_path):
    path = write_csv(tmp_path / "products.csv", HEADER, [GOLD])
    import_file(kind="products", path=path)

    again = import_file(kind="products", path=path)
    changed = write_csv(tmp_path / "changed.csv", ["code", "name", "currency", "late_fee_max"],
                        [["GOLD", "金卡", "CNY", ""]])
    updated = import_file(kind="products", path=changed)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert (updated.updated, updated.unchanged) == (1, 0)
    gold = product("GOLD")
    assert gold["late_fee_max_minor"] is None  # blank: no maximum
    assert gold["daily_interest_rate"] == Decimal("0.0005")  # columns left out stay as they were
    assert Product.objects.count() == 1


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("currency", "RMB1", "'RMB1' is not a three-letter ISO 4217 currency code"),
    ("daily_interest_rate", "0.00000005", "has more decimals than a rate may have (7 as a "
                                          "fraction)"),
    ("daily_interest_rate", "-0.1", "'-0.1' is not a rate such as 0.0005 or 0.05%"),
    ("late_fee_rate", "150%", "'150%' is not between 0 and 1"),
    ("min_payment_rate", "1e-2", "is not a rate"),
    ("late_fee_min", "-1", "must not be negative"),
    ("late_fee_max", "5", "is less than the smallest late fee (10.00)"),
    ("min_payment_floor", "1.001", "'1.001' has more decimals than CNY allows (2)"),
    ("grace_days", "2.5", "'2.5' is not a whole number"),
    ("statement_day", "32", "32 is not between 1 and 31"),
    ("allocation_order", "fees;principal", "must name each of fees, interest, principal once"),
    ("time_zone", "Beijing", "not an IANA time zone"),
    ("name", "", "is empty; a value is required"),
    ("code", "X" * 41, "is 41 characters long; at most 40 allowed"),
])
def test_bad_product_rows(db, tmp_path, column, value, reason):
    bad = dict(zip(HEADER, GOLD, strict=True)) | {"code": "BAD", column: value}
    rows = [["STD", "Standard", "CNY", *[""] * 12], [bad[name] for name in HEADER]]

    report = import_file(kind="products", path=write_csv(tmp_path / "p.csv", HEADER, rows))

    assert [(e.line, e.column) for e in report.errors] == [(3, column)]
    assert reason in report.errors[0].reason
    assert not Product.objects.exists()


def test_a_products_currency_cannot_change_once_it_has_accounts(db, tmp_path):
    make_account(product=make_product(code="USED", currency="CNY"))
    make_product(code="FREE", currency="CNY")
    path = write_csv(tmp_path / "p.csv", ["code", "name", "currency"],
                     [["USED", "Used", "USD"], ["FREE", "Free", "USD"]])

    report = import_file(kind="products", path=path, skip_bad_rows=True)

    assert [(e.line, e.column) for e in report.errors] == [(2, "currency")]
    assert "product USED has accounts in CNY; its currency cannot change" in (
        report.errors[0].reason)
    assert dict(Product.objects.values_list("code", "currency")) == {"USED": "CNY",
                                                                     "FREE": "USD"}


def test_duplicate_codes_in_one_file(db, tmp_path):
    path = write_csv(tmp_path / "p.csv", ["code", "name", "currency"],
                     [["GOLD", "a", "CNY"], ["GOLD", "b", "CNY"]])
    report = import_file(kind="products", path=path)
    assert [(e.line, e.column) for e in report.errors] == [(3, "code")]
    assert "duplicate external id 'GOLD': already on line 2" in report.errors[0].reason


def test_products_from_parquet_with_typed_numbers(db, tmp_path):
    header = ["code", "name", "currency", "daily_interest_rate", "grace_days", "late_fee_max"]
    path = write_parquet(tmp_path / "p.parquet", header,
                         [["GOLD", "金卡", "CNY", Decimal("0.0005"), 3, Decimal("300.00")]],
                         types={"daily_interest_rate": pa.decimal128(9, 7),
                                "grace_days": pa.int16(),
                                "late_fee_max": pa.decimal128(12, 2)})

    report = import_file(kind="products", path=path)

    assert report.errors == []
    gold = product("GOLD")
    assert (gold["daily_interest_rate"], gold["grace_days"], gold["late_fee_max_minor"]) == (
        Decimal("0.0005"), 3, 30000)
