"""One posting writer: a file import and ``posting_create`` (what the API, the workbench and
the arrangements call) refuse the same posting with the same reason, and the staged path of a
large file gives the same answers whether SQL or the Python parsers type a row."""

from datetime import date

import pytest

from arrears.imports import services
from arrears.imports.services import import_file
from arrears.ledger.models import Posting
from arrears.ledger.services import PostingRejected, PostingRequest, posting_create
from tests.imports.conftest import write_csv
from tests.imports.test_postings import HEADER, row

pytestmark = pytest.mark.django_db


def _book(account, external_id, kind, amount, component=""):
    day = date(2024, 1, 5)
    return posting_create(request=PostingRequest(account, external_id, kind, amount, day, day,
                                                 component=component), source="api")


@pytest.mark.parametrize(("kind", "component", "reason"), [
    ("waiver", "interest", "a waiver cannot exceed the interest owed"),
    ("waiver", "principal", "a waiver cannot exceed the principal owed"),
    ("write_off", "", "a write-off cannot exceed what is owed"),
])
def test_a_credit_above_what_is_owed_is_refused_alike_by_the_api_and_an_import(
        a1, tmp_path, kind, component, reason):
    _book(a1, "P0", "purchase", 10_000)  # 100.00 of principal owed, no interest
    with pytest.raises(PostingRejected) as refused:
        _book(a1, "W1", kind, 10_001, component)
    assert refused.value.message == reason

    path = write_csv(tmp_path / "postings.csv", HEADER, [
        row("G1", amount="1.00"),
        row("W2", kind=kind, amount="101.01", component=component),
    ])
    report = import_file(kind="postings", path=path)
    assert [(e.line, e.column, e.reason) for e in report.errors] == [(3, "amount", reason)]
    assert not report.committed
    assert list(Posting.objects.values_list("external_id", flat=True)) == ["P0"]


def test_a_credit_within_what_the_file_itself_made_owed_is_taken(a1, tmp_path):
    """The ledger rules see the rows above in the same file: a purchase then its waiver."""
    path = write_csv(tmp_path / "postings.csv", HEADER, [
        row("P1", amount="50.00"),
        row("W1", kind="waiver", amount="50.00", component="principal"),
        row("W2", kind="waiver", amount="0.01", component="principal"),
    ])
    report = import_file(kind="postings", path=path, skip_bad_rows=True)
    assert [(e.line, e.reason) for e in report.errors] == [
        (4, "a waiver cannot exceed the principal owed")]
    assert sorted(Posting.objects.values_list("external_id", flat=True)) == ["P1", "W1"]


def test_a_refused_waiver_in_a_file_takes_its_reversal_with_it(a1, tmp_path):
    path = write_csv(tmp_path / "postings.csv", HEADER, [
        row("P1", amount="10.00"),
        row("W1", kind="waiver", amount="20.00", component="principal"),
        row("R1", kind="reversal", amount="20.00", reverses="W1"),
    ])
    report = import_file(kind="postings", path=path, skip_bad_rows=True)
    assert [(e.line, e.column) for e in report.errors] == [(3, "amount"), (4, "reverses")]
    assert list(Posting.objects.values_list("external_id", flat=True)) == ["P1"]


def test_sql_and_python_typing_agree(a1, tmp_path, monkeypatch):
    """The same rows, once with the staged SQL typing and once with every row parsed in
    Python (a profile's formats take that path): the same postings, the same errors."""
    rows = [
        row("P1", amount="1234.5"), row("P2", amount="5e+02"), row("P3", amount="1,000.00"),
        row("P4", kind="PAYMENT", amount="10", posting_date="2024-01-06",
            value_date="2024-01-05"),
        row("P5", amount="0.001"), row("P6", posting_date="2024-02-30"),
        row("P7", kind="adjustment", amount="-1.25", component="Fees"),
        row("P8", amount="-3"), row("P9", kind="reversal", amount="1234.50", reverses="P1"),
        row("P10", kind="waiver", amount="1", component="interest"),
        row("P11", value_date="1999-01-01"), row("P12", account="NOPE"),
    ]
    path = write_csv(tmp_path / "postings.csv", HEADER, rows)
    staged = import_file(kind="postings", path=path, skip_bad_rows=True)
    booked = sorted(Posting.objects.values_list(
        "external_id", "amount_minor", "kind", "component", "value_date", "reverses__external_id"))
    Posting.objects.filter(reverses__isnull=False).delete()
    Posting.objects.all().delete()

    monkeypatch.setattr(services.StagedImporter, "raw_allowed", lambda self: False)
    parsed = import_file(kind="postings", path=path, skip_bad_rows=True)
    assert [str(e) for e in staged.errors] == [str(e) for e in parsed.errors]
    assert (staged.created, staged.rejected) == (parsed.created, parsed.rejected) == (6, 6)
    assert booked == sorted(Posting.objects.values_list(
        "external_id", "amount_minor", "kind", "component", "value_date", "reverses__external_id"))


def test_a_nul_byte_is_refused_with_its_line_and_column_on_the_staged_path(a1, tmp_path):
    path = write_csv(tmp_path / "postings.csv", HEADER, [row("P1"), row("P2", reason="a\x00b")])
    report = import_file(kind="postings", path=path)
    assert [(e.line, e.column) for e in report.errors] == [(3, "reason")]
    assert "NUL" in report.errors[0].reason
