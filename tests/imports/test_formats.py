"""Dates and amounts as a bank's feed writes them, declared in an import profile; real dates."""

import re
from datetime import date

import pyarrow as pa
import pytest
from django.contrib.auth.models import User
from hypothesis import given
from hypothesis import strategies as st

from arrears.imports.formats import AmountFormat, CellError, DateFormat, FormatError
from arrears.imports.models import ImportColumn, ImportProfile
from arrears.imports.services import ImportFileError, import_file
from arrears.ledger.models import Posting
from arrears.portfolio.models import Account, Cardholder
from arrears.rules.money import AmountError
from tests.factories import make_cardholder
from tests.imports.conftest import write_csv, write_parquet


@pytest.mark.parametrize(("text", "reason"), [
    ("2026-02-30", "2026-02-30 is not a real date: February 2026 has 28 days"),
    ("2024-02-30", "2024-02-30 is not a real date: February 2024 has 29 days"),
    ("2025-02-29", "2025-02-29 is not a real date: February 2025 has 28 days"),
    ("2026-04-31", "2026-04-31 is not a real date: April 2026 has 30 days"),
    ("2026-01-00", "2026-01-00 is not a real date: January 2026 has 31 days"),
    ("2026-13-01", "2026-13-01 is not a real date: there is no month 13"),
    ("0000-01-01", "0000-01-01 is not a real date: there is no year 0"),
    ("2026/02/28", "'2026/02/28' is not a date in the form YYYY-MM-DD"),
    ("20260228", "'20260228' is not a date in the form YYYY-MM-DD"),
    ("2026-2-28", "'2026-2-28' is not a date in the form YYYY-MM-DD"),
    ("２０２６-02-28", "not a date in the form YYYY-MM-DD"),
])
def test_a_date_that_does_not_exist_is_not_a_wrong_format(text, reason):
    with pytest.raises(CellError) as error:
        DateFormat().parse(text)
    assert reason in str(error.value)


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("YYYY-MM-DD", "2024-02-29", date(2024, 2, 29)),
    ("YYYY/MM/DD", "2026/11/23", date(2026, 11, 23)),
    ("YYYYMMDD", "20261123", date(2026, 11, 23)),
    ("DD.MM.YYYY", "23.11.2026", date(2026, 11, 23)),
    ("YYYY/M/D", "2026/1/5", date(2026, 1, 5)),
    ("YYYY/M/D", "2026/11/23", date(2026, 11, 23)),
    ("YYYY年MM月DD日", "2026年11月23日", date(2026, 11, 23)),
])
def test_declared_date_formats(pattern, text, expected):
    assert DateFormat(pattern).parse(text) == expected


@pytest.mark.parametrize(("pattern", "text", "reason"), [
    ("YYYY/MM/DD", "2026-11-23", "'2026-11-23' is not a date in the form YYYY/MM/DD"),
    ("YYYYMMDD", "2026113", "'2026113' is not a date in the form YYYYMMDD"),
    ("YYYYMMDD", "20260230", "20260230 is not a real date: February 2026 has 28 days"),
])
def test_a_date_not_in_the_declared_format(pattern, text, reason):
    with pytest.raises(CellError, match=reason):
        DateFormat(pattern).parse(text)


@pytest.mark.parametrize(("pattern", "reason"), [
    ("YY/MM/DD", "'Y' is not YYYY, MM, M, DD or D"),
    ("YYYY-MM", "must name YYYY, the month (MM or M) and the day (DD or D)"),
    ("YYYY-MM-DD-DD", "names the DD twice"),
    ("%Y-%m-%d", "'Y' is not YYYY"),
])
def test_a_date_format_that_cannot_be_used(pattern, reason):
    with pytest.raises(FormatError, match=re.escape(reason)):
        DateFormat(pattern)


YUAN = AmountFormat(currency_symbol="¥")
PLAIN = AmountFormat(thousands_separator="")
EUROPEAN = AmountFormat(decimal_separator=",", thousands_separator=".")
MINOR = AmountFormat(thousands_separator="", minor_units=True)


@pytest.mark.parametrize(("fmt", "text", "currency", "minor"), [
    (YUAN, "¥1,234.56", "CNY", 123456),
    (YUAN, "￥1,234.56", "CNY", 123456),
    (YUAN, "1234.56", "CNY", 123456),
    (YUAN, "1,234.56", "CNY", 123456),
    (YUAN, "-12.30", "CNY", -1230),
    (YUAN, "-¥12.30", "CNY", -1230),
    (YUAN, "¥-12.30", "CNY", -1230),
    (YUAN, "¥ 1,234,567.5", "CNY", 123456750),
    (YUAN, "12.300", "CNY", 1230),
    (YUAN, "5", "JPY", 5),
    (AmountFormat(currency_symbol="元"), "1,234.56元", "CNY", 123456),
    (PLAIN, "1234.56", "CNY", 123456),
    (PLAIN, "+0.01", "CNY", 1),
    (EUROPEAN, "1.234,56", "CNY", 123456),
    (MINOR, "123456", "CNY", 123456),
    (MINOR, "-1230", "CNY", -1230),
    (MINOR, "123456", "JPY", 123456),
    (AmountFormat(minor_units=True), "1,234,567", "CNY", 1234567),
])
def test_declared_amount_formats(fmt, text, currency, minor):
    assert fmt.parse(text, currency) == minor


@pytest.mark.parametrize(("fmt", "text", "reason"), [
    (YUAN, "1.234,56", "'1.234,56' is not an amount in the declared format, like ¥1,234.56, "
                       "1234.56, -12.30"),
    (YUAN, "12,34.56", "not an amount in the declared format"),
    (YUAN, "5e+05", "not an amount in the declared format"),
    (YUAN, "$12", "not an amount in the declared format"),
    (YUAN, "-¥-12", "not an amount in the declared format"),
    (YUAN, "¥12¥", "not an amount in the declared format"),
    (YUAN, "1.234", "'1.234' has more decimals than CNY allows (2)"),
    (YUAN, "99999999999999999", "is too large"),
    (PLAIN, "1,234.56", "like 1234.56, -12.30"),
    (PLAIN, "¥12", "not an amount in the declared format"),
    (MINOR, "1234.56", "'1234.56' is not an amount in the declared format: whole minor units "
                       "(fen, cents), like 123456, -1230"),
    (EUROPEAN, "1,234.56", "like 1.234,56, 1234,56, -12,30"),
])
def test_an_amount_not_in_the_declared_format(fmt, text, reason):
    with pytest.raises(AmountError) as error:
        fmt.parse(text, "CNY")
    assert reason in str(error.value)


@given(minor=st.integers(min_value=-10**16, max_value=10**16),
       fmt=st.sampled_from([YUAN, PLAIN, EUROPEAN, MINOR, AmountFormat(thousands_separator=" ")]),
       group=st.booleans(), symbol=st.booleans())
def test_amounts_read_back_exactly(minor, fmt, group, symbol):
    """Whatever an amount is, written in a declared format it reads back to the same minor
    units: no float, no rounding."""
    digits = str(abs(minor))
    if fmt.minor_units:
        whole, fraction = digits, ""
    else:
        whole, fraction = digits[:-2] or "0", digits[-2:].rjust(2, "0")
    if group and fmt.thousands_separator:
        whole = f"{int(whole):,}".replace(",", fmt.thousands_separator)
    text = whole + (fmt.decimal_separator + fraction if fraction else "")
    if symbol and fmt.currency_symbol:
        text = fmt.currency_symbol + text
    text = ("-" if minor < 0 else "") + text
    assert fmt.parse(text, "CNY") == minor


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"decimal_separator": ",", "thousands_separator": ","}, "must differ"),
    ({"decimal_separator": ";"}, "decimal separator must be a point or a comma"),
    ({"thousands_separator": "_"}, "thousands separator must be none"),
    ({"currency_symbol": "1"}, "must not hold digits"),
])
def test_an_amount_format_that_cannot_be_used(kwargs, reason):
    with pytest.raises(FormatError, match=reason):
        AmountFormat(**kwargs)


# Import profiles.

BANK_HEADER = ["交易流水号", "卡账户", "交易类型", "交易金额", "记账日期", "科目", "备注"]


@pytest.fixture
def bank_profile(db):
    profile = ImportProfile.objects.create(
        name="icbc", kind="postings", encoding="gb18030", delimiter="|",
        date_format="YYYYMMDD", decimal_separator=".", thousands_separator=",",
        currency_symbol="¥")
    ours = ["external_id", "account_id", "kind", "amount", "posting_date", "component", ""]
    for file_column, column in zip(BANK_HEADER, ours, strict=True):
        ImportColumn.objects.create(profile=profile, file_column=file_column, column=column)
    return profile


def bank_file(path, rows):
    lines = ["|".join(BANK_HEADER)] + ["|".join(row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def test_a_bank_feed_read_through_its_profile(a1, bank_profile, tmp_path):
    rows = [["T1", "A1", "purchase", "¥1,234.56", "20261123", "", "网上购物"],
            ["T2", "A1", "payment", "100", "20261124", "", ""],
            ["T3", "A1", "adjustment", "-12.30", "20261124", "fees", "调整"]]
    path = bank_file(tmp_path / "icbc_postings_20261124.txt", rows)

    report = import_file(kind="postings", path=path, profile="icbc")

    assert (report.errors, report.created) == ([], 3)
    assert dict(Posting.objects.values_list("external_id", "amount_minor")) == {
        "T1": 123456, "T2": 10000, "T3": -1230}
    assert Posting.objects.get(external_id="T1").posting_date == date(2026, 11, 23)
    assert import_file(kind="postings", path=path, profile="icbc").unchanged == 3


def test_a_value_not_in_the_profiles_format_names_line_column_and_format(a1, bank_profile,
                                                                         tmp_path):
    rows = [["T1", "A1", "purchase", "¥1,234.56", "20261123", "", ""],
            ["T2", "A1", "purchase", "100", "2026-11-23", "", ""],
            ["T3", "A1", "purchase", "1.234,56", "20261123", "", ""],
            ["T4", "A1", "purchase", "12.345", "20261123", "", ""],
            ["T5", "A1", "purchase", "1", "20260230", "", ""]]
    path = bank_file(tmp_path / "postings.txt", rows)

    report = import_file(kind="postings", path=path, profile="icbc")

    assert [(e.line, e.column) for e in report.errors] == [
        (3, "记账日期 (posting_date)"), (4, "交易金额 (amount)"), (5, "交易金额 (amount)"),
        (6, "记账日期 (posting_date)")]
    reasons = [e.reason for e in report.errors]
    assert reasons[0] == "'2026-11-23' is not a date in the form YYYYMMDD"
    assert reasons[1] == ("'1.234,56' is not an amount in the declared format, like "
                          "¥1,234.56, 1234.56, -12.30")
    assert reasons[2] == "'12.345' has more decimals than CNY allows (2)"
    assert reasons[3] == "20260230 is not a real date: February 2026 has 28 days"
    assert str(report.errors[0]) == (
        "line 3, 记账日期 (posting_date): '2026-11-23' is not a date in the form YYYYMMDD")
    assert not Posting.objects.exists()


def test_a_bank_column_the_profile_does_not_know_is_named_as_written(a1, bank_profile,
                                                                      tmp_path):
    path = tmp_path / "postings.txt"
    path.write_bytes("交易流水号|卡账户|交易类型|交易金额|记账日期|柜员号\r\nT1|A1|purchase|1|20261123|7\r\n"
                     .encode("gb18030"))

    report = import_file(kind="postings", path=path, profile="icbc")

    assert [(e.line, e.column) for e in report.errors] == [(1, "柜员号")]
    assert "unknown column" in report.errors[0].reason


def test_minor_units_and_typed_parquet_columns(cny, tmp_path):
    make_cardholder(external_id="C1")
    ImportProfile.objects.create(name="core", kind="accounts", date_format="YYYYMMDD",
                                 thousands_separator="", minor_units=True)
    header = ["external_id", "cardholder_id", "product", "credit_limit", "open_date"]
    csv_path = write_csv(tmp_path / "a.csv", header,
                         [["A1", "C1", "STD", "5000000", "20230501"],
                          ["A2", "C1", "STD", "50000.00", "20230501"]])
    parquet_path = write_parquet(tmp_path / "a.parquet", header,
                                 [["A3", "C1", "STD", 5000000, date(2023, 5, 1)]],
                                 types={"credit_limit": pa.int64(), "open_date": pa.date32()})

    from_csv = import_file(kind="accounts", path=csv_path, profile="core", skip_bad_rows=True)
    from_parquet = import_file(kind="accounts", path=parquet_path, profile="core")

    assert [(e.line, e.column) for e in from_csv.errors] == [(3, "credit_limit")]
    assert "whole minor units" in from_csv.errors[0].reason
    assert from_parquet.errors == []
    assert dict(Account.objects.values_list("external_id", "credit_limit_minor")) == {
        "A1": 5_000_000, "A3": 5_000_000}
    assert Account.objects.get(external_id="A3").open_date == date(2023, 5, 1)


def test_a_profile_without_an_amount_style_reads_amounts_strictly(db, tmp_path):
    """A profile declares the amount format: the spreadsheet's ``5e+05`` is not guessed."""
    ImportProfile.objects.create(name="hr", kind="cardholders")
    path = write_csv(tmp_path / "c.csv", ["external_id", "name", "monthly_income"],
                     [["C1", "张三", "5e+05"], ["C2", "李四", "12,000.00"]])

    report = import_file(kind="cardholders", path=path, profile="hr", skip_bad_rows=True)

    assert [(e.line, e.column) for e in report.errors] == [(2, "monthly_income")]
    assert Cardholder.objects.get(external_id="C2").income_minor == 1_200_000


def test_the_declared_encoding_wins_over_the_profiles(db, tmp_path):
    ImportProfile.objects.create(name="tw", kind="cardholders", encoding="big5")
    path = tmp_path / "c.csv"
    path.write_bytes("external_id,name\nC1,张三\n".encode("gb18030"))

    assert import_file(kind="cardholders", path=path, profile="tw", encoding="gb18030").created
    assert Cardholder.objects.get().name == "张三"


def test_unknown_profiles_are_usage_errors(db, tmp_path):
    ImportProfile.objects.create(name="icbc", kind="cardholders")
    ImportProfile.objects.create(name="boc", kind="postings")
    path = write_csv(tmp_path / "p.csv", ["external_id"], [["P1"]])

    with pytest.raises(ImportFileError, match="no import profile 'abc' for postings; the "
                                              "profiles for postings are: boc"):
        import_file(kind="postings", path=path, profile="abc")
    with pytest.raises(ImportFileError, match="the import profile icbc has no settings for "
                                              "postings, only for cardholders"):
        import_file(kind="postings", path=path, profile="icbc")


def test_a_profile_changed_behind_the_admins_back_is_a_usage_error(db, tmp_path):
    ImportProfile.objects.create(name="bad", kind="postings", date_format="YY-MM-DD")
    path = write_csv(tmp_path / "p.csv", ["external_id"], [["P1"]])
    with pytest.raises(ImportFileError, match="the import profile bad for postings cannot be "
                                              "used: date format 'YY-MM-DD'"):
        import_file(kind="postings", path=path, profile="bad")


# The admin, where operations staff keep the profiles.

def _profile_form(**changes) -> dict:
    data = {
        "name": "ccb", "kind": "postings", "description": "建设银行 nightly postings",
        "encoding": "gb18030", "delimiter": "|", "date_format": "YYYY/MM/DD",
        "decimal_separator": ".", "thousands_separator": ",", "currency_symbol": "¥",
        "columns-TOTAL_FORMS": "2", "columns-INITIAL_FORMS": "0",
        "columns-MIN_NUM_FORMS": "0", "columns-MAX_NUM_FORMS": "1000",
        "columns-0-file_column": "交易金额", "columns-0-column": "amount",
        "columns-1-file_column": "备注", "columns-1-column": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("ops", password="x"))
    return client


def test_operations_staff_set_up_a_profile_in_the_admin(admin_client):
    assert admin_client.get("/admin/imports/importprofile/add/").status_code == 200

    response = admin_client.post("/admin/imports/importprofile/add/", _profile_form())

    assert response.status_code == 302, response.content.decode()[:3000]
    profile = ImportProfile.objects.get(name="ccb")
    fmt = profile.file_format()
    assert (fmt.encoding, fmt.delimiter, fmt.dates.pattern) == ("gb18030", "|", "YYYY/MM/DD")
    assert fmt.columns == {"交易金额": "amount", "备注": ""}
    assert fmt.amounts.parse("¥1,234.56", "CNY") == 123456


@pytest.mark.parametrize(("changes", "message"), [
    ({"date_format": "YY/MM/DD"}, "is not YYYY, MM, M, DD or D"),
    ({"thousands_separator": "."}, "must differ from the decimal separator"),
    ({"columns-0-column": "amout"}, "amout is not a column of postings"),
    ({"columns-1-column": "amount"}, "two of the bank&#x27;s columns are mapped to amount"),
    ({"columns-0-file_column": "TXN_AMT", "columns-1-file_column": "txn_amt ",
      "columns-1-column": "reason"}, "the bank&#x27;s column txn_amt is named twice"),
])
def test_the_admin_refuses_a_profile_that_cannot_be_used(admin_client, changes, message):
    response = admin_client.post("/admin/imports/importprofile/add/", _profile_form(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportProfile.objects.exists()


def test_the_same_name_serves_every_kind_of_a_bank(cny, tmp_path):
    ImportProfile.objects.create(name="abc", kind="cardholders", date_format="YYYY/MM/DD")
    ImportProfile.objects.create(name="abc", kind="accounts", date_format="YYYYMMDD",
                                 currency_symbol="¥")
    cardholders = write_csv(tmp_path / "c.csv", ["external_id", "name", "date_of_birth"],
                            [["C1", "张三", "1990/03/07"]])
    accounts = write_csv(tmp_path / "a.csv", ["external_id", "cardholder_id", "product",
                                              "credit_limit", "open_date"],
                         [["A1", "C1", "STD", "¥50,000", "20230501"]])

    assert import_file(kind="cardholders", path=cardholders, profile="abc").errors == []
    assert import_file(kind="accounts", path=accounts, profile="abc").errors == []
    assert Cardholder.objects.get(external_id="C1").date_of_birth == date(1990, 3, 7)
    assert Account.objects.get(external_id="A1").credit_limit_minor == 5_000_000


def test_the_administrator_role_keeps_the_profiles_and_a_collector_does_not(client, db):
    from arrears.users.services import role_groups_ensure, user_create_for_role

    role_groups_ensure()
    admin = user_create_for_role(username="it", role="administrator", password="x")
    collector = user_create_for_role(username="col", role="collector", password="x")
    collector.is_staff = True
    collector.save()

    client.force_login(admin)
    assert client.get("/admin/imports/importprofile/add/").status_code == 200
    client.force_login(collector)
    assert client.get("/admin/imports/importprofile/").status_code == 403
