"""Importing postings: the ledger's facts, immutable, at volume."""

from datetime import date

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.audit.models import AuditEvent
from arrears.imports import services
from arrears.imports.services import import_file
from arrears.ledger.models import Posting
from arrears.rules.money import AmountError, parse_amount
from tests.factories import make_account, make_cardholder
from tests.imports.conftest import write_csv, write_parquet

HEADER = ["external_id", "account_id", "kind", "amount", "posting_date", "value_date",
          "component", "reverses", "reason"]


def row(external_id, kind="purchase", amount="100.00", account="A1", posting_date="2024-01-05",
        value_date="", component="", reverses="", reason=""):
    return [external_id, account, kind, amount, posting_date, value_date, component, reverses,
            reason]


GOOD = [
    row("P1", amount="5e+05"),
    row("P2", kind="payment", amount="1,234.56", posting_date="2024-01-20"),
    row("P3", kind="adjustment", amount="-10.5", component="fees", reason="goodwill"),
    row("P4", kind="reversal", amount="500000", reverses="P1", posting_date="2024-01-06",
        reason="duplicate"),
    row("P5", kind="waiver", amount="1", component="principal", value_date="2024-01-04"),
]


def test_good_file_imports_every_posting(a1, tmp_path):
    path = write_csv(tmp_path / "postings.csv", HEADER, GOOD)

    report = import_file(kind="postings", path=path)

    assert report.errors == []
    assert (report.rows_read, report.created, report.committed) == (5, 5, True)
    postings = {p.external_id: p for p in Posting.objects.all()}
    assert postings["P1"].amount_minor == 50_000_000
    assert postings["P2"].amount_minor == 123_456
    assert postings["P3"].amount_minor == -1050
    assert postings["P3"].component == "fees"
    assert postings["P4"].reverses == postings["P1"]
    assert postings["P5"].value_date == date(2024, 1, 4)
    assert postings["P1"].value_date == date(2024, 1, 5)
    assert {p.source for p in postings.values()} == {"import"}


BAD_ROWS = [
    (row("B1", amount="12.345"), "amount", "'12.345' has more decimals than CNY allows"),
    (row("B1", account="A99"), "account_id", "unknown account 'A99'"),
    (row("B1", posting_date="2024/01/05"), "posting_date",
     "'2024/01/05' is not a date in the form YYYY-MM-DD"),
    (row("B1", posting_date="20240105"), "posting_date", "not a date in the form YYYY-MM-DD"),
    (row("B1", posting_date="2024-02-30"), "posting_date",
     "2024-02-30 is not a real date: February 2024 has 29 days"),
    (row("B1", kind="refund"), "kind", "'refund' is not one of: purchase"),
    (row("B1", kind="waiver"), "component", "waiver and adjustment postings must name a"),
    (row("B1", kind="adjustment"), "component", "waiver and adjustment postings must name a"),
    (row("B1", amount="-5"), "amount", "must be positive; only an adjustment"),
    (row("B1", amount="0"), "amount", "must not be zero"),
    (row("B1", amount="abc"), "amount", "'abc' is not a number"),
    (row("B1", amount=""), "amount", "is empty; a value is required"),
    (row("B1", component="tax"), "component", "'tax' is not one of"),
    (row("B1", kind="reversal", reverses="NOPE"), "reverses", "unknown posting 'NOPE'"),
    (row("B1", kind="reversal"), "reverses", "a reversal must name the posting it reverses"),
    (row("B1", reverses="P0"), "reverses", "only a reversal may name a posting"),
    (row("B1", kind="reversal", reverses="P0", amount="99"), "amount",
     "must have the amount of the posting it reverses (100.00)"),
    (row("B1", kind="reversal", reverses="P0", posting_date="2024-01-01"), "posting_date",
     "cannot be dated before the posting it reverses"),
    (row("B1", kind="reversal", reverses="Q0", account="A1"), "reverses",
     "posting Q0 belongs to another account"),
    (row("P0", amount="100.01"), "external_id",
     "posting P0 already exists with different values; corrections are new postings"),
    (row("B" * 65), "external_id", "is 65 characters long; at most 64 allowed"),
]


@pytest.mark.parametrize(("bad", "column", "reason"), BAD_ROWS)
def test_each_bad_row_is_reported_with_line_column_and_reason(a1, a2, tmp_path, bad, column,
                                                               reason):
    Posting.objects.create(external_id="P0", account=a1, kind="purchase", amount_minor=10000,
                           posting_date=date(2024, 1, 2), value_date=date(2024, 1, 2),
                           source="import")
    Posting.objects.create(external_id="Q0", account=a2, kind="purchase", amount_minor=10000,
                           posting_date=date(2024, 1, 2), value_date=date(2024, 1, 2),
                           source="import")
    path = write_csv(tmp_path / "postings.csv", HEADER, [row("G1"), row("G2"), bad, row("G3")])

    report = import_file(kind="postings", path=path)

    assert [(e.line, e.column) for e in report.errors] == [(4, column)]
    assert reason in report.errors[0].reason
    assert str(report.errors[0]).startswith(f"line 4, {column}: ")
    assert report.rejected == 1
    assert not report.committed
    assert set(Posting.objects.values_list("external_id", flat=True)) == {"P0", "Q0"}


def test_already_reversed_posting_cannot_be_reversed_again(a1, tmp_path):
    rows = [row("P1"), row("R1", kind="reversal", reverses="P1"),
            row("R2", kind="reversal", reverses="P1")]
    path = write_csv(tmp_path / "postings.csv", HEADER, rows)

    report = import_file(kind="postings", path=path)

    assert [(e.line, e.column) for e in report.errors] == [(4, "reverses")]
    assert "posting P1 is already reversed (by R1)" in report.errors[0].reason

    import_file(kind="postings", path=path, skip_bad_rows=True)
    again = write_csv(tmp_path / "again.csv", HEADER, [row("R3", kind="reversal", reverses="P1")])
    report = import_file(kind="postings", path=again)
    assert "already reversed (by R1)" in report.errors[0].reason


def test_reversal_of_a_rejected_row_says_so(a1, tmp_path):
    rows = [row("P1", amount="1.001"), row("R1", kind="reversal", reverses="P1")]
    report = import_file(kind="postings", path=write_csv(tmp_path / "p.csv", HEADER, rows))

    assert [(e.line, e.column) for e in report.errors] == [(2, "amount"), (3, "reverses")]
    assert "rejected in this file" in report.errors[1].reason


def test_duplicate_external_id_in_the_file_is_rejected(a1, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, [row("P1"), row("P2"), row("P1")])

    report = import_file(kind="postings", path=path, skip_bad_rows=True)

    assert [(e.line, e.column) for e in report.errors] == [(4, "external_id")]
    assert "duplicate external id 'P1': already on line 2" in report.errors[0].reason
    assert Posting.objects.count() == 2


def test_one_bad_row_imports_nothing(a1, tmp_path):
    rows = [row(f"P{n}") for n in range(1, 20)] + [row("P20", amount="12.345")]
    report = import_file(kind="postings", path=write_csv(tmp_path / "p.csv", HEADER, rows))

    assert (report.rows_read, report.created, report.rejected) == (20, 19, 1)
    assert not report.committed
    assert Posting.objects.count() == 0


def test_skip_bad_rows_keeps_the_good_rows(a1, tmp_path):
    rows = [row("P1"), row("P2", account="A99"), row("P3", kind="nope"), row("P4")]
    report = import_file(kind="postings", path=write_csv(tmp_path / "p.csv", HEADER, rows),
                         skip_bad_rows=True)

    assert report.committed
    assert (report.created, report.rejected) == (2, 2)
    assert [e.line for e in report.errors] == [3, 4]
    assert set(Posting.objects.values_list("external_id", flat=True)) == {"P1", "P4"}


def test_dry_run_checks_database_conflicts_and_writes_nothing(a1, tmp_path):
    Posting.objects.create(external_id="P0", account=a1, kind="purchase", amount_minor=10000,
                           posting_date=date(2024, 1, 2), value_date=date(2024, 1, 2),
                           source="import")
    rows = [row("P1"), row("P0", amount="7"), row("R1", kind="reversal", reverses="P1")]
    path = write_csv(tmp_path / "p.csv", HEADER, rows)

    report = import_file(kind="postings", path=path, dry_run=True)

    assert [(e.line, e.column) for e in report.errors] == [(3, "external_id")]
    assert (report.created, report.committed) == (2, False)
    assert list(Posting.objects.values_list("external_id", flat=True)) == ["P0"]
    assert not AuditEvent.objects.exists()

    clean = write_csv(tmp_path / "clean.csv", HEADER, [row("P1")])
    report = import_file(kind="postings", path=clean, dry_run=True)
    assert (report.errors, report.created, report.committed) == ([], 1, False)
    assert Posting.objects.count() == 1


def test_reimport_is_unchanged_and_a_changed_posting_is_rejected(a1, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, GOOD)
    import_file(kind="postings", path=path)

    again = import_file(kind="postings", path=path)
    assert (again.created, again.unchanged, again.errors, again.committed) == (0, 5, [], True)
    assert Posting.objects.count() == 5

    changed = [*GOOD[:1], row("P2", kind="payment", amount="1234.57", posting_date="2024-01-20")]
    report = import_file(kind="postings", path=write_csv(tmp_path / "c.csv", HEADER, changed))
    assert [(e.line, e.column) for e in report.errors] == [(3, "external_id")]
    assert report.errors[0].reason == (
        "posting P2 already exists with different values; corrections are new postings "
        "(reversal)")
    assert Posting.objects.get(external_id="P2").amount_minor == 123456


def test_amounts_use_the_account_currency(jpy, tmp_path):
    make_account(external_id="J1", product=jpy, cardholder=make_cardholder())
    rows = [row("P1", account="J1", amount="5e+05"), row("P2", account="J1", amount="10.5")]
    report = import_file(kind="postings", path=write_csv(tmp_path / "p.csv", HEADER, rows))

    assert [(e.line, e.column) for e in report.errors] == [(3, "amount")]
    assert "more decimals than JPY allows (0)" in report.errors[0].reason
    assert report.created == 1


def test_bom_quotes_and_no_final_newline(a1, tmp_path):
    rows = [row("P1", reason="refund, partial\nsee ticket 7"), row("P2", amount="2e+02")]
    path = write_csv(tmp_path / "p.csv", HEADER, rows, bom=True, final_newline=False)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not path.read_bytes().endswith(b"\n")

    report = import_file(kind="postings", path=path)

    assert (report.errors, report.created) == ([], 2)
    assert Posting.objects.get(external_id="P1").reason == "refund, partial\nsee ticket 7"
    assert Posting.objects.get(external_id="P2").amount_minor == 20000


def test_line_numbers_count_multi_line_fields_and_skip_blank_lines(a1, tmp_path):
    path = tmp_path / "p.csv"
    text = (",".join(HEADER) + "\n"
            + ",".join(row("P1", reason='"two\nlines"')) + "\n"
            + "\n"
            + ",".join(row("P2", amount="x")) + "\n")
    path.write_text(text, encoding="utf-8")

    report = import_file(kind="postings", path=path)

    assert [(e.line, e.column) for e in report.errors] == [(5, "amount")]


def test_wrong_number_of_fields_is_a_row_error(a1, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(",".join(HEADER) + "\nP1,A1,purchase,1\n", encoding="utf-8")

    report = import_file(kind="postings", path=path)

    assert [(e.line, e.column) for e in report.errors] == [(2, "")]
    assert "the line has 4 fields; the header has 9" in report.errors[0].reason


@pytest.mark.parametrize("skip_bad_rows", [False, True])
def test_missing_required_column_is_a_file_error_before_any_row(a1, tmp_path, skip_bad_rows):
    header = [name for name in HEADER if name != "amount"] + ["colour"]
    rows = [[*r[:3], *r[4:], "red"] for r in GOOD]
    report = import_file(kind="postings", path=write_csv(tmp_path / "p.csv", header, rows),
                         skip_bad_rows=skip_bad_rows)

    assert [(e.line, e.column) for e in report.errors] == [(1, "colour"), (1, "amount")]
    assert "required column is missing from the header" in report.errors[1].reason
    assert "unknown column" in report.errors[0].reason
    assert (report.rows_read, report.committed) == (0, False)
    assert Posting.objects.count() == 0


def test_unknown_kind_extension_and_missing_file_raise(db, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, [])
    with pytest.raises(services.ImportFileError, match="unknown kind 'payments'"):
        import_file(kind="payments", path=path)
    (tmp_path / "p.xlsx").write_bytes(b"x")
    with pytest.raises(services.ImportFileError,
                       match=r"must end in \.csv, \.txt, \.dat \(delimited text\) or \.parquet"):
        import_file(kind="postings", path=tmp_path / "p.xlsx")
    with pytest.raises(services.ImportFileError, match="no such file"):
        import_file(kind="postings", path=tmp_path / "missing.csv")


def test_not_utf8_is_a_file_error(a1, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes((",".join(HEADER) + "\n" + ",".join(row("P1", reason="退款")) + "\n")
                     .encode("gb18030"))

    report = import_file(kind="postings", path=path, skip_bad_rows=True)

    assert not report.committed
    assert "not UTF-8" in report.errors[0].reason
    assert Posting.objects.count() == 0


def test_chunks_resolve_reversals_and_duplicates_across_chunk_boundaries(a1, tmp_path,
                                                                        monkeypatch):
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    rows = [row("P1"), row("P2"), row("P3"), row("R1", kind="reversal", reverses="P1"),
            row("P2"), row("R2", kind="reversal", reverses="P3"),
            row("R3", kind="reversal", reverses="P1")]
    report = import_file(kind="postings", path=write_csv(tmp_path / "p.csv", HEADER, rows),
                         skip_bad_rows=True)

    assert [(e.line, e.column) for e in report.errors] == [(6, "external_id"), (8, "reverses")]
    assert Posting.objects.get(external_id="R2").reverses.external_id == "P3"
    assert Posting.objects.get(external_id="R1").reverses.external_id == "P1"
    assert report.created == 5


def test_parquet_imports_like_csv_with_the_same_line_numbers(a1, tmp_path):
    rows = [*GOOD, row("P6", amount="1.001")]
    csv_report = import_file(kind="postings", path=write_csv(tmp_path / "p.csv", HEADER, rows),
                             dry_run=True)
    pq_report = import_file(kind="postings",
                            path=write_parquet(tmp_path / "p.parquet", HEADER, rows),
                            dry_run=True)

    assert [(e.line, e.column) for e in pq_report.errors] == [(7, "amount")]
    assert pq_report.errors == csv_report.errors
    assert (pq_report.rows_read, pq_report.created) == (6, 5)


def test_parquet_with_typed_columns(a1, tmp_path):
    header = ["external_id", "account_id", "kind", "amount", "posting_date"]
    rows = [["P1", "A1", "purchase", 5e5, date(2024, 1, 5)],
            ["P2", "A1", "payment", 1234.56, date(2024, 1, 6)],
            ["P3", "A1", "payment", None, date(2024, 1, 6)]]
    path = write_parquet(tmp_path / "p.parquet", header, rows,
                         types={"amount": pa.float64(), "posting_date": pa.date32()})

    report = import_file(kind="postings", path=path, skip_bad_rows=True)

    assert [(e.line, e.column) for e in report.errors] == [(4, "amount")]
    assert dict(Posting.objects.values_list("external_id", "amount_minor")) == {
        "P1": 50_000_000, "P2": 123_456}
    assert Posting.objects.get(external_id="P1").posting_date == date(2024, 1, 5)


def test_broken_parquet_is_a_file_error(db, tmp_path):
    path = tmp_path / "p.parquet"
    path.write_bytes(b"PAR1 not really")

    report = import_file(kind="postings", path=path)

    assert (report.committed, report.errors[0].line) == (False, 1)
    assert "not a readable Parquet file" in report.errors[0].reason


def test_each_import_writes_one_audit_event(a1, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, GOOD)
    import_file(kind="postings", path=path)
    import_file(kind="postings", path=write_csv(tmp_path / "bad.csv", HEADER, [row("X", "x")]))

    events = list(AuditEvent.objects.order_by("pk"))
    assert [(e.action, e.object_type) for e in events] == [("import", "postings")] * 2
    assert events[0].details["created"] == 5
    assert events[0].details["committed"] is True
    assert events[0].details["path"] == str(path)
    assert events[1].details["rejected"] == 1
    assert events[1].details["committed"] is False


def test_progress_bar_counts_rows(a1, tmp_path, capsys):
    import_file(kind="postings", path=write_csv(tmp_path / "p.csv", HEADER, GOOD),
                progress=True)

    assert "5/5" in capsys.readouterr().err


@given(st.one_of(
    st.from_regex(r"-?[0-9]{1,14}(\.[0-9]{0,4})?", fullmatch=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.text(alphabet="0123456789.-e+,", max_size=12),
), st.sampled_from(["CNY", "JPY", "KWD"]))
def test_the_fast_amount_path_agrees_with_parse_amount(text, currency):
    fast = services.plain_amount(text, currency)
    try:
        exact = parse_amount(text, currency)
    except AmountError:
        exact = None
    assert fast is None or fast == exact


def test_the_fast_amount_path_takes_plain_amounts():
    assert services.plain_amount("1234.5", "CNY") == 123450
    assert services.plain_amount("-0.05", "CNY") == -5
    assert services.plain_amount("700", "JPY") == 700
    assert services.plain_amount("1.001", "CNY") is None
    assert services.plain_amount("5e+05", "CNY") is None
