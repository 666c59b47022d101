"""Importing cardholders, contacts, accounts and statements."""

from datetime import date

import pytest

from arrears.imports.services import import_file
from arrears.portfolio.models import (
    Account,
    Cardholder,
    ContactPoint,
    Statement,
    ThirdPartyContact,
)
from tests.factories import make_cardholder, make_statement
from tests.imports.conftest import write_csv, write_parquet

CARDHOLDERS = ["external_id", "name", "national_id", "date_of_birth", "monthly_income",
               "employer", "flags", "language", "time_zone"]


def test_cardholders_import_with_every_column(db, tmp_path):
    rows = [
        ["C1", "张三", "110101199003070015", "1990-03-07", "5e+04", "北京某公司",
         "Complaint; hardship;complaint", "en", "Asia/Taipei"],
        ["C2", "Li, Si", "", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "cardholders.csv", CARDHOLDERS, rows, bom=True,
                     final_newline=False)

    report = import_file(kind="cardholders", path=path)

    assert (report.errors, report.created) == ([], 2)
    c1 = Cardholder.objects.get(external_id="C1")
    assert c1.income_minor == 5_000_000
    assert c1.flags == "complaint;hardship"
    assert (c1.language, c1.time_zone, c1.date_of_birth) == ("en", "Asia/Taipei",
                                                              date(1990, 3, 7))
    c2 = Cardholder.objects.get(external_id="C2")
    assert (c2.name, c2.income_minor, c2.language, c2.flags) == ("Li, Si", None, "zh-hans", "")


@pytest.mark.parametrize(("cells", "column", "reason"), [
    ({"monthly_income": "12.345"}, "monthly_income", "'12.345' has more decimals than CNY"),
    ({"monthly_income": "-1"}, "monthly_income", "must not be negative"),
    ({"flags": "complaint;angry"}, "flags", "unknown flag 'angry'"),
    ({"language": "fr"}, "language", "'fr' is not one of: zh-hans, en"),
    ({"time_zone": "Mars/Olympus"}, "time_zone", "not an IANA time zone"),
    ({"date_of_birth": "07/03/1990"}, "date_of_birth", "not a date in the form YYYY-MM-DD"),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth", "is in the future"),
    ({"name": ""}, "name", "is empty; a value is required"),
])
def test_bad_cardholder_rows(db, tmp_path, cells, column, reason):
    good = dict.fromkeys(CARDHOLDERS, "")
    bad = {**good, "external_id": "C9", "name": "王五", **cells}
    rows = [[*(["C1", "张三"] + [""] * 7)], [bad[name] for name in CARDHOLDERS]]

    report = import_file(kind="cardholders", path=write_csv(tmp_path / "c.csv", CARDHOLDERS,
                                                            rows))

    assert [(e.line, e.column) for e in report.errors] == [(3, column)]
    assert reason in report.errors[0].reason
    assert Cardholder.objects.count() == 0


def test_changed_master_data_is_updated_and_missing_columns_left_alone(db, tmp_path):
    make_cardholder(external_id="C1", name="张三", employer="Old Co")
    make_cardholder(external_id="C2", name="李四", employer="Same Co")
    path = write_csv(tmp_path / "c.csv", ["external_id", "name", "monthly_income"],
                     [["C1", "张三丰", "8000"], ["C2", "李四", ""], ["C3", "王五", ""]])

    report = import_file(kind="cardholders", path=path)

    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    c1 = Cardholder.objects.get(external_id="C1")
    assert (c1.name, c1.income_minor, c1.employer) == ("张三丰", 800_000, "Old Co")
    assert Cardholder.objects.get(external_id="C2").employer == "Same Co"

    again = import_file(kind="cardholders", path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


CONTACTS = ["external_id", "cardholder_id", "kind", "value", "verified", "source", "relation",
            "contact_name"]


def test_contacts_become_contact_points_or_third_party_contacts(db, tmp_path):
    make_cardholder(external_id="C1")
    rows = [
        ["K1", "C1", "mobile", "+86 138-0013-8000", "yes", "application", "", ""],
        ["K2", "C1", "email", "zhang@example.com", "", "", "", ""],
        ["K3", "C1", "home_address", "北京市朝阳区建国路1号", "0", "", "", ""],
        ["K4", "C1", "mobile", "13900139000", "true", "", "spouse", "李四"],
    ]
    report = import_file(kind="contacts", path=write_csv(tmp_path / "k.csv", CONTACTS, rows))

    assert (report.errors, report.created) == ([], 4)
    assert ContactPoint.objects.get(external_id="K1").verified is True
    assert ContactPoint.objects.get(external_id="K2").kind == "email"
    spouse = ThirdPartyContact.objects.get(external_id="K4")
    assert (spouse.name, spouse.relation, spouse.phone, spouse.verified) == (
        "李四", "spouse", "13900139000", True)

    rows[1][3] = "zhang.san@example.com"
    again = import_file(kind="contacts", path=write_csv(tmp_path / "k2.csv", CONTACTS, rows))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 3)
    assert ContactPoint.objects.get(external_id="K2").value == "zhang.san@example.com"


@pytest.mark.parametrize(("bad", "column", "reason"), [
    (["K9", "C404", "mobile", "13800138000", "", "", "", ""], "cardholder_id",
     "unknown cardholder 'C404'"),
    (["K9", "C1", "fax", "13800138000", "", "", "", ""], "kind", "'fax' is not one of"),
    (["K9", "C1", "email", "not-an-address", "", "", "", ""], "value", "not an e-mail address"),
    (["K9", "C1", "mobile", "call me", "", "", "", ""], "value", "not a phone number"),
    (["K9", "C1", "mobile", "13800138000", "maybe", "", "", ""], "verified",
     "'maybe' is not true/false"),
    (["K9", "C1", "mobile", "13800138000", "", "", "spouse", ""], "contact_name",
     "is required for a third-party contact"),
    (["K9", "C1", "email", "li@example.com", "", "", "friend", "李四"], "kind",
     "a third-party contact must be a phone"),
    (["K9", "C1", "mobile", "13800138000", "", "", "", "李四"], "contact_name",
     "only for a third-party contact"),
    (["K1", "C1", "mobile", "13800138000", "", "", "friend", "李四"], "relation",
     "exists as the cardholder's own contact point"),
])
def test_bad_contact_rows(db, tmp_path, bad, column, reason):
    ContactPoint.objects.create(external_id="K1", cardholder=make_cardholder(external_id="C1"),
                                kind="mobile", value="13800138000")
    report = import_file(kind="contacts", path=write_csv(tmp_path / "k.csv", CONTACTS, [bad]))

    assert [(e.line, e.column) for e in report.errors] == [(2, column)]
    assert reason in report.errors[0].reason
    assert ContactPoint.objects.count() == 1
    assert not ThirdPartyContact.objects.exists()


ACCOUNTS = ["external_id", "cardholder_id", "product", "credit_limit", "open_date", "status"]


def test_accounts_import_update_and_reject(cny, jpy, tmp_path):
    make_cardholder(external_id="C1")
    make_cardholder(external_id="C2")
    rows = [
        ["A1", "C1", "STD", "5e+04", "2023-05-01", ""],
        ["A2", "C2", "YEN", "300000", "2023-06-01", "blocked"],
        ["A3", "C9", "STD", "1000", "2023-06-01", ""],
        ["A4", "C1", "GOLD", "1000", "2023-06-01", ""],
        ["A5", "C1", "YEN", "0.5", "2023-06-01", ""],
        ["A6", "C1", "STD", "1000", "2023-06-01", "frozen"],
    ]
    path = write_parquet(tmp_path / "accounts.parquet", ACCOUNTS, rows)

    report = import_file(kind="accounts", path=path, skip_bad_rows=True)

    assert [(e.line, e.column) for e in report.errors] == [
        (4, "cardholder_id"), (5, "product"), (6, "credit_limit"), (7, "status")]
    assert "unknown product code 'GOLD'" in report.errors[1].reason
    a1 = Account.objects.get(external_id="A1")
    assert (a1.credit_limit_minor, a1.status, a1.product.code) == (5_000_000, "active", "STD")
    assert Account.objects.get(external_id="A2").credit_limit_minor == 300000

    rows = [["A1", "C2", "STD", "60000", "2023-05-01", "blocked"],
            ["A2", "C2", "YEN", "300000", "2023-06-01", "blocked"]]
    report = import_file(kind="accounts", path=write_csv(tmp_path / "a.csv", ACCOUNTS, rows))
    assert (report.updated, report.unchanged) == (1, 1)
    a1.refresh_from_db()
    assert (a1.credit_limit_minor, a1.status, a1.cardholder.external_id) == (
        6_000_000, "blocked", "C2")


STATEMENTS = ["external_id", "account_id", "cycle_date", "due_date", "statement_balance",
              "minimum_due"]


def test_statements_import_and_are_immutable(a1, tmp_path):
    rows = [["S1", "A1", "2024-01-20", "2024-02-14", "8800", "880.00"],
            ["S2", "A1", "2024-02-20", "2024-03-16", "-12.50", "0"]]
    path = write_csv(tmp_path / "s.csv", STATEMENTS, rows)

    assert import_file(kind="statements", path=path).created == 2
    s1 = Statement.objects.get(external_id="S1")
    assert (s1.statement_balance_minor, s1.minimum_due_minor) == (880000, 88000)
    again = import_file(kind="statements", path=path)
    assert (again.unchanged, again.errors) == (2, [])

    changed = write_csv(tmp_path / "c.csv", STATEMENTS,
                        [["S1", "A1", "2024-01-20", "2024-02-15", "8800", "880.00"]])
    report = import_file(kind="statements", path=changed)
    assert "statement S1 already exists with different values" in report.errors[0].reason
    assert Statement.objects.get(external_id="S1").due_date == date(2024, 2, 14)


@pytest.mark.parametrize(("bad", "column", "reason"), [
    (["S9", "A1", "2024-03-20", "2024-03-19", "100", "10"], "due_date",
     "2024-03-19 is before the cycle date 2024-03-20"),
    (["S9", "A1", "2024-03-20", "2024-04-14", "100", "-10"], "minimum_due",
     "must not be negative"),
    (["S9", "A99", "2024-03-20", "2024-04-14", "100", "10"], "account_id",
     "unknown account 'A99'"),
    (["S9", "A1", "2024-01-20", "2024-02-14", "100", "10"], "cycle_date",
     "account A1 already has a statement for 2024-01-20 (S0)"),
    (["S9", "A1", "2024-04-20", "2024-05-14", "100", "10"], "cycle_date",
     "account A1 already has a statement for 2024-04-20 (line 2)"),
    (["S9", "A1", "2024-03-20", "2024-04-14", "100.001", "10"], "statement_balance",
     "has more decimals than CNY allows"),
])
def test_bad_statement_rows(a1, tmp_path, bad, column, reason):
    make_statement(account=a1, external_id="S0", cycle_date=date(2024, 1, 20),
                   due_date=date(2024, 2, 14), balance=100, minimum=10)
    rows = [["S8", "A1", "2024-04-20", "2024-05-14", "100", "10"], bad]

    report = import_file(kind="statements", path=write_csv(tmp_path / "s.csv", STATEMENTS, rows))

    assert [(e.line, e.column) for e in report.errors] == [(3, column)]
    assert reason in report.errors[0].reason
    assert Statement.objects.count() == 1


def test_the_whole_portfolio_in_import_order(cny, tmp_path):
    files = {
        "cardholders": (CARDHOLDERS[:2], [["C1", "张三"]]),
        "contacts": (CONTACTS[:4], [["K1", "C1", "mobile", "13800138000"]]),
        "accounts": (ACCOUNTS[:5], [["A1", "C1", "STD", "50000", "2023-05-01"]]),
        "statements": (STATEMENTS, [["S1", "A1", "2024-01-20", "2024-02-14", "100", "10"]]),
        "postings": (["external_id", "account_id", "kind", "amount", "posting_date"],
                     [["P1", "A1", "purchase", "100", "2024-01-05"]]),
    }
    for kind, (header, rows) in files.items():
        report = import_file(kind=kind, path=write_csv(tmp_path / f"{kind}.csv", header, rows))
        assert (kind, report.created, report.errors) == (kind, 1, [])
    assert Account.objects.get(external_id="A1").postings.get().amount_minor == 10000


def test_a_statement_file_is_checked_in_a_fixed_number_of_queries(cny, tmp_path, monkeypatch):
    """The checks for unknown accounts and an existing statement per (account, cycle) are
    set-at-a-time over the whole staged file, not lookups per chunk (which made a large
    import slow, and once quadratic)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from arrears.imports import services
    from tests.factories import make_account

    for n in range(40):
        make_account(external_id=f"Q{n}", product=cny,
                     cardholder=make_cardholder(external_id=f"QC{n}"))
    monkeypatch.setattr(services, "CHUNK_SIZE", 10)
    path = write_csv(tmp_path / "statements.csv", [
        "external_id", "account_id", "cycle_date", "due_date", "statement_balance",
        "minimum_due"], [[f"QS{n}", f"Q{n}", "2026-01-20", "2026-02-14", "100", "10"]
                         for n in range(40)])
    with CaptureQueriesContext(connection) as queries:
        report = import_file(kind="statements", path=path)
    assert report.committed and report.created == 40
    # staged: each chunk is one write to the staging table; accounts and cycles are looked
    # up once for the whole file, in SQL, never chunk by chunk
    lookups = [q["sql"] for q in queries.captured_queries
               if '"external_id" IN (' in q["sql"] or '"cycle_date" IN (' in q["sql"]]
    assert lookups == []


def test_a_daily_delta_writes_only_its_rows_and_a_full_file_reports_the_absent(cny, tmp_path):
    make_cardholder(external_id="C1")
    make_cardholder(external_id="C2")
    full = [["A1", "C1", "STD", "1000", "2024-01-01", "active"],
            ["A2", "C2", "STD", "2000", "2024-01-01", "active"],
            ["A3", "C2", "STD", "3000", "2024-01-01", "active"]]
    report = import_file(kind="accounts", full=True,
                         path=write_csv(tmp_path / "full.csv", ACCOUNTS, full))
    assert (report.created, report.absent, report.absent_ids) == (3, 0, [])

    # the next day's delta: one changed account, one new; nothing else is touched or reported
    delta = [["A2", "C2", "STD", "2500", "2024-01-01", "blocked"],
             ["A4", "C1", "STD", "4000", "2024-02-01", "active"]]
    report = import_file(kind="accounts", path=write_csv(tmp_path / "delta.csv", ACCOUNTS, delta))
    assert (report.created, report.updated, report.unchanged, report.absent) == (1, 1, 0, 0)
    assert Account.objects.get(external_id="A2").status == "blocked"
    assert Account.objects.get(external_id="A1").credit_limit_minor == 100_000

    # a full file without A1 and A3 (one bad row still counts as present): they are
    # reported, not deleted, and their status is left alone
    again = [["A2", "C2", "STD", "2500", "2024-01-01", "blocked"],
             ["A4", "C9", "STD", "4000", "2024-02-01", "active"]]
    report = import_file(kind="accounts", full=True, skip_bad_rows=True,
                         path=write_csv(tmp_path / "full2.csv", ACCOUNTS, again))
    assert (report.absent, report.absent_ids, report.rejected) == (2, ["A1", "A3"], 1)
    assert Account.objects.count() == 4
    assert Account.objects.get(external_id="A1").status == "active"


def test_full_is_only_for_master_data(a1, tmp_path):
    from arrears.imports.services import ImportFileError

    path = write_csv(tmp_path / "s.csv", ["external_id"], [["S1"]])
    with pytest.raises(ImportFileError, match="--full is for the master data files"):
        import_file(kind="statements", path=path, full=True)


def test_the_command_reports_the_accounts_a_full_file_leaves_out(cny, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    make_cardholder(external_id="C1")
    write = lambda name, rows: write_csv(tmp_path / name, ACCOUNTS, rows)  # noqa: E731
    call_command("import_data", "accounts", str(write("a.csv", [
        ["A1", "C1", "STD", "1", "2024-01-01", ""], ["A2", "C1", "STD", "1", "2024-01-01", ""]])))
    out = StringIO()
    call_command("import_data", "accounts", str(write("b.csv", [
        ["A1", "C1", "STD", "1", "2024-01-01", ""]])), "--full", stdout=out)
    assert "absent" in out.getvalue() and "A2" in out.getvalue()
    assert "nothing was deleted" in out.getvalue()
    assert Account.objects.filter(external_id="A2").exists()


def test_imported_cardholders_and_phones_are_found_by_the_search_keys(db, tmp_path):
    """The import writes many rows at once (no model signals); it rebuilds the search keys of
    each batch itself, on creation and on a change."""
    from arrears.portfolio.models import SearchKey
    from arrears.portfolio.search import cardholders_by_key, cardholders_by_name

    write = write_csv(tmp_path / "c.csv", ["external_id", "name", "national_id"],
                      [["K1", "欧阳娜娜", "11010119900307123X"], ["K2", "王五", ""]])
    import_file(kind="cardholders", path=write)
    contacts = write_csv(tmp_path / "p.csv", ["external_id", "cardholder_id", "kind", "value"],
                         [["P1", "K2", "mobile", "+86 139 0000 1111"],
                          ["P2", "K2", "email", "w@example.com"]])
    import_file(kind="contacts", path=contacts)
    assert [c.external_id for c in cardholders_by_name("阳娜")] == ["K1"]
    assert [c.external_id for c in cardholders_by_key("id4", "123X")] == ["K1"]
    assert [c.external_id for c in cardholders_by_key("phone", "13900001111")] == ["K2"]
    renamed = write_csv(tmp_path / "c2.csv", ["external_id", "name"], [["K2", "王五六"]])
    import_file(kind="cardholders", path=renamed)
    assert [c.external_id for c in cardholders_by_name("五六")] == ["K2"]
    assert SearchKey.objects.filter(cardholder__external_id="K2", kind="phone").count() == 1
